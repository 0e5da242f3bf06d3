"""The JSON batch push (`POST /api/v1/sync/submissions`, issue 13): one request, one result per
item, every item through the same ingest as OpenRosa — a retried batch stores nothing twice."""

import base64

import pytest

from backend.accounts.models import Role
from backend.accounts.services import api_token_create, user_create
from backend.core.blobs import blob_read
from backend.submissions.models import Submission, SubmissionAttachment
from tests.submissions.factories import (
    AUDIT,
    PHOTO,
    device_for,
    instance_xml,
    new_instance_id,
    publish_household_form,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def device():
    form = publish_household_form()
    _volunteer, token = device_for(form)
    return form, token


def item(xml: bytes, files: dict[str, bytes] | None = None) -> dict:
    return {"xml": xml.decode(), "files": {n: base64.b64encode(d).decode() for n, d in (files or {}).items()}}


def push(client, token, items):
    return client.post(f"/key/{token}/api/v1/sync/submissions", {"items": items}, content_type="application/json")


def test_a_batch_of_fifty_is_stored_once_and_its_retry_is_all_replays(client, device):
    _form, token = device
    files = {"1764201234567.jpg": PHOTO, "audit.csv": AUDIT}
    xmls = [instance_xml(instance_id=new_instance_id(), ap=f"AP{i % 12 + 1:02d}") for i in range(50)]
    first = push(client, token, [item(x, files) for x in xmls])
    assert first.status_code == 200
    assert first.json()["summary"] == {"created": 50}
    assert [r["status"] for r in first.json()["results"]] == [201] * 50
    assert Submission.objects.count() == 50

    retry = push(client, token, [item(x, files) for x in xmls])  # the answer was lost; send it all again
    assert retry.json()["summary"] == {"replayed": 50}
    assert Submission.objects.count() == 50
    slot = SubmissionAttachment.objects.filter(name="1764201234567.jpg").first()
    assert blob_read(slot.blob_id) == PHOTO


def test_each_item_gets_its_own_answer_and_a_bad_one_undoes_nothing(client, device):
    _form, token = device
    iid = new_instance_id()
    stored = instance_xml(instance_id=iid)
    push(client, token, [item(stored)])
    response = push(
        client,
        token,
        [
            item(instance_xml(instance_id=new_instance_id())),  # new
            item(stored),  # the same bytes again
            item(instance_xml(instance_id=iid, ap="AP09")),  # other bytes under a known instanceID
            {"xml": "<not-xml", "files": {}},  # malformed
            item(instance_xml(instance_id=new_instance_id(), form_id="khong_co")),  # unknown form
            {"xml": instance_xml(instance_id=new_instance_id()).decode(), "files": {"a.jpg": "%%%"}},  # bad base64
        ],
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["index"], r["result"], r["code"]) for r in results] == [
        (0, "created", ""),
        (1, "replayed", ""),
        (2, "conflict", "409.1"),
        (3, "refused", "400.2"),  # what /submission answers: no form id in unreadable XML
        (4, "refused", "404.1"),
        (5, "refused", "400.1"),
    ]
    assert results[1]["instance_id"] == iid
    assert Submission.objects.count() == 2
    assert Submission.objects.get(instance_id=iid).hamlet_code == "AP03"  # the conflict changed nothing


def test_a_viewer_may_knock_but_each_item_is_refused(client, device):
    viewer = user_create(username="xem", password="mat-khau-dai-du-manh-2026", role=Role.VIEWER)
    token = api_token_create(user=viewer, name="script", actor=viewer)
    response = client.post(
        "/api/v1/sync/submissions",
        {"items": [item(instance_xml(instance_id=new_instance_id()))]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200
    assert [(r["result"], r["code"]) for r in response.json()["results"]] == [("refused", "403.1")]
    assert Submission.objects.count() == 0


def test_bad_batches_are_refused_whole_with_a_message(client, device):
    _form, token = device
    assert push(client, token, []).status_code == 400
    too_many = push(client, token, [item(instance_xml(instance_id=new_instance_id()))] * 101)
    assert too_many.status_code == 400
    assert client.post("/api/v1/sync/submissions", {"items": []}, content_type="application/json").status_code == 401
    revoked = client.post("/key/not-a-key/api/v1/sync/submissions", {"items": []}, content_type="application/json")
    assert revoked.status_code == 403 and revoked.json()["code"] == "403.2"
    assert Submission.objects.count() == 0
