"""Households against hamlet polygons: flags for review, never a silent re-assignment."""

import math

import pandas as pd
import pytest

from analytics.frames import frames_typed, raw_from_records
from analytics.geo import REVIEW_ACCURACY, REVIEW_OUTSIDE, hamlets_frame, households_locate
from analytics.pipeline import hamlet_indicators_compute
from tests.analytics.builders import hamlet_rows, household, square

LAT0, LON0, SIZE = 10.90, 107.30, 0.01
# East of AP01 lies AP02 (another 0.01° square).
HAMLETS = hamlet_rows(
    ("AP01", 10, square(LON0, LAT0, SIZE), False),
    ("AP02", 10, square(LON0 + SIZE, LAT0, SIZE), False),
    ("AP03", 10, None, False),
)
# Metres per degree of longitude at this latitude (spherical Earth, R = 6,371,008.8 m): close
# enough to UTM 48N distances for a 200 m check with a couple of metres' slack.
M_PER_DEG_LON = math.pi / 180 * 6_371_008.8 * math.cos(math.radians(LAT0 + SIZE / 2))


def locate(rows, **kwargs):
    households = pd.DataFrame(rows, columns=["submission_id", "hamlet", "lat", "lon", "accuracy"])
    return households_locate(households, hamlets_frame(HAMLETS), **kwargs).set_index("submission_id")


def test_points_outside_their_declared_hamlet_by_more_than_the_tolerance_are_flagged_with_the_distance():
    west_edge = LON0
    mid_lat = LAT0 + SIZE / 2
    located = locate(
        [
            (1, "AP01", mid_lat, LON0 + SIZE / 2, 5.0),  # inside
            (2, "AP01", mid_lat, west_edge - 50 / M_PER_DEG_LON, 5.0),  # 50 m west of the edge: within tolerance
            (3, "AP01", mid_lat, west_edge - 200 / M_PER_DEG_LON, 5.0),  # 200 m west: flagged
            (4, "AP01", mid_lat, LON0 + SIZE + SIZE / 2, 5.0),  # in the middle of AP02
        ],
        tolerance_m=100,
        max_accuracy_m=50,
    )

    assert located.loc[1, "distance_m"] == 0 and not located.loc[1, "review"]
    assert located.loc[2, "distance_m"] == pytest.approx(50, abs=2) and not located.loc[2, "review"]
    assert located.loc[3, "distance_m"] == pytest.approx(200, abs=2)
    assert located.loc[3, "reason"] == REVIEW_OUTSIDE
    # Half of AP02's width (≈ 546 m) from AP01's east edge, and located in AP02, but it stays in AP01.
    assert located.loc[4, "located_hamlet"] == "AP02"
    assert located.loc[4, "hamlet"] == "AP01"
    assert located.loc[4, "distance_m"] == pytest.approx(SIZE / 2 * M_PER_DEG_LON, rel=0.01)


def test_poor_gps_accuracy_is_flagged_and_a_household_without_a_point_keeps_its_declared_hamlet():
    located = locate(
        [
            (1, "AP01", LAT0 + 0.005, LON0 + 0.005, 60.0),  # inside, but ± 60 m
            (2, "AP01", None, None, None),  # no point
            (3, "AP03", LAT0 + 0.005, LON0 + 0.005, 5.0),  # declared hamlet has no boundary
        ],
        tolerance_m=100,
        max_accuracy_m=50,
    )

    assert located.loc[1, "reason"] == REVIEW_ACCURACY
    assert not located.loc[2, "review"] and math.isnan(located.loc[2, "distance_m"])
    assert located.loc[2, "hamlet"] == "AP01"
    # Nothing to measure against: not flagged rather than guessed.
    assert not located.loc[3, "review"]


def test_a_flagged_household_still_counts_for_the_hamlet_it_declared():
    mid_lat = LAT0 + SIZE / 2
    records = [
        household("AP01", lat=mid_lat, lon=LON0 + SIZE / 2, accuracy=5, tt_57="co"),
        household("AP01", lat=mid_lat, lon=LON0 + 1.5 * SIZE, accuracy=5, tt_57="co"),  # inside AP02
    ]
    results = hamlet_indicators_compute(frames_typed(raw_from_records(records)), hamlets_frame(HAMLETS))
    rows = results.rows
    a5 = rows[(rows["indicator"] == "A5") & (rows["hamlet"] == "AP01")].iloc[0]
    assert a5["denominator"] == 2
    assert len(results.review) == 1
    assert results.review.iloc[0]["located_hamlet"] == "AP02"
    assert results.coverage.set_index("hamlet").loc["AP01", "flagged"] == 1


def test_a_broken_or_feature_wrapped_boundary_does_not_break_the_hamlet_frame():
    frame = hamlets_frame(
        [
            {"code": "AP01", "boundary": {"type": "Feature", "geometry": square(LON0, LAT0, SIZE), "properties": {}}},
            {"code": "AP02", "boundary": {"type": "Polygon", "coordinates": "garbage"}},
            {"code": "AP03", "boundary": None},
        ]
    )
    assert frame.set_index("code").geometry["AP01"].area == pytest.approx(SIZE * SIZE)
    assert frame.set_index("code").geometry[["AP02", "AP03"]].isna().all()
