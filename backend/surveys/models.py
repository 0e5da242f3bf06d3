"""Forms, their versions (XForm bytes exactly as served) and their media attachments."""

from django.conf import settings
from django.db import models


class FormState(models.TextChoices):
    OPEN = "open", "Mở / Open"
    CLOSING = "closing", "Đang đóng / Closing (accepts submissions, hidden from phones)"
    CLOSED = "closed", "Đã đóng / Closed"


class Form(models.Model):
    form_id = models.CharField(max_length=100, unique=True, help_text="Stable XForm id (settings form_id)")
    title = models.CharField(max_length=300)
    state = models.CharField(max_length=10, choices=FormState.choices, default=FormState.OPEN)
    current_version = models.ForeignKey(
        "FormVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # True while the form has an active webhook (kept by backend.webhooks.services): ingest
    # reads it from the form row it loads anyway, so a form without webhooks costs no query.
    webhooks_active = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["title", "form_id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.form_id})"


class FormVersion(models.Model):
    """One converted XLSForm. A draft (not published) can be tested before publishing;
    every published version keeps accepting the submissions bound to it."""

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(max_length=100, blank=True)
    title = models.CharField(max_length=300)
    xlsform = models.ForeignKey("core.Blob", on_delete=models.PROTECT, related_name="+")
    xlsform_filename = models.CharField(max_length=255)
    xform = models.BinaryField(help_text="The XForm bytes exactly as served to phones")
    md5 = models.CharField(max_length=32, help_text="md5 of `xform`, the formList hash")
    expected_media = models.JSONField(default=list)
    warnings = models.JSONField(default=list)
    validated = models.BooleanField(default=False)
    validation_note = models.TextField(blank=True)
    published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    draft_token = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["form", "version"], name="form_version_unique")]
        ordering = ["form", "-created_at"]

    def __str__(self) -> str:
        return f"{self.form.form_id} v{self.version}{'' if self.published else ' (draft)'}"


class FormAttachment(models.Model):
    """A media file a form version expects (CSV choice list, image…). `blob` is null while
    the file has not been uploaded: the form says what it is missing."""

    form_version = models.ForeignKey(FormVersion, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=255)
    blob = models.ForeignKey("core.Blob", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    content_type = models.CharField(max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["form_version", "name"], name="form_attachment_unique")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
