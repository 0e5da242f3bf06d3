"""Reads what the server needs from an XForm (pure; no Django): id, version, title, the
media files it expects and the paths of its binary (file) fields."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from lxml import etree

XF_NS = "http://www.w3.org/2002/xforms"
H_NS = "http://www.w3.org/1999/xhtml"
MEDIA_PREFIXES = ("jr://file/", "jr://file-csv/", "jr://images/", "jr://audio/", "jr://video/")
SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)


@dataclass(frozen=True)
class XFormInfo:
    form_id: str
    version: str
    title: str
    media: tuple[str, ...]
    binary_paths: tuple[str, ...]


def xform_parse(xform: bytes) -> XFormInfo:
    root = etree.fromstring(xform, SAFE_PARSER)
    model = root.find(f"{{{H_NS}}}head/{{{XF_NS}}}model")
    if model is None:
        raise ValueError("XForm has no model")
    primary = model.find(f"{{{XF_NS}}}instance")
    data = next(iter(primary), None) if primary is not None else None
    if data is None:
        raise ValueError("XForm has no primary instance")
    title_el = root.find(f"{{{H_NS}}}head/{{{H_NS}}}title")
    return XFormInfo(
        form_id=data.get("id", ""),
        version=data.get("version", "") or "",
        title=(title_el.text or "").strip() if title_el is not None else "",
        media=tuple(sorted(_media_names(root))),
        binary_paths=tuple(
            bind.get("nodeset", "") for bind in model.iter(f"{{{XF_NS}}}bind") if bind.get("type") == "binary"
        ),
    )


def _media_names(root) -> set[str]:
    names: set[str] = set()
    for element in root.iter():
        candidates = [element.get("src")] if element.get("src") else []
        if isinstance(element.text, str) and element.text.strip().startswith("jr://"):
            candidates.append(element.text.strip())
        for value in candidates:
            for prefix in MEDIA_PREFIXES:
                if value.startswith(prefix):
                    names.add(posixpath.basename(value[len(prefix) :]))
    # Images referenced from labels via the itext "form" values.
    return {n for n in names if n and re.match(r"^[^/\\]+$", n)}
