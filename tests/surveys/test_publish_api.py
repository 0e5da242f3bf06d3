"""Publishing XLSForms through the REST API: errors with row numbers, nothing stored on
error, identical republish is a no-op, changed content needs a new version."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from rest_framework.test import APIClient

from backend.accounts.models import Role
from backend.accounts.services import api_token_create, user_create
from backend.core.models import Blob
from backend.surveys.models import Form, FormVersion
from backend.surveys.xlsform_convert import form_id_from_filename, java_available
from tests.helpers import with_media_form, xlsform_bytes


@pytest.fixture
def api(db):
    admin = user_create(username="admin", password="x-pass-123", role=Role.ADMIN)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=admin)}")
    return client


def publish(api, data: bytes, name: str = "form.xlsx", media: dict | None = None, **extra):
    payload = {"xlsform": SimpleUploadedFile(name, data), **extra}
    if media:
        payload["media"] = [SimpleUploadedFile(n, d) for n, d in media.items()]
    return api.post("/api/v1/forms", payload, format="multipart")


def assert_nothing_stored():
    assert Form.objects.count() == 0
    assert FormVersion.objects.count() == 0
    assert Blob.objects.count() == 0


def test_publishing_a_valid_form_returns_its_id_version_hash_and_validation(api):
    response = publish(api, with_media_form(), media={"ap.csv": b"name,label\nAP01,A\n"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["form_id"] == "withmedia"
    assert body["version"] == "2026112701"
    assert body["status"] == "created"
    assert body["hash"].startswith("md5:")
    assert body["missing_media"] == []
    assert body["validation"]["ran"] is java_available()
    if not java_available():
        assert "skipped" in body["validation"]["message"]


def test_a_form_missing_its_media_says_so(api):
    body = publish(api, with_media_form()).json()
    assert body["missing_media"] == ["ap.csv"]
    assert body["media"] == [{"name": "ap.csv", "present": False, "md5": None, "entity_list": False}]


def test_republishing_identical_content_is_a_no_op(api):
    first = publish(api, xlsform_bytes()).json()
    response = publish(api, xlsform_bytes())
    assert response.status_code == 200
    assert response.json()["status"] == "unchanged"
    assert response.json()["hash"] == first["hash"]
    assert FormVersion.objects.count() == 1


def test_changed_content_under_the_same_version_is_409_and_keeps_the_old_version(api):
    publish(api, xlsform_bytes())
    changed = xlsform_bytes(survey=[["text", "name", "Name"], ["integer", "age", "Age in years"]])
    response = publish(api, changed)
    assert response.status_code == 409
    assert "version" in response.json()["message"].lower()
    assert FormVersion.objects.count() == 1


def test_changed_content_with_a_new_version_becomes_the_current_version(api):
    publish(api, xlsform_bytes())
    changed = xlsform_bytes(version="2026112702", survey=[["text", "name", "Name"], ["integer", "age", "Tuổi"]])
    body = publish(api, changed).json()
    assert body["status"] == "created"
    form = Form.objects.get(form_id="simple")
    assert form.current_version.version == "2026112702"
    assert FormVersion.objects.filter(form=form, published=True).count() == 2


def test_a_bad_reference_is_400_with_the_row_number_and_stores_nothing(api):
    bad = xlsform_bytes(
        survey=[["text", "a", "A", ""], ["integer", "b", "B", "${missing} > 1"]],
        survey_header=["type", "name", "label", "relevant"],
    )
    response = publish(api, bad)
    assert response.status_code == 400
    assert "row" in response.json()["message"].lower() and "missing" in response.json()["message"]
    assert_nothing_stored()


@pytest.mark.skipif(not java_available(), reason="ODK Validate needs Java")
def test_an_xpath_syntax_error_is_caught_by_odk_validate_and_stores_nothing(api):
    bad = xlsform_bytes(survey=[["integer", "b", "B", ". > "]], survey_header=["type", "name", "label", "constraint"])
    response = publish(api, bad)
    assert response.status_code == 400
    body = response.json()
    assert body["details"]["stage"] == "odk_validate"
    assert "constraint" in body["message"]
    assert_nothing_stored()


def test_missing_choices_are_400_and_store_nothing(api):
    response = publish(api, xlsform_bytes(survey=[["select_one colours", "c", "Colour"]]))
    assert response.status_code == 400
    assert "choices" in response.json()["message"].lower()
    assert_nothing_stored()


def test_a_file_that_is_not_a_spreadsheet_is_400(api):
    response = publish(api, b"%PDF-1.4 not a spreadsheet", name="form.xlsx")
    assert response.status_code == 400
    assert "not an Excel workbook" in response.json()["message"]
    assert_nothing_stored()


def test_a_spreadsheet_that_is_not_an_xlsform_is_400(api):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["budget", "2026"])
    out = io.BytesIO()
    workbook.save(out)
    response = publish(api, out.getvalue())
    assert response.status_code == 400
    assert_nothing_stored()


def test_a_zip_bomb_is_refused(api):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 50_000_000)
    response = publish(api, out.getvalue())
    assert response.status_code == 400
    assert "zip bomb" in response.json()["message"]
    assert_nothing_stored()


def test_a_macro_enabled_workbook_is_refused(api):
    source = zipfile.ZipFile(io.BytesIO(xlsform_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            archive.writestr(item, source.read(item.filename))
        archive.writestr("xl/vbaProject.bin", b"\x00" * 100)
    response = publish(api, out.getvalue())
    assert response.status_code == 400
    assert "macro" in response.json()["message"].lower()
    assert_nothing_stored()


def test_a_file_over_the_size_limit_is_refused(api, settings):
    settings.XLSFORM_MAX_BYTES = 1000
    response = publish(api, xlsform_bytes())
    assert response.status_code == 400
    assert "limit" in response.json()["message"]
    assert_nothing_stored()


def test_media_the_form_does_not_reference_is_refused(api):
    response = publish(api, xlsform_bytes(), media={"other.csv": b"a,b\n"})
    assert response.status_code == 400
    assert "other.csv" in response.json()["message"]
    assert_nothing_stored()


def test_publishing_needs_a_commune_admin(db):
    viewer = user_create(username="viewer", password="x-pass-123", role=Role.VIEWER)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=viewer)}")
    assert publish(client, xlsform_bytes()).status_code == 403
    assert APIClient().post("/api/v1/forms", {}, format="multipart").status_code in (401, 403)


def test_the_openapi_schema_documents_the_publish_endpoint(client, db):
    response = client.get("/api/schema")
    assert response.status_code == 200
    assert b"/api/v1/forms" in response.content


def workbook_without_settings(question_label: str) -> bytes:
    """What a designer gets from a blank spreadsheet: a survey sheet and nothing else."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label"])
    sheet.append(["text", "ghi_chu", question_label])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_two_workbooks_without_settings_publish_as_two_forms_named_after_their_files(api):
    first = publish(api, workbook_without_settings("Ghi chú chợ"), name="Khảo sát chợ.xlsx")
    second = publish(api, workbook_without_settings("Ghi chú đường"), name="đường làng (bản 2).xlsx")
    assert first.status_code == 201 and second.status_code == 201, (first.json(), second.json())
    assert first.json()["form_id"] == "Khao_sat_cho"
    assert second.json()["form_id"] == "duong_lang_ban_2"
    assert sorted(Form.objects.values_list("form_id", flat=True)) == ["Khao_sat_cho", "duong_lang_ban_2"]
    body = first.json()
    assert body["form_id_source"] == "file_name"
    assert "Khao_sat_cho" in body["form_id_note"] and "Khảo sát chợ.xlsx" in body["form_id_note"]
    # The id reaches the XForm phones download (not pyxform's shared default "data").
    xform = bytes(FormVersion.objects.get(form__form_id="Khao_sat_cho").xform).decode()
    assert 'id="Khao_sat_cho"' in xform


