"""The commune's household list: parser, command, API (dry run vs real, replace, bad rows)."""

import io
import uuid

import pytest
from django.core.management import CommandError, call_command

from backend.accounts.services import api_token_create
from backend.audit.models import AuditEvent
from backend.registers.csv_import import HouseholdListError, households_parse
from backend.registers.models import Household, HouseholdChange

LIST = (
    "\ufeffap,ma_ho,ten_goi,mo_ta,lat,lon\n"
    "AP01,H001,Lan,Nhà mái tôn,10.90,106.81\n"
    "AP01,H002,Út,,,\n"
    "AP02,H001,Hoa,Cổng xanh,,\n"
).encode()


def bearer(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user)}"}


def test_the_parser_reports_every_bad_line_with_its_number():
    data = (
        b"ap,ma_ho,name,lat,lon\n"
        b"AP01,H001,,10.9,106.8\n"
        b",H002,,,\n"
        b"AP01,H001,,,\n"
        b"AP01,H003,not-a-uuid,,\n"
        b"AP01,H004,,95,106\n"
    )
    with pytest.raises(HouseholdListError) as caught:
        households_parse(data)
    lines = [(p.line, p.message) for p in caught.value.problems]
    assert [line for line, _ in lines] == [3, 4, 5, 6]
    assert "ap is empty" in lines[0][1] and "repeats line 2" in lines[1][1]
    assert "not a UUID" in lines[2][1] and "out of range" in lines[3][1]


def test_the_parser_builds_labels_and_geopoints_and_normalises_to_nfc():
    rows = households_parse("ap,ma_ho,ten_goi,lat,lon\nAP01,H001,Nguye\u0302\u0303n,10.9,106.8\n".encode())
    assert rows[0].ten_goi == "Nguyễn" and rows[0].label == "AP01 · H001 · Nguyễn"
    assert rows[0].geometry == "10.9 106.8 0 0"


def test_a_dry_run_reports_and_changes_nothing_then_the_real_import_creates(client, hamlets, admin):
    response = client.post(
        "/api/v1/registers/households/import?dry_run=1", LIST, content_type="text/csv", **bearer(admin)
    )
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 3 and response.json()["dry_run"] is True
    assert not Household.objects.exists()
    response = client.post(
        "/api/v1/registers/households/import",
        {"file": io.BytesIO(LIST)},
        **bearer(admin),
    )
    assert response.status_code == 200, response.content
    assert {k: response.json()[k] for k in ("created", "updated", "unchanged")} == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
    }
    lan = Household.objects.get(hamlet__code="AP01", ma_ho="H001")
    assert (lan.ten_goi, lan.lat, lan.lon, lan.version, lan.source, lan.added_in_field) == (
        "Lan",
        10.9,
        106.81,
        1,
        "import",
        False,
    )
    assert AuditEvent.objects.filter(action="household.import").count() == 1


def test_a_reimport_that_changes_households_says_what_and_needs_replace(client, hamlets, admin):
    client.post("/api/v1/registers/households/import", LIST, content_type="text/csv", **bearer(admin))
    changed = LIST.replace("Cổng xanh".encode(), "Cổng đỏ".encode())
    refused = client.post("/api/v1/registers/households/import", changed, content_type="text/csv", **bearer(admin))
    assert refused.status_code == 409 and refused.json()["code"] == "409.30"
    report = refused.json()["details"]["report"]
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 1, 2)
    assert report["changes"][0]["fields"] == {"mo_ta": {"before": "Cổng xanh", "after": "Cổng đỏ"}}
    assert Household.objects.get(hamlet__code="AP02").mo_ta == "Cổng xanh"
    applied = client.post(
        "/api/v1/registers/households/import?replace=1", changed, content_type="text/csv", **bearer(admin)
    )
    assert applied.status_code == 200 and applied.json()["updated"] == 1
    hoa = Household.objects.get(hamlet__code="AP02")
    assert (hoa.mo_ta, hoa.version) == ("Cổng đỏ", 2)
    assert list(HouseholdChange.objects.filter(household=hoa).values_list("version", flat=True)) == [1, 2]


