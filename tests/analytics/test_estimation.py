"""Denominators, intervals and the commune aggregate, on fixtures small enough to count by
hand. Every expected number is worked out in the test, never taken from the code."""

from datetime import date

import pytest

from analytics.estimate import wilson
from analytics.frames import frames_typed, raw_from_records
from analytics.geo import hamlets_frame
from analytics.pipeline import hamlet_indicators_compute
from tests.analytics.builders import hamlet_rows, household, member, stall


def compute(records, hamlets, **kwargs):
    frames = frames_typed(raw_from_records(records))
    return hamlet_indicators_compute(frames, hamlets_frame(hamlets), **kwargs)


def row(results, indicator, hamlet, round_name="2025"):
    rows = results.rows
    selected = rows[(rows["indicator"] == indicator) & (rows["round"] == round_name)]
    selected = selected[selected["hamlet"].isna()] if hamlet is None else selected[selected["hamlet"] == hamlet]
    assert len(selected) == 1, selected
    return selected.iloc[0]


def test_wilson_interval_of_7_in_20_matches_the_formula_worked_by_hand():
    # p = 0.35, n = 20, z = 1.96: z²/n = 0.19207, centre = (0.35 + 0.096036) / 1.192074 = 0.374170,
    # half-width = 1.96 / 1.192074 × sqrt(0.35·0.65/20 + z²/1600) = 1.644187 × 0.117371 = 0.192980
    low, high = wilson(7, 20)
    assert low == pytest.approx(0.374170 - 0.192980, abs=1e-5)
    assert high == pytest.approx(0.374170 + 0.192980, abs=1e-5)


def test_household_and_person_denominators_count_consenting_households_and_their_members_15_plus():
    records = [
        # 4 consenting households, 1 refusal: the refusal is in no denominator.
        household(
            "AP01",
            tt_57="co",
            members=[member(born="1980", vneid="muc2"), member(born="2009", vneid="muc1", smartphone="co")],
        ),
        household("AP01", tt_57="co", members=[member(born="1975", vneid="muc2", smartphone="khong")]),
        household(
            "AP01",
            tt_57="khong",
            members=[
                member(born="1990", vneid="muc2"),
                member(born="1992"),
                member(born="1960", vneid="chua", smartphone="khong"),
            ],
        ),
        household("AP01", tt_57="kbiet", members=[member(born="2000", vneid="muc2")]),
        household("AP01", consent="khong"),
    ]
    results = compute(records, hamlet_rows(("AP01", 10, None, False)))

    # A5 (households): tt_57 = co in 2 of 4 consenting households; "kbiet" counts as no.
    a5 = row(results, "A5", "AP01")
    assert (a5["numerator"], a5["denominator"], a5["value"]) == (2, 4, 50.0)
    # C3 (persons 15+): 7 members; VNeID level 2 for 1980, 1975, 1990, 1992 (default), 2000 → 5 of 7.
    c3 = row(results, "C3", "AP01")
    assert (c3["numerator"], c3["denominator"]) == (5, 7)
    assert c3["value"] == pytest.approx(500 / 7)
    # C2 (adults 18+ in 2025): the member born 2009 is 16 → 6 adults; smartphones: 1980, 1990,
    # 1992, 2000 → 4 of 6.
    c2 = row(results, "C2", "AP01")
    assert (c2["numerator"], c2["denominator"]) == (4, 6)
    coverage = results.coverage.set_index("hamlet").loc["AP01"]
    assert (coverage["surveyed"], coverage["refused"], coverage["coverage"]) == (4, 1, 0.4)


def test_a_sampled_hamlet_carries_a_wilson_interval_and_a_census_hamlet_does_not():
    sampled = [household("AP01", tt_57="co") for _ in range(3)] + [household("AP01", tt_57="khong")]
    census = [household("AP02", tt_57="co") for _ in range(3)] + [household("AP02", tt_57="khong")]
    results = compute(sampled + census, hamlet_rows(("AP01", 40, None, False), ("AP02", 4, None, False)))

    # AP01: 3 of 4 surveyed out of 40 registered. Wilson by hand: p = .75, n = 4, z²/n = 0.960368,
    # centre = (.75 + .480184) / 1.960368 = 0.627526, half = 1.96/1.960368 × sqrt(.046875 + .240092)
    # = 0.999812 × 0.535692 = 0.535591 → [9.19%, 100%] before clipping… computed exactly:
    z = 1.959963984540054
    centre = (0.75 + z * z / 8) / (1 + z * z / 4)
    half = z / (1 + z * z / 4) * (0.75 * 0.25 / 4 + z * z / 64) ** 0.5
    sampled_row = row(results, "A5", "AP01")
    assert sampled_row["value"] == 75.0
    assert sampled_row["ci_low"] == pytest.approx((centre - half) * 100)
    assert sampled_row["ci_high"] == pytest.approx((centre + half) * 100)
    # AP02: all 4 registered households surveyed: a census, the interval is the value.
    census_row = row(results, "A5", "AP02")
    assert census_row["ci_low"] == census_row["ci_high"] == 75.0


