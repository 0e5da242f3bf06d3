"""Every write leaves an audit row (README): publishing a form, changing its state, replacing
its media, creating a survey round, entering an administrative figure — each says who, what
and from which address; a write that changes nothing records nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from backend.accounts.models import Role
from backend.accounts.services import api_token_create, user_create
from backend.audit.models import AuditEvent
from tests.helpers import with_media_form

pytestmark = pytest.mark.django_db
ADDRESS = "198.51.100.23"


@pytest.fixture
def admin_api():
    admin = user_create(username="quantri", password="quan-tri-pass-1", role=Role.ADMIN)
    client = APIClient(REMOTE_ADDR=ADDRESS)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=admin)}")
    return client


def rows(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_form_writes_are_audited_with_the_admin_and_the_address(admin_api):
    upload = {"xlsform": SimpleUploadedFile("withmedia.xlsx", with_media_form())}
    assert admin_api.post("/api/v1/forms", upload, format="multipart").status_code == 201
    (published,) = rows("form.publish")
    assert (published.actor_label, published.ip, published.object_type) == ("user:quantri", ADDRESS, "surveys.form")
    assert published.details["form_id"] == "withmedia" and published.details["status"] == "created"
    assert published.details["version"] == "2026112701" and published.details["published"] is True

    # The same workbook again changes nothing, and records nothing.
    again = {"xlsform": SimpleUploadedFile("withmedia.xlsx", with_media_form())}
    assert admin_api.post("/api/v1/forms", again, format="multipart").status_code == 200
    assert len(rows("form.publish")) == 1

    media = {"file": SimpleUploadedFile("ap.csv", "name,label\nAP01,Ấp Phú Dũng\n".encode())}
    answer = admin_api.put("/api/v1/forms/withmedia/media/ap.csv", media, format="multipart")
    assert answer.status_code == 200 and answer.json()["changed"] is True
    (media_row,) = rows("form.media_update")
    assert (media_row.actor_label, media_row.ip, media_row.details["name"]) == ("user:quantri", ADDRESS, "ap.csv")
    same = {"file": SimpleUploadedFile("ap.csv", "name,label\nAP01,Ấp Phú Dũng\n".encode())}
    assert admin_api.put("/api/v1/forms/withmedia/media/ap.csv", same, format="multipart").json()["changed"] is False
    assert len(rows("form.media_update")) == 1

    assert admin_api.patch("/api/v1/forms/withmedia", {"state": "closing"}, format="json").status_code == 200
    (state_row,) = rows("form.state_set")
    assert (state_row.actor_label, state_row.ip, state_row.details["state"]) == (
        "user:quantri",
        ADDRESS,
        ["open", "closing"],
    )


def test_survey_rounds_and_administrative_figures_are_audited(admin_api):
    body = {"name": "2026-thu-nghiem", "start": "2026-09-01", "end": "2026-11-30"}
    assert admin_api.post("/api/v1/survey-rounds", body, format="json").status_code == 201
    (round_row,) = rows("survey_round.create")
    assert (round_row.actor_label, round_row.ip, round_row.details["name"]) == (
        "user:quantri",
        ADDRESS,
        "2026-thu-nghiem",
    )
    from backend.reports.models import SurveyRound

    declared = SurveyRound.objects.get(name="2025")
    edit = {"start": "2025-09-01", "end": "2025-11-30"}
    assert admin_api.patch(f"/api/v1/survey-rounds/{declared.pk}", edit, format="json").status_code == 200
    assert admin_api.patch(f"/api/v1/survey-rounds/{declared.pk}", edit, format="json").status_code == 200
    (update_row,) = rows("survey_round.update")  # the unchanged second PATCH writes none
    assert (update_row.actor_label, update_row.ip) == ("user:quantri", ADDRESS)
    assert update_row.details["changed"] == {"start": ["2025-01-01", "2025-09-01"], "end": ["2025-12-31", "2025-11-30"]}

    figure = {"indicator": "P2025_DOSSIERS_ONLINE", "round": "2025", "numerator": 40, "denominator": 50}
    assert admin_api.post("/api/v1/administrative-figures", figure, format="json").status_code == 200
    corrected = {**figure, "numerator": 45, "source": "Sổ theo dõi một cửa"}
    assert admin_api.post("/api/v1/administrative-figures", corrected, format="json").status_code == 200
    first, second = rows("administrative_figure.set")
    assert (first.actor_label, first.ip, first.details["value"], first.details["previous"]) == (
        "user:quantri",
        ADDRESS,
        [40, 50],
        None,
    )
    assert (second.details["value"], second.details["previous"], second.details["source"]) == (
        [45, 50],
        [40, 50],
        "Sổ theo dõi một cửa",
    )
