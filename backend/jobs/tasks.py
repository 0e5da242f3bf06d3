"""The one Celery task: run the job whose id the message carries (see services.job_run)."""

from celery import shared_task

from backend.jobs.services import job_run, job_scheduled_run


@shared_task(name="jobs.execute", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def job_execute(job_id: str) -> None:
    job_run(job_id)


@shared_task(bind=True, name="jobs.scheduled", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def job_scheduled(self, kind: str, params: dict | None = None) -> None:
    """What beat sends (settings.CELERY_BEAT_SCHEDULE): record a job of `kind` and run it here.
    The job's id is the message's, so a message delivered again runs the same job again."""
    job_scheduled_run(job_id=self.request.id, kind=kind, params=params or {})
