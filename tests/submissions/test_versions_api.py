"""The versions of an edited submission (issue 13, like Central's `…/versions`): every version
listed oldest first with the current one marked, each version's XML exactly as received and
each version's own files; scoped like the submission (404 outside it)."""

import base64

import pytest
from rest_framework.test import APIClient

from backend.accounts.models import Role
from backend.accounts.services import api_token_create, user_create
from backend.places.models import Commune, Hamlet
from backend.reports.selectors import counted_submissions
from backend.submissions.models import Submission
from tests.submissions.factories import AUDIT, PHOTO, instance_xml, new_instance_id

pytestmark = pytest.mark.django_db
NEW_PHOTO = b"\xff\xd8\xff\xe0" + b"new photo" * 300 + b"\xff\xd9"


def api(role, username, **extra):
    client = APIClient()
    user = user_create(username=username, password="s3cret-pass-1", role=role, **extra)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user)}")
    return client


def push(token, xml, photo):
    files = {"1764201234567.jpg": base64.b64encode(photo).decode(), "audit.csv": base64.b64encode(AUDIT).decode()}
    response = APIClient().post(
        f"/key/{token}/api/v1/sync/submissions", {"items": [{"xml": xml.decode(), "files": files}]}, format="json"
    )
    return response.json()["results"][0]["result"]


@pytest.fixture
def edited(device, household_form):
    _volunteer, token = device
    first, second = new_instance_id(), new_instance_id()
    original = instance_xml(instance_id=first)
    edit = instance_xml(instance_id=second, deprecated_id=first, ap="AP04")
    assert push(token, original, PHOTO) == "created"
    assert push(token, edit, NEW_PHOTO) == "edited"
    return first, second, original, edit


def test_every_version_is_listed_with_its_xml_and_its_own_files(edited):
    first, second, original, edit = edited
    admin = api(Role.ADMIN, "quantri")
    base = f"/api/v1/forms/ho_test/submissions/{first}/versions"
    listing = admin.get(base)
    assert listing.status_code == 200
    rows = listing.json()
    assert [(r["instance_id"], r["deprecated_id"], r["current"]) for r in rows] == [
        (first, "", False),
        (second, first, True),
    ]
    assert rows[1]["attachments"] == {"expected": 2, "present": 2}
    # The edit's instanceID finds the same logical submission.
    assert admin.get(f"/api/v1/forms/ho_test/submissions/{second}/versions").json() == rows

    assert admin.get(f"{base}/{first}.xml").content == original
    assert admin.get(f"{base}/{second}.xml").content == edit
    old_photo = admin.get(f"{base}/{first}/attachments/1764201234567.jpg")
    new_photo = admin.get(f"{base}/{second}/attachments/1764201234567.jpg")
    assert b"".join(old_photo.streaming_content) == PHOTO
    assert b"".join(new_photo.streaming_content) == NEW_PHOTO
    names = [a["name"] for a in admin.get(f"{base}/{first}/attachments").json()]
    assert names == ["1764201234567.jpg", "audit.csv"]
    assert admin.get(f"{base}/uuid:khong-co.xml").status_code == 404


def test_versions_are_scoped_like_the_submission(edited):
    first, _second, _original, _edit = edited
    commune = Commune.objects.create(code="PL", name="Phú Lâm")
    other = Hamlet.objects.create(commune=commune, code="AP09", name="Khác")
    head = api(Role.HAMLET_HEAD, "truongap9", hamlets=[other])
    assert head.get(f"/api/v1/forms/ho_test/submissions/{first}/versions").status_code == 404
    assert head.get(f"/api/v1/forms/ho_test/submissions/{first}/versions/{first}.xml").status_code == 404


def test_a_deleted_submission_leaves_the_indicators_and_its_versions_with_it(edited):
    first, *_ = edited
    admin = api(Role.ADMIN, "quantri")
    assert counted_submissions().count() == 1
    assert admin.delete(f"/api/v1/forms/ho_test/submissions/{first}").status_code == 200
    assert counted_submissions().count() == 0
    assert admin.get(f"/api/v1/forms/ho_test/submissions/{first}/versions").status_code == 404
    assert Submission.objects.get(instance_id=first).deleted_at is not None
