"""Reads of jobs: who may follow which job."""

from __future__ import annotations

from backend.accounts import policy
from backend.accounts.actors import actor_for_user
from backend.jobs.models import Job


def job_visible_to(user, job_id) -> Job | None:
    """The job if this user may see it: admins and leadership see every job, others the jobs
    they started. None otherwise (the API answers 404, as for any scoped read)."""
    job = Job.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None:
        return None
    if policy.sees_every_job(actor_for_user(user)):
        return job
    if job.created_by_id is not None and job.created_by_id == getattr(user, "pk", None):
        return job
    return None
