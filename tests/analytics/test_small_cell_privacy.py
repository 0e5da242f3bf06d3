"""Small cells stay hidden: by subtraction from the commune row, through the person rows of a
small hamlet, and through everything derived from them (issue 17, "Privacy of small cells")."""

import io
import random
from datetime import date

import pandas as pd
from openpyxl import load_workbook

from analytics import exports
from analytics.catalogue import BY_ID, PEOPLE_UNITS
from analytics.frames import frames_typed, raw_from_records
from analytics.geo import hamlets_frame
from analytics.pipeline import hamlet_indicators_compute
from analytics.suppress import rows_suppress, scorecard_suppress
from tests.analytics.builders import assessment, hamlet_rows, household, member

MIN_CELL = 5
ROUND = "2025"


def _varied_household(rng: random.Random, hamlet: str) -> dict:
    def pick(*options):
        return rng.choice(options)

    members = [
        member(
            smartphone=pick("co", "khong"),
            uses=pick("goi_nhan dvc tin_tuc", "goi_nhan", "thanh_toan mua_sam"),
            vneid=pick("muc2", "khong"),
            accounts=pick("nh_app", "khong"),
            cashless=pick("co", "khong"),
            dvc=pick("co", "khong"),
            bdhvs=pick("co", "khong"),
            official_info=pick("co", "khong"),
        )
        for _ in range(rng.choice((1, 2, 3)))
    ]
    return household(
        hamlet,
        members=members,
        tt_57=pick("co", "khong"),
        zalo=pick("co", "khong"),
        loudspeaker=pick("ro", "khong"),
        internet=pick("cap_quang", "khong"),
        address=pick("co", "khong"),
        day=date(2025, 10, 1),
    )


def _commune(sizes: dict[str, int], registered: int = 60, seed: int = 17):
    """A 4-household hamlet AP01 beside bigger ones, answers varied so every cell differs."""
    rng = random.Random(seed)
    records = [_varied_household(rng, code) for code, n in sizes.items() for _ in range(n)]
    records += [assessment(code) for code in sizes]
    hamlets = hamlet_rows(*[(code, registered, None, code == "AP01") for code in sizes])
    results = hamlet_indicators_compute(frames_typed(raw_from_records(records)), hamlets_frame(hamlets))
    return results


def _survey_indicators(rows: pd.DataFrame) -> list[str]:
    hamlet_rows_ = rows[rows["hamlet"].notna() & rows["unit"].isin(PEOPLE_UNITS)]
    return sorted(set(hamlet_rows_["indicator"]))


def subtraction_attack(shown: pd.DataFrame, coverage: pd.DataFrame, target: str, known=None) -> dict[str, float]:
    """What the hamlet head of issue 17 did, from published figures only: the commune row's
    numerator (Σ Wₕ p̂ₕ) minus the published hamlets' value × weight, divided by the target
    hamlet's weight. Wₕ = registered households × units surveyed / households surveyed, all
    public (the register, the coverage table, the rows' denominators). `known` are cells the
    attacker knows anyway (their own hamlet's): {(indicator, hamlet): value}. Returns the
    target's recovered values for every indicator where it is the only unknown."""
    known = known or {}
    cover = coverage[coverage["round"] == ROUND].set_index("hamlet")
    recovered = {}
    for indicator, rows in shown[shown["round"] == ROUND].groupby("indicator"):
        commune = rows[rows["hamlet"].isna()]
        if commune.empty or commune.iloc[0]["numerator"] is None or pd.isna(commune.iloc[0]["numerator"]):
            continue
        hamlets = rows[rows["hamlet"].notna() & (pd.to_numeric(rows["denominator"]) > 0)]
        remainder, unknown = float(commune.iloc[0]["numerator"]), []
        for row in hamlets.itertuples():
            weight = cover.loc[row.hamlet, "registered"] * row.denominator / cover.loc[row.hamlet, "surveyed"]
            value = known.get((indicator, row.hamlet), row.value)
            if value is None or pd.isna(value):
                unknown.append((row.hamlet, weight))
            else:
                remainder -= float(value) / 100 * weight
        if [h for h, _ in unknown] == [target]:
            recovered[indicator] = remainder / unknown[0][1] * 100
    return recovered


