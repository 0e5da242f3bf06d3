"""The read API other parts rely on: list, XML verbatim, attachments, access by role."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from backend.accounts.actors import actor_for_user
from backend.accounts.models import Role, Volunteer
from backend.accounts.services import api_token_create, user_create
from backend.submissions.services import submission_receive
from tests.submissions.factories import AUDIT, PHOTO, instance_xml, new_instance_id

BASE = "/api/v1/forms/ho_test/submissions"


def send(actor, xml, files=None):
    files = {n: SimpleUploadedFile(n, d, content_type="image/jpeg") for n, d in (files or {}).items()}
    return submission_receive(actor=actor, xml=xml, files=files)


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=user)}"}


@pytest.fixture
def admin(db):
    return user_create(username="quan_tri", password="s3cret-pass", role=Role.ADMIN)


def test_the_list_is_cursor_paginated_newest_first_with_counts(client, admin, device_actor):
    ids = [new_instance_id() for _ in range(5)]
    for iid in ids:
        send(device_actor, instance_xml(instance_id=iid), {"1764201234567.jpg": PHOTO})
    auth = bearer(admin)
    first = client.get(f"{BASE}?limit=3", **auth).json()
    assert [s["instance_id"] for s in first["results"]] == ids[::-1][:3]
    row = first["results"][0]
    assert row["attachments"] == {"expected": 2, "present": 1}
    assert row["hamlet"] == "AP03" and row["review_state"] == "received"
    assert row["submitter"] == {"kind": "device", "id": device_actor.device.pk, "name": "Trần Thị Bình"}
    second = client.get(first["next"], **auth).json()
    assert [s["instance_id"] for s in second["results"]] == ids[::-1][3:] and second["next"] is None


def test_the_xml_is_byte_identical_and_an_edit_id_resolves_to_the_same_submission(client, admin, device_actor):
    first, second = new_instance_id(), new_instance_id()
    send(device_actor, instance_xml(instance_id=first, name_note="bản gốc"))
    edit = instance_xml(instance_id=second, deprecated_id=first, ap="AP07")
    send(device_actor, edit)
    auth = bearer(admin)
    for iid in (first, second):
        response = client.get(f"{BASE}/{iid}.xml", **auth)
        assert response.status_code == 200 and response.content == edit
        assert response["Content-Type"] == "text/xml; charset=utf-8"
    detail = client.get(f"{BASE}/{first}", **auth).json()
    assert detail["current_instance_id"] == second and detail["review_state"] == "edited"
    assert detail["data"]["ap"] == "AP07"


def test_attachments_list_expected_and_present_files_and_download_with_headers(client, admin, device_actor):
    iid = new_instance_id()
    send(device_actor, instance_xml(instance_id=iid, photo="ảnh nhà.jpg"), {"ảnh nhà.jpg": PHOTO})
    auth = bearer(admin)
    listing = client.get(f"{BASE}/{iid}/attachments", **auth).json()
    by_name = {a["name"]: a for a in listing}
    assert by_name["ảnh nhà.jpg"]["exists"] is True and by_name["ảnh nhà.jpg"]["size"] == len(PHOTO)
    assert by_name["audit.csv"] == {
        "name": "audit.csv",
        "exists": False,
        "sha256": None,
        "size": None,
        "content_type": "text/csv",
    }
    response = client.get(f"{BASE}/{iid}/attachments/ảnh nhà.jpg", **auth)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PHOTO
    assert response["Content-Disposition"] == (
        "attachment; filename=\"_nh nh_.jpg\"; filename*=UTF-8''%E1%BA%A3nh%20nh%C3%A0.jpg"
    )
    assert response["X-Content-Type-Options"] == "nosniff" and response["Content-Type"] == "image/jpeg"
    etag = response["ETag"]
    assert client.get(f"{BASE}/{iid}/attachments/ảnh nhà.jpg", HTTP_IF_NONE_MATCH=etag, **auth).status_code == 304
    assert client.get(f"{BASE}/{iid}/attachments/audit.csv", **auth).status_code == 404


def test_a_volunteer_sees_only_their_own_submissions_and_a_viewer_none(client, household_form, device_actor):
    mine, theirs = new_instance_id(), new_instance_id()
    send(device_actor, instance_xml(instance_id=theirs))
    user = user_create(username="tnv_an", password="s3cret-pass", role=Role.VOLUNTEER)
    volunteer = Volunteer.objects.create(name="Võ Văn An", user=user)
    volunteer.forms.add(household_form)
    send(actor_for_user(user), instance_xml(instance_id=mine))
    listing = client.get(BASE, **bearer(user)).json()["results"]
    assert [s["instance_id"] for s in listing] == [mine]
    assert client.get(f"{BASE}/{theirs}.xml", **bearer(user)).status_code == 404
    viewer = user_create(username="nguoi_xem", password="s3cret-pass", role=Role.VIEWER)
    refused = client.get(BASE, **bearer(viewer))
    assert refused.status_code == 403 and refused.json()["code"] == "403.1"


def test_without_a_token_the_api_answers_401_and_an_unknown_form_404(client, admin):
    assert client.get(BASE).status_code in (401, 403)
    response = client.get("/api/v1/forms/khong_co/submissions", **bearer(admin))
    assert response.status_code == 404 and response.json()["code"] == "404.1"


def test_deleted_submissions_are_not_listed(client, admin, device_actor):
    from backend.submissions.models import Submission

    iid = new_instance_id()
    send(device_actor, instance_xml(instance_id=iid), {"audit.csv": AUDIT})
    Submission.objects.update(deleted_at="2026-11-28T00:00:00Z")
    assert client.get(BASE, **bearer(admin)).json()["results"] == []
