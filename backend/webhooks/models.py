"""Webhooks ("REST services", as KoboToolbox calls them): per form, a receiver URL that is
told about new, edited and reviewed submissions.

A `WebhookDelivery` is written in the same transaction as the event it announces, with the
exact body that will be sent (so a retry sends the same bytes, and the signature of a retry
is the signature of the first try). The worker's tries are `WebhookAttempt` rows: the
failure log the page and the API show.
"""

import uuid

from django.conf import settings
from django.db import models


class WebhookEvent(models.TextChoices):
    SUBMISSION_CREATED = "submission.created", "Bản ghi mới / Submission created"
    SUBMISSION_EDITED = "submission.edited", "Bản ghi được sửa / Submission edited"
    SUBMISSION_REVIEWED = "submission.reviewed", "Bản ghi được duyệt / Submission reviewed"


ALL_EVENTS = [e.value for e in WebhookEvent]


class Webhook(models.Model):
    form = models.ForeignKey("surveys.Form", on_delete=models.CASCADE, related_name="webhooks")
    name = models.CharField(max_length=200)
    url = models.URLField(max_length=1000)
    events = models.JSONField(default=list, help_text="Subset of WebhookEvent values")
    # Kept in clear: signing needs it. Shown once when created; afterwards only its hint.
    secret = models.CharField(max_length=200)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["form_id", "name", "id"]

    def __str__(self) -> str:
        return f"{self.name} → {self.url}"

    @property
    def secret_hint(self) -> str:
        return "…" + self.secret[-4:] if self.secret else ""


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Đang chờ gửi / Pending"
    SENDING = "sending", "Đang gửi / Sending"
    DELIVERED = "delivered", "Đã gửi / Delivered"
    FAILED = "failed", "Thất bại / Failed"


class WebhookDelivery(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    # No FK: a purged submission must not take its delivery log with it.
    submission_id = models.BigIntegerField(null=True, blank=True)
    instance_id = models.CharField(max_length=255, blank=True, default="")
    body = models.BinaryField(help_text="The exact bytes sent, and signed, on every try")
    state = models.CharField(max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # Back-off counts the tries since the last manual retry (a retry starts a fresh series).
    attempts_before_retry = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # Set while a worker holds it (state `sending`); a lease that runs out means the worker
    # died mid-try, and the sweeper puts the delivery back to pending.
    lease_until = models.DateTimeField(null=True, blank=True)
    # When a task message was last published for it: the sweeper publishes again only when
    # that message looks lost.
    queued_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="webhook_delivery_due"),
            models.Index(fields=["webhook", "-created_at"], name="webhook_delivery_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.instance_id} {self.state}"


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    response_excerpt = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["delivery_id", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_number_once")]
