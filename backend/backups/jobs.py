"""The scheduled backup (beat: settings.CELERY_BEAT_SCHEDULE["nightly-backup"])."""

from pathlib import Path

from django.conf import settings

from backend.backups.services import backup_create
from backend.jobs.registry import job_handler


@job_handler("backup.create")
def backup_scheduled(job, progress) -> dict:
    """Write an archive to BACKUP_DIR and keep the newest BACKUP_KEEP. Running it twice makes
    two archives, both whole; retention bounds how many stay."""
    keep = int(job.params.get("keep", settings.BACKUP_KEEP))
    progress(0.1, "Đang sao lưu / backing up")
    report = backup_create(directory=Path(settings.BACKUP_DIR), keep=keep)
    return {
        "archive": report.path.name,
        "bytes": report.size,
        "blobs": report.blobs,
        "counts": report.counts,
        "removed": [p.name for p in report.removed],
    }
