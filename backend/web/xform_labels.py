"""An XForm's question and choice labels in one language, to show answers as the form
asked them (not field names). Pure: lxml only, no Django.

pyxform writes labels as itext references (`jr:itext('/pl_ho/ho/so_tv:label')`) and choice
lists as secondary instances whose items carry an `itextId`; forms without translations
carry the label text inline. Both are read here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

XF = "http://www.w3.org/2002/xforms"
H = "http://www.w3.org/1999/xhtml"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_ITEXT_REF = re.compile(r"""jr:itext\(\s*['"]([^'"]+)['"]\s*\)""")
_INSTANCE_REF = re.compile(r"""instance\(\s*['"]([^'"]+)['"]\s*\)""")
CONTROLS = {"input", "select1", "select", "upload", "range", "rank", "trigger"}


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


def _relative(nodeset: str) -> str:
    parts = [p.split(":")[-1] for p in nodeset.strip().split("/") if p]
    return "/".join(parts[1:])


def _pick_language(translations: list[Any], preferred: str) -> Any | None:
    if not translations:
        return None
    for t in translations:
        if f"({preferred})" in t.get("lang", "") or t.get("lang", "") == preferred:
            return t
    for t in translations:
        if t.get("default"):
            return t
    return translations[0]


def _text_of(value: Any) -> str:
    return " ".join("".join(value.itertext()).split())


def form_labels(xform: bytes, *, language: str = "vi") -> FormLabels:
    root = etree.fromstring(xform, _PARSER)
    translations = list(root.iter(f"{{{XF}}}translation"))
    chosen = _pick_language(translations, language)
    itext: dict[str, str] = {}
    if chosen is not None:
        for text in chosen.iter(f"{{{XF}}}text"):
            values = [v for v in text.iter(f"{{{XF}}}value") if not v.get("form")]
            if values:
                itext[text.get("id", "")] = _text_of(values[0])
    labels = FormLabels(language=chosen.get("lang", "") if chosen is not None else "")

    def label_of(element: Any) -> str:
        label = element.find(f"{{{XF}}}label")
        if label is None:
            return ""
        ref = label.get("ref", "")
        match = _ITEXT_REF.search(ref)
        if match:
            return itext.get(match.group(1), "")
        return _text_of(label)

    instances = {i.get("id"): i for i in root.iter(f"{{{XF}}}instance") if i.get("id")}
    body = root.find(f"{{{H}}}body")
    if body is None:
        return labels
    for element in body.iter():
        if not isinstance(element.tag, str) or not element.tag.startswith(f"{{{XF}}}"):
            continue
        kind = etree.QName(element).localname
        ref = element.get("ref") or element.get("nodeset") or ""
        if kind not in CONTROLS | {"group", "repeat"} or not ref:
            continue
        path = _relative(ref)
        text = label_of(element)
        if text and path not in labels.questions:
            labels.questions[path] = text
        if kind == "select":
            labels.multiple.add(path)
        if kind in ("select1", "select"):
            labels.choices[path] = _choices(element, instances, itext)
    return labels


def _choices(select: Any, instances: dict[str, Any], itext: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in select.findall(f"{{{XF}}}item"):
        value = item.findtext(f"{{{XF}}}value") or ""
        label = item.find(f"{{{XF}}}label")
        if label is not None:
            match = _ITEXT_REF.search(label.get("ref", ""))
            out[value] = itext.get(match.group(1), value) if match else _text_of(label)
    itemset = select.find(f"{{{XF}}}itemset")
    if itemset is not None:
        match = _INSTANCE_REF.search(itemset.get("nodeset", ""))
        instance = instances.get(match.group(1)) if match else None
        if instance is not None:
            for item in instance.iter(f"{{{XF}}}item"):
                value = item.findtext(f"{{{XF}}}name") or ""
                text_id = item.findtext(f"{{{XF}}}itextId")
                label = item.findtext(f"{{{XF}}}label")
                out[value] = itext.get(text_id, value) if text_id else (label or value)
    return out


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
