"""The Django edge: reading submissions, storing results, the REST contract and roles."""

import csv
import io
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from openpyxl import load_workbook

from analytics.frames import frames_typed
from backend.accounts.policy import sees_microdata
from backend.places.models import Hamlet
from backend.reports import selectors, services
from backend.reports.models import AdministrativeFigure, ComputedResult
from tests.analytics.builders import assessment, household, member, square, stall
from tests.reports.factories import places, publish_commune_forms, store

ROW_KEYS = [
    "indicator",
    "hamlet",
    "round",
    "numerator",
    "denominator",
    "value",
    "ci_low",
    "ci_high",
    "target",
    "target_year",
    "met",
    "suppressed",
    # Extended by issue 17 (at the end: the keys above keep their order).
    "target_op",
    "reason",
    "reason_en",
    # Extended by issue 12.
    "n",
    "too_few",
]
LAT0, LON0 = 10.90, 107.30


@pytest.fixture
def commune(forms, no_background):
    """AP01 (pilot, 10 registered): 6 households; AP02 (3 registered): 3 households."""
    places(("AP01", 10, square(LON0, LAT0, 0.01), True), ("AP02", 3, square(LON0 + 0.01, LAT0, 0.01), False), stalls=4)
    for n in range(6):
        store(
            forms, household("AP01", tt_57="co" if n < 4 else "khong", lat=LAT0 + 0.005, lon=LON0 + 0.005, accuracy=5)
        )
    for _ in range(3):
        store(forms, household("AP02", members=[member(), member(smartphone="khong")]))
    store(forms, stall())
    store(forms, stall(accepts="khong"))
    store(forms, assessment("AP01"))
    store(forms, assessment("AP02", team=False))
    return forms


def rows_of(response):
    assert response.status_code == 200, response.content
    return {(r["indicator"], r["hamlet"]): r for r in response.json()}


def assert_same_frames(fast, simple):
    for name in ("households", "members", "stalls", "assessments", "test_points", "agri_models"):
        a = getattr(fast, name).sort_values(list(getattr(fast, name).columns[:2])).reset_index(drop=True)
        b = getattr(simple, name).sort_values(list(getattr(simple, name).columns[:2])).reset_index(drop=True)
        assert len(a) == len(b) > 0, name
        for column in a.columns:
            if column == "received_at":
                continue
            left = a[column].astype(object).where(a[column].notna(), None).tolist()
            right = b[column].astype(object).where(b[column].notna(), None).tolist()
            assert left == right, (name, column)


@pytest.mark.usefixtures("postgres_only")
def test_the_postgresql_copy_path_reads_the_same_frames_as_the_json_path(commune):
    assert_same_frames(frames_typed(selectors._raw_frames_copy()), frames_typed(selectors._raw_frames_iter()))


@pytest.mark.usefixtures("postgres_only")
def test_the_parallel_lanes_on_one_snapshot_read_the_same_frames_as_the_json_path(transactional_db, monkeypatch):
    # Outside a transaction the reader uses two connections sharing one snapshot, each
    # taking the submissions of one id parity.
    forms = publish_commune_forms()
    places(("AP01", 10, None, False), stalls=3)
    for n in range(7):
        store(
            forms,
            household("AP01", tt_57="co" if n % 2 else "khong", members=[member(born=str(1950 + n))] * (1 + n % 3)),
        )
    store(forms, stall())
    store(forms, assessment("AP01"))
    lanes_used = []
    parallel = selectors._copies_in_parallel
    monkeypatch.setattr(selectors, "_copies_in_parallel", lambda q: lanes_used.append(1) or parallel(q))
    fast = frames_typed(selectors._raw_frames_copy())
    assert lanes_used
    assert len(fast.households) == 7 and len(fast.members) == 1 + 2 + 3 + 1 + 2 + 3 + 1
    assert_same_frames(fast, frames_typed(selectors._raw_frames_iter()))


