"""Delete, trash, restore and purge (issue 13): admins only; a hamlet head can flag. A deleted
submission leaves the lists, the export and the sync feed (a tombstone), comes back on
restore within 30 days, and a purge removes it and the files no other row needs."""

import base64
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from rest_framework.test import APIClient

from backend.accounts.actors import actor_for_device_token
from backend.accounts.models import Role
from backend.accounts.services import api_token_create, user_create
from backend.audit.models import AuditEvent
from backend.core.blobs import blob_path
from backend.core.models import Blob
from backend.feed.selectors import changes_page
from backend.jobs.models import Job
from backend.jobs.signals import purge_due
from backend.places.models import Commune, Hamlet
from backend.review.models import Comment
from backend.submissions.models import Submission, SubmissionVersion
from tests.submissions.factories import AUDIT, PHOTO, instance_xml, new_instance_id

pytestmark = pytest.mark.django_db
ADDRESS = "198.51.100.7"


def api_for(role, username, **extra):
    user = user_create(username=username, password="s3cret-pass-1", role=role, **extra)
    client = APIClient(REMOTE_ADDR=ADDRESS)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user)}")
    return client


@pytest.fixture
def admin_api(db):
    return api_for(Role.ADMIN, "quantri")


@pytest.fixture
def head_api(db):
    commune = Commune.objects.create(code="PL", name="Phú Lâm")
    hamlet = Hamlet.objects.create(commune=commune, code="AP03", name="Phú Hợp")
    return api_for(Role.HAMLET_HEAD, "truongap", hamlets=[hamlet])


def push(client, token, xmls, photo=PHOTO):
    files = {"1764201234567.jpg": base64.b64encode(photo).decode(), "audit.csv": base64.b64encode(AUDIT).decode()}
    items = [{"xml": x.decode(), "files": files} for x in xmls]
    response = client.post(f"/key/{token}/api/v1/sync/submissions", {"items": items}, format="json")
    assert response.status_code == 200 and set(response.json()["summary"]) == {"created"}, response.content


@pytest.fixture
def two(device, household_form):
    _volunteer, token = device
    ids = [new_instance_id(), new_instance_id()]
    push(APIClient(), token, [instance_xml(instance_id=i) for i in ids])
    return token, ids


def listed(client, form_id="ho_test"):
    return [r["instance_id"] for r in client.get(f"/api/v1/forms/{form_id}/submissions").json()["results"]]


def feed_state(token):
    actor = actor_for_device_token(token)
    return {(c["kind"], c["id"]): c["op"] for c in changes_page(actor).changes}


def test_an_admin_deletes_and_it_leaves_the_list_the_detail_the_export_and_the_feed(admin_api, two):
    token, (first, second) = two
    pk = str(Submission.objects.get(instance_id=first).pk)
    assert feed_state(token)[("submission", pk)] == "upsert"
    response = admin_api.delete(f"/api/v1/forms/ho_test/submissions/{first}")
    assert response.status_code == 200
    body = response.json()
    assert body["deleted_at"] and body["restorable_until"]
    assert listed(admin_api) == [second]
    assert admin_api.get(f"/api/v1/forms/ho_test/submissions/{first}").status_code == 404
    export = admin_api.get("/api/v1/forms/ho_test/submissions.csv")
    body = b"".join(export.streaming_content).decode() if export.streaming else export.content.decode()
    assert export.status_code == 200 and first not in body and second in body
    assert feed_state(token)[("submission", pk)] == "delete"  # a tombstone for the phone
    trash = admin_api.get("/api/v1/forms/ho_test/trash").json()
    assert trash["count"] == 1 and trash["results"][0]["instance_id"] == first
    (event,) = AuditEvent.objects.filter(action="submission.delete")
    assert (event.actor_label, event.ip, event.details["instance_id"]) == ("user:quantri", ADDRESS, first)
    # The phone resending it is told it was deleted (409.18), not stored again.
    resent = APIClient().post(
        f"/key/{token}/api/v1/sync/submissions",
        {"items": [{"xml": instance_xml(instance_id=first, ap="AP09").decode()}]},
        format="json",
    )
    assert resent.json()["results"][0]["code"] in ("409.18", "409.1")


def test_restore_brings_it_back_everywhere_and_is_audited(admin_api, two):
    token, (first, _second) = two
    admin_api.delete(f"/api/v1/forms/ho_test/submissions/{first}")
    response = admin_api.post(f"/api/v1/forms/ho_test/submissions/{first}/restore")
    assert response.status_code == 200 and response.json()["deleted_at"] is None
    assert first in listed(admin_api)
    pk = str(Submission.objects.get(instance_id=first).pk)
    assert feed_state(token)[("submission", pk)] == "upsert"
    assert AuditEvent.objects.filter(action="submission.restore", details__instance_id=first).count() == 1


