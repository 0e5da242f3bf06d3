"""One unit, one row (issue 17): households, persons, stalls, hamlet assessments, their test
points and agricultural models each count once per round, with their latest interview; a
withdrawn consent removes the household. Every expected number is counted by hand."""

from datetime import date

from analytics.frames import frames_typed, raw_from_records
from analytics.geo import hamlets_frame
from analytics.pipeline import hamlet_indicators_compute
from tests.analytics.builders import assessment, hamlet_rows, household, member, stall


def compute(records, hamlets, **kwargs):
    return hamlet_indicators_compute(frames_typed(raw_from_records(records)), hamlets_frame(hamlets), **kwargs)


def row(results, indicator, hamlet, round_name="2025"):
    rows = results.rows
    selected = rows[(rows["indicator"] == indicator) & (rows["round"] == round_name)]
    selected = selected[selected["hamlet"].isna()] if hamlet is None else selected[selected["hamlet"] == hamlet]
    assert len(selected) == 1, selected
    return selected.iloc[0]


def test_a_stall_interviewed_twice_in_a_round_counts_once_with_its_latest_interview():
    first = stall(number="a-12", accepts="khong", day=date(2025, 10, 2))
    again = stall(number=" A-12 ", accepts="co", transactions="5", day=date(2025, 10, 9))
    other = stall(number="B-01", accepts="khong")
    results = compute([first, again, other], hamlet_rows(("AP01", 10, None, False)), registered_stalls=4)

    market = row(results, "P2027_MARKET_CASHLESS", None)
    # Two stalls interviewed (A-12 once, with its second interview; B-01), one meets; 4 on the register.
    assert market["n_units"] == 2
    assert (market["numerator"], market["denominator"]) == (1, 4)


def test_a_revisited_household_brings_its_members_once():
    first = household("AP01", code="01-0007", members=[member(vneid="chua"), member(vneid="chua")])
    second = household(
        "AP01", code="01-0007", members=[member(vneid="muc2"), member(vneid="chua")], day=date(2025, 10, 21)
    )
    results = compute([first, second], hamlet_rows(("AP01", 10, None, False)))

    c3 = row(results, "C3", "AP01")
    # The two members of the latest interview, not four; one has VNeID level 2.
    assert (c3["numerator"], c3["denominator"]) == (1, 2)
    assert row(results, "A5", "AP01")["denominator"] == 1


def test_a_household_that_withdraws_consent_on_a_later_visit_leaves_every_figure():
    consented = household("AP01", code="01-0009", tt_57="co", members=[member(), member()])
    withdrawn = household("AP01", code="01-0009", consent="khong", day=date(2025, 10, 25))
    stays = household("AP01", code="01-0010", tt_57="khong")
    results = compute([consented, withdrawn, stays], hamlet_rows(("AP01", 10, None, False)))

    a5 = row(results, "A5", "AP01")
    assert (a5["numerator"], a5["denominator"]) == (0, 1)
    assert row(results, "C3", "AP01")["denominator"] == 1  # the remaining household's one member
    coverage = results.coverage.set_index("hamlet").loc["AP01"]
    assert (coverage["surveyed"], coverage["refused"]) == (1, 1)


def test_a_household_that_refused_first_and_consented_later_counts_and_is_no_refusal():
    refused = household("AP01", code="01-0011", consent="khong", day=date(2025, 10, 1))
    consented = household("AP01", code="01-0011", tt_57="co", day=date(2025, 10, 15))
    results = compute([refused, consented], hamlet_rows(("AP01", 10, None, False)))

    assert row(results, "A5", "AP01")["denominator"] == 1
    assert results.coverage.set_index("hamlet").loc["AP01", "refused"] == 0


def test_a_hamlet_assessed_twice_in_a_round_counts_its_latest_assessment_and_only_its_test_points():
    early = assessment("AP01", points=("2g",) * 6, wifi="khong", day=date(2025, 9, 1))
    late = assessment("AP01", points=("4g",) * 4 + ("3g",), wifi="co", day=date(2025, 10, 1))
    results = compute([early, late], hamlet_rows(("AP01", 10, None, False)))

    b1 = row(results, "B1", "AP01")
    # The 5 points of the latest assessment (4 with 4G), not 11.
    assert (b1["numerator"], b1["denominator"]) == (4, 5)
    assert row(results, "B3", "AP01")["value"] == 100.0
    assert row(results, "B3", None)["denominator"] == 1  # one hamlet assessed, once


def test_an_agricultural_model_listed_twice_in_one_assessment_counts_once():
    listed = assessment("AP01", models=("co", "co", "co"), model_names=["Tưới tự động", " tưới  TỰ động", "Nhà màng"])
    results = compute([listed], hamlet_rows(("AP01", 10, None, False)))

    assert row(results, "D2", "AP01")["value"] == 2
    assert row(results, "P2027_AGRI_MODEL", None)["value"] == 2


def test_a_household_that_moved_away_or_was_not_found_is_neither_surveyed_nor_refused():
    moved = household("AP01", code="01-0021", consent="", day=date(2025, 10, 1))
    said_no = household("AP01", code="01-0022", consent="khong", day=date(2025, 10, 1))
    met = household("AP01", code="01-0023", day=date(2025, 10, 1))
    results = compute([moved, said_no, met], hamlet_rows(("AP01", 10, None, False)))
    coverage = results.coverage.set_index("hamlet").loc["AP01"]
    assert (coverage["surveyed"], coverage["refused"]) == (1, 1)
