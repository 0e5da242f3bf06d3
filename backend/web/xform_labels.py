"""An XForm's question and choice labels in one language, to show answers as the form
asked them (not field names). Pure: no Django.

The form's structure, labels and choice lists come from `backend.core.xform_schema`; this
module only picks one language and lays the answers of a submission out in form order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from backend.core.xform_schema import GROUP, REPEAT, XFormSchema, xform_schema


@dataclass
class FormLabels:
    language: str
    questions: dict[str, str] = field(default_factory=dict)  # relative path → label
    choices: dict[str, dict[str, str]] = field(default_factory=dict)  # relative path → value → label
    multiple: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class AnswerRow:
    label: str
    value: str
    depth: int
    is_group: bool = False
    path: str = ""


def form_labels(xform: bytes | XFormSchema, *, language: str = "vi") -> FormLabels:
    schema = xform if isinstance(xform, XFormSchema) else xform_schema(xform)
    chosen = schema.language(language)
    labels = FormLabels(language=chosen)
    for node in schema.nodes:
        if not (node.control or node.kind in (GROUP, REPEAT)):
            continue
        text = node.label(chosen)
        if text:
            labels.questions[node.path] = text
        if node.multiple:
            labels.multiple.add(node.path)
        if node.choices is not None:
            labels.choices[node.path] = {c.value: c.label(chosen) for c in node.choices.choices}
    return labels


def answer_rows(
    parsed: dict[str, Any], labels: FormLabels, *, extra_choices: dict[str, dict[str, str]] | None = None
) -> list[AnswerRow]:
    """The answers in form order, labelled; questions without a label (calculations,
    metadata) are left out. `extra_choices` fills choice lists that live outside the form
    (a CSV such as ap.csv)."""
    choices = {**labels.choices, **(extra_choices or {})}
    rows: list[AnswerRow] = []

    def show(path: str, value: str) -> str:
        options = choices.get(path)
        if not options or not value:
            return value
        if path in labels.multiple:
            return ", ".join(options.get(v, v) for v in value.split())
        return options.get(value, value)

    # Children of each group in the order the form asks them (not the order of the XML).
    children: dict[str, list[str]] = {}
    for path in labels.questions:
        parent = path.rsplit("/", 1)[0] if "/" in path else ""
        children.setdefault(parent, []).append(path)

    def walk(node: dict[str, Any], prefix: str, depth: int) -> None:
        for path in children.get(prefix, []):
            value = node.get(path.rsplit("/", 1)[-1])
            label = labels.questions[path]
            if value is None:
                continue  # not relevant in this submission
            if isinstance(value, list):
                for index, item in enumerate(value, start=1):
                    if isinstance(item, dict):
                        rows.append(AnswerRow(f"{label} #{index}", "", depth, True, path))
                        walk(item, path, depth + 1)
            elif isinstance(value, dict):
                rows.append(AnswerRow(label, "", depth, True, path))
                walk(value, path, depth + 1)
            else:
                rows.append(AnswerRow(label, show(path, value), depth, False, path))

    walk(parsed, "", 0)
    return rows


@dataclass(frozen=True)
class AnswerChange:
    label: str
    before: str
    after: str
    path: str


def answer_changes(before: list[AnswerRow], after: list[AnswerRow]) -> list[AnswerChange]:
    """What a correction changed: every answered question whose shown value differs between
    two versions, in the newer version's order (questions only in the older one last)."""
    old = {r.path: r for r in before if not r.is_group}
    new = {r.path: r for r in after if not r.is_group}
    changes = []
    for path in [*new, *(p for p in old if p not in new)]:
        was, now = old.get(path), new.get(path)
        before_value, after_value = (was.value if was else ""), (now.value if now else "")
        if before_value != after_value:
            changes.append(AnswerChange((now or was).label, before_value, after_value, path))
    return changes
