import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from backend.accounts.actors import actor_for_device
from backend.audit.models import AuditEvent
from backend.review.models import Comment
from backend.submissions.models import ReviewState, Submission
from backend.submissions.services import submission_receive
from tests.submissions.factories import PHOTO, instance_xml, new_instance_id

pytestmark = pytest.mark.django_db
BASE = "/api/v1/forms/ho_test/submissions"


def review(client, submission, state, comment=""):
    return client.patch(
        f"{BASE}/{submission.instance_id}/review", {"state": state, "comment": comment}, content_type="application/json"
    )


def test_a_hamlet_head_marks_a_submission_of_their_hamlet_as_having_issues_with_a_comment(world, client):
    submission = world.submit(hamlet="AP01")
    client.force_login(world.users["hamlet_head"])
    response = review(client, submission, "has_issues", "Thiếu ảnh nhà; chụp lại giúp.")
    assert response.status_code == 200 and response.json()["review_state"] == "has_issues"
    submission.refresh_from_db()
    assert submission.review_state == ReviewState.HAS_ISSUES
    comment = Comment.objects.get(submission=submission)
    assert (comment.body, comment.review_state, comment.author_label) == (
        "Thiếu ảnh nhà; chụp lại giúp.",
        "has_issues",
        "truongap_a",
    )


def test_a_review_leaves_exactly_one_audit_row(world, client):
    submission = world.submit(hamlet="AP01")
    client.force_login(world.users["leadership"])
    before = AuditEvent.objects.filter(action="submission.review").count()
    assert review(client, submission, "approved", "Tốt").status_code == 200
    rows = AuditEvent.objects.filter(action="submission.review")
    assert rows.count() == before + 1
    row = rows.get()
    assert row.actor_label == "user:lanhdao" and row.details["state"] == ["received", "approved"]
    assert row.object_id == str(submission.pk) and row.ip == "127.0.0.1"


def test_edited_is_not_a_state_a_person_can_choose_and_bad_input_changes_nothing(world, client):
    submission = world.submit(hamlet="AP01")
    client.force_login(world.users["admin"])
    for body in ({"state": "edited"}, {"state": "ok"}, {}):
        response = client.patch(f"{BASE}/{submission.instance_id}/review", body, content_type="application/json")
        assert response.status_code == 400
    submission.refresh_from_db()
    assert submission.review_state == ReviewState.RECEIVED
    assert not AuditEvent.objects.filter(action="submission.review").exists()


def test_volunteers_and_viewers_cannot_review(world, client):
    submission = world.submit(hamlet="AP01")
    for role in ("volunteer", "viewer"):
        client.force_login(world.users[role])
        assert review(client, submission, "approved").status_code == 403
    submission.refresh_from_db()
    assert submission.review_state == ReviewState.RECEIVED


def test_a_rejected_submission_corrected_by_an_edit_becomes_edited_and_keeps_both_versions(world, client):
    submission = world.submit(hamlet="AP01", photo=False)
    client.force_login(world.users["hamlet_head"])
    review(client, submission, "rejected", "Sai ấp")
    before = AuditEvent.objects.filter(action="submission.edit").count()

    # The volunteer corrects it on the phone: Collect sends a new instanceID with deprecatedID.
    edit_id = new_instance_id()
    actor = actor_for_device(world.device, url_prefix="")
    xml = instance_xml(
        instance_id=edit_id,
        deprecated_id=submission.instance_id,
        ap="AP01",
        audit=None,
        photo="1764201234567.jpg",
        members=[("Nguyễn Văn Hùng", "")],
    )
    result = submission_receive(
        actor=actor, xml=xml, files={"1764201234567.jpg": SimpleUploadedFile("1764201234567.jpg", PHOTO)}
    )
    assert result.outcome == "edited"
    submission.refresh_from_db()
    assert submission.review_state == ReviewState.EDITED
    assert submission.versions.count() == 2
    assert sorted(submission.versions.values_list("instance_id", flat=True)) == sorted(
        [submission.instance_id, edit_id]
    )
    assert AuditEvent.objects.filter(action="submission.edit").count() == before + 1
    # The comment that asked for the correction is still there for the volunteer.
    assert Comment.objects.filter(submission=submission, review_state="rejected").exists()


