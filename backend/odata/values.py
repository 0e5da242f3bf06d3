"""Answers as OData JSON values, typed by the XForm (pure: no Django).

The projection keeps every leaf as the XML's exact string; here each becomes what its EDM type
says (Central's rules): int → number, decimal → number, date → "YYYY-MM-DD", dateTime → the
ISO string as the phone wrote it, geopoint → a GeoJSON Point [lon, lat, altitude] with the
accuracy under `properties`, geotrace/geoshape → LineString/Polygon, boolean → true/false, an
empty answer → null. A value that does not read as its type is null too (the XML itself is
still served verbatim by the submission API).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from typing import Any

from backend.core.answer_tables import AnswerRow
from backend.core.xform_schema import GROUP, REPEAT, Node, XFormSchema
from backend.odata.edm import EntitySet

_INT = re.compile(r"^[+-]?\d+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _int(text: str) -> int | None:
    return int(text) if _INT.match(text) else None


def _decimal(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None  # NaN, inf: no JSON


def _date(text: str) -> str | None:
    match = _DATE.match(text)
    return match.group(0) if match else None


def _boolean(text: str) -> bool | None:
    lowered = text.lower()
    return True if lowered in ("true", "1") else False if lowered in ("false", "0") else None


def _coordinates(text: str) -> list[float] | None:
    """ODK's "lat lon [alt [acc]]" as GeoJSON [lon, lat(, alt)]."""
    parts = text.split()
    if len(parts) < 2:
        return None
    try:
        numbers = [float(p) for p in parts[:3]]
    except ValueError:
        return None
    if not (-90 <= numbers[0] <= 90 and -180 <= numbers[1] <= 180):
        return None
    return [numbers[1], numbers[0], *numbers[2:3]]


def _point(text: str) -> dict | None:
    coordinates = _coordinates(text)
    if coordinates is None:
        return None
    point: dict[str, Any] = {"type": "Point", "coordinates": coordinates}
    parts = text.split()
    if len(parts) >= 4:
        accuracy = _decimal(parts[3])
        if accuracy is not None:
            point["properties"] = {"accuracy": accuracy}
    return point


def _line(text: str) -> list[list[float]] | None:
    points = [_coordinates(p) for p in text.split(";") if p.strip()]
    return points if points and all(p is not None for p in points) else None


def _trace(text: str) -> dict | None:
    line = _line(text)
    return {"type": "LineString", "coordinates": line} if line else None


def _shape(text: str) -> dict | None:
    line = _line(text)
    return {"type": "Polygon", "coordinates": [line]} if line else None


CONVERTERS: dict[str, Callable[[str], Any]] = {
    "int": _int,
    "integer": _int,
    "decimal": _decimal,
    "date": _date,
    "boolean": _boolean,
    "geopoint": _point,
    "geotrace": _trace,
    "geoshape": _shape,
}


def typed(node: Node, value: Any) -> Any:
    if value is None or isinstance(value, dict):
        return None  # a field the instance lacks, or stored as a group by an older version
    if isinstance(value, list):
        value = value[0] if value else ""  # the same name twice without a repeat: the first
    text = value.strip() if isinstance(value, str) else str(value)
    if text == "":
        return None
    convert = CONVERTERS.get(node.data_type)
    return convert(text) if convert is not None else value


def row_id(key: str) -> str:
    """A repeat row's `__id`: a digest of its key (Central's rows carry a hash, not a path)."""
    return hashlib.sha1(key.encode("utf-8"), usedforsecurity=False).hexdigest()


def entity(
    row: AnswerRow,
    entity_set: EntitySet,
    schema: XFormSchema,
    *,
    system: Mapping[str, Any] | None = None,
    select: frozenset[str] | None = None,
) -> dict[str, Any]:
    """One OData entity: keys first, then `__system` (submissions only), then the answers in
    form order. `select` keeps only the named top-level properties (None: all)."""
    out: dict[str, Any] = {}
    if entity_set.parent_key:
        out["__id"] = row_id(row.key)
        # A repeat of the submission points at its instanceID, a nested repeat at its parent row's digest.
        top_level = entity_set.table.parent == ""
        out[entity_set.parent_key] = row.parent_key if top_level else row_id(row.parent_key)
    else:
        out["__id"] = row.key
        if system is not None:
            out["__system"] = dict(system)
    _fill(out, row.answers, schema, entity_set.table.path, select)
    if select is not None:
        return {k: v for k, v in out.items() if k in select}
    return out


def _fill(out: dict, answers: Any, schema: XFormSchema, path: str, select: frozenset[str] | None) -> None:
    container = answers if isinstance(answers, Mapping) else {}
    for node in schema.children.get(path, ()):
        if node.kind == REPEAT:
            continue
        if select is not None and node.name not in select:
            continue
        if node.kind == GROUP:
            group: dict[str, Any] = {}
            _fill(group, container.get(node.name), schema, node.path, None)
            out[node.name] = group
        else:
            out[node.name] = typed(node, container.get(node.name))
