"""A submission's answers as tables: one for the submission, one per repeat (pure: no Django).

The OData feed (entity sets `Submissions`, `Submissions.tv`) and the file exports (one CSV or
sheet per repeat, joined by KEY/PARENT_KEY) both cut the stored projection
(`SubmissionVersion.parsed`: groups as dicts, repeats as lists of dicts, leaves as the XML's
strings) the same way, so they cannot disagree about which row belongs to which parent:

- `answer_tables(schema)`: the tables of a form, in document order, each with its parent;
- `table_rows(parsed, schema, key=...)`: every row of one submission, each with its own key
  and its parent's key. Keys follow ODK Central's CSV export: the submission's instanceID,
  then `<parent key>/<path from the parent table>[<1-based index>]`
  ("uuid:…/tv[2]", "uuid:…/tv[2]/grp/nested[1]").

A row's `answers` is the part of the projection that belongs to that table (its groups
nested as dicts, its repeats still inside as lists, which each consumer skips).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from backend.core.xform_schema import ATTRIBUTE, GROUP, REPEAT, Node, XFormSchema

SUBMISSIONS = ""  # the path of the submission table (the instance root)


@dataclass(frozen=True)
class AnswerTable:
    path: str  # "" for the submissions table, else the repeat's path ("tv", "grp/rep")
    parent: str | None  # the parent table's path; None for the submissions table
    nodes: tuple[Node, ...]  # the groups and fields that belong to this table, document order

    @property
    def name(self) -> str:
        """The repeat's own name ("rep" of "grp/rep"); "" for the submissions table."""
        return self.path.rsplit("/", 1)[-1]

    def relative(self, node: Node) -> str:
        """A node's path inside this table's row ("grp/field")."""
        return node.path[len(self.path) + 1 :] if self.path else node.path

    def fields(self) -> Iterator[Node]:
        return (n for n in self.nodes if n.kind not in (GROUP, REPEAT))


@dataclass(frozen=True)
class AnswerRow:
    table: str  # AnswerTable.path
    key: str
    parent_key: str  # "" for a submission row
    answers: Mapping[str, Any]


def answer_tables(schema: XFormSchema) -> tuple[AnswerTable, ...]:
    """The submissions table first, then every repeat in document order (a nested repeat
    after its parent). Attributes (meta/entity/@id) are left out, as ODK Central does."""
    members: dict[str, list[Node]] = {SUBMISSIONS: []}
    parents: dict[str, str | None] = {SUBMISSIONS: None}
    for node in schema.nodes:
        if node.kind == ATTRIBUTE:
            continue
        if node.kind == REPEAT:
            members.setdefault(node.path, [])
            parents[node.path] = node.repeat
        members.setdefault(node.repeat, []).append(node)
    return tuple(AnswerTable(path, parents[path], tuple(nodes)) for path, nodes in members.items())


def table_rows(parsed: Mapping[str, Any], schema: XFormSchema, *, key: str) -> Iterator[AnswerRow]:
    """Every row of one submission: its own, then each repeat instance depth-first (a parent
    before its children), so a reader may stream them table by table or all together."""
    children = schema.children
    yield AnswerRow(SUBMISSIONS, key, "", parsed)
    yield from _repeat_rows(parsed, SUBMISSIONS, SUBMISSIONS, key, children)


def _repeat_rows(
    container: Any, table: str, path: str, key: str, children: Mapping[str, tuple[Node, ...]]
) -> Iterator[AnswerRow]:
    """The repeat rows under `container`, the answers at schema path `path` (the table's own
    path for a repeat instance or the root, a group's path inside it)."""
    if not isinstance(container, Mapping):
        return  # an empty group element is stored as "" (no children): nothing repeats in it
    for node in children.get(path, ()):
        value = container.get(node.name)
        if node.kind == GROUP:
            yield from _repeat_rows(value, table, node.path, key, children)
        elif node.kind == REPEAT:
            relative = node.path[len(table) + 1 :] if table else node.path
            items = value if isinstance(value, list) else [] if value is None else [value]
            for index, item in enumerate(items, start=1):
                item_key = f"{key}/{relative}[{index}]"
                answers = item if isinstance(item, Mapping) else {}
                yield AnswerRow(node.path, item_key, key, answers)
                yield from _repeat_rows(answers, node.path, node.path, item_key, children)
