"""The one Celery task: run the job whose id the message carries (see services.job_run)."""

from celery import shared_task

from backend.jobs.services import job_run


@shared_task(name="jobs.execute", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def job_execute(job_id: str) -> None:
    job_run(job_id)
