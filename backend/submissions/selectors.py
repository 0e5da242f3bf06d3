"""Reads of submissions. Who may see which submission is decided here, in one function
(`submissions_visible_to`), and reused by the API, exports, maps and analytics."""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet

from backend.accounts import policy
from backend.accounts.actors import Actor
from backend.core import errors
from backend.submissions.models import Submission, SubmissionAttachment, SubmissionVersion
from backend.surveys.models import Form


def submissions_visible_to(actor: Actor, *, form: Form | None = None) -> QuerySet[Submission]:
    """The (not deleted) submissions this actor may read, of one form or of all; raises 403
    for a role that reads no microdata at all (viewers, draft links).

    Every read of microdata goes through here: REST list/detail, XML and attachment downloads,
    review, "my submissions", exports, map points and analytics microdata.
    - admin and leadership: everything;
    - hamlet head: submissions whose hamlet is one of theirs (see `_in_hamlets`);
    - volunteer (device or web account): the ones they sent.
    Objects outside the scope are simply absent, so a detail URL answers 404, never 403, and
    nobody learns that a submission of another hamlet exists.
    """
    submissions = Submission.objects.filter(deleted_at__isnull=True)
    if form is not None:
        submissions = submissions.filter(form=form)
    if policy.sees_all_hamlets(actor):
        return submissions
    if policy.sees_own_hamlets(actor):
        return submissions.filter(_in_hamlets(actor.hamlet_codes))
    if policy.sees_own_submissions(actor):
        return submissions.filter(volunteer=actor.volunteer)
    raise errors.forbidden("You may not read submissions of this form. / Bạn không được xem bản ghi của biểu mẫu này.")


def household_hamlets_visible_to(actor: Actor) -> frozenset[str] | None:
    """The same rule for microdata held outside the submission table (the analytics'
    household rows, e.g. the location review): None for every hamlet (admin, leadership),
    the actor's own hamlets for a hamlet head; 403 for everyone else."""
    if policy.sees_all_hamlets(actor):
        return None
    if policy.sees_own_hamlets(actor):
        return frozenset(actor.hamlet_codes)
    raise errors.forbidden(
        "Household lists are for leadership, admins and hamlet heads. / "
        "Danh sách hộ chỉ dành cho lãnh đạo, quản trị và trưởng ấp."
    )


def _in_hamlets(codes) -> Q:
    """The declared hamlet decides (the analytics keep it too; a point outside it is only
    flagged for review, never moved to another hamlet's head)."""
    return Q(hamlet_code__in=sorted(codes))


def form_for_submissions(form_id: str) -> Form:
    form = Form.objects.filter(form_id=form_id).first()
    if form is None:
        raise errors.not_found(f"form {form_id}", f"biểu mẫu {form_id}", form_id=form_id)
    return form


def submission_list(actor: Actor, *, form: Form) -> QuerySet[Submission]:
    """Visible submissions with what a list shows: submitter, current instanceID, file counts."""
    return (
        submissions_visible_to(actor, form=form)
        .select_related("volunteer", "submitter_user", "form_version")
        .annotate(
            current_instance_id=F("current_version__instance_id"),
            attachments_expected=Count("current_version__attachments"),
            attachments_present=Count(
                "current_version__attachments", filter=Q(current_version__attachments__blob__isnull=False)
            ),
        )
    )


def submission_get(actor: Actor, *, form: Form, instance_id: str) -> Submission:
    """A visible submission by any of its instanceIDs (the first one, or an edit's)."""
    submission = (
        submissions_visible_to(actor, form=form)
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


# --- the trash and the versions -------------------------------------------------------------


def submission_get_for_admin(actor: Actor, *, form: Form, instance_id: str) -> Submission:
    """A submission by any of its instanceIDs, in the trash or not, for the trash routes: an
    admin finds deleted ones too; anyone else only what `submission_get` finds (the trash
    service then refuses them with 403)."""
    if not policy.can_administer(actor):
        return submission_get(actor, form=form, instance_id=instance_id)
    submission = (
        Submission.objects.filter(form=form, versions__instance_id=instance_id)
        .select_related("current_version", "form")
        .first()
    )
    if submission is None:
        raise errors.not_found(f"submission {instance_id}")
    return submission


def submissions_in_trash(actor: Actor, *, form: Form) -> QuerySet[Submission]:
    """The deleted submissions of a form, newest deletion first (admins only)."""
    if not policy.can_administer(actor):
        raise errors.forbidden("Only a commune admin sees the trash. / Chỉ quản trị xã xem được thùng rác.")
    return Submission.objects.filter(form=form, deleted_at__isnull=False).order_by("-deleted_at", "-id")


def submission_versions(submission: Submission) -> QuerySet[SubmissionVersion]:
    """Every version of a submission, oldest first (the first received, then each edit)."""
    return (
        SubmissionVersion.objects.filter(submission=submission)
        .defer("xml", "parsed")
        .select_related("form_version")
        .annotate(
            attachments_expected=Count("attachments"),
            attachments_present=Count("attachments", filter=Q(attachments__blob__isnull=False)),
        )
        .order_by("created_at", "id")
    )


def submission_version(submission: Submission, *, instance_id: str) -> SubmissionVersion:
    version = SubmissionVersion.objects.filter(submission=submission, instance_id=instance_id).first()
    if version is None:
        raise errors.not_found(f"version {instance_id}", f"phiên bản {instance_id}")
    return version


def version_attachments(version: SubmissionVersion) -> list[SubmissionAttachment]:
    return list(SubmissionAttachment.objects.filter(version=version).select_related("blob").order_by("name"))


def version_attachment(version: SubmissionVersion, *, name: str) -> SubmissionAttachment:
    attachment = (
        SubmissionAttachment.objects.filter(version=version, name=name, blob__isnull=False)
        .select_related("blob")
        .first()
    )
    if attachment is None:
        raise errors.not_found(f"attachment {name}")
    return attachment