def test_commune_figure_weights_hamlets_by_registered_households_not_a_mean_of_percentages():
    small = [household("AP01", tt_57="co") for _ in range(3)] + [household("AP01", tt_57="khong")]
    large = [household("AP02", tt_57="co")] + [household("AP02", tt_57="khong") for _ in range(4)]
    results = compute(small + large, hamlet_rows(("AP01", 100, None, False), ("AP02", 300, None, False)))

    # AP01 75% of 100 households, AP02 20% of 300: (75 + 60) / 400 = 33.75%, not (75 + 20) / 2.
    commune = row(results, "A5", None)
    assert commune["value"] == pytest.approx(33.75)
    assert commune["numerator"] == pytest.approx(135.0)
    assert commune["denominator"] == pytest.approx(400.0)
    assert commune["ci_low"] < 33.75 < commune["ci_high"]


def test_commune_person_figure_weights_hamlets_by_estimated_persons():
    # AP01: 2 households × 2 members = 4 persons 15+ (2 persons per household) → 100 × 2 = 200
    # persons; 3 of 4 have VNeID level 2 (75%).
    ap01 = [
        household("AP01", members=[member(vneid="muc2"), member(vneid="muc2")]),
        household("AP01", members=[member(vneid="muc2"), member(vneid="chua")]),
    ]
    # AP02: 2 households × 1 member → 300 × 1 = 300 persons; 0 of 2 (0%).
    ap02 = [household("AP02", members=[member(vneid="chua")]), household("AP02", members=[member(vneid="muc1")])]
    results = compute(ap01 + ap02, hamlet_rows(("AP01", 100, None, False), ("AP02", 300, None, False)))

    commune = row(results, "C3", None)
    # (0.75 × 200 + 0 × 300) / 500 = 30%; the pooled sample would say 3/6 = 50%.
    assert commune["value"] == pytest.approx(30.0)
    assert commune["denominator"] == pytest.approx(500.0)


def test_market_target_counts_register_stalls_not_interviewed_as_not_using_cashless():
    stalls = [stall(accepts="co", transactions="4") for _ in range(6)]
    stalls += [stall(accepts="co", transactions="0"), stall(accepts="khong"), stall(consent="khong")]
    results = compute(stalls, hamlet_rows(("AP01", 10, None, False)), registered_stalls=12)

    # 6 stalls accept cashless with ≥1 transaction in 7 days; the register has 12 stalls → 50%.
    market = row(results, "P2027_MARKET_CASHLESS", None)
    assert (market["numerator"], market["denominator"], market["value"]) == (6, 12, 50.0)
    assert market["met"] is False or market["met"] == False  # noqa: E712 (numpy bool)


def test_every_indicator_of_the_contract_has_a_commune_row_even_without_data():
    results = compute([household("AP01")], hamlet_rows(("AP01", 10, None, False)))
    expected = {
        "A1",
        "A2",
        "A3",
        "A4",
        "A5",
        "B1",
        "B2",
        "B3",
        "C1",
        "C2",
        "C3",
        "C4",
        "C5",
        "C6",
        "C7",
        "C8",
        "D1",
        "D2",
        "E1",
        "E2",
        "P2025_INFO",
        "P2025_DOSSIERS_ONLINE",
        "P2027_SMARTPHONE_HH",
        "P2027_MARKET_CASHLESS",
        "P2027_AGRI_MODEL",
        "P2030_OFFICIALS_IT",
        "P2030_DIGITAL_HH",
        "P2030_DOSSIERS_ONLINE",
        "P2030_DRA_MODELS",
        "P2030_CASHLESS_PEOPLE",
        "P2030_OFFICIAL_INFO",
    }
    commune = results.rows[results.rows["hamlet"].isna()]
    assert set(commune["indicator"]) == expected
    dossiers = row(results, "P2025_DOSSIERS_ONLINE", None)
    assert dossiers["value"] != dossiers["value"]  # NaN: not entered yet, shown as missing


def test_a_revisited_household_counts_once_with_its_latest_answers():
    first = household("AP01", code="01-0001", tt_57="khong", day=date(2025, 10, 1))
    second = household("AP01", code="01-0001", tt_57="co", day=date(2025, 10, 20))
    results = compute([first, second], hamlet_rows(("AP01", 10, None, False)))
    a5 = row(results, "A5", "AP01")
    assert (a5["numerator"], a5["denominator"]) == (1, 1)