def test_rejected_and_deleted_submissions_are_not_counted_and_a_setting_switches_to_approved_only(
    forms, no_background, settings
):
    places(("AP01", 10, None, False))
    store(forms, household("AP01"), review_state="approved")
    store(forms, household("AP01"), review_state="received")
    store(forms, household("AP01"), review_state="rejected")
    store(forms, household("AP01"), deleted=True)
    assert len(selectors.raw_frames_read().households) == 2
    settings.ANALYTICS_ONLY_APPROVED = True
    assert len(selectors.raw_frames_read().households) == 1


def test_indicator_rows_follow_the_contract_and_leadership_sees_every_value(commune, leadership):
    response = leadership.get("/api/v1/indicators", {"round": "2025"})
    rows = rows_of(response)
    assert all(list(r) == ROW_KEYS for r in rows.values())
    # AP01: 4 of 6 households got NQ 57 information; 6 of 10 registered → a sample with an interval.
    info = rows[("P2025_INFO", "AP01")]
    assert (info["numerator"], info["denominator"], info["value"]) == (4, 6, 66.67)
    assert info["ci_low"] < 66.67 < info["ci_high"]
    assert (info["target"], info["target_year"], info["met"], info["suppressed"]) == (70, 2025, False, False)
    # Commune: (10 × 4/6 + 3 × 3/3) / 13 = (6.667 + 3) / 13 = 74.36%.
    commune_row = rows[("P2025_INFO", None)]
    assert commune_row["value"] == pytest.approx((10 * 4 / 6 + 3) / 13 * 100, abs=0.01)
    assert commune_row["met"] is True
    assert response["X-Results-Stale"] == "false"


def test_viewers_get_small_cells_suppressed_and_the_one_decision_says_who_sees_microdata(commune, viewer, leadership):
    rows = rows_of(viewer.get("/api/v1/indicators", {"round": "2025", "hamlet": "AP02"}))
    # AP02 has 3 households: hidden from a viewer, with the reason flagged.
    cell = rows[("A5", "AP02")]
    assert cell["suppressed"] is True
    assert cell["value"] is None and cell["numerator"] is None and cell["ci_low"] is None and cell["met"] is None
    shown = rows_of(leadership.get("/api/v1/indicators", {"round": "2025", "hamlet": "AP02"}))[("A5", "AP02")]
    assert shown["suppressed"] is False and shown["value"] == 100.0

    from backend.accounts.actors import Actor, actor_for_user
    from backend.accounts.models import Role

    assert sees_microdata(Actor(kind="user", role=Role.LEADERSHIP))
    assert not sees_microdata(Actor(kind="user", role=Role.HAMLET_HEAD))
    assert sees_microdata(actor_for_user(get_user_model().objects.get(username="lanhdao")))


def test_hamlets_geojson_carries_the_indicator_values_and_rejects_an_unknown_indicator(commune, leadership):
    response = leadership.get("/api/v1/hamlets.geojson", {"indicator": "P2025_INFO", "round": "2025"})
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "FeatureCollection"
    by_code = {f["properties"]["code"]: f for f in body["features"]}
    assert by_code["AP01"]["properties"]["value"] == pytest.approx(400 / 6)
    assert by_code["AP01"]["geometry"]["type"] == "Polygon"
    bad = leadership.get("/api/v1/hamlets.geojson", {"indicator": "Z9"})
    assert bad.status_code == 400 and "indicator" in bad.json()["message"]


