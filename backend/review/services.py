"""Review writes: state transitions, comments, bulk approval. Each leaves one audit row per
submission changed (and per comment)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from backend.accounts import policy
from backend.accounts.actors import Actor
from backend.audit.services import audit_record
from backend.core import errors
from backend.core.locks import rows_lock
from backend.review.models import Comment
from backend.submissions.changes import submission_changed
from backend.submissions.models import ReviewState, Submission
from backend.submissions.selectors import submissions_visible_to
from backend.surveys.models import Form
from backend.webhooks.events import webhook_event_record

# `edited` is not chosen by a person: the submission service sets it when an edit arrives.
SETTABLE_STATES = (ReviewState.RECEIVED, ReviewState.HAS_ISSUES, ReviewState.APPROVED, ReviewState.REJECTED)
MAX_COMMENT = 5000


def _reviewer_check(actor: Actor) -> None:
    if not policy.can_review(actor):
        raise errors.forbidden(
            "Only hamlet heads, commune leadership and admins review submissions. / "
            "Chỉ trưởng ấp, lãnh đạo xã và quản trị mới được duyệt bản ghi."
        )


def _state_check(state: str) -> None:
    if state not in SETTABLE_STATES:
        raise errors.bad_request(
            f"The review state must be one of {', '.join(SETTABLE_STATES)}. / Trạng thái duyệt không hợp lệ.",
            state=state,
        )


def _body_clean(body: str) -> str:
    body = unicodedata.normalize("NFC", (body or "").strip())
    if len(body) > MAX_COMMENT:
        raise errors.bad_request(f"A comment is at most {MAX_COMMENT} characters. / Nhận xét quá dài.")
    return body


# Sending a submission back (or flagging it) without saying why leaves the volunteer guessing.
NEEDS_REASON = (ReviewState.REJECTED, ReviewState.HAS_ISSUES)


def _reason_check(state: str, body: str) -> None:
    if state in NEEDS_REASON and not body:
        raise errors.bad_request(
            "Say what is wrong: a comment is required to reject or flag a submission. / "
            "Hãy ghi lý do: cần nhận xét khi trả lại hoặc đánh dấu có vấn đề.",
            field="comment",
        )


def _locked_visible(actor: Actor, submission_ids: Iterable[int]) -> list[Submission]:
    # Re-read under the scoping selector with a row lock: the caller's copy may be stale and the
    # actor's scope is checked at the moment of writing, not only when the URL was resolved.
    # One query in pk order (backend/core/locks.py): overlapping bulk reviews cannot deadlock.
    return rows_lock(submissions_visible_to(actor), submission_ids)


def _author_label(actor: Actor) -> str:
    user = actor.user
    return (user.get_full_name() or user.get_username()) if user is not None else actor.label


@transaction.atomic
def submission_review_set(
    *, actor: Actor, submission: Submission, state: str, comment: str = "", ip: str | None = None, bulk: bool = False
) -> Submission:
    """Put a submission in a review state, with an optional comment the volunteer will see."""
    _reviewer_check(actor)
    _state_check(state)
    body = _body_clean(comment)
    _reason_check(state, body)
    locked = _locked_visible(actor, [submission.pk])
    if not locked:
        raise errors.not_found("submission")
    return _review_apply(actor=actor, submission=locked[0], state=state, body=body, ip=ip, bulk=bulk)


def _review_apply(
    *, actor: Actor, submission: Submission, state: str, body: str, ip: str | None, bulk: bool
) -> Submission:
    """Write one review on a submission already locked by the caller."""
    previous = submission.review_state
    submission.review_state = state
    submission.updated_at = timezone.now()
    submission.save(update_fields=["review_state", "updated_at"])
    submission_changed(submission)
    if body:
        Comment.objects.create(
            submission=submission,
            author_user=actor.user,
            author_label=_author_label(actor),
            body=body,
            review_state=state,
        )
    audit_record(
        actor=actor,
        action="submission.review",
        obj=submission,
        ip=ip,
        form_id=submission.form.form_id,
        instance_id=submission.instance_id,
        state=[previous, state],
        comment=body,
        **({"bulk": True} if bulk else {}),
    )
    webhook_event_record(
        form=submission.form,
        event="submission.reviewed",
        submission_id=submission.pk,
        review={"state": state, "previous_state": previous, "comment": body, "by": _author_label(actor)},
    )
    return submission


@transaction.atomic
def submissions_review_bulk(
    *, actor: Actor, form: Form, instance_ids: list[str], state: str, comment: str = "", ip: str | None = None
) -> list[Submission]:
    """Review many submissions of one form at once (a hamlet head approving a day's work).
    All or nothing: if any instanceID is not one the actor may see, nothing changes (404)."""
    _reviewer_check(actor)
    _state_check(state)
    _reason_check(state, _body_clean(comment))
    wanted = list(dict.fromkeys(instance_ids))
    if not wanted:
        raise errors.bad_request("Give at least one instanceID. / Cần ít nhất một mã bản ghi.")
    if len(wanted) > 1000:
        raise errors.bad_request("At most 1000 submissions at once. / Tối đa 1000 bản ghi một lần.")
    found = dict(
        submissions_visible_to(actor, form=form).filter(instance_id__in=wanted).values_list("instance_id", "pk")
    )
    missing = [i for i in wanted if i not in found]
    if missing:
        raise _not_found_many(missing)
    body = _body_clean(comment)
    # The whole set locked at once, in pk order; then each one written.
    locked = {s.pk: s for s in _locked_visible(actor, found.values())}
    gone = [i for i, pk in found.items() if pk not in locked]
    if gone:
        raise _not_found_many(gone)
    return [
        _review_apply(actor=actor, submission=locked[pk], state=state, body=body, ip=ip, bulk=True)
        for pk in found.values()
    ]


def _not_found_many(missing: list[str]) -> errors.Problem:
    # 404 like a single detail URL: the actor learns nothing about submissions outside their scope.
    return errors.not_found("submissions", "một số bản ghi", instance_ids=missing)


@transaction.atomic
def submission_comment_add(*, actor: Actor, submission: Submission, body: str, ip: str | None = None) -> Comment:
    _reviewer_check(actor)
    body = _body_clean(body)
    if not body:
        raise errors.bad_request("The comment is empty. / Nhận xét trống.")
    if not submissions_visible_to(actor).filter(pk=submission.pk).exists():
        raise errors.not_found("submission")
    comment = Comment.objects.create(
        submission=submission, author_user=actor.user, author_label=_author_label(actor), body=body
    )
    submission_changed(submission)
    audit_record(
        actor=actor,
        action="submission.comment",
        obj=submission,
        ip=ip,
        form_id=submission.form.form_id,
        instance_id=submission.instance_id,
        comment_id=comment.pk,
    )
    return comment


@transaction.atomic
def submission_delete_flag(*, actor: Actor, submission: Submission, reason: str, ip: str | None = None) -> Comment:
    """A hamlet head (anyone who may review it) asks an admin to delete a submission — only an
    admin deletes (backend/submissions/trash.py). The reason is kept as a review comment the
    admin and the volunteer see, and in the audit log; nothing is deleted."""
    reason = _body_clean(reason)
    if not reason:
        raise errors.bad_request("Say why it should be deleted. / Hãy ghi lý do đề nghị xoá.", field="reason")
    comment = submission_comment_add(
        actor=actor, submission=submission, body=f"Đề nghị xoá / Deletion requested: {reason}", ip=ip
    )
    audit_record(
        actor=actor,
        action="submission.delete_flag",
        obj=submission,
        ip=ip,
        form_id=submission.form.form_id,
        instance_id=submission.instance_id,
        reason=reason,
    )
    return comment