def test_a_volunteer_sees_their_own_submissions_with_review_state_and_comments_on_the_phone(world, client):
    mine = world.submit(hamlet="AP01")
    world.submit(hamlet="AP02", other=True)
    client.force_login(world.users["hamlet_head"])
    review(client, mine, "has_issues", "Số thành viên chưa khớp.")
    client.logout()

    response = client.get(f"/key/{world.device_token}/api/my-submissions")
    assert response.status_code == 200
    rows = response.json()
    assert [r["instance_id"] for r in rows] == [mine.instance_id]
    assert rows[0]["review_state"] == "has_issues"
    assert rows[0]["review_state_label"] == "Có vấn đề / Has issues"
    assert [c["body"] for c in rows[0]["comments"]] == ["Số thành viên chưa khớp."]
    assert AuditEvent.objects.filter(action="submission.list", actor_device=world.device).count() == 1

    client.force_login(world.users["volunteer"])
    assert [r["instance_id"] for r in client.get("/api/v1/my/submissions").json()] == [mine.instance_id]


def test_my_submissions_refuses_a_revoked_device_key_at_once(world, client):
    world.submit(hamlet="AP01")
    from backend.accounts.services import device_token_revoke

    device_token_revoke(device=world.device)
    response = client.get(f"/key/{world.device_token}/api/my-submissions")
    assert response.status_code == 403 and response.json()["code"] == "403.2"


def test_a_hamlet_head_approves_a_days_work_in_one_request(world, client):
    ours = [world.submit(hamlet="AP01") for _ in range(3)]
    client.force_login(world.users["hamlet_head"])
    response = client.post(
        f"{BASE}/review-bulk",
        {"instance_ids": [s.instance_id for s in ours], "state": "approved"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["count"] == 3
    assert set(Submission.objects.values_list("review_state", flat=True)) == {"approved"}
    assert AuditEvent.objects.filter(action="submission.review").count() == 3


def test_bulk_review_including_another_hamlets_submission_changes_nothing_and_says_not_found(world, client):
    ours = world.submit(hamlet="AP01")
    theirs = world.submit(hamlet="AP02", other=True)
    client.force_login(world.users["hamlet_head"])
    response = client.post(
        f"{BASE}/review-bulk",
        {"instance_ids": [ours.instance_id, theirs.instance_id], "state": "approved"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert response.json()["details"]["instance_ids"] == [theirs.instance_id]
    assert set(Submission.objects.values_list("review_state", flat=True)) == {"received"}
    assert not AuditEvent.objects.filter(action="submission.review").exists()


def test_comments_are_listed_for_reviewers_and_the_volunteer_and_each_is_audited(world, client):
    submission = world.submit(hamlet="AP01")
    client.force_login(world.users["hamlet_head"])
    response = client.post(
        f"{BASE}/{submission.instance_id}/comments", {"body": "Cảm ơn em."}, content_type="application/json"
    )
    assert response.status_code == 201
    assert AuditEvent.objects.filter(action="submission.comment").count() == 1
    client.force_login(world.users["volunteer"])
    assert [c["body"] for c in client.get(f"{BASE}/{submission.instance_id}/comments").json()] == ["Cảm ơn em."]
    assert (
        client.post(
            f"{BASE}/{submission.instance_id}/comments", {"body": "x"}, content_type="application/json"
        ).status_code
        == 403
    )


def test_the_review_queue_filters_by_state_hamlet_volunteer_date_and_form(world, client):
    a1 = world.submit(hamlet="AP01")
    a2 = world.submit(hamlet="AP01")
    b1 = world.submit(hamlet="AP02", other=True)
    client.force_login(world.users["leadership"])
    review(client, a2, "approved")

    def ids(**params):
        response = client.get("/api/v1/submissions", params)
        assert response.status_code == 200, response.content
        return {r["instance_id"] for r in response.json()["results"]}

    assert ids() == {a1.instance_id, a2.instance_id, b1.instance_id}
    assert ids(state="approved") == {a2.instance_id}
    assert ids(state=["approved", "received"]) == {a1.instance_id, a2.instance_id, b1.instance_id}
    assert ids(hamlet="AP02") == {b1.instance_id}
    assert ids(volunteer=world.other_volunteer.pk) == {b1.instance_id}
    assert ids(form="ho_test", date_from="2026-11-27", date_to="2026-11-27") == {
        a1.instance_id,
        a2.instance_id,
        b1.instance_id,
    }
    assert ids(date_from="2026-11-28") == set()
    assert ids(form="khac") == set()
    # The per-form list takes the same filters.
    listed = client.get(BASE, {"state": "approved"}).json()["results"]
    assert [r["instance_id"] for r in listed] == [a2.instance_id]
    assert client.get("/api/v1/submissions", {"date_from": "hôm qua"}).status_code == 400
