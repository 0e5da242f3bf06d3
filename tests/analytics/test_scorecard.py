"""The "all mandatory + at least 3 optional" rule at its edges, on hand-written indicator rows,
and once end to end from submissions."""

import pandas as pd
import pytest

from analytics.catalogue import CRITERIA
from analytics.frames import frames_typed, raw_from_records
from analytics.geo import hamlets_frame
from analytics.pipeline import hamlet_indicators_compute
from analytics.scorecard import MET, NOT_APPLICABLE, NOT_MET, scorecard_compute
from tests.analytics.builders import assessment, hamlet_rows, household, member

# Values that pass every 2027 threshold comfortably (percent, or counts for D2).
PASSING_2027 = {
    "A1": 100,
    "A2": 90,
    "A3": 90,
    "A4": 90,
    "A5": 90,
    "B1": 100,
    "B2": 90,
    "B3": 100,
    "C1": 99,
    "C2": 90,
    "C3": 95,
    "C4": 90,
    "C5": 80,
    "C6": 60,
    "C7": 60,
    "C8": 80,
    "D1": 95,
    "D2": 1,
    "E1": 100,
    "E2": 60,
}
HAMLETS = pd.DataFrame(
    [
        {"code": "AP01", "name": "Ấp Phú Dũng", "pilot_dra": False, "registered_households": 100},
        {"code": "AP02", "name": "Ấp Phú Tân", "pilot_dra": True, "registered_households": 100},
    ]
)
# Assessment gates (official Zalo group, loudspeaker, ≥5 test points with ≥50% 5G for 2030).
ASSESSMENT = pd.DataFrame(
    [
        {"hamlet": h, "round": "2025", "zalo_ap": "co", "loa": "loa_cntt", "n_points": 5, "n_points_5g": 5}
        for h in ("AP01", "AP02")
    ]
)


def rows_for(values: dict, hamlet="AP01", *, denominators=None) -> pd.DataFrame:
    units = {c.id: c.unit for c in CRITERIA}
    return pd.DataFrame(
        [
            {
                "indicator": cid,
                "hamlet": hamlet,
                "round": "2025",
                "value": float(v),
                "unit": units[cid],
                "n_units": 100,
                "denominator": (denominators or {}).get(cid, 100),
                "applicable": True,
            }
            for cid, v in values.items()
        ]
    )


def verdict(values, tier=2027, hamlet="AP01", **kwargs):
    detail, summary = scorecard_compute(rows_for(values, hamlet, **kwargs), ASSESSMENT, HAMLETS, tiers=(tier,))
    return detail.set_index("criterion"), summary.iloc[0]


def test_all_mandatory_and_exactly_three_optional_criteria_met_is_dat():
    values = dict(PASSING_2027)
    # Optional pool B2, C2, C6, C7, D2, E1, E2: keep B2, C2, C6 and fail the other four.
    values.update({"C7": 10, "D2": 0, "E1": 0, "E2": 10})
    detail, summary = verdict(values)
    assert summary["tc_met"] == 3
    assert summary["bb_met"] == summary["bb_total"] == 12
    assert summary["status"] == MET
    assert bool(summary["dat"]) is True


def test_two_optional_criteria_met_is_not_enough():
    values = dict(PASSING_2027)
    values.update({"C6": 10, "C7": 10, "D2": 0, "E1": 0, "E2": 10})
    detail, summary = verdict(values)
    assert summary["tc_met"] == 2
    assert summary["tc_missing"] == 1
    assert summary["status"] == NOT_MET


def test_a_mandatory_criterion_missed_by_a_tenth_of_a_point_fails_the_hamlet_and_shows_the_gap():
    values = dict(PASSING_2027)
    values["C1"] = 94.9  # threshold ≥ 95
    detail, summary = verdict(values)
    assert detail.loc["C1", "status"] == NOT_MET
    assert detail.loc["C1", "gap_pp"] == pytest.approx(0.1)
    assert summary["failing_mandatory"] == ["C1"]
    assert summary["status"] == NOT_MET


def test_exactly_on_the_threshold_meets_it_and_a_strict_threshold_needs_more():
    values = dict(PASSING_2027)
    values["C1"] = 95.0  # ≥ 95: met
    values["A5"] = 70.0  # > 70: not met
    detail, summary = verdict(values)
    assert detail.loc["C1", "status"] == MET
    assert detail.loc["A5", "status"] == NOT_MET
    assert summary["failing_mandatory"] == ["A5"]


