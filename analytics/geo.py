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

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import shape

WGS84 = "EPSG:4326"
UTM48N = "EPSG:32648"
REVIEW_OUTSIDE = "outside_declared_hamlet"
REVIEW_ACCURACY = "poor_gps_accuracy"


def hamlets_frame(hamlets: Iterable[Mapping]) -> gpd.GeoDataFrame:
    """Hamlets (code, name, boundary GeoJSON or None, registered_households, …) as a GeoDataFrame."""
    rows = [dict(h) for h in hamlets]
    geometries = [shape(r["boundary"]) if r.get("boundary") else None for r in rows]
    for r in rows:
        r.pop("boundary", None)
    frame = pd.DataFrame(rows)
    if frame.empty:
        frame = pd.DataFrame(columns=["code", "name", "registered_households", "population", "pilot_dra"])
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometries, crs=WGS84), crs=WGS84)


def households_locate(
    households: pd.DataFrame,
    hamlets: gpd.GeoDataFrame,
    *,
    tolerance_m: float = 100.0,
    max_accuracy_m: float = 50.0,
) -> pd.DataFrame:
    """One row per household: submission_id, hamlet (declared), located_hamlet, distance_m,
    outside, poor_accuracy, review, reason.

    `distance_m` is the distance from the point to the declared hamlet's polygon (0 inside);
    NaN when there is no point or the declared hamlet has no boundary.
    """
    out = pd.DataFrame({
        "submission_id": households["submission_id"].to_numpy(),
        "hamlet": households["hamlet"].to_numpy(),
        "lat": households["lat"].to_numpy(dtype=float),
        "lon": households["lon"].to_numpy(dtype=float),
        "accuracy": households["accuracy"].to_numpy(dtype=float),
    })
    out["located_hamlet"] = None
    out["distance_m"] = np.nan
    has_point = out["lat"].notna() & out["lon"].notna()
    polygons = hamlets[hamlets.geometry.notna() & ~hamlets.geometry.is_empty][["code", "geometry"]]
    if has_point.any() and not polygons.empty:
        located = out[has_point]
        points = gpd.GeoDataFrame(
            {"row": located.index.to_numpy()},
            geometry=gpd.points_from_xy(located["lon"], located["lat"]),
            crs=WGS84,
        )
        # sjoin builds an STRtree on the polygons: O(n log m), not n × m point-in-polygon tests.
        joined = gpd.sjoin(points, polygons, how="left", predicate="within")
        joined = joined[~joined["row"].duplicated()]  # overlapping polygons: first match
        out.loc[joined["row"].to_numpy(), "located_hamlet"] = joined["code"].to_numpy()

        # Only points not inside their declared hamlet need a distance; inside means 0.
        inside = out["located_hamlet"].eq(out["hamlet"]) & has_point
        out.loc[inside, "distance_m"] = 0.0
        declared = polygons.set_index("code").geometry
        need = has_point & ~inside & out["hamlet"].isin(declared.index)
        if need.any():
            rows = out[need]
            point_m = gpd.GeoSeries(gpd.points_from_xy(rows["lon"], rows["lat"]), crs=WGS84).to_crs(UTM48N)
            declared_m = declared.to_crs(UTM48N)
            target = gpd.GeoSeries(declared_m.reindex(rows["hamlet"]).to_numpy(), crs=UTM48N)
            out.loc[need, "distance_m"] = point_m.distance(target, align=False).to_numpy()
    out["outside"] = out["distance_m"].gt(tolerance_m)
    out["poor_accuracy"] = out["accuracy"].gt(max_accuracy_m) & has_point
    out["review"] = out["outside"] | out["poor_accuracy"]
    reasons = np.where(out["outside"], REVIEW_OUTSIDE, "")
    reasons = np.where(
        out["poor_accuracy"], np.where(reasons == "", REVIEW_ACCURACY, reasons + "," + REVIEW_ACCURACY), reasons
    )
    out["reason"] = reasons
    return out.drop(columns=["lat", "lon"])
