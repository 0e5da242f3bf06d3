"""Bulk approval is one service for the page and the API: all or nothing, and the page says
which submissions stopped it."""

import pytest

from backend.audit.models import AuditEvent
from backend.submissions.models import ReviewState

pytestmark = pytest.mark.django_db
BULK_API = "/api/v1/forms/ho_test/submissions/review-bulk"


@pytest.fixture
def submissions(world, client):
    ours = [world.submit(hamlet="AP01"), world.submit(hamlet="AP01")]
    theirs = world.submit(hamlet="AP02", other=True)
    client.force_login(world.users["hamlet_head"])
    return ours, theirs


def _states(*submissions) -> list[str]:
    for s in submissions:
        s.refresh_from_db()
    return [s.review_state for s in submissions]


def test_the_page_approves_nothing_when_one_ticked_submission_is_not_the_heads(submissions, client):
    ours, theirs = submissions
    ticked = [ours[0].instance_id, theirs.instance_id, ours[1].instance_id]

    page = client.post("/hamlet/review/bulk-approve", {"form": "ho_test", "instance": ticked}, follow=True)

    assert _states(*ours, theirs) == [ReviewState.RECEIVED] * 3
    assert not AuditEvent.objects.filter(action="submission.review").exists()
    text = page.content.decode()
    assert "Chưa duyệt phiếu nào" in text and theirs.instance_id in text
    assert ours[0].instance_id not in text.split("Chưa duyệt phiếu nào")[1].split("</")[0]


def test_the_page_and_the_api_answer_the_same_ticked_set_the_same_way(submissions, client):
    ours, theirs = submissions
    api = client.post(
        BULK_API, {"instance_ids": [ours[0].instance_id, theirs.instance_id], "state": "approved"}, "application/json"
    )
    assert api.status_code == 404
    assert _states(*ours) == [ReviewState.RECEIVED] * 2

    page = client.post(
        "/hamlet/review/bulk-approve", {"form": "ho_test", "instance": [s.instance_id for s in ours]}, follow=True
    )

    assert _states(*ours, theirs) == [ReviewState.APPROVED, ReviewState.APPROVED, ReviewState.RECEIVED]
    assert "Đã duyệt 2 phiếu." in page.content.decode()
    rows = AuditEvent.objects.filter(action="submission.review")
    assert rows.count() == 2 and all(r.details.get("bulk") for r in rows)
    assert {r.ip for r in rows} == {"127.0.0.1"}
