"""Review reads, always through the scoping selector."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from backend.accounts.actors import Actor
from backend.review.models import Comment
from backend.submissions.models import Submission
from backend.submissions.selectors import submissions_visible_to


def submission_comments(submission: Submission) -> QuerySet[Comment]:
    """Comments of a submission the caller has already fetched through the scoping selector."""
    return Comment.objects.filter(submission=submission).order_by("created_at", "id")


def review_queue(actor: Actor) -> QuerySet[Submission]:
    """Every submission the actor may see, across forms, newest first (filters come on top)."""
    return (
        submissions_visible_to(actor)
        .select_related("form", "volunteer", "current_version")
        .order_by("-received_at", "-id")
    )


def my_submissions(actor: Actor) -> QuerySet[Submission]:
    """A volunteer's own submissions with their review state and comments (for "My submissions")."""
    return review_queue(actor).prefetch_related(
        Prefetch("comments", queryset=Comment.objects.order_by("created_at", "id"))
    )
