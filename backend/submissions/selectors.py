"""Reads of submissions. Who may see which submission is decided here, in one function
(`submissions_visible_to`), and reused by the API, exports, maps and analytics."""
from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet

from backend.accounts.actors import Actor, actor_for_user
from backend.accounts.models import Role
from backend.core import errors
from backend.submissions.models import Submission, SubmissionAttachment
from backend.surveys.models import Form

SEES_ALL = (Role.ADMIN, Role.LEADERSHIP)


def submissions_visible_to(actor_or_user, *, form: Form) -> QuerySet[Submission]:
    """The form's (not deleted) submissions this actor may read; raises 403 when none at all.

    Admins and leadership see every submission; a volunteer (device or web account) sees the
    ones they sent. Extend here (hamlet heads, viewers), nowhere else.
    """
    actor = actor_or_user if isinstance(actor_or_user, Actor) else actor_for_user(actor_or_user)
    submissions = Submission.objects.filter(form=form, deleted_at__isnull=True)
    if actor.kind == "user" and actor.role in SEES_ALL:
        return submissions
    if actor.volunteer is not None:
        return submissions.filter(volunteer=actor.volunteer)
    raise errors.forbidden("You may not read submissions of this form. / Bạn không được xem bản ghi của biểu mẫu này.")


def form_for_submissions(form_id: str) -> Form:
    form = Form.objects.filter(form_id=form_id).first()
    if form is None:
        raise errors.form_not_found(form_id)
    return form


def submission_list(actor_or_user, *, form: Form) -> QuerySet[Submission]:
    """Visible submissions with what a list shows: submitter, current instanceID, file counts."""
    return (
        submissions_visible_to(actor_or_user, form=form)
        .select_related("volunteer", "submitter_user", "form_version")
        .annotate(
            current_instance_id=F("current_version__instance_id"),
            attachments_expected=Count("current_version__attachments"),
            attachments_present=Count(
                "current_version__attachments", filter=Q(current_version__attachments__blob__isnull=False)
            ),
        )
    )


def submission_get(actor_or_user, *, form: Form, instance_id: str) -> Submission:
    """A visible submission by any of its instanceIDs (the first one, or an edit's)."""
    submission = (
        submissions_visible_to(actor_or_user, form=form)
        .filter(versions__instance_id=instance_id)
        .select_related("current_version", "volunteer", "submitter_user", "form_version")
        .first()
    )
    if submission is None:
        raise errors.not_found(f"submission {instance_id}")
    return submission


def submission_attachments(submission: Submission) -> list[SubmissionAttachment]:
    """The files the current version references, present or not."""
    return list(
        SubmissionAttachment.objects.filter(version_id=submission.current_version_id)
        .select_related("blob")
        .order_by("name")
    )


def submission_attachment(submission: Submission, *, name: str) -> SubmissionAttachment:
    attachment = (
        SubmissionAttachment.objects.filter(version_id=submission.current_version_id, name=name, blob__isnull=False)
        .select_related("blob")
        .first()
    )
    if attachment is None:
        raise errors.not_found(f"attachment {name}")
    return attachment
