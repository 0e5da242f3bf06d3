"""Reads submission XML (pure: no Django).

Two steps, one parse: `instance_read` parses the bytes safely and reads what is needed to
find the form (root id/version, meta instanceID/deprecatedID); `instance_project` then walks
the same tree with the form's schema (`backend.core.xform_schema`: which paths repeat, which
are files, which are geopoints) to build the JSON projection and the typed columns.

Untrusted input: DOCTYPE/ENTITY declarations are refused outright (no entity expansion, no
network), non-UTF-8 bytes are refused, and depth is bounded (libxml2 stops at 256 levels
without XML_PARSE_HUGE; the walk itself also stops at MAX_DEPTH).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from lxml import etree

from backend.core.xform_schema import EntityBlock, XFormSchema, instance_entities

MAX_DEPTH = 200

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
)
# A DOCTYPE can only appear in the prolog; Collect, Enketo and Web Forms never send one.
_DECLARATION = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


class InstanceXmlError(ValueError):
    """The bytes are not a submission we can read. `reason` is shown to the client."""

    def __init__(self, reason: str, *, missing_form_id: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.missing_form_id = missing_form_id


@dataclass(frozen=True)
class InstanceDoc:
    root: Any  # lxml element
    form_id: str
    version: str
    instance_id: str
    deprecated_id: str
    instance_name: str


@dataclass
class Projection:
    parsed: dict[str, Any]
    attachments: list[str]  # file names referenced by binary fields, in document order, unique
    client_audit: str = ""
    hamlet_code: str = ""
    survey_round: str = ""
    survey_date: date | None = None
    geopoint: tuple[float | None, float | None, float | None, float | None] = (None, None, None, None)
    extras: dict[str, str] = field(default_factory=dict)
    entities: tuple[EntityBlock, ...] = ()  # the `meta/entity` blocks (backend/core/xform_schema.py)


def _local(tag: Any) -> str:
    return etree.QName(tag).localname


def instance_read(xml: bytes) -> InstanceDoc:
    """Parse the bytes once and read the identity of the submission. Raises InstanceXmlError."""
    if not xml or not xml.strip():
        raise InstanceXmlError("the xml_submission_file part is empty", missing_form_id=True)
    try:
        xml.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InstanceXmlError(f"it is not valid UTF-8 (byte {exc.start})")
    if _DECLARATION.search(xml):
        raise InstanceXmlError("DOCTYPE and ENTITY declarations are not accepted")
    try:
        root = etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise InstanceXmlError(f"it is not well-formed XML ({exc.msg})", missing_form_id=True)
    except ValueError as exc:  # e.g. an encoding declaration lxml refuses
        raise InstanceXmlError(str(exc), missing_form_id=True)
    if root.getroottree().docinfo.doctype:
        raise InstanceXmlError("DOCTYPE and ENTITY declarations are not accepted")
    form_id = _attr(root, "id")
    if not form_id:
        raise InstanceXmlError("the root element has no id attribute", missing_form_id=True)
    meta = _child(root, "meta")
    instance_id = _text(_child(meta, "instanceID")) if meta is not None else ""
    if not instance_id:
        # Older forms put instanceID at the root (Central accepts it there too).
        instance_id = _text(_child(root, "instanceID"))
    return InstanceDoc(
        root=root,
        form_id=form_id,
        version=_attr(root, "version"),
        instance_id=instance_id,
        deprecated_id=_text(_child(meta, "deprecatedID")) if meta is not None else "",
        instance_name=_text(_child(meta, "instanceName")) if meta is not None else "",
    )


def _attr(element: Any, name: str) -> str:
    """Attribute by local name, whatever its namespace (pyxform writes `version`, the spec
    also allows `orx:version`)."""
    value = element.get(name)
    if value is None:
        for key, val in element.attrib.items():
            if _local(key) == name:
                value = val
                break
    return (value or "").strip()


def _child(element: Any, name: str) -> Any:
    if element is None:
        return None
    for child in element:
        if isinstance(child.tag, str) and _local(child.tag) == name:
            return child
    return None


def _text(element: Any) -> str:
    return (element.text or "").strip() if element is not None else ""


def instance_project(doc: InstanceDoc, schema: XFormSchema) -> Projection:
    """The instance as JSON (groups as dicts, repeats always lists of dicts, leaves as the
    exact strings of the XML) plus the values the typed columns need."""
    out = Projection(parsed={}, attachments=[])
    seen_files: set[str] = set()
    firsts: dict[str, str] = {}
    geopoint_values: dict[str, str] = {}
    repeats, binaries, geopoints = schema.repeats, schema.binaries, frozenset(schema.geopoints)

    def walk(element: Any, target: dict[str, Any], prefix: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise InstanceXmlError(f"it is nested deeper than {MAX_DEPTH} levels")
        for child in element:
            if not isinstance(child.tag, str):
                continue
            name = _local(child.tag)
            path = f"{prefix}{name}"
            has_children = any(isinstance(c.tag, str) for c in child)
            if has_children or path in repeats:
                group: dict[str, Any] = {}
                walk(child, group, f"{path}/", depth + 1)
                value: Any = group
            else:
                value = child.text or ""
                if name not in firsts:
                    firsts[name] = value
                if path in binaries:
                    filename = value.strip()
                    if filename and filename not in seen_files:
                        seen_files.add(filename)
                        out.attachments.append(filename)
                        if path == "meta/audit":
                            out.client_audit = filename
                if path in geopoints and path not in geopoint_values:
                    geopoint_values[path] = value
            if path in repeats:
                target.setdefault(name, []).append(value)
            elif name in target:
                # The same name twice where the form declares no repeat: keep both, never drop data.
                existing = target[name]
                target[name] = (existing if isinstance(existing, list) else [existing]) + [value]
            else:
                target[name] = value

    walk(doc.root, out.parsed, "", 1)
    if _attr(doc.root, "encrypted").lower() == "yes":
        _encrypted_files(doc.root, out, seen_files)
    out.entities = instance_entities(doc.root, schema)
    out.parsed["__id"] = doc.form_id
    out.parsed["__version"] = doc.version
    out.hamlet_code = firsts.get("ap", "").strip()
    out.survey_round = firsts.get("dot_ks", "").strip()
    out.survey_date = survey_date_of(firsts)
    for path in geopoints:
        point = geopoint_parse(geopoint_values.get(path, ""))
        if point[0] is not None:
            out.geopoint = point
            break
    return out


def _encrypted_files(root: Any, out: Projection, seen: set[str]) -> None:
    """A form with a public_key makes Collect send an envelope instead of the answers: the
    encrypted instance (`encryptedXmlFile`, e.g. submission.xml.enc) and one `media/file` per
    encrypted attachment (photo.jpg.enc). None of them is a field of the form's schema, so
    they are named here, or their parts would be dropped while the phone is told all is well."""
    media = _child(root, "media")
    names = [_text(f) for f in media if isinstance(f.tag, str) and _local(f.tag) == "file"] if media is not None else []
    names.append(_text(_child(root, "encryptedXmlFile")))
    for name in names:
        if name and name not in seen:
            seen.add(name)
            out.attachments.append(name)


# The survey date of a submission, the one definition every round rule reads (the windows,
# the unassigned list, the analytics): the form's own interview-date field when it has one
# (`ngay_dg`, the hamlet assessment pl_kdc's "ngày đánh giá", which a hamlet head may fill in
# days after opening the form), else the phone's `today`, else `start`. Ingest stores it as
# Submission.survey_date; without any of them ingest uses the day received.
SURVEY_DATE_FIELDS = ("ngay_dg", "today", "start")


def survey_date_of(firsts: Mapping[str, str]) -> date | None:
    """The survey date from the first answers by field name (see SURVEY_DATE_FIELDS)."""
    for name in SURVEY_DATE_FIELDS:
        found = _date(firsts.get(name, "") or "")
        if found is not None:
            return found
    return None


def _date(value: str) -> date | None:
    """ "2026-11-27" or the date part of "2026-11-27T08:15:00.000+07:00" (the phone's local day)."""
    match = _DATE.match(value.strip())
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def geopoint_parse(value: str) -> tuple[float | None, float | None, float | None, float | None]:
    """ "lat lon altitude accuracy" (ODK geopoint); anything unreadable or out of range → Nones."""
    parts = value.split()
    if len(parts) < 2:
        return (None, None, None, None)
    try:
        numbers = [float(p) for p in parts[:4]]
    except ValueError:
        return (None, None, None, None)
    lat, lon = numbers[0], numbers[1]
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return (None, None, None, None)
    numbers += [None] * (4 - len(numbers))
    return (lat, lon, numbers[2], numbers[3])


def file_name_acceptable(name: str) -> bool:
    """A part name must be a plain file name (Collect sends the referenced file's name); it is
    never used as a path, but a name like "../../etc/passwd" is refused as hostile."""
    return bool(name) and name not in (".", "..") and not any(c in name for c in "/\\\x00")