def test_c8_counts_only_from_2030_and_d1_without_businesses_is_not_applicable():
    values = dict(PASSING_2027)
    values["C8"] = 10  # not BB in 2027: does not block
    rows = rows_for(values)
    rows.loc[rows["indicator"] == "D1", ["value", "applicable"]] = [float("nan"), False]
    detail, summary = scorecard_compute(rows, ASSESSMENT, HAMLETS, tiers=(2027,))
    detail = detail.set_index("criterion")
    assert detail.loc["C8", "role"] == "info"
    assert detail.loc["D1", "status"] == NOT_APPLICABLE
    assert summary.iloc[0]["status"] == MET


def test_the_2030_tier_is_stricter_than_2027_for_the_same_values():
    values = dict(PASSING_2027)
    values.update({"C1": 96})  # meets ≥95 (2027), not ≥98 (2030)
    _, summary_2027 = verdict(values, tier=2027)
    detail_2030, summary_2030 = verdict(values, tier=2030)
    assert summary_2027["status"] == MET
    assert summary_2030["status"] == NOT_MET
    assert "C1" in summary_2030["failing_mandatory"]
    assert detail_2030.loc["C1", "gap_pp"] == pytest.approx(2.0)


def test_missing_official_group_fails_a2_even_with_a_high_household_share():
    values = dict(PASSING_2027)
    assessments = ASSESSMENT.assign(zalo_ap=["khong", "co"])
    detail, summary = scorecard_compute(rows_for(values), assessments, HAMLETS, tiers=(2027,))
    a2 = detail.set_index("criterion").loc["A2"]
    assert a2["status"] == NOT_MET and a2["gate_ok"] is False
    assert summary.iloc[0]["status"] == NOT_MET


def test_pilot_hamlets_come_first():
    rows = pd.concat([rows_for(PASSING_2027, "AP01"), rows_for(PASSING_2027, "AP02")])
    _, summary = scorecard_compute(rows, ASSESSMENT, HAMLETS, tiers=(2027,))
    assert list(summary["hamlet"]) == ["AP02", "AP01"]
    assert list(summary["pilot"]) == [True, False]


def test_end_to_end_a_hamlet_meeting_the_2027_standard_from_its_submissions():
    good = member(
        born="1980",
        uses="dvc thanh_toan tin_tuc",
        vneid="muc2",
        accounts="nh_app vi_dt",
        cashless="co",
        dvc="co",
        bdhvs="co",
        official_info="co",
    )
    records = [household("AP01", members=[good, good]) for _ in range(5)]
    records.append(assessment("AP01", models=("co",), cameras="0"))
    hamlets = hamlets_frame(hamlet_rows(("AP01", 5, None, True)))
    results = hamlet_indicators_compute(frames_typed(raw_from_records(records)), hamlets)
    summary = results.scorecard_summary.set_index("tier")
    # Every household criterion is 100%; the assessment meets A1, B1, B3, D1 (9/10 = 90%), D2;
    # E1 fails (no cameras): optional met = B2, C2, C6, C7, D2, E2 = 6.
    assert summary.loc[2027, "status"] == MET
    assert summary.loc[2027, "tc_met"] == 6
    # 2030: D1 needs 100% and B1 needs half the points on 5G (all are 4G) → not met.
    assert summary.loc[2030, "status"] == NOT_MET
    assert set(summary.loc[2030, "failing_mandatory"]) == {"B1", "D1"}
    dra = results.rows[(results.rows["indicator"] == "P2030_DRA_MODELS") & results.rows["hamlet"].isna()].iloc[0]
    assert dra["value"] == 0


def test_a_hamlet_without_an_assessment_cannot_show_its_official_group_and_fails_a2():
    values = dict(PASSING_2027)
    only_ap02 = ASSESSMENT[ASSESSMENT["hamlet"] == "AP02"]
    detail, summary = scorecard_compute(rows_for(values), only_ap02, HAMLETS, tiers=(2027,))
    a2 = detail.set_index("criterion").loc["A2"]
    assert a2["status"] == NOT_MET and a2["gate_ok"] is False
    assert "A2" in summary.iloc[0]["failing_mandatory"]