def test_scorecard_lists_pilot_hamlets_first_with_criteria_and_commune_targets(commune, leadership):
    response = leadership.get("/api/v1/scorecard", {"round": "2025"})
    assert response.status_code == 200
    body = response.json()
    assert body["tier"] == 2027
    assert [h["hamlet"] for h in body["hamlets"]] == ["AP01", "AP02"]
    ap01 = body["hamlets"][0]
    assert ap01["pilot"] is True
    assert {c["criterion"] for c in ap01["criteria"]} >= {"A1", "C1", "E2"}
    # AP02's assessment has no Tổ CNSCĐ: A1 fails, so AP02 does not meet the standard.
    ap02 = body["hamlets"][1]
    assert "A1" in ap02["failing_mandatory"] and ap02["status"] == "Chưa đạt"
    targets = {t["indicator"]: t for t in body["commune_targets"]}
    assert targets["P2025_DOSSIERS_ONLINE"]["source"] == "administrative"
    assert targets["P2025_DOSSIERS_ONLINE"]["value"] is None
    assert leadership.get("/api/v1/scorecard", {"round": "2025", "tier": "2031"}).status_code == 400
    assert leadership.get("/api/v1/scorecard", {"round": "1999"}).status_code == 404


def test_strict_targets_and_gate_reasons_reach_the_api_the_exports_and_the_scorecard(forms, leadership, no_background):
    # 7 of 10 households informed (P2025_INFO is "> 70 %"); every household is in the Zalo
    # group but the hamlet assessment says the hamlet has no official group (A2's gate).
    places(("AP01", 10, None, False))
    for n in range(10):
        store(forms, household("AP01", tt_57="co" if n < 7 else "khong", zalo="co"))
    store(forms, assessment("AP01", zalo="khong"))

    rows = rows_of(leadership.get("/api/v1/indicators", {"round": "2025"}))
    info = rows[("P2025_INFO", None)]
    assert (info["value"], info["target_op"], info["target"], info["met"]) == (70.0, ">", 70, False)
    a2 = rows[("A2", "AP01")]
    assert a2["value"] == 100.0 and a2["met"] is False
    assert a2["reason_en"] == "gate: no official Zalo group"
    assert a2["reason"].startswith("Điều kiện: ấp chưa có nhóm Zalo chính thức")
    assert rows[("A2", None)]["met"] is None  # a criterion is met by a hamlet, not by the commune

    card = leadership.get("/api/v1/scorecard", {"round": "2025"}).json()
    a2_card = next(c for c in card["hamlets"][0]["criteria"] if c["criterion"] == "A2")
    assert a2_card["reason_en"] == "gate: no official Zalo group"
    # The criterion carries its n and the minimum-sample mark, by the indicator rows' own rule.
    assert (a2_card["n"], a2_card["too_few"]) == (a2["n"], a2["too_few"]) == (10, True)

    text = leadership.get("/api/v1/exports/indicators.csv", {"round": "2025"}).content.decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(text)))
    assert list(table[0])[-5:] == [
        "So sánh với chỉ tiêu",
        "Ghi chú",
        "Note",
        "Số đơn vị khảo sát (n)",
        "Không đủ mẫu / Too few",
    ]
    # Ten households in AP01: fewer than the minimum sample (30), and the export says so.
    a2_csv = next(r for r in table if r["Mã chỉ tiêu"] == "A2" and r["Mã ấp"] == "AP01")
    assert (a2_csv["Số đơn vị khảo sát (n)"], a2_csv["Không đủ mẫu / Too few"]) == ("10", "không đủ mẫu / too few")
    by_cell = {(r["Mã chỉ tiêu"], r["Tên ấp"]): r for r in table}
    assert by_cell[("P2025_INFO", "Toàn xã")]["So sánh với chỉ tiêu"] == ">"
    assert by_cell[("A2", "Ấp AP01")]["Note"] == "gate: no official Zalo group"


