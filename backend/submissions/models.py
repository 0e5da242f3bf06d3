"""Submissions: one logical submission per (form, first instanceID), its versions (the XML
bytes exactly as received; an edit adds a version) and the files each version expects.

Identity lives in the database: `UNIQUE(form, instance_id)` on both tables, so two phones
(or two retries of one phone) racing with the same instanceID cannot both win.
Field names are a contract for analytics (hamlet_code, lat/lon, survey_date, survey_round).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ReviewState(models.TextChoices):
    RECEIVED = "received", "Đã nhận / Received"
    HAS_ISSUES = "has_issues", "Có vấn đề / Has issues"
    EDITED = "edited", "Đã sửa / Edited"
    APPROVED = "approved", "Đã duyệt / Approved"
    REJECTED = "rejected", "Bị từ chối / Rejected"


class Submission(models.Model):
    form = models.ForeignKey("surveys.Form", on_delete=models.PROTECT, related_name="submissions")
    instance_id = models.CharField(max_length=255, help_text="The instanceID it was first received under")
    current_version = models.ForeignKey(
        "SubmissionVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    form_version = models.ForeignKey("surveys.FormVersion", on_delete=models.PROTECT, related_name="+")
    volunteer = models.ForeignKey(
        "accounts.Volunteer", null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    submitter_device = models.ForeignKey(
        "accounts.DeviceToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    submitter_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    device_id = models.CharField(max_length=255, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    review_state = models.CharField(max_length=12, choices=ReviewState.choices, default=ReviewState.RECEIVED)
    deleted_at = models.DateTimeField(null=True, blank=True)

    # Typed columns extracted at ingest (from the current version) for what queries need.
    hamlet_code = models.CharField(max_length=20, blank=True, db_index=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    altitude = models.FloatField(null=True, blank=True)
    accuracy = models.FloatField(null=True, blank=True)
    survey_date = models.DateField(null=True, blank=True)
    survey_round = models.CharField(max_length=50, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["form", "instance_id"], name="submission_form_instance_unique"),
        ]
        indexes = [models.Index(fields=["form", "-id"], name="submission_form_recent")]

    def __str__(self) -> str:
        return f"{self.instance_id} ({self.form_id})"


class SubmissionVersion(models.Model):
    """One received XML of a submission. The bytes are the source of truth; `parsed` is a
    projection (repeats as lists) for reading without re-parsing."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="versions")
    # Denormalised from the submission so the database can enforce instanceID uniqueness per form.
    form = models.ForeignKey("surveys.Form", on_delete=models.PROTECT, related_name="+")
    instance_id = models.CharField(max_length=255)
    deprecated_id = models.CharField(max_length=255, blank=True)
    instance_name = models.CharField(max_length=500, blank=True)
    xml = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    parsed = models.JSONField(default=dict)
    form_version = models.ForeignKey("surveys.FormVersion", on_delete=models.PROTECT, related_name="+")
    device_id = models.CharField(max_length=255, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    submitter_device = models.ForeignKey(
        "accounts.DeviceToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitter_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["form", "instance_id"], name="submission_version_form_instance_unique"),
        ]
        # A byte-identical resend is recognised by the bytes' hash before any parse
        # (services._replay_without_parse).
        indexes = [models.Index(fields=["sha256"], name="submission_version_sha256")]

    def __str__(self) -> str:
        return self.instance_id


class SubmissionAttachment(models.Model):
    """A file a version's XML references. `blob` is null while the file has not arrived
    (Collect may send it in a later POST); the bytes are written before the row points at them."""

    version = models.ForeignKey(SubmissionVersion, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=255)
    blob = models.ForeignKey("core.Blob", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    content_type = models.CharField(max_length=100, blank=True)
    is_client_audit = models.BooleanField(default=False)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "name"], name="submission_attachment_unique"),
        ]
        ordering = ["name"]

    @property
    def exists(self) -> bool:
        return self.blob_id is not None

    def __str__(self) -> str:
        return self.name
