from django.contrib import admin

from backend.submissions.models import Submission, SubmissionAttachment, SubmissionVersion


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("instance_id", "form", "hamlet_code", "review_state", "received_at", "volunteer")
    list_filter = ("form", "review_state", "hamlet_code")
    search_fields = ("instance_id",)
    raw_id_fields = ("current_version", "form_version", "volunteer", "submitter_device", "submitter_user")


@admin.register(SubmissionVersion)
class SubmissionVersionAdmin(admin.ModelAdmin):
    list_display = ("instance_id", "deprecated_id", "form", "created_at")
    search_fields = ("instance_id", "deprecated_id")
    raw_id_fields = ("submission", "form_version", "submitter_device", "submitter_user")
    exclude = ("xml",)


@admin.register(SubmissionAttachment)
class SubmissionAttachmentAdmin(admin.ModelAdmin):
    list_display = ("name", "version", "blob", "is_client_audit")
    raw_id_fields = ("version", "blob")