def test_stale_results_are_served_at_once_and_a_recomputation_is_requested(commune, leadership, no_background):
    leadership.get("/api/v1/indicators")
    computed = ComputedResult.objects.get(round="2025").computed_at
    store(commune, household("AP01"))
    response = leadership.get("/api/v1/indicators", {"round": "2025", "hamlet": "AP01"})
    assert response["X-Results-Stale"] == "true"
    assert rows_of(response)[("P2025_INFO", "AP01")]["denominator"] == 6  # the stored figures, not recomputed
    assert ComputedResult.objects.get(round="2025").computed_at == computed
    assert no_background  # a background recomputation was asked for
    services.indicator_results_compute()
    fresh = leadership.get("/api/v1/indicators", {"round": "2025", "hamlet": "AP01"})
    assert fresh["X-Results-Stale"] == "false"
    assert rows_of(fresh)[("P2025_INFO", "AP01")]["denominator"] == 7


def test_a_commune_gets_its_first_results_at_once_but_a_province_is_computed_in_the_background(
    commune, leadership, no_background, settings
):
    # A commune (here 13 submissions) is computed during the first request.
    assert leadership.get("/api/v1/indicators", {"round": "2025"}).status_code == 200
    assert not no_background
    ComputedResult.objects.all().delete()
    # Above the foreground limit the first request does not wait: it is told to come back.
    settings.ANALYTICS_FOREGROUND_MAX_SUBMISSIONS = 12
    response = leadership.get("/api/v1/scorecard", {"round": "2025"})
    assert response.status_code == 503 and response["Retry-After"] == "15"
    assert response.json()["code"] == "503.1" and "first time" in response.json()["message"]
    assert no_background == [1] and not ComputedResult.objects.exists()
    services.indicator_results_compute()  # what the background job does
    assert leadership.get("/api/v1/scorecard", {"round": "2025"}).status_code == 200


def test_compute_indicators_prints_one_line_per_stage(commune):
    out = io.StringIO()
    call_command("compute_indicators", "--no-progress", stdout=out)
    lines = out.getvalue().splitlines()
    assert [line.split()[0] for line in lines[:4]] == ["read", "join", "compute", "write"]
    assert lines[-1].startswith("total")
    assert ComputedResult.objects.filter(round="2025").exists()
    call_command("compute_indicators", "--round", "2025", "--no-progress", stdout=io.StringIO())
    assert list(ComputedResult.objects.values_list("round", flat=True)) == ["2025"]


def test_exports_and_map_download_in_their_formats(commune, leadership):
    csv = leadership.get("/api/v1/exports/indicators.csv", {"round": "2025"})
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")
    assert "Ấp AP01" in csv.content.decode("utf-8-sig")
    xlsx = leadership.get("/api/v1/exports/indicators.xlsx")
    assert "Theo ấp" in load_workbook(io.BytesIO(xlsx.content)).sheetnames
    gpkg = leadership.get("/api/v1/exports/indicators.gpkg")
    assert gpkg.status_code == 200 and gpkg.content[:16] == b"SQLite format 3\x00"
    png = leadership.get("/api/v1/maps/C1.png", {"round": "2025"})
    assert png.status_code == 200 and png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")
    assert leadership.get("/api/v1/maps/NOPE.png").status_code == 404
    assert leadership.get("/api/v1/exports/indicators.pdf").status_code == 404


def test_administrative_figures_are_entered_by_admins_and_become_indicator_values(commune, admin, viewer):
    body = {
        "indicator": "P2025_DOSSIERS_ONLINE",
        "round": "2025",
        "numerator": 460,
        "denominator": 500,
        "source": "Hệ thống một cửa",
    }
    assert viewer.post("/api/v1/administrative-figures", body, format="json").status_code == 403
    bad = admin.post("/api/v1/administrative-figures", {**body, "numerator": 600}, format="json")
    assert bad.status_code == 400 and not AdministrativeFigure.objects.exists()
    unknown = admin.post("/api/v1/administrative-figures", {**body, "indicator": "A1"}, format="json")
    assert unknown.status_code == 400
    assert admin.post("/api/v1/administrative-figures", body, format="json").status_code == 200
    services.indicator_results_compute()
    row = rows_of(admin.get("/api/v1/indicators", {"round": "2025", "hamlet": "commune"}))[
        ("P2025_DOSSIERS_ONLINE", None)
    ]
    # 460 / 500 = 92% ≥ 90%.
    assert (row["value"], row["target"], row["met"]) == (92.0, 90, True)


