"""Where each field sits in a form's instance, read from the XForm's binds (pure, no Django).

The analytics locate fields by name; the test factories and the benchmark lay synthetic
documents out exactly as the ingest path stores them, so they need each field's path. The
XForm declares them (`<bind nodeset="/pl_ho/ho/so_tv">`), so paths come from the form, not
from guessing at the data.
"""

from __future__ import annotations

from lxml import etree

XF_NS = "http://www.w3.org/2002/xforms"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def xform_paths(xform: bytes) -> tuple[dict[str, tuple[str, ...]], set[tuple[str, ...]]]:
    """({field name: path relative to the instance root}, {repeat paths})."""
    root = etree.fromstring(xform, _PARSER)
    paths: dict[str, tuple[str, ...]] = {}
    repeats: set[tuple[str, ...]] = set()
    for element in root.iter(f"{{{XF_NS}}}repeat"):
        path = _relative(element.get("nodeset", ""))
        if path:
            repeats.add(path)
    for bind in root.iter(f"{{{XF_NS}}}bind"):
        path = _relative(bind.get("nodeset", ""))
        if path:
            paths.setdefault(path[-1], path)
    for path in repeats:
        paths.setdefault(path[-1], path)
    return paths, repeats


def _relative(nodeset: str) -> tuple[str, ...]:
    parts = [p.split(":")[-1] for p in nodeset.strip().split("/") if p]
    return tuple(parts[1:])


def split_at_repeat(path: tuple[str, ...], repeat: tuple[str, ...]) -> tuple[str, ...] | None:
    """The path of a field inside `repeat`, relative to one instance; None if outside it."""
    if len(path) > len(repeat) and path[: len(repeat)] == repeat:
        return path[len(repeat) :]
    return None
