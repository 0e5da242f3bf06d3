"""The pages' door to the review layer (backend.review): the three actions a hamlet head
takes and the comments a volunteer reads."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from backend.review.selectors import submission_comments
from backend.review.services import submission_review_set, submissions_review_bulk
from backend.submissions.models import ReviewState, Submission

# Button → review state. "flag" is ODK Central's "has issues": the volunteer should look again.
ACTION_STATES = {"approve": ReviewState.APPROVED, "flag": ReviewState.HAS_ISSUES, "reject": ReviewState.REJECTED}
REVIEW_ACTIONS = {"approve": _("Approve"), "flag": _("Flag: has issues"), "reject": _("Reject")}


def review_apply(*, actor, ip: str | None, submission: Submission, action: str, comment: str) -> Submission:
    """Raises Problem (400) for an unknown action or a too-long comment, 403/404 out of scope."""
    from backend.core import errors

    if action not in ACTION_STATES:
        raise errors.bad_request(f"Unknown review action: {action}")
    return submission_review_set(
        actor=actor, submission=submission, state=ACTION_STATES[action], comment=comment, ip=ip
    )


def bulk_approve_apply(*, actor, ip: str | None, form_id: str, instance_ids: list[str]) -> list[Submission]:
    """The hamlet map's "approve ticked": `submissions_review_bulk`, all or nothing. Raises
    Problem: 404 naming the instanceIDs that may not be approved, 400 when none is ticked."""
    from backend.submissions.selectors import form_for_submissions

    return submissions_review_bulk(
        actor=actor, form=form_for_submissions(form_id), instance_ids=instance_ids, state=ReviewState.APPROVED, ip=ip
    )


def review_history(submission: Submission) -> list:
    return list(submission_comments(submission))


def latest_comment(submission: Submission) -> str:
    """The newest comment of a submission whose `comments` were prefetched (my_submissions)."""
    comments = [c for c in submission.comments.all() if c.body]
    return f"{comments[-1].author_label}: {comments[-1].body}" if comments else ""
