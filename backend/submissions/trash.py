"""Delete, restore and purge of submissions (issue 13; after ODK Central's trash).

A delete is soft: `deleted_at` is set and the submission leaves every read path at once —
lists, detail, exports, map, indicators (all go through `submissions_visible_to` or filter
`deleted_at`), and the sync feed as a tombstone. For `TRASH_DAYS` an admin can restore it.
A purge removes it for good: its versions, files' slots, comments and projections go with the
row (CASCADE), and each blob its files used is deleted when no other row still needs it.
Admins only; a hamlet head can only flag a submission for deletion
(`backend.review.services.submission_delete_flag`).
Every write here is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from backend.accounts import policy
from backend.accounts.actors import Actor
from backend.audit.services import audit_record
from backend.core import errors
from backend.core.blobs import blobs_delete_unused
from backend.core.locks import rows_lock
from backend.submissions.changes import submission_changed
from backend.submissions.models import Submission, SubmissionAttachment

TRASH_DAYS = 30


def _admin_check(actor: Actor) -> None:
    if not policy.can_administer(actor):
        raise errors.forbidden(
            "Only a commune admin may delete, restore or purge submissions; a hamlet head can flag one for "
            "deletion. / Chỉ quản trị xã được xoá, khôi phục hay xoá hẳn bản ghi; trưởng ấp chỉ có thể đề nghị xoá."
        )


def _locked(submission: Submission) -> Submission:
    locked = rows_lock(Submission.objects.select_related("form"), [submission.pk])
    if not locked:
        raise errors.not_found("submission", "bản ghi")
    return locked[0]


def _audit(actor: Actor, action: str, submission: Submission, ip: str | None, **details) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=submission,
        ip=ip,
        form_id=submission.form.form_id,
        instance_id=submission.instance_id,
        **details,
    )


@transaction.atomic
def submission_delete(*, actor: Actor, submission: Submission, ip: str | None = None) -> Submission:
    """Move a submission to the trash. Deleting one already in the trash changes nothing."""
    _admin_check(actor)
    submission = _locked(submission)
    if submission.deleted_at is not None:
        return submission
    submission.deleted_at = submission.updated_at = timezone.now()
    submission.save(update_fields=["deleted_at", "updated_at"])
    submission_changed(submission)
    _audit(actor, "submission.delete", submission, ip)
    return submission


@transaction.atomic
def submission_restore(*, actor: Actor, submission: Submission, ip: str | None = None) -> Submission:
    """Take a submission out of the trash (within TRASH_DAYS of its deletion; 409.40 after)."""
    _admin_check(actor)
    submission = _locked(submission)
    if submission.deleted_at is None:
        return submission
    if submission.deleted_at < timezone.now() - timedelta(days=TRASH_DAYS):
        raise errors.submission_restore_expired(TRASH_DAYS)
    deleted_at = submission.deleted_at
    submission.deleted_at = None
    submission.updated_at = timezone.now()
    submission.save(update_fields=["deleted_at", "updated_at"])
    submission_changed(submission)
    _audit(actor, "submission.restore", submission, ip, deleted_at=deleted_at)
    return submission


@dataclass(frozen=True)
class PurgeReport:
    submissions: int
    blobs_deleted: int


def submissions_purge(
    *, actor: Actor | None, submissions: list[Submission] | None = None, ip: str | None = None
) -> PurgeReport:
    """Remove deleted submissions for good: the given ones (an admin's manual purge of the
    trash, any age), or, with `submissions=None`, every one deleted more than TRASH_DAYS ago
    (the nightly task; `actor=None` is the system). Live submissions are never purged.
    One transaction per submission, so a long purge holds no lock for long."""
    if actor is not None:
        _admin_check(actor)
    if submissions is None:
        cutoff = timezone.now() - timedelta(days=TRASH_DAYS)
        ids = list(Submission.objects.filter(deleted_at__lt=cutoff).values_list("pk", flat=True))
    else:
        ids = [s.pk for s in submissions]
    purged = blobs = 0
    for pk in ids:
        done = _purge_one(actor, pk, ip)
        if done is not None:
            purged += 1
            blobs += done
    return PurgeReport(purged, blobs)


@transaction.atomic
def _purge_one(actor: Actor | None, pk: int, ip: str | None) -> int | None:
    locked = rows_lock(Submission.objects.select_related("form"), [pk])
    if not locked or locked[0].deleted_at is None:
        return None
    submission = locked[0]
    shas = set(
        SubmissionAttachment.objects.filter(version__submission=submission, blob__isnull=False).values_list(
            "blob_id", flat=True
        )
    )
    versions = submission.versions.count()
    _audit(actor, "submission.purge", submission, ip, deleted_at=submission.deleted_at, versions=versions)
    submission_changed(submission)  # the feed's tombstone stays after the row is gone
    Submission.objects.filter(pk=submission.pk).update(current_version=None)  # the row points at a version
    submission.delete()
    return len(blobs_delete_unused(shas))
