"""Instance XML from JSON answers (the batch push's `answers` items, issue 13). Pure: the form
is read by `backend.core.xform_schema` (the one schema reader), nothing here touches Django.

A custom client sends answers by field name — groups are transparent, a repeat is a list of
objects holding its own fields by name — and gets back the XML Collect would have written for
the same answers: every node of the primary instance in document order, the unanswered ones
empty, `meta/instanceID` set. The XML then goes through `submission_receive` like any other,
so identity, idempotency (send the same instanceID and answers again: a replay) and the
201-means-durable rule are unchanged.

Refused, with every problem listed: a name the form does not have, a group given as a field,
a value of the wrong JSON type or format for its bind type, a repeat that is not a list of
objects, a file field naming a file the item does not carry. Calculations, defaults and
constraints are not evaluated (there is no XPath engine here): what is sent is what is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from lxml import etree

from backend.core.xform_schema import ATTRIBUTE, BINARY, GROUP, REPEAT, XFormSchema

_TIME = re.compile(r"^\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?$")
RESERVED = {"meta"}  # instanceID and the like are the server's to write


@dataclass(frozen=True)
class AnswerProblem:
    field: str
    message: str


class AnswersInvalid(ValueError):
    def __init__(self, problems: list[AnswerProblem]):
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


def instance_from_answers(
    schema: XFormSchema, *, instance_id: str, answers: dict[str, Any], files: frozenset[str] = frozenset()
) -> bytes:
    """The instance XML for `answers`; raises AnswersInvalid listing every problem."""
    problems: list[AnswerProblem] = []
    root = etree.Element(schema.root, nsmap={"jr": "http://openrosa.org/javarosa", "orx": "http://openrosa.org/xforms"})
    root.set("id", schema.form_id)
    if schema.version:
        root.set("version", schema.version)
    if not isinstance(answers, dict):
        raise AnswersInvalid([AnswerProblem("answers", "must be an object of field name → answer")])
    _fill(schema, root, "", answers, "", files, problems)
    meta = root.find("meta")
    if meta is None:
        meta = etree.SubElement(root, "meta")
    instance = meta.find("instanceID")
    if instance is None:
        instance = etree.SubElement(meta, "instanceID")
    instance.text = instance_id
    if problems:
        raise AnswersInvalid(problems)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _children(schema: XFormSchema, parent: str):
    return [n for n in schema.nodes if n.parent == parent and n.kind != ATTRIBUTE]


def _fields_in(schema: XFormSchema, scope: str, under: str) -> dict[str, Any]:
    """Answerable names in one scope (the top level, or one repeat): fields and repeats whose
    nearest repeat is `scope`, found through any groups below `under`."""
    names = {}
    for node in schema.nodes:
        if node.kind == ATTRIBUTE or node.path == scope or not node.path.startswith(under):
            continue
        if node.repeat == scope and node.path.split("/")[0] not in RESERVED:
            names[node.name] = node
    return names


def _fill(schema, element, parent: str, answers: dict, scope: str, files, problems: list, where: str = "") -> None:
    names = _fields_in(schema, scope, f"{scope}/" if scope else "")
    for name in answers:
        node = names.get(name)
        if node is None:
            problems.append(AnswerProblem(where + name, "the form has no such field"))
        elif node.kind == GROUP:
            problems.append(AnswerProblem(where + name, "is a group: give its fields by their own names"))
    _emit(schema, element, parent, answers, scope, files, problems, where)


def _emit(schema, element, parent: str, answers: dict, scope: str, files, problems: list, where: str) -> None:
    for node in _children(schema, parent):
        if node.kind == REPEAT:
            items = answers.get(node.name, [])
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                problems.append(AnswerProblem(where + node.name, "a repeat is a list of objects"))
                continue
            for index, item in enumerate(items):
                child = etree.SubElement(element, node.name)
                _fill(schema, child, node.path, item, node.path, files, problems, f"{where}{node.name}[{index}].")
            continue
        child = etree.SubElement(element, node.name)
        for attribute in (n for n in schema.nodes if n.kind == ATTRIBUTE and n.parent == node.path):
            if attribute.default:
                child.set(attribute.name.lstrip("@"), attribute.default)
        if node.kind == GROUP:
            _emit(schema, child, node.path, answers, scope, files, problems, where)
            continue
        if node.name in answers and node.repeat == scope:
            text, problem = _text(node, answers[node.name], files)
            if problem:
                problems.append(AnswerProblem(where + node.name, problem))
            child.text = text
        elif node.default:
            child.text = node.default


def _text(node, value: Any, files: frozenset[str]) -> tuple[str, str]:
    """(the answer as the instance writes it, "" or what is wrong with it)."""
    kind = node.data_type
    if value is None:
        return "", ""
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            return "", f"expects a whole number, got {value!r}"
        return str(value), ""
    if kind == "decimal":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return "", f"expects a number, got {value!r}"
        return repr(float(value)) if isinstance(value, float) else str(value), ""
    if kind in ("geopoint", "geotrace", "geoshape"):
        return _geo(kind, value)
    if not isinstance(value, str) and not (node.multiple and isinstance(value, list)):
        return "", f"expects text, got {value!r}"
    if node.multiple and isinstance(value, list):
        if not all(isinstance(v, str) and v and " " not in v for v in value):
            return "", "a select-multiple answer is a list of choice names"
        value = " ".join(value)
    if kind == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            return "", f"expects a date YYYY-MM-DD, got {value!r}"
    elif kind == "dateTime":
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return "", f"expects a date-time (ISO 8601), got {value!r}"
    elif kind == "time" and value and not _TIME.match(value):
        return "", f"expects a time HH:MM[:SS], got {value!r}"
    elif kind == BINARY and value and value not in files:
        return "", f"names the file {value!r}, which this item does not carry in `files`"
    return value, ""


def _geo(kind: str, value: Any) -> tuple[str, str]:
    points = value if kind != "geopoint" else [value]
    if isinstance(value, str):
        return value, ""  # as Collect writes it: "lat lon alt acc[; …]"
    if not isinstance(points, list):
        return "", f"expects {kind} as text or a list of numbers, got {value!r}"
    out = []
    for point in points:
        if (
            not isinstance(point, list)
            or not 2 <= len(point) <= 4
            or not all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in point)
        ):
            return "", f"expects [lat, lon, altitude?, accuracy?] numbers, got {point!r}"
        lat, lon = point[0], point[1]
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return "", f"latitude/longitude out of range: {point!r}"
        out.append(" ".join(str(c) for c in [*point, 0, 0][:4]))
    return "; ".join(out), ""
