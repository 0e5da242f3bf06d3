"""A hamlet head of ấp A cannot read, export, review or even count ấp B's submissions, by
any route; what lies outside the scope answers 404 so its existence is not leaked."""

import pytest

from backend.audit.models import AuditEvent
from backend.submissions.models import ReviewState

pytestmark = pytest.mark.django_db
BASE = "/api/v1/forms/ho_test/submissions"
PHOTO_NAME = "1764201234567.jpg"


@pytest.fixture
def two_hamlets(world, client):
    ours = world.submit(hamlet="AP01")
    theirs = world.submit(hamlet="AP02", other=True, name_note="=HYPERLINK(1)")
    client.force_login(world.users["hamlet_head"])
    return ours, theirs


def test_lists_filters_and_the_review_queue_show_only_ap_a(two_hamlets, client):
    ours, theirs = two_hamlets
    listed = [s["instance_id"] for s in client.get(BASE).json()["results"]]
    assert listed == [ours.instance_id]
    assert client.get(BASE, {"hamlet": "AP02"}).json()["results"] == []
    assert client.get("/api/v1/submissions", {"hamlet": "AP02"}).json()["results"] == []
    assert client.get("/api/v1/submissions", {"volunteer": theirs.volunteer_id}).json()["results"] == []


@pytest.mark.parametrize("suffix", ["", ".xml", "/attachments", f"/attachments/{PHOTO_NAME}", "/comments"])
def test_every_read_of_ap_b_is_404_as_if_it_did_not_exist(two_hamlets, client, suffix):
    ours, theirs = two_hamlets
    assert client.get(f"{BASE}/{ours.instance_id}{suffix}").status_code == 200
    theirs_response = client.get(f"{BASE}/{theirs.instance_id}{suffix}")
    unknown_response = client.get(f"{BASE}/uuid:khong-ton-tai{suffix}")
    assert theirs_response.status_code == unknown_response.status_code == 404
    assert theirs_response.json() == {**unknown_response.json(), "message": theirs_response.json()["message"]}


def test_ap_b_cannot_be_reviewed_or_commented_singly_or_in_bulk(two_hamlets, client):
    ours, theirs = two_hamlets
    assert (
        client.patch(
            f"{BASE}/{theirs.instance_id}/review", {"state": "approved"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert (
        client.post(f"{BASE}/{theirs.instance_id}/comments", {"body": "x"}, content_type="application/json").status_code
        == 404
    )
    assert (
        client.post(
            f"{BASE}/review-bulk",
            {"instance_ids": [theirs.instance_id], "state": "approved"},
            content_type="application/json",
        ).status_code
        == 404
    )
    # The pages' routes too.
    assert (
        client.post(f"/hamlet/submissions/ho_test/{theirs.instance_id}/review", {"action": "approve"}).status_code
        == 404
    )
    client.post("/hamlet/review/bulk-approve", {"form": "ho_test", "instance": [theirs.instance_id]})
    theirs.refresh_from_db()
    assert theirs.review_state == ReviewState.RECEIVED
    assert not theirs.comments.exists()


def test_the_hamlet_pages_and_map_do_not_show_ap_b(two_hamlets, client):
    ours, theirs = two_hamlets
    page = client.get("/hamlet/", {"form": "ho_test"})
    assert page.status_code == 200
    assert ours.instance_id in page.content.decode() and theirs.instance_id not in page.content.decode()
    assert client.get(f"/hamlet/submissions/ho_test/{theirs.instance_id}").status_code == 404
    assert client.get(f"/hamlet/submissions/ho_test/{theirs.instance_id}/files/{PHOTO_NAME}").status_code == 404


def test_the_microdata_export_holds_only_ap_a_and_leaves_exactly_one_audit_row(two_hamlets, client):
    ours, theirs = two_hamlets
    response = client.get(f"{BASE}.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert ours.instance_id in text and theirs.instance_id not in text
    assert AuditEvent.objects.filter(action="submission.export").count() == 1
    event = AuditEvent.objects.get(action="submission.export")
    assert event.actor_label == "user:truongap_a" and event.details["rows"] == 1


def test_leadership_exports_everything_with_formula_cells_neutralised(world, client):
    world.submit(hamlet="AP01")
    world.submit(hamlet="=cmd|' /C calc'!A0", other=True)
    client.force_login(world.users["leadership"])
    text = b"".join(client.get(f"{BASE}.csv").streaming_content).decode("utf-8-sig")
    assert ",'=cmd|' /C calc'!A0," in text
    assert ",=cmd" not in text


def test_viewers_read_no_microdata_at_all(world, client):
    world.submit(hamlet="AP01")
    client.force_login(world.users["viewer"])
    assert client.get(BASE).status_code == 403
    assert client.get(f"{BASE}.csv").status_code == 403
    assert client.get("/api/v1/submissions").status_code == 403