def _truth(rows: pd.DataFrame, hamlet: str) -> dict[str, float]:
    mine = rows[(rows["hamlet"] == hamlet) & (rows["round"] == ROUND)]
    return dict(zip(mine["indicator"], mine["value"], strict=True))


def test_the_subtraction_attack_recovers_nothing_for_a_viewer_nor_for_any_other_hamlets_head():
    results = _commune({"AP01": 4, "AP02": 9, "AP03": 12, "AP04": 15, "AP05": 20, "AP06": 25})
    truth = _truth(results.rows, "AP01")
    viewer = rows_suppress(results.rows, MIN_CELL)
    # The small hamlet's cells are hidden from a viewer ...
    hidden = viewer[(viewer["hamlet"] == "AP01") & viewer["unit"].isin(PEOPLE_UNITS)]
    assert len(hidden) and hidden["suppressed"].all() and hidden["value"].isna().all()
    # ... and subtracting the published hamlets from the commune row gives none of them back.
    assert subtraction_attack(viewer, results.coverage, "AP01") == {}
    # Nor for the head of any other hamlet, who sees their own hamlet unsuppressed.
    for head_of in ("AP02", "AP03", "AP04", "AP05", "AP06"):
        shown = rows_suppress(results.rows, MIN_CELL, own_hamlets={head_of})
        mine = shown[(shown["hamlet"] == head_of) & (shown["round"] == ROUND)]
        assert not mine["suppressed"].any(), head_of
        assert subtraction_attack(shown, results.coverage, "AP01") == {}, head_of
    # The commune rows themselves stay published, and the complements say why they are hidden.
    commune = viewer[viewer["hamlet"].isna() & viewer["indicator"].isin(_survey_indicators(viewer))]
    assert not commune["suppressed"].any()
    others = viewer["hamlet"].ne("AP01") & viewer["hamlet"].notna() & viewer["unit"].isin(PEOPLE_UNITS)
    complements = viewer[viewer["suppressed"] & others]
    assert len(complements) and complements["reason_en"].str.startswith("Complementary").all()
    assert set(complements["hamlet"]) == {"AP02", "AP03"}  # the smallest other hamlets
    assert truth  # the hidden values existed


def test_before_suppression_the_attack_recovers_the_small_hamlet_exactly():
    """The attack is real: with only AP01 hidden (issue 17's state), every value comes back."""
    results = _commune({"AP01": 4, "AP02": 9, "AP03": 12, "AP04": 15})
    only_primary = results.rows.copy()
    small = only_primary["hamlet"].eq("AP01") & only_primary["unit"].isin(PEOPLE_UNITS)
    only_primary["value"] = only_primary["value"].astype(object).where(~small, None)
    recovered = subtraction_attack(only_primary, results.coverage, "AP01")
    truth = _truth(results.rows, "AP01")
    assert len(recovered) >= 10
    assert all(abs(recovered[i] - truth[i]) < 1e-6 for i in recovered)


def test_with_too_few_hamlets_to_hide_three_the_commune_row_is_hidden_instead():
    results = _commune({"AP01": 4, "AP02": 9})
    viewer = rows_suppress(results.rows, MIN_CELL)
    indicator = "P2025_INFO"
    commune = viewer[(viewer["indicator"] == indicator) & viewer["hamlet"].isna()].iloc[0]
    assert commune["suppressed"] and commune["numerator"] is None and commune["value"] is None
    assert commune["reason_en"].startswith("Hidden: too few hamlets")
    # The bigger hamlet itself is shown: without a commune figure there is nothing to subtract from.
    big = viewer[(viewer["indicator"] == indicator) & viewer["hamlet"].eq("AP02")].iloc[0]
    assert not big["suppressed"] and big["value"] is not None
    assert subtraction_attack(viewer, results.coverage, "AP01") == {}


