"""Enqueue and run jobs.

`job_enqueue` writes the row and hands its id to Celery once the row is committed (a worker
must find it). Without a broker (`CELERY_TASK_ALWAYS_EAGER`) the job runs at once, in the
caller's process. `job_run` is what the Celery task does: it is safe to call twice for one job
(a redelivered message): a finished job is not run again, a running one runs again.
"""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from backend.core.blobs import blob_store, blob_store_bytes
from backend.core.errors import Problem
from backend.jobs.models import ACTIVE_STATES, Job, JobState
from backend.jobs.registry import HANDLERS, JobFile

logger = logging.getLogger(__name__)


def _celery():
    from backend.celery import app

    return app


def broker_eager() -> bool:
    """True when there is no broker: jobs run in the process that enqueues them."""
    return bool(_celery().conf.task_always_eager)


def job_enqueue(*, kind: str, params: dict[str, Any] | None = None, user=None, dedupe_key: str = "") -> Job:
    """Record a job and have it run. With `dedupe_key`, an active job with the same key is
    returned instead of a second one (one recomputation at a time, however many readers ask)."""
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    if dedupe_key:
        existing = _active_job(dedupe_key)
        if existing is not None:
            return existing
    creator = user if user is not None and getattr(user, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            job = Job.objects.create(kind=kind, params=params or {}, dedupe_key=dedupe_key, created_by=creator)
    except IntegrityError:
        # Another process enqueued the same job between our look and our insert.
        existing = _active_job(dedupe_key)
        if existing is None:
            raise
        return existing
    if broker_eager():
        job_run(job.id)
        job.refresh_from_db()
    else:
        transaction.on_commit(lambda: _publish(job.id))
    return job


def _active_job(dedupe_key: str) -> Job | None:
    """The active job with this key; one that has not reported for JOBS_STALE_AFTER_S (its
    worker and its message are gone) is marked failed so a new one can start."""
    job = Job.objects.filter(dedupe_key=dedupe_key, state__in=ACTIVE_STATES).first()
    if job is None:
        return None
    if job.updated_at < timezone.now() - timedelta(seconds=settings.JOBS_STALE_AFTER_S):
        Job.objects.filter(pk=job.pk, state__in=ACTIVE_STATES).update(
            state=JobState.FAILED,
            error="Bị bỏ dở: không có tiến trình nào báo tin. / Abandoned: no worker reported on it.",
            finished_at=timezone.now(),
        )
        return None
    return job


def _publish(job_id) -> None:
    from backend.jobs.tasks import job_execute

    try:
        app = _celery()
        job_execute.apply_async(args=[str(job_id)], task_id=str(job_id), queue=app.conf.task_default_queue)
    except Exception as exc:  # the broker is down: say so on the job instead of failing the request
        logger.exception("could not publish job %s", job_id)
        _finish(job_id, state=JobState.FAILED, error=f"Không gửi được việc tới hàng đợi. / Broker unreachable: {exc}")


def job_scheduled_run(*, job_id, kind: str, params: dict[str, Any]) -> Job | None:
    """Run a scheduled job under the id of the message that asked for it (idempotent)."""
    if kind not in HANDLERS:
        raise ValueError(f"unknown job kind {kind!r}")
    Job.objects.get_or_create(pk=job_id, defaults={"kind": kind, "params": params})
    return job_run(job_id)


def job_run(job_id) -> Job | None:
    """Run a job now, in this process. Returns the finished job (None if it does not exist)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            logger.warning("job %s not found", job_id)
            return None
        if job.state in (JobState.DONE, JobState.FAILED):
            return job  # a message delivered again after the job finished
        job.state = JobState.RUNNING
        job.attempts += 1
        job.started_at = timezone.now()
        job.error = ""
        job.save(update_fields=["state", "attempts", "started_at", "error", "updated_at"])
    handler = HANDLERS.get(job.kind)
    try:
        if handler is None:
            raise LookupError(f"no handler for job kind {job.kind!r}")
        outcome = _call(handler, job)
    except Exception as exc:
        logger.exception("job %s (%s) failed", job.id, job.kind)
        message = exc.message if isinstance(exc, Problem) else f"{type(exc).__name__}: {exc}"
        _finish(job.id, state=JobState.FAILED, error=message)
    else:
        _finish(job.id, state=JobState.DONE, outcome=outcome)
    return Job.objects.get(pk=job.id)


def _call(handler, job: Job) -> Any:
    def progress(fraction: float, note: str = "") -> None:
        job_progress_set(job.id, fraction, note)

    if connection.in_atomic_block:
        # Run eagerly inside the caller's transaction: a savepoint, so that a failing handler
        # leaves that transaction usable for recording the failure.
        with transaction.atomic():
            return handler(job, progress)
    return handler(job, progress)


def job_progress_set(job_id, fraction: float, note: str = "") -> None:
    """Record how far a job is; also tells `_active_job` that its worker is alive."""
    Job.objects.filter(pk=job_id, state=JobState.RUNNING).update(
        progress=max(0.0, min(1.0, float(fraction))), progress_note=note[:300], updated_at=timezone.now()
    )


def _job_file_store(outcome: JobFile):
    if not outcome.path:
        return blob_store_bytes(outcome.data)
    try:
        with open(outcome.path, "rb") as stream:
            return blob_store(stream)
    finally:
        os.unlink(outcome.path)


def _finish(job_id, *, state: str, error: str = "", outcome: Any = None) -> None:
    values: dict[str, Any] = {
        "state": state,
        "error": error,
        "finished_at": timezone.now(),
        "updated_at": timezone.now(),
    }
    if state == JobState.DONE:
        values["progress"] = 1.0
        if isinstance(outcome, JobFile):
            blob = _job_file_store(outcome)
            values.update(
                result=outcome.summary,
                result_blob_id=blob.sha256,
                result_name=outcome.name,
                result_type=outcome.content_type,
            )
        elif isinstance(outcome, dict):
            values["result"] = outcome
    Job.objects.filter(pk=job_id).update(**values)