def test_a_bad_list_is_400_with_line_numbers_and_nothing_changes(client, hamlets, admin):
    client.post("/api/v1/registers/households/import", LIST, content_type="text/csv", **bearer(admin))
    bad = LIST + "AP09,H010,Tư,,,\nAP01,,Năm,,,\n".encode()
    response = client.post("/api/v1/registers/households/import", bad, content_type="text/csv", **bearer(admin))
    assert response.status_code == 400 and response.json()["code"] == "400.30"
    assert [e["line"] for e in response.json()["details"]["errors"]] == [6]
    response = client.post(
        "/api/v1/registers/households/import",
        LIST + "AP09,H010,Tư,,,\n".encode(),
        content_type="text/csv",
        **bearer(admin),
    )
    assert response.status_code == 400
    assert response.json()["details"]["errors"] == [
        {"line": 5, "message": "Không có ấp mã 'AP09' / no hamlet with code 'AP09'"}
    ]
    assert Household.objects.count() == 3


def test_only_admins_import(client, hamlets, hamlet_head):
    response = client.post("/api/v1/registers/households/import", LIST, content_type="text/csv", **bearer(hamlet_head))
    assert response.status_code == 403
    assert not Household.objects.exists()


def test_the_command_dry_run_then_real(hamlets, tmp_path):
    path = tmp_path / "ho.csv"
    path.write_bytes(LIST)
    out = io.StringIO()
    call_command("import_households", str(path), "--dry-run", stdout=out)
    assert out.getvalue().splitlines()[-1] == "dry run (nothing changed): created 3, updated 0, unchanged 0, errors 0"
    assert not Household.objects.exists()
    out = io.StringIO()
    call_command("import_households", str(path), stdout=out)
    assert out.getvalue().splitlines()[-1] == "created 3, updated 0, unchanged 0, errors 0"
    path.write_bytes(LIST.replace(b"Lan", "Thị Lan".encode()))
    with pytest.raises(CommandError) as caught:
        call_command("import_households", str(path), stdout=io.StringIO())
    assert "line 2: update AP01 H001" in str(caught.value) and "--replace" in str(caught.value)
    assert Household.objects.get(ma_ho="H001", hamlet__code="AP01").ten_goi == "Lan"


def test_an_import_confirms_a_household_added_in_the_field_by_its_uuid(client, hamlets, admin, devices):
    from tests.registers.conftest import household_instance, send

    entity = str(uuid.uuid4())
    send(client, devices["AP01"][1], household_instance(entity_id=entity, create=True, label="Mới", ma_ho="H009"))
    assert Household.objects.get(pk=entity).added_in_field is True
    data = f"name,ap,ma_ho,label\n{entity},AP01,H009,Mới\n".encode()
    response = client.post(
        "/api/v1/registers/households/import?replace=1", data, content_type="text/csv", **bearer(admin)
    )
    assert response.status_code == 200 and response.json()["updated"] == 1
    assert Household.objects.get(pk=entity).added_in_field is False


def test_the_admin_import_page_shows_the_dry_run_then_applies_it(client, hamlets, admin):
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get("/admin/registers/household/").status_code == 200
    upload = io.BytesIO(LIST)
    upload.name = "ho.csv"
    html = client.post("/admin/registers/household/import/", {"file": upload}).content.decode()
    assert "created 3" in html.replace("Thêm / created ", "created ") and not Household.objects.exists()
    response = client.post("/admin/registers/household/import/", {"apply": "1", "replace": "0"})
    assert response.status_code == 302 and Household.objects.count() == 3
    assert client.get(f"/admin/registers/household/{Household.objects.first().pk}/change/").status_code == 200