def test_survey_rounds_defined_by_date_range_regroup_submissions(forms, admin, no_background):
    places(("AP01", 10, None, False))
    store(forms, household("AP01", day=date(2025, 3, 1)))
    store(forms, household("AP01", day=date(2025, 11, 1)))
    declared = {r["name"]: r for r in admin.get("/api/v1/survey-rounds").json()}
    assert {name: (r["start"], r["end"], r["target_year"]) for name, r in declared.items()} == {
        "2025": ("2025-01-01", "2025-12-31", 2025),
        "2027": ("2027-01-01", "2027-12-31", 2027),
        "2030": ("2030-01-01", "2030-12-31", 2030),
    }
    # Overlapping the declared 2025 window: refused, nothing stored.
    clash = admin.post(
        "/api/v1/survey-rounds", {"name": "2025-dau-ky", "start": "2025-01-01", "end": "2025-06-30"}, format="json"
    )
    assert clash.status_code == 400 and clash.json()["code"] == "400.23", clash.content
    shrunk = admin.patch(f"/api/v1/survey-rounds/{declared['2025']['id']}", {"end": "2025-06-30"}, format="json")
    assert shrunk.status_code == 200 and shrunk.json()["end"] == "2025-06-30"
    response = admin.post(
        "/api/v1/survey-rounds",
        {"name": "2025-cuoi-ky", "start": "2025-07-01", "end": "2025-12-31", "target_year": 2025},
        format="json",
    )
    assert response.status_code == 201
    bad = admin.post("/api/v1/survey-rounds", {"name": "x", "start": "2025-06-30", "end": "2025-01-01"}, format="json")
    assert bad.status_code == 400
    services.indicator_results_compute()
    assert sorted(ComputedResult.objects.values_list("round", flat=True)) == ["2025", "2025-cuoi-ky"]


def _a5(client, round_name="2025"):
    rows = rows_of(client.get(f"/api/v1/indicators?round={round_name}&indicator=A5"))
    return rows.get(("A5", "AP01"))


def test_a_submission_outside_every_round_is_unassigned_counts_nowhere_until_assigned(forms, leadership, no_background):
    from backend.audit.models import AuditEvent

    places(("AP01", 40, None, False))
    for n in range(30):
        store(forms, household("AP01", tt_57="co" if n < 15 else "khong", day=date(2025, 10, 1)))
    services.indicator_results_compute()
    before = _a5(leadership)
    assert (before["value"], before["denominator"]) == (50.0, 30)
    every_round_before = sorted({r["round"] for r in leadership.get("/api/v1/indicators").json()})

    # A December-2026 test interview: no "2026" round appears and no figure moves.
    stray = store(forms, household("AP01", tt_57="co", day=date(2026, 12, 3)))
    services.indicator_results_compute()
    assert sorted({r["round"] for r in leadership.get("/api/v1/indicators").json()}) == every_round_before == ["2025"]
    assert _a5(leadership) == before
    assert "2026" not in ComputedResult.objects.values_list("round", flat=True)
    listed = leadership.get("/api/v1/survey-rounds/unassigned")
    assert listed.status_code == 200
    assert [(r["id"], r["survey_date"], r["hamlet_code"]) for r in listed.json()["results"]] == [
        (stray.pk, "2026-12-03", "AP01")
    ]

    # All or nothing: one unknown id and nothing is assigned.
    refused = leadership.post(
        "/api/v1/survey-rounds/unassigned/assign", {"round": "2025", "submissions": [stray.pk, 999999]}, format="json"
    )
    assert refused.status_code == 400 and refused.json()["code"] == "400.24"
    assert refused.json()["details"]["missing"] == [999999]
    undeclared = leadership.post(
        "/api/v1/survey-rounds/unassigned/assign", {"round": "2026", "submissions": [stray.pk]}, format="json"
    )
    assert undeclared.status_code == 400
    assert len(leadership.get("/api/v1/survey-rounds/unassigned").json()["results"]) == 1

    assigned = leadership.post(
        "/api/v1/survey-rounds/unassigned/assign", {"round": "2025", "submissions": [stray.pk]}, format="json"
    )
    assert assigned.status_code == 200 and assigned.json() == {"round": "2025", "assigned": 1}
    assert leadership.get("/api/v1/survey-rounds/unassigned").json()["results"] == []
    event = AuditEvent.objects.get(action="survey_round.assign")
    assert event.details["submissions"] == [stray.pk] and event.ip
    services.indicator_results_compute()
    after = _a5(leadership)
    assert (after["denominator"], after["numerator"]) == (31, 16)


