"""The jobs app's own scheduled work: nightly maintenance."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from backend.jobs.models import Job, JobState
from backend.jobs.registry import job_handler
from backend.jobs.signals import purge_due


@job_handler("maintenance.purge")
def maintenance_purge(job, progress) -> dict:
    """Forget finished jobs older than JOBS_KEEP_DAYS, then let each app empty its trash."""
    now = timezone.now()
    cutoff = now - timedelta(days=settings.JOBS_KEEP_DAYS)
    old = Job.objects.filter(state__in=[JobState.DONE, JobState.FAILED], finished_at__lt=cutoff).exclude(pk=job.pk)
    forgotten, _ = old.delete()
    result: dict = {"jobs_forgotten": forgotten}
    for receiver, counts in purge_due.send_robust(sender=Job, now=now):
        name = getattr(receiver, "__qualname__", repr(receiver))
        result[name] = repr(counts) if isinstance(counts, Exception) else counts
    return result
