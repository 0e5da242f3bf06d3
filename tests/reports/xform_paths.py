"""Where each field sits in a form's instance, read from the form's schema.

The analytics locate fields by name; the test factories and the benchmark lay synthetic
documents out exactly as the ingest path stores them, so they need each field's path. The
XForm declares them, and `backend.core.xform_schema` reads them, so paths come from the
form, not from guessing at the data.
"""

from __future__ import annotations

from backend.core.xform_schema import ATTRIBUTE, xform_schema


def xform_paths(xform: bytes) -> tuple[dict[str, tuple[str, ...]], set[tuple[str, ...]]]:
    """({field name: path relative to the instance root}, {repeat paths})."""
    schema = xform_schema(xform)
    paths: dict[str, tuple[str, ...]] = {}
    for node in schema.nodes:
        if node.kind != ATTRIBUTE:
            paths.setdefault(node.name, tuple(node.path.split("/")))
    return paths, {tuple(path.split("/")) for path in schema.repeats}


def split_at_repeat(path: tuple[str, ...], repeat: tuple[str, ...]) -> tuple[str, ...] | None:
    """The path of a field inside `repeat`, relative to one instance; None if outside it."""
    if len(path) > len(repeat) and path[: len(repeat)] == repeat:
        return path[len(repeat) :]
    return None
