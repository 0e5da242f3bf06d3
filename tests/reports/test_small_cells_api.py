"""Small cells through the API: the scorecard summary and the XLSX summary sheet hide what is
derived from a hidden cell, and a hamlet head gets their own hamlet unsuppressed (issue 17)."""

import io

import pytest
from openpyxl import load_workbook

from backend.accounts.models import Role
from backend.places.models import Hamlet
from tests.analytics.builders import assessment, household, member
from tests.reports.factories import places, store


@pytest.fixture
def small_commune(forms, no_background):
    """AP01 (6 households), AP02 (4 households, 8 persons 15+), AP03 (7), AP04 (9)."""
    places(("AP01", 10, None, True), ("AP02", 6, None, False), ("AP03", 10, None, False), ("AP04", 12, None, False))
    for code, n in (("AP01", 6), ("AP03", 7), ("AP04", 9)):
        for k in range(n):
            store(forms, household(code, tt_57="co" if k % 2 else "khong"))
        store(forms, assessment(code))
    for k in range(4):
        store(
            forms, household("AP02", tt_57="co" if k < 3 else "khong", members=[member(), member(smartphone="khong")])
        )
    store(forms, assessment("AP02"))
    return forms


def _scorecard(client):
    response = client.get("/api/v1/scorecard", {"round": "2025", "tier": "2027"})
    assert response.status_code == 200, response.content
    return {h["hamlet"]: h for h in response.json()["hamlets"]}


def test_a_viewer_gets_no_verdict_count_or_failing_criterion_derived_from_a_hidden_cell(small_commune, viewer):
    ap02 = _scorecard(viewer)["AP02"]
    hidden = {c["criterion"] for c in ap02["criteria"] if c["suppressed"]}
    assert {"C1", "C3", "C5"} <= hidden  # household and person criteria of a 4-household hamlet
    assert ap02["suppressed"] is True and ap02["dat"] is None
    assert ap02["bb_met"] is None and ap02["tc_met"] is None
    assert ap02["status"].startswith("Ẩn") and ap02["status_en"].startswith("Hidden")
    assert not set(ap02["failing"]) & hidden and not set(ap02["failing_mandatory"]) & hidden

    rows = {(r["indicator"], r["hamlet"]): r for r in viewer.get("/api/v1/indicators", {"round": "2025"}).json()}
    # The person row of AP02 (8 persons, 4 households) is hidden with its household rows.
    assert rows[("C5", "AP02")]["suppressed"] and rows[("C5", "AP02")]["value"] is None
    # Two complements are hidden with it, so the commune row cannot be undone by subtraction.
    hidden_hamlets = {h for (i, h), r in rows.items() if i == "P2025_INFO" and h and r["suppressed"]}
    assert hidden_hamlets == {"AP02", "AP01", "AP03"}
    assert not rows[("P2025_INFO", None)]["suppressed"]
    assert rows[("P2030_DRA_MODELS", None)]["suppressed"]

    book = load_workbook(io.BytesIO(viewer.get("/api/v1/exports/indicators.xlsx", {"round": "2025"}).content))
    sheet = book["Tổng hợp KDC CĐS"]
    header = [c.value for c in sheet[1]]
    lines = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]
    for line in (line for line in lines if line["Mã ấp"] == "AP02"):
        assert line["Kết quả"].startswith("Ẩn") and line["Số tiêu chí BB đạt"] is None
        assert not set((line["Tiêu chí chưa đạt"] or "").replace(" ", "").split(",")) & hidden


def test_a_hamlet_head_sees_their_own_hamlet_unsuppressed_and_others_hidden(small_commune, client_for):
    head = client_for(Role.HAMLET_HEAD, "truongap02", hamlets=Hamlet.objects.filter(code="AP02"))
    scorecard = _scorecard(head)
    assert scorecard["AP02"]["suppressed"] is False and scorecard["AP02"]["bb_met"] is not None
    assert not any(c["suppressed"] for c in scorecard["AP02"]["criteria"])
    rows = {(r["indicator"], r["hamlet"]): r for r in head.get("/api/v1/indicators", {"round": "2025"}).json()}
    assert rows[("P2025_INFO", "AP02")]["value"] == 75.0 and not rows[("P2025_INFO", "AP02")]["suppressed"]
    # Another hamlet's head does not.
    other = client_for(Role.HAMLET_HEAD, "truongap04", hamlets=Hamlet.objects.filter(code="AP04"))
    rows = {(r["indicator"], r["hamlet"]): r for r in other.get("/api/v1/indicators", {"round": "2025"}).json()}
    assert rows[("P2025_INFO", "AP02")]["suppressed"] and rows[("P2025_INFO", "AP02")]["value"] is None
    assert not rows[("P2025_INFO", "AP04")]["suppressed"]
