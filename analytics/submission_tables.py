"""A submission's answers as flat tables: one row in the form's table, one row per repeat
instance in that repeat's table, joined by keys the way ODK Central's `submissions.csv.zip`
joins them (pure: no Django; the exports, and anything else that flattens answers, use it).

Keys: the submission's row has `KEY` = its instanceID; a repeat instance has
`KEY` = `<parent KEY>/<repeat path relative to the parent table>[<1-based index>]` and
`PARENT_KEY` = its parent's KEY, so `tv` rows of `uuid:abc` are `uuid:abc/tv[1]`, … and a
nested repeat's rows point at their repeat instance, never at the submission.

Columns come from the form's schema (every version's, in document order), not from the rows:
a streamed export must write its header before it has read a single row.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

MAIN = ""  # the path of the form's own table


@dataclass(frozen=True)
class Table:
    path: str  # "" for the submission table, else the repeat's path ("tv", "grp/tv/con")
    name: str  # unique, file- and sheet-safe: "tv", "tv-con"
    columns: tuple[str, ...]  # answer columns, relative to the table ("tv_ten", "nhom/tuoi", "con[count]")


@dataclass(frozen=True)
class Layout:
    tables: tuple[Table, ...]  # the submission table first, then repeats in document order
    repeats: frozenset[str]

    def table(self, path: str) -> Table:
        return next(t for t in self.tables if t.path == path)

    @property
    def main(self) -> Table:
        return self.tables[0]

    @property
    def children(self) -> tuple[Table, ...]:
        return self.tables[1:]


def _owner(path: str, repeats: Iterable[str]) -> str:
    """The nearest repeat that encloses `path` ("" when none)."""
    best = MAIN
    for repeat in repeats:
        if path.startswith(repeat + "/") and len(repeat) > len(best):
            best = repeat
    return best


def _relative(path: str, table: str) -> str:
    return path[len(table) + 1 :] if table else path


def layout_from_nodes(nodes: Iterable[tuple[str, str]]) -> Layout:
    """`nodes`: (path, kind) pairs in document order, kind "field" or "repeat" (groups and
    attributes are ignored: a group only prefixes its fields' names). Several versions'
    nodes may be chained: a path seen twice keeps its first place."""
    fields: list[str] = []
    repeats: list[str] = []
    for path, kind in nodes:
        target = repeats if kind == "repeat" else fields if kind == "field" else None
        if target is not None and path not in target:
            target.append(path)
    columns: dict[str, list[str]] = {MAIN: []} | {r: [] for r in repeats}
    for path in [*fields, *repeats]:  # a repeat shows in its parent as a count, after the fields
        owner = _owner(path, repeats)
        name = _relative(path, owner) + ("[count]" if path in repeats else "")
        if name not in columns[owner]:
            columns[owner].append(name)
    names = _table_names(repeats)
    tables = [Table(MAIN, "", tuple(columns[MAIN]))]
    tables += [Table(r, names[r], tuple(columns[r])) for r in repeats]
    return Layout(tuple(tables), frozenset(repeats))


def _table_names(repeats: list[str]) -> dict[str, str]:
    """Central names a repeat's file after the repeat; two repeats of one name (in different
    groups) get their whole path, "/" written "-"."""
    last = [r.rsplit("/", 1)[-1] for r in repeats]
    return {r: (n if last.count(n) == 1 else r.replace("/", "-")) for r, n in zip(repeats, last, strict=True)}


def instance_rows(parsed: dict[str, Any], key: str, layout: Layout) -> Iterator[tuple[str, dict[str, Any]]]:
    """(table path, row) for the submission then each repeat instance (parents before their
    children). Rows are dicts by column name; a repeat row also has KEY and PARENT_KEY (the
    submission's row gets its KEY from the caller's fixed columns)."""
    row: dict[str, Any] = {}
    children: list[tuple[str, dict[str, Any]]] = []
    _walk(parsed, "", MAIN, key, layout.repeats, row, children)
    yield MAIN, row
    yield from children


def _walk(node, prefix, table, key, repeats, row, out) -> None:
    for name, value in node.items():
        if name.startswith("__"):
            continue  # __id, __version: the form's, not answers
        path = f"{prefix}{name}"
        column = _relative(path, table)
        if path in repeats:
            items = value if isinstance(value, list) else [value]
            row[f"{column}[count]"] = len(items)
            for index, item in enumerate(items, 1):
                child_key = f"{key}/{column}[{index}]"
                child: dict[str, Any] = {"KEY": child_key, "PARENT_KEY": key}
                nested: list[tuple[str, dict[str, Any]]] = []
                if isinstance(item, dict):
                    _walk(item, f"{path}/", path, child_key, repeats, child, nested)
                out.append((path, child))
                out.extend(nested)
        elif isinstance(value, dict):
            _walk(value, f"{path}/", table, key, repeats, row, out)
        elif isinstance(value, list):
            # The same name twice where the form declares no repeat (kept by the parser):
            # all values, as JSON (what PostgreSQL's `#>>` gives the SQL export), never the first.
            row[column] = json.dumps(value, ensure_ascii=False)
        else:
            row[column] = value