def test_a_settings_form_id_wins_over_the_file_name(api):
    body = publish(api, xlsform_bytes(form_id="simple"), name="something else.xlsx").json()
    assert body["form_id"] == "simple"
    assert body["form_id_source"] == "settings" and body["form_id_note"] is None


@pytest.mark.parametrize(
    ("filename", "form_id"),
    [
        ("pl_ho.xlsx", "pl_ho"),
        ("C:\\Users\\ap\\Phiếu hộ.XLSX", "Phieu_ho"),
        ("../../etc/passwd.xls", "passwd"),
        ("  .xlsx", "form"),
        ("Đánh giá ấp 2026.xlsx", "Danh_gia_ap_2026"),
    ],
)
def test_the_file_name_is_sanitised_into_a_form_id(filename, form_id):
    assert form_id_from_filename(filename) == form_id


def test_the_household_form_asks_only_for_ap_csv_since_the_server_serves_its_household_list(api):
    """pl_ho reads households.csv, the entity list it fills itself: that list comes from the
    register (manifest entityList), so publishing does not wait for an upload of it."""
    forms = Path(__file__).resolve().parents[2] / "forms_xlsform"
    response = publish(
        api, (forms / "pl_ho.xlsx").read_bytes(), name="pl_ho.xlsx", media={"ap.csv": (forms / "ap.csv").read_bytes()}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["missing_media"] == []
    media = {m["name"]: (m["present"], m["entity_list"]) for m in body["media"]}
    assert media == {"ap.csv": (True, False), "households.csv": (False, True)}
    # a form that only reads a CSV of that name still needs its file
    assert publish(api, with_media_form()).json()["missing_media"] == ["ap.csv"]
