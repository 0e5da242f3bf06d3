"""The pages' door to the review layer (backend.review): the three actions a hamlet head
takes and the comments a volunteer reads."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from backend.review.selectors import submission_comments
from backend.review.services import submission_review_set
from backend.submissions.models import ReviewState, Submission

# Button → review state. "flag" is ODK Central's "has issues": the volunteer should look again.
ACTION_STATES = {"approve": ReviewState.APPROVED, "flag": ReviewState.HAS_ISSUES, "reject": ReviewState.REJECTED}
REVIEW_ACTIONS = {"approve": _("Approve"), "flag": _("Flag: has issues"), "reject": _("Reject")}


def review_apply(*, request, submission: Submission, action: str, comment: str) -> Submission:
    """Raises Problem (400) for an unknown action or a too-long comment, 403/404 out of scope."""
    from backend.core import errors

    if action not in ACTION_STATES:
        raise errors.bad_request(f"Unknown review action: {action}")
    return submission_review_set(
        actor=request.actor, submission=submission, state=ACTION_STATES[action], comment=comment, request=request
    )


def review_history(submission: Submission) -> list:
    return list(submission_comments(submission))


def latest_comment(submission: Submission) -> str:
    """The newest comment of a submission whose `comments` were prefetched (my_submissions)."""
    comments = [c for c in submission.comments.all() if c.body]
    return f"{comments[-1].author_label}: {comments[-1].body}" if comments else ""
