"""Reading hamlet boundary files (pure: geopandas/shapely, no Django).

GeoJSON, GeoPackage and Shapefile are read through pyogrio, reprojected to EPSG:4326,
repaired with `make_valid` when the repair stays polygonal, and checked for overlaps.
Every refusal names the feature (its code, else its row number) so the person holding
the file can find it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.strtree import STRtree

# Shared borders between neighbouring hamlets are fine; an overlap is refused when the
# shared area exceeds this share of the smaller polygon (digitising noise stays below it).
OVERLAP_TOLERANCE = 1e-4
COORD_DECIMALS = 7  # ≈ 1 cm; also makes "unchanged" comparisons stable across re-imports


class BoundaryError(ValueError):
    """The file cannot be imported; `problems` lists every reason found, one per feature."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class BoundaryFeature:
    code: str
    name: str
    geometry: dict  # GeoJSON geometry in EPSG:4326
    repaired: bool = False


def boundaries_read(path: str | Path, *, code_field: str = "code", name_field: str = "name") -> list[BoundaryFeature]:
    """Read a boundary file and return valid, non-overlapping hamlet polygons in EPSG:4326.

    Raises BoundaryError listing every problem (missing fields, bad or overlapping
    geometries, duplicate codes); nothing is partially accepted.
    """
    import geopandas as gpd  # heavy import, only when a file is actually read

    path = Path(path)
    if not path.exists():
        raise BoundaryError([f"File not found / Không tìm thấy tệp: {path}"])
    try:
        frame = gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise BoundaryError([f"Cannot read {path.name} as GeoJSON, GeoPackage or Shapefile: {exc}"])
    missing = [f for f in (code_field, name_field) if f not in frame.columns]
    if missing:
        raise BoundaryError(
            [f"{path.name} has no field {', '.join(missing)}; its fields are: {', '.join(map(str, frame.columns))}"]
        )
    if frame.crs is None:
        raise BoundaryError([f"{path.name} has no coordinate reference system; cannot place it on the map."])
    frame = frame.to_crs(4326)
    return boundaries_check(
        [(_text(row[code_field]), _text(row[name_field]), row.geometry) for _, row in frame.iterrows()]
    )


def boundaries_check(rows: list[tuple[str, str, object]]) -> list[BoundaryFeature]:
    """Validate (code, name, shapely geometry in EPSG:4326) rows; repair what can be repaired."""
    problems: list[str] = []
    features: list[BoundaryFeature] = []
    shapes: list[object] = []
    seen: dict[str, int] = {}
    for number, (code, name, geometry) in enumerate(rows, start=1):
        label = f"feature {number} ({code or 'no code'}{' ' + name if name else ''})"
        if not code:
            problems.append(f"{label}: the code field is empty")
            continue
        if code in seen:
            problems.append(f"{label}: code {code} is used by feature {seen[code]} too")
            continue
        seen[code] = number
        if geometry is None or geometry.is_empty:
            problems.append(f"{label}: has no geometry")
            continue
        repaired = False
        if not geometry.is_valid:
            reason = shapely.is_valid_reason(geometry)
            geometry = _polygonal(shapely.make_valid(geometry))
            if geometry is None:
                problems.append(f"{label}: invalid geometry ({reason}) that cannot be repaired into a polygon")
                continue
            repaired = True
        geometry = _polygonal(geometry)
        if geometry is None:
            problems.append(f"{label}: is not a polygon")
            continue
        lon_min, lat_min, lon_max, lat_max = geometry.bounds
        if not (-180 <= lon_min <= lon_max <= 180 and -90 <= lat_min <= lat_max <= 90):
            problems.append(f"{label}: coordinates are outside longitude/latitude range")
            continue
        geometry = shapely.set_precision(geometry, 10**-COORD_DECIMALS)
        if geometry.is_empty or not geometry.is_valid:
            problems.append(f"{label}: collapses when rounded to {COORD_DECIMALS} decimals")
            continue
        features.append(BoundaryFeature(code, name, _geojson(geometry), repaired))
        shapes.append(geometry)
    problems.extend(overlaps_find(features, shapes))
    if problems:
        raise BoundaryError(problems)
    return features


def overlaps_find(features: list[BoundaryFeature], shapes: list) -> list[str]:
    tree = STRtree(shapes)
    found = []
    for i, j in zip(*tree.query(shapes, predicate="intersects"), strict=True):
        if i >= j:
            continue
        a, b = shapes[i], shapes[j]
        shared = a.intersection(b).area
        if shared > OVERLAP_TOLERANCE * min(a.area, b.area):
            found.append(
                f"{features[i].code} {features[i].name} and {features[j].code} {features[j].name} overlap "
                f"({100 * shared / min(a.area, b.area):.2f}% of the smaller one)"
            )
    return found


def _polygonal(geometry):
    if isinstance(geometry, Polygon | MultiPolygon):
        return geometry
    if geometry.geom_type == "GeometryCollection":
        parts = [g for g in geometry.geoms if isinstance(g, Polygon | MultiPolygon) and not g.is_empty]
        if parts:
            return shapely.union_all(parts)
    return None


def _geojson(geometry) -> dict:
    data = mapping(geometry)
    return {"type": data["type"], "coordinates": _lists(data["coordinates"])}


def _lists(value):
    if isinstance(value, list | tuple):
        if value and isinstance(value[0], float | int):
            return [round(float(v), COORD_DECIMALS) for v in value]
        return [_lists(v) for v in value]
    return value


def _text(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return unicodedata.normalize("NFC", str(value)).strip()
