"""A filled instance as ODK Collect writes it for any XForm pyxform produces (test helper).

It starts from the form's primary instance, as JavaRosa does: the repeat templates
(`jr:template`) are dropped and each repeat is instantiated `repeat_times` times (nested
repeats too), every field gets a value of its bind type, the XForms default namespace is
dropped (Collect's output is in no namespace, with `jr`/`orx`/`odk` declared on the root),
meta/instanceID is a fresh uuid and a binary field names a file that is sent as a part.

`expected_answers` is written independently of the server's reader: the nested JSON a
submission's answers must come back as (groups as objects, repeats as lists, leaves as the
exact strings sent).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from backend.core.xform_schema import XFormSchema, xform_schema

XF = "http://www.w3.org/2002/xforms"
H = "http://www.w3.org/1999/xhtml"
JR = "http://openrosa.org/javarosa"
ORX = "http://openrosa.org/xforms"
ODK = "http://www.opendatakit.org/xforms"
COLLECT_NSMAP = {"jr": JR, "orx": ORX, "odk": ODK, "h": H}

# Text a person could type: XML's special characters, quotes, Vietnamese, an emoji, a
# CDATA terminator, a line break and a tab; lxml escapes what must be escaped.
ODD_TEXT = "Nguyễn & <Thị> \"Bình\" 'ấp 3' ]]> 🌾\nhàng 2\tcột"
FILES = {
    "image": ("1764201234567.jpg", b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8 + b"\xff\xd9"),
    "audio": ("1764201234568.m4a", b"\x00\x00\x00\x18ftypM4A " + b"\x01" * 300),
    "video": ("1764201234569.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x02" * 300),
    "osm": ("1764201234570.osm", b"<?xml version='1.0'?><osm version='0.6'></osm>"),
    "file": ("1764201234571.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"),
    "background-audio": ("1764201234572.amr", b"#!AMR\n" + b"\x3c" * 200),
    "audit": ("audit.csv", b"event,node,start,end\nform start,,1764200000000,\n"),
}
VALUES = {
    "int": "7",
    "integer": "7",
    "decimal": "3.25",
    "date": "2026-11-27",
    "time": "08:15:00.000+07:00",
    "dateTime": "2026-11-27T08:15:00.000+07:00",
    "geopoint": "10.9012 106.8123 12.5 4.0",
    "geotrace": "10.9012 106.8123 0 0;10.9020 106.8130 0 0",
    "geoshape": "10.9012 106.8123 0 0;10.9020 106.8130 0 0;10.9030 106.8110 0 0;10.9012 106.8123 0 0",
    "barcode": "8934563123456",
    "boolean": "true",
}
PROPERTIES = {
    "deviceid": "collect:Yx8cVpTz3q7KD8bN",
    "username": "tnv012",
    "email": "tnv012@example.org",
    "phonenumber": "+84901234567",
    "simserial": "8984049000000000001",
    "subscriberid": "452040000000001",
}


@dataclass
class FilledInstance:
    xml: bytes
    instance_id: str
    files: dict[str, bytes] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)  # what the stored JSON must be


def collect_instance(
    xform: bytes,
    *,
    repeat_times: int = 2,
    external_values: dict[str, list[str]] | None = None,
    text: str = ODD_TEXT,
) -> FilledInstance:
    """Fill every field of the form's primary instance. `external_values` gives, per media
    file name ("ap.csv"), the choice values a select from that file may take."""
    schema = xform_schema(xform)
    source = _primary_instance(xform)
    filled = FilledInstance(xml=b"", instance_id=f"uuid:{uuid.uuid4()}")
    root = etree.Element(etree.QName(source).localname, nsmap=COLLECT_NSMAP)
    for name, value in source.attrib.items():
        root.set(name, value)
    _copy_children(source, root, "", schema, filled, repeat_times, external_values or {}, text)
    filled.xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    filled.answers = expected_answers(root, schema)
    return filled


def expected_answers(root: Any, schema: XFormSchema) -> dict[str, Any]:
    """The instance as the nested JSON the server must store (attributes are not answers)."""

    def walk(element: Any, prefix: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for child in element:
            name = etree.QName(child).localname
            path = f"{prefix}{name}"
            if path in schema.repeats:
                out.setdefault(name, []).append(walk(child, f"{path}/"))
            elif len(child):
                out[name] = walk(child, f"{path}/")
            else:
                out[name] = child.text or ""
        return out

    return walk(root, "")


def _primary_instance(xform: bytes) -> Any:
    document = etree.fromstring(xform)
    instance = document.find(f"{{{H}}}head/{{{XF}}}model/{{{XF}}}instance")
    return next(c for c in instance if isinstance(c.tag, str))


def _copy_children(source, target, prefix, schema, filled, repeat_times, external, text) -> None:
    done_repeats: set[str] = set()
    for child in source:
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child).localname
        path = f"{prefix}{name}"
        if path in schema.repeats:
            if path in done_repeats:
                continue  # pyxform writes the template and one default instance: Collect keeps its own
            done_repeats.add(path)
            template = next(
                (
                    s
                    for s in source
                    if isinstance(s.tag, str)
                    and etree.QName(s).localname == name
                    and s.get(f"{{{JR}}}template") is not None
                ),
                child,
            )
            for _ in range(repeat_times):
                copy = _element(target, template)
                _copy_children(template, copy, f"{path}/", schema, filled, repeat_times, external, text)
            continue
        element = _element(target, child)
        if len(child):
            _copy_children(child, element, f"{path}/", schema, filled, repeat_times, external, text)
        else:
            element.text = _value(path, schema, filled, external, text, default=child.text or "")
        _fill_attributes(element, path, schema)


def _element(parent, source) -> Any:
    qname = etree.QName(source)
    tag = qname.localname if qname.namespace in (None, XF) else source.tag
    element = etree.SubElement(parent, tag)
    for name, value in source.attrib.items():
        if name != f"{{{JR}}}template":
            element.set(name, value)
    return element


def _fill_attributes(element, path, schema) -> None:
    for name in list(element.attrib):
        node = schema.node(f"{path}/@{etree.QName(name).localname}")
        if node is not None and not element.get(name):
            element.set(name, str(uuid.uuid4()) if etree.QName(name).localname == "id" else "1")


def _value(path: str, schema: XFormSchema, filled: FilledInstance, external, text, *, default: str) -> str:
    if path == "meta/instanceID":
        return filled.instance_id
    if path == "meta/instanceName":
        return "Tên bản ghi & <thử>"
    if path.endswith("meta/deprecatedID"):
        return ""
    node = schema.node(path)
    if node is None:
        return default
    bind = node.bind
    preload, params = bind.get("jr:preload", ""), bind.get("jr:preloadParams", "")
    if preload == "timestamp":
        return VALUES["dateTime"]
    if preload == "date":
        return VALUES["date"]
    if preload == "property":
        return PROPERTIES.get(params, "prop-" + params)
    if preload == "uid":
        return filled.instance_id
    kind = node.data_type
    if kind == "binary":
        which = _file_kind(path, node)
        file_name, data = FILES[which]
        prefix = path.replace("/", "-").replace("@", "")
        name = file_name if which == "audit" else f"{prefix}-{file_name}"
        filled.files[name] = data
        return name
    if node.control == "trigger":
        return "OK"
    if bind.get("calculate"):
        return "42"  # Collect writes what the calculation gave
    if node.choices is not None:
        return _choice_value(node, external)
    if node.control == "range":
        return "5"
    if kind in VALUES:
        return VALUES[kind]
    if node.control in ("input", "") and kind == "string":
        if node.bind.get("readonly") == "true()" and node.control == "input":
            return default  # a note: Collect sends what the form holds
        return text
    return default


def _file_kind(path: str, node) -> str:
    if path == "meta/audit":
        return "audit"
    if node.control == "" and path.endswith("background-audio") or node.bind.get("odk:background-audio"):
        return "background-audio"
    mediatype = node.mediatype
    if mediatype.startswith("image"):
        return "image"
    if mediatype.startswith("audio"):
        return "audio"
    if mediatype.startswith("video"):
        return "video"
    if mediatype == "osm/*":
        return "osm"
    if node.control == "":
        return "background-audio"
    return "file"


def _choice_value(node, external: dict[str, list[str]]) -> str:
    source = node.choices
    values = [c.value for c in source.choices]
    if not values and source.src:
        file_name = source.src.rsplit("/", 1)[-1]
        values = external.get(file_name, ["AP01", "AP02"])
    if not values:
        values = ["a", "b"]
    if node.control == "rank":
        return " ".join(reversed(values))
    if node.control == "select":
        return " ".join(values[:2])
    return values[0]
