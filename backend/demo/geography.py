"""A commune shaped like Phú Lâm and its hamlets as a tessellation (pure: numpy + shapely).

Geometry is built in local metres around the commune centre (an equirectangular projection
is exact enough at 8 km scale), then turned into longitude/latitude.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from shapely.affinity import scale as shapely_scale
from shapely.geometry import Point, Polygon

CENTRE_LON, CENTRE_LAT = 107.40, 11.30  # former Tân Phú district, Đồng Nai
AREA_M2 = 67e6  # "more than 6,700 ha"
M_PER_DEG_LAT = 110_574.0
M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(CENTRE_LAT))


def to_lonlat(geometry):
    """Local metres (x east, y north) → EPSG:4326 longitude/latitude."""
    return shapely.transform(
        geometry,
        lambda xy: np.column_stack([CENTRE_LON + xy[:, 0] / M_PER_DEG_LON, CENTRE_LAT + xy[:, 1] / M_PER_DEG_LAT]),
    )


def commune_outline(rng: np.random.Generator) -> Polygon:
    """An irregular blob of AREA_M2, longer north–south (hills to the north and north-east)."""
    angles = np.linspace(0, 2 * math.pi, 96, endpoint=False)
    radius = np.ones_like(angles)
    for k in (2, 3, 5, 7):
        radius += rng.normal(0, 0.10 / k**0.5) * np.cos(k * angles + rng.uniform(0, 2 * math.pi))
    outline = Polygon(np.column_stack([radius * np.cos(angles) * 0.8, radius * np.sin(angles) * 1.25]))
    outline = shapely.make_valid(outline).buffer(0)
    factor = math.sqrt(AREA_M2 / outline.area)
    return shapely_scale(outline, factor, factor, origin=(0, 0))


def hamlet_cells(outline: Polygon, count: int, rng: np.random.Generator) -> list[Polygon]:
    """`count` Voronoi cells of seeded points, relaxed twice (Lloyd) for even shapes, clipped to
    the outline; ordered north-west to south-east so codes read like a map."""
    points = points_inside(outline, count, rng)
    for _ in range(2):
        cells = _cells(outline, points)
        points = np.array([[c.centroid.x, c.centroid.y] for c in cells])
    cells = _cells(outline, points)
    order = sorted(range(count), key=lambda i: (-round(cells[i].centroid.y / 1500), cells[i].centroid.x))
    return [cells[i] for i in order]


def _cells(outline: Polygon, points: np.ndarray) -> list[Polygon]:
    # ordered=True returns the regions in the order of the input points.
    regions = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=outline.buffer(5000), ordered=True)
    shapely.prepare(outline)
    by_point = []
    for region in regions.geoms:
        cell = region.intersection(outline)
        if cell.geom_type != "Polygon":  # keep the piece that holds the seed
            cell = max(getattr(cell, "geoms", [cell]), key=lambda g: g.area)
        by_point.append(cell)
    return by_point


def points_inside(polygon, count: int, rng: np.random.Generator) -> np.ndarray:
    """`count` uniform points inside `polygon` (rejection sampling, vectorised)."""
    minx, miny, maxx, maxy = polygon.bounds
    shapely.prepare(polygon)
    found: list[np.ndarray] = []
    total = 0
    while total < count:
        batch = max(64, 2 * (count - total))
        xy = np.column_stack([rng.uniform(minx, maxx, batch), rng.uniform(miny, maxy, batch)])
        inside = xy[shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])]
        found.append(inside)
        total += len(inside)
    return np.concatenate(found)[:count]


def point_just_outside(polygon, rng: np.random.Generator) -> tuple[float, float]:
    """A point outside the polygon's edge: half 15–80 m out (a fix taken across the road,
    within the analytics' review tolerance), half 150–400 m out (a misplaced fix or a wrong
    hamlet, which the review flags)."""
    boundary = polygon.exterior if polygon.geom_type == "Polygon" else max(polygon.geoms, key=lambda g: g.area).exterior
    for _ in range(50):
        on_edge = boundary.interpolate(rng.uniform(0, boundary.length))
        centre = polygon.centroid
        dx, dy = on_edge.x - centre.x, on_edge.y - centre.y
        norm = math.hypot(dx, dy) or 1.0
        step = rng.uniform(15, 80) if rng.random() < 0.5 else rng.uniform(150, 400)
        x, y = on_edge.x + dx / norm * step, on_edge.y + dy / norm * step
        if not polygon.contains(Point(x, y)):
            return x, y
    return on_edge.x, on_edge.y


class PointSampler:
    """Streams points inside one hamlet in batches, so a million households cost no memory."""

    def __init__(self, polygon, rng: np.random.Generator, batch: int = 512):
        self.polygon, self.rng, self.batch = polygon, rng, batch
        self._buffer = np.empty((0, 2))

    def inside(self) -> tuple[float, float]:
        if not len(self._buffer):
            self._buffer = points_inside(self.polygon, self.batch, self.rng)
        x, y = self._buffer[0]
        self._buffer = self._buffer[1:]
        return float(x), float(y)


def geopoint(x: float, y: float, rng: np.random.Generator) -> str:
    """ODK geopoint text 'lat lon altitude accuracy' from local metres."""
    lon = CENTRE_LON + x / M_PER_DEG_LON
    lat = CENTRE_LAT + y / M_PER_DEG_LAT
    return f"{lat:.7f} {lon:.7f} {rng.uniform(80, 260):.1f} {rng.uniform(3, 10):.1f}"
