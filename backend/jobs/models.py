"""A durable record of every piece of background work: what, for whom, how far, how it ended.

The Celery message only carries the job's id; this row is the truth the pages and the API
show (queued → running → done, or failed with the error). A job whose worker died stays
`running` until its message is handed out again and the job runs once more (attempts + 1).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class JobState(models.TextChoices):
    QUEUED = "queued", "Đang chờ / Queued"
    RUNNING = "running", "Đang chạy / Running"
    DONE = "done", "Xong / Done"
    FAILED = "failed", "Lỗi / Failed"


ACTIVE_STATES = (JobState.QUEUED, JobState.RUNNING)


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=64, db_index=True, help_text="e.g. indicators.recompute")
    params = models.JSONField(default=dict, blank=True)
    # Jobs with the same non-empty key are one job while active: asking again returns it.
    dedupe_key = models.CharField(max_length=200, blank=True, default="")
    state = models.CharField(max_length=16, choices=JobState.choices, default=JobState.QUEUED)
    progress = models.FloatField(default=0.0, help_text="0 to 1")
    progress_note = models.CharField(max_length=300, blank=True, default="")
    error = models.TextField(blank=True, default="")
    result = models.JSONField(default=dict, blank=True)
    result_blob = models.ForeignKey("core.Blob", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    result_name = models.CharField(max_length=200, blank=True, default="")
    result_type = models.CharField(max_length=200, blank=True, default="")
    attempts = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(state__in=["queued", "running"]) & ~Q(dedupe_key=""),
                name="jobs_one_active_per_dedupe_key",
            )
        ]
        indexes = [models.Index(fields=["state", "updated_at"], name="jobs_state_updated")]

    def __str__(self) -> str:
        return f"{self.kind} {self.state} {self.id}"

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES
