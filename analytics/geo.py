"""Where each household is: household geopoints against hamlet polygons.

The hamlet a household belongs to is the one it declared (the volunteer picks it from the
hamlet list, and the household register is kept per hamlet). The GPS point is a check on
that: a point further than the tolerance outside its declared hamlet, or a point with a poor
accuracy, is flagged for the hamlet head to review, with the distance. Households without a
point keep the declared hamlet and are not flagged.

Distances are computed in a metric CRS, UTM zone 48N (EPSG:32648), which holds Đồng Nai.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import shape

WGS84 = "EPSG:4326"
UTM48N = "EPSG:32648"
REVIEW_OUTSIDE = "outside_declared_hamlet"
REVIEW_ACCURACY = "poor_gps_accuracy"


@dataclass(frozen=True)
class LocationRule:
    """When a household's point is flagged for review: further than `tolerance_m` outside its
    declared hamlet, or measured with an accuracy worse than `max_accuracy_m`. The server
    builds one from its settings (`backend.reports.selectors.location_rule`) for every page."""

    tolerance_m: float = 100.0
    max_accuracy_m: float = 50.0


def hamlets_frame(hamlets: Iterable[Mapping]) -> gpd.GeoDataFrame:
    """Hamlets (code, name, boundary GeoJSON or None, registered_households, …) as a GeoDataFrame."""
    rows = [dict(h) for h in hamlets]
    geometries = [_geometry(r.get("boundary")) for r in rows]
    for r in rows:
        r.pop("boundary", None)
    frame = pd.DataFrame(rows)
    if frame.empty:
        frame = pd.DataFrame(columns=["code", "name", "registered_households", "population", "pilot_dra"])
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometries, crs=WGS84), crs=WGS84)


def _geometry(boundary):
    """A shapely geometry from a GeoJSON geometry (or Feature); None when absent or unusable:
    a hamlet with a broken boundary is drawn without one, it does not break every report."""
    if not boundary:
        return None
    if isinstance(boundary, dict) and boundary.get("type") == "Feature":
        boundary = boundary.get("geometry")
    try:
        geometry = shape(boundary)
    except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.GEOSException):
        return None
    if geometry.is_empty:
        return None
    return geometry if geometry.is_valid else shapely.make_valid(geometry)


def households_locate(
    households: pd.DataFrame,
    hamlets: gpd.GeoDataFrame,
    *,
    tolerance_m: float = LocationRule.tolerance_m,
    max_accuracy_m: float = LocationRule.max_accuracy_m,
) -> pd.DataFrame:
    """One row per household: submission_id, hamlet (declared), located_hamlet, distance_m,
    outside, poor_accuracy, review, reason.

    `distance_m` is the distance from the point to the declared hamlet's polygon (0 inside);
    NaN when there is no point or the declared hamlet has no boundary. `located_hamlet` is the
    hamlet whose polygon holds the point (None outside every polygon).
    """
    n = len(households)
    declared = households["hamlet"].astype(object).to_numpy()
    lat = households["lat"].to_numpy(dtype=float)
    lon = households["lon"].to_numpy(dtype=float)
    accuracy = households["accuracy"].to_numpy(dtype=float)
    has_point = ~(np.isnan(lat) | np.isnan(lon))
    located = np.full(n, None, dtype=object)
    distance = np.full(n, np.nan)
    polygons = hamlets[hamlets.geometry.notna() & ~hamlets.geometry.is_empty][["code", "geometry"]]
    if has_point.any() and not polygons.empty:
        by_code = dict(zip(polygons["code"], polygons.geometry, strict=True))
        # Most households stand inside the hamlet they declared: test each point against that
        # one polygon (prepared, coordinates only, no Point objects). Only the others go
        # through the spatial join.
        inside = np.zeros(n, dtype=bool)
        for code, positions in pd.Series(np.arange(n)).groupby(declared, sort=False).indices.items():
            polygon = by_code.get(code)
            if polygon is None:
                continue
            shapely.prepare(polygon)
            positions = positions[has_point[positions]]
            inside[positions] = shapely.contains_xy(polygon, lon[positions], lat[positions])
        located[inside] = declared[inside]
        distance[inside] = 0.0
        others = np.flatnonzero(has_point & ~inside)
        if len(others):
            points = gpd.GeoDataFrame({"row": others}, geometry=gpd.points_from_xy(lon[others], lat[others]), crs=WGS84)
            # sjoin queries an STRtree of the polygons: O(n log m), not n × m tests.
            joined = gpd.sjoin(points, polygons, how="left", predicate="within")
            joined = joined[~joined["row"].duplicated()]  # overlapping polygons: first match
            found = joined["code"].notna().to_numpy()
            located[joined["row"].to_numpy()[found]] = joined["code"].to_numpy()[found]
            measurable = np.array([declared[i] in by_code for i in others], dtype=bool)
            rows = others[measurable]
            if len(rows):
                point_m = gpd.GeoSeries(gpd.points_from_xy(lon[rows], lat[rows]), crs=WGS84).to_crs(UTM48N)
                declared_m = polygons.set_index("code").geometry.to_crs(UTM48N)
                target = gpd.GeoSeries(declared_m.reindex(declared[rows]).to_numpy(), crs=UTM48N)
                distance[rows] = point_m.distance(target, align=False).to_numpy()
    outside = np.nan_to_num(distance, nan=0.0) > tolerance_m
    poor_accuracy = has_point & (np.nan_to_num(accuracy, nan=0.0) > max_accuracy_m)
    reasons = np.full(n, "", dtype=object)
    reasons[poor_accuracy] = REVIEW_ACCURACY
    reasons[outside] = REVIEW_OUTSIDE
    reasons[outside & poor_accuracy] = f"{REVIEW_OUTSIDE},{REVIEW_ACCURACY}"
    return pd.DataFrame(
        {
            "submission_id": households["submission_id"].to_numpy(),
            "hamlet": declared,
            "accuracy": accuracy,
            "located_hamlet": located,
            "distance_m": distance,
            "outside": outside,
            "poor_accuracy": poor_accuracy,
            "review": outside | poor_accuracy,
            "reason": reasons,
        }
    )