def test_editing_a_window_reassigns_and_is_audited(forms, leadership, viewer, no_background):
    from backend.audit.models import AuditEvent
    from backend.reports.models import SurveyRound

    places(("AP01", 40, None, False))
    for _ in range(3):
        store(forms, household("AP01", day=date(2026, 12, 3)))
    services.indicator_results_compute()
    assert "2027" not in ComputedResult.objects.values_list("round", flat=True)
    round_2027 = SurveyRound.objects.get(name="2027")
    url = f"/api/v1/survey-rounds/{round_2027.pk}"
    assert viewer.patch(url, {"start": "2026-11-01"}, format="json").status_code == 403
    overlap = leadership.patch(url, {"start": "2025-12-01"}, format="json")  # into the 2025 window
    assert overlap.status_code == 400 and overlap.json()["code"] == "400.23"
    round_2027.refresh_from_db()
    assert round_2027.start == date(2027, 1, 1)
    moved = leadership.patch(url, {"start": "2026-11-01", "note": "Bắt đầu sớm"}, format="json")
    assert moved.status_code == 200, moved.content
    event = AuditEvent.objects.get(action="survey_round.update")
    assert event.details["changed"]["start"] == ["2027-01-01", "2026-11-01"] and event.ip
    services.indicator_results_compute()
    assert list(ComputedResult.objects.values_list("round", flat=True)) == ["2027"]
    assert leadership.get("/api/v1/survey-rounds/unassigned").json()["results"] == []


def test_location_review_lists_flagged_households_to_leadership_and_to_their_hamlet_head_only(
    forms, no_background, leadership, client_for, viewer
):
    places(("AP01", 10, square(LON0, LAT0, 0.01), False), ("AP02", 10, square(LON0 + 0.01, LAT0, 0.01), False))
    store(forms, household("AP01", lat=LAT0 + 0.005, lon=LON0 + 0.015, accuracy=5))  # inside AP02
    store(forms, household("AP02", lat=LAT0 + 0.005, lon=LON0 + 0.015, accuracy=80))  # poor accuracy
    flagged = leadership.get("/api/v1/indicators/review").json()
    assert sorted(r["hamlet"] for r in flagged) == ["AP01", "AP02"]
    head = client_for("hamlet_head", "truongap", hamlets=[Hamlet.objects.get(code="AP02")])
    own = head.get("/api/v1/indicators/review").json()
    assert [(r["hamlet"], r["reason"]) for r in own] == [("AP02", "poor_gps_accuracy")]
    assert viewer.get("/api/v1/indicators/review").status_code == 403
    # Household rows are microdata: every successful read leaves one audit row, with its size.
    from backend.audit.models import AuditEvent

    reads = AuditEvent.objects.filter(action="household.location_review").order_by("id")
    assert [(e.actor_label, e.details["rows"]) for e in reads] == [(reads[0].actor_label, 2), ("user:truongap", 1)]


def test_unauthenticated_requests_are_refused(commune, client):
    assert client.get("/api/v1/indicators").status_code in (401, 403)
