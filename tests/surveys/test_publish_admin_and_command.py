"""The two other ways in: the Django admin and the management command."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from backend.accounts.models import Role
from backend.accounts.services import user_create
from backend.surveys.models import Form
from tests.helpers import with_media_form, xlsform_bytes


def test_an_admin_publishes_an_xlsform_with_its_media_in_the_django_admin(client, db):
    admin = user_create(username="admin", password="x-pass-123", role=Role.ADMIN)
    client.force_login(admin)
    assert client.get("/admin/surveys/form/add/").status_code == 302
    page = client.get("/admin/surveys/form/publish/")
    assert page.status_code == 200
    response = client.post(
        "/admin/surveys/form/publish/",
        {
            "xlsform": SimpleUploadedFile("withmedia.xlsx", with_media_form()),
            "media": [SimpleUploadedFile("ap.csv", b"name,label\nAP01,A\n")],
            "publish": "on",
        },
    )
    assert response.status_code == 302
    form = Form.objects.get(form_id="withmedia")
    assert form.current_version.attachments.get(name="ap.csv").blob is not None


def test_the_admin_shows_the_conversion_error_and_stores_nothing(client, db):
    admin = user_create(username="admin", password="x-pass-123", role=Role.ADMIN)
    client.force_login(admin)
    bad = xlsform_bytes(survey=[["select_one nope", "a", "A"]])
    response = client.post(
        "/admin/surveys/form/publish/", {"xlsform": SimpleUploadedFile("bad.xlsx", bad)}, follow=True
    )
    assert "choices" in response.content.decode()
    assert not Form.objects.exists()


def test_the_command_reports_a_conversion_error_with_its_row(db, tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        xlsform_bytes(
            survey=[["text", "a", "A", ""], ["integer", "b", "B", "${zz} > 1"]],
            survey_header=["type", "name", "label", "relevant"],
        )
    )
    with pytest.raises(CommandError, match="row"):
        call_command("publish_form", str(bad), "--no-house-checks", stdout=io.StringIO())
    assert not Form.objects.exists()