def test_after_thirty_days_restore_is_refused_and_the_submission_stays_in_the_trash(admin_api, two):
    _token, (first, _second) = two
    admin_api.delete(f"/api/v1/forms/ho_test/submissions/{first}")
    Submission.objects.filter(instance_id=first).update(deleted_at=timezone.now() - timedelta(days=31))
    response = admin_api.post(f"/api/v1/forms/ho_test/submissions/{first}/restore")
    assert response.status_code == 409 and response.json()["code"] == "409.40"
    assert "30" in response.json()["message"]
    assert Submission.objects.get(instance_id=first).deleted_at is not None


def test_a_hamlet_head_cannot_delete_but_can_flag_it_for_an_admin(head_api, two):
    _token, (first, _second) = two
    refused = head_api.delete(f"/api/v1/forms/ho_test/submissions/{first}")
    assert refused.status_code == 403 and "trưởng ấp chỉ có thể đề nghị xoá" in refused.json()["message"]
    assert head_api.post(f"/api/v1/forms/ho_test/submissions/{first}/purge").status_code == 403
    flag = head_api.post(f"/api/v1/forms/ho_test/submissions/{first}/delete-request", {"reason": "Trùng hộ H001"})
    assert flag.status_code == 201
    assert Submission.objects.get(instance_id=first).deleted_at is None
    assert Comment.objects.get().body.endswith("Trùng hộ H001")
    assert AuditEvent.objects.filter(action="submission.delete_flag").count() == 1
    empty = head_api.post(f"/api/v1/forms/ho_test/submissions/{first}/delete-request", {"reason": "  "})
    assert empty.status_code == 400


def test_purge_removes_the_submission_and_only_the_files_no_one_else_needs(
    admin_api, two, django_capture_on_commit_callbacks
):
    token, (first, second) = two
    pks = [str(pk) for pk in Submission.objects.order_by("id").values_list("pk", flat=True)]
    photo = Blob.objects.get(size=len(PHOTO)).sha256  # both submissions hold the same photo
    assert admin_api.post(f"/api/v1/forms/ho_test/submissions/{first}/purge").json() == {
        "submissions": 0,
        "blobs_deleted": 0,
    }  # not in the trash: a live submission is never purged
    admin_api.delete(f"/api/v1/forms/ho_test/submissions/{first}")
    report = admin_api.post(f"/api/v1/forms/ho_test/submissions/{first}/purge").json()
    assert report == {"submissions": 1, "blobs_deleted": 0}  # the photo is still the second's
    assert not Submission.objects.filter(instance_id=first).exists()
    assert not SubmissionVersion.objects.filter(instance_id=first).exists()
    assert default_storage.exists(blob_path(photo))

    admin_api.delete(f"/api/v1/forms/ho_test/submissions/{second}")
    with django_capture_on_commit_callbacks(execute=True):  # the files go after the commit
        report = admin_api.post(f"/api/v1/forms/ho_test/submissions/{second}/purge").json()
    assert report == {"submissions": 1, "blobs_deleted": 2}  # the photo and the audit log
    assert not Blob.objects.filter(sha256=photo).exists()
    assert not default_storage.exists(blob_path(photo))
    assert AuditEvent.objects.filter(action="submission.purge").count() == 2
    state = feed_state(token)
    assert [state[("submission", pk)] for pk in pks] == ["delete", "delete"]  # tombstones outlive the rows


def test_the_nightly_maintenance_purges_only_what_has_been_in_the_trash_thirty_days(admin_api, two):
    _token, (first, second) = two
    admin_api.delete(f"/api/v1/forms/ho_test/submissions/{first}")
    admin_api.delete(f"/api/v1/forms/ho_test/submissions/{second}")
    Submission.objects.filter(instance_id=first).update(deleted_at=timezone.now() - timedelta(days=31))
    results = dict(purge_due.send(sender=Job, now=timezone.now()))
    counts = next(v for k, v in results.items() if k.__name__ == "submissions_trash_purge")
    assert counts["submissions_purged"] == 1
    assert list(Submission.objects.values_list("instance_id", flat=True)) == [second]
    (event,) = AuditEvent.objects.filter(action="submission.purge")
    assert event.actor_label == "system" or event.actor_user is None
