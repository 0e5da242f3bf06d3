"""The nightly backlog run (beat: settings.CELERY_BEAT_SCHEDULE["nightly-register-backlog"])."""

from backend.jobs.registry import job_handler
from backend.registers.backlog import backlog_force


@job_handler("register.backlog")
def register_backlog(job, progress) -> dict:
    """Force-apply offline updates held longer than REGISTER_BACKLOG_DAYS (their missing
    earlier step never came). Idempotent: an applied update leaves the backlog."""
    progress(0.1, "Đang xử lý cập nhật chờ / applying held updates")
    return backlog_force()
