"""The audit log: an append-only record of every write and every read of microdata.

Rows are never updated or deleted. Python refuses it here (save on an existing row, delete,
queryset update/delete); on PostgreSQL a trigger refuses it as well (migration 0002), so not
even a raw SQL statement from a bug elsewhere can rewrite history, and TRUNCATE is refused
too (migration 0003) unless the session first says `SET phulam.audit_truncate = 'allow'`
(a deliberate purge by the DBA; the test suite's teardown).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnlyError(RuntimeError):
    pass


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events are append-only.")

    def delete(self):
        raise AppendOnlyError("Audit events are append-only.")


class AuditEvent(models.Model):
    # PROTECT: people who appear in the log are deactivated, never deleted; SET_NULL would be
    # an UPDATE of the log, which the trigger refuses anyway.
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Device tokens are deleted with their volunteer (and by setup_demo); the row keeps the
    # device id and its label rather than blocking that, so no database constraint here.
    actor_device = models.ForeignKey(
        "accounts.DeviceToken",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    # Kept as text so the row still says who it was if names change later.
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        when = f"{self.created_at:%Y-%m-%d %H:%M:%S}"
        return f"{when} {self.actor_label} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events are append-only.")