def test_person_rows_of_a_small_hamlet_are_hidden_by_the_households_behind_them():
    # 4 households with 2 members each: 8 persons 15+, but only 4 households behind the cells.
    records = [household("AP01", members=[member(), member(smartphone="khong")]) for _ in range(4)]
    records += [household("AP02") for _ in range(6)]
    hamlets = hamlet_rows(("AP01", 4, None, False), ("AP02", 6, None, False))
    results = hamlet_indicators_compute(frames_typed(raw_from_records(records)), hamlets_frame(hamlets))
    viewer = rows_suppress(results.rows, MIN_CELL)
    c5 = viewer[(viewer["indicator"] == "C5") & (viewer["hamlet"] == "AP01")].iloc[0]
    assert BY_ID["C5"].unit == "person15" and c5["denominator"] == 8
    assert c5["suppressed"] and c5["value"] is None


def test_a_small_hamlets_verdict_and_everything_derived_from_its_hidden_cells_are_hidden():
    results = _commune({"AP01": 4, "AP02": 9, "AP03": 12, "AP04": 15, "AP05": 20, "AP06": 25})
    viewer = rows_suppress(results.rows, MIN_CELL)
    detail, summary = scorecard_suppress(results.scorecard, results.scorecard_summary, viewer, MIN_CELL)
    small = summary[summary["hamlet"] == "AP01"]
    assert small["suppressed"].all()
    assert small["dat"].isna().all() and small["bb_met"].isna().all() and small["tc_met"].isna().all()
    assert small["status"].str.startswith("Ẩn").all()
    hidden_criteria = set(detail[(detail["hamlet"] == "AP01") & detail["suppressed"]]["criterion"])
    assert {"C1", "C3", "A5"} <= hidden_criteria
    for failing in list(small["failing"]) + list(small["failing_mandatory"]):
        assert not set(failing) & hidden_criteria, failing
    # A big hamlet none of whose cells is hidden keeps its verdict.
    big = summary[summary["hamlet"] == "AP06"]
    assert not big["suppressed"].any() and big["bb_met"].notna().all()
    # The verdict row and the commune count of hamlets meeting the standard are hidden too.
    dra = viewer[viewer["indicator"] == "P2030_DRA_MODELS"]
    assert dra[dra["hamlet"] == "AP01"]["suppressed"].all()
    assert dra[dra["hamlet"].isna()]["suppressed"].all()
    assert not dra[dra["hamlet"] == "AP06"]["suppressed"].any()
    # The hamlet head of AP01 gets their own hamlet unsuppressed, verdict included.
    own = rows_suppress(results.rows, MIN_CELL, own_hamlets={"AP01"})
    _, own_summary = scorecard_suppress(results.scorecard, results.scorecard_summary, own, MIN_CELL)
    assert not own_summary[own_summary["hamlet"] == "AP01"]["suppressed"].any()

    # The XLSX summary sheet ("Tổng hợp KDC CĐS") shows the same.
    body = exports.xlsx_bytes(viewer, detail, summary, results.coverage)
    sheet = load_workbook(io.BytesIO(body))["Tổng hợp KDC CĐS"]
    header = [c.value for c in sheet[1]]
    lines = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    ap01 = [line for line in lines if line["Mã ấp"] == "AP01"]
    assert ap01 and all(line["Kết quả"].startswith("Ẩn") for line in ap01)
    assert all(line["Số tiêu chí BB đạt"] is None and line["Số tiêu chí TC đạt"] is None for line in ap01)
    for line in ap01:
        listed = set((line["Tiêu chí chưa đạt"] or "").replace(" ", "").split(",")) - {""}
        assert not listed & hidden_criteria
