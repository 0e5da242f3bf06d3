"""How the indicator rows read (issue 17): the market's one estimator, hamlets without a
register figure, strict targets, gate reasons, the yes/no convention and commune verdicts.
Every expected number is counted by hand in the test."""

import pytest

from analytics.catalogue import BY_ID, catalogue_as_json
from analytics.frames import frames_typed, raw_from_records
from analytics.geo import hamlets_frame
from analytics.pipeline import hamlet_indicators_compute
from tests.analytics.builders import assessment, hamlet_rows, household, stall


def compute(records, hamlets, **kwargs):
    return hamlet_indicators_compute(frames_typed(raw_from_records(records)), hamlets_frame(hamlets), **kwargs)


def row(results, indicator, hamlet, round_name="2025"):
    rows = results.rows
    selected = rows[(rows["indicator"] == indicator) & (rows["round"] == round_name)]
    selected = selected[selected["hamlet"].isna()] if hamlet is None else selected[selected["hamlet"] == hamlet]
    assert len(selected) == 1, selected
    return selected.iloc[0]


# --- the market: one estimator, one interval ---------------------------------------------


def test_market_figure_with_a_register_is_a_census_of_the_register_and_lies_inside_its_interval():
    # 13 of 31 interviewed stalls meet; the register has 40 → 13/40 = 32.5 %, the plan's rule.
    stalls = [stall(accepts="co", transactions="2") for _ in range(13)]
    stalls += [stall(accepts="khong") for _ in range(18)]
    results = compute(stalls, hamlet_rows(("AP01", 10, None, False)), registered_stalls=40)

    market = row(results, "P2027_MARKET_CASHLESS", None)
    assert market["value"] == pytest.approx(32.5)
    assert market["ci_low"] <= market["value"] <= market["ci_high"]
    assert market["ci_low"] == market["ci_high"] == pytest.approx(32.5)
    assert "not interviewed count as not meeting" in market["reason_en"]


def test_market_figure_without_a_register_is_the_interviewed_share_with_its_wilson_interval():
    stalls = [stall(accepts="co", transactions="2") for _ in range(3)] + [stall(accepts="khong")]
    results = compute(stalls, hamlet_rows(("AP01", 10, None, False)), registered_stalls=0)

    market = row(results, "P2027_MARKET_CASHLESS", None)
    assert market["value"] == 75.0
    assert market["ci_low"] < 75.0 < market["ci_high"]


# --- hamlets without a register figure ---------------------------------------------------


def test_a_hamlet_without_a_register_is_left_out_of_the_commune_estimate_and_its_row_says_so():
    registered = [household("AP01", tt_57="co") for _ in range(2)] + [
        household("AP01", tt_57="khong") for _ in range(2)
    ]
    unregistered = [household("AP02", tt_57="co") for _ in range(30)]
    results = compute(registered + unregistered, hamlet_rows(("AP01", 100, None, False), ("AP02", 0, None, False)))

    commune = row(results, "A5", None)
    # Only AP01 (50 % of 100 households) enters; AP02's 30 surveyed households do not weigh 30.
    assert commune["value"] == pytest.approx(50.0)
    assert commune["denominator"] == pytest.approx(100.0)
    assert commune["ci_low"] < 50.0 < commune["ci_high"]
    assert "1 hamlet(s) without a register" in commune["reason_en"]
    ap02 = row(results, "A5", "AP02")
    assert ap02["value"] == 100.0 and ap02["weight"] == 0
    assert "left out of the commune estimate" in ap02["reason_en"]
    # Its own interval treats the 30 households as a sample of unknown size, consistently.
    assert ap02["ci_low"] < 100.0


# --- targets, gates and conventions -----------------------------------------------------


def test_a_strict_target_carries_its_operator_and_exactly_the_threshold_does_not_meet_it():
    # P2025_INFO is "> 70 %": 7 of 10 households is 70.0 % and does not meet it.
    records = [household("AP01", tt_57="co") for _ in range(7)] + [household("AP01", tt_57="khong") for _ in range(3)]
    results = compute(records, hamlet_rows(("AP01", 10, None, False)))

    info = row(results, "P2025_INFO", None)
    assert (info["value"], info["target"], info["target_op"]) == (70.0, 70, ">")
    assert info["met"] is False or info["met"] == False  # noqa: E712 (numpy bool)
    assert row(results, "A4", None)["target_op"] == ">="


def test_a_gated_criterion_that_fails_on_its_gate_says_why():
    records = [household("AP01", zalo="co") for _ in range(6)] + [household("AP02", zalo="co") for _ in range(6)]
    records.append(assessment("AP01", zalo="khong"))
    results = compute(records, hamlet_rows(("AP01", 6, None, False), ("AP02", 6, None, False)))

    a2 = row(results, "A2", "AP01")
    assert a2["value"] == 100.0 and not a2["met"]
    assert a2["reason_en"] == "gate: no official Zalo group"
    unassessed = row(results, "A2", "AP02")
    assert unassessed["reason_en"] == "gate: no hamlet assessment in this round"
    card = results.scorecard
    a2_card = card[(card["hamlet"] == "AP01") & (card["criterion"] == "A2") & (card["tier"] == 2027)].iloc[0]
    assert a2_card["reason_en"] == "gate: no official Zalo group"


def test_yes_no_hamlet_figures_are_100_or_0_and_the_dra_count_follows_the_same_convention():
    records = [household("AP01") for _ in range(6)] + [assessment("AP01")]
    results = compute(records, hamlet_rows(("AP01", 6, None, False)))

    assert row(results, "B3", "AP01")["value"] in (0.0, 100.0)
    dra = row(results, "P2030_DRA_MODELS", "AP01")
    assert dra["value"] in (0.0, 100.0)
    assert dra["target"] == 100.0
    commune = row(results, "P2030_DRA_MODELS", None)
    assert commune["value"] == dra["value"] / 100  # the commune counts hamlets
    assert commune["target"] == 2


def test_criteria_commune_rows_carry_no_verdict_and_plan_targets_do():
    records = [household("AP01") for _ in range(6)] + [assessment("AP01")]
    results = compute(records, hamlet_rows(("AP01", 6, None, False)))

    for criterion in ("A1", "A2", "B1", "B3", "C1", "D1", "D2", "E1"):
        assert row(results, criterion, None)["met"] is None, criterion
    for plan in ("P2025_INFO", "P2027_SMARTPHONE_HH", "P2027_AGRI_MODEL"):
        assert row(results, plan, None)["met"] is not None, plan
    entries = {e["id"]: e for e in catalogue_as_json()}
    assert entries["D1"]["commune_verdict"] is False and entries["P2025_INFO"]["commune_verdict"] is True
    assert entries["P2030_DRA_MODELS"]["value_unit"] == "count"
    assert BY_ID["A2"].gate_failed[1] == "no official Zalo group"
