"""Wire shapes of the submissions API (no queries: the selectors fetch what is shown)."""

from rest_framework import serializers


class SubmitterOutput(serializers.Serializer):
    def to_representation(self, submission):
        if submission.submitter_device_id is not None:
            volunteer = submission.volunteer
            return {
                "kind": "device",
                "id": submission.submitter_device_id,
                "name": volunteer.name if volunteer else None,
            }
        if submission.submitter_user_id is not None:
            return {"kind": "user", "id": submission.submitter_user_id, "name": submission.submitter_user.username}
        return None


class SubmissionOutput(serializers.Serializer):
    instance_id = serializers.CharField()
    current_instance_id = serializers.CharField()
    review_state = serializers.CharField()
    submitted_at = serializers.DateTimeField(source="received_at")
    updated_at = serializers.DateTimeField()
    submitter = SubmitterOutput(source="*")
    hamlet = serializers.CharField(source="hamlet_code")
    survey_date = serializers.DateField()
    survey_round = serializers.CharField()
    form_version = serializers.CharField(source="form_version.version")
    device_id = serializers.CharField()
    lat = serializers.FloatField()
    lon = serializers.FloatField()
    attachments = serializers.SerializerMethodField()

    def get_attachments(self, submission) -> dict:
        return {"expected": submission.attachments_expected, "present": submission.attachments_present}


class SubmissionDetailOutput(SubmissionOutput):
    """One submission with its answers; the file summary lives at …/attachments."""

    current_instance_id = serializers.CharField(source="current_version.instance_id")
    altitude = serializers.FloatField()
    accuracy = serializers.FloatField()
    data = serializers.JSONField(source="current_version.parsed")
    attachments = None


class AttachmentOutput(serializers.Serializer):
    name = serializers.CharField()
    exists = serializers.BooleanField()
    sha256 = serializers.CharField(source="blob_id", allow_null=True)
    size = serializers.SerializerMethodField()
    content_type = serializers.CharField()

    def get_size(self, attachment) -> int | None:
        return attachment.blob.size if attachment.blob_id else None


class TrashOutput(serializers.Serializer):
    instance_id = serializers.CharField()
    review_state = serializers.CharField()
    hamlet = serializers.CharField(source="hamlet_code")
    submitted_at = serializers.DateTimeField(source="received_at")
    deleted_at = serializers.DateTimeField(allow_null=True)
    restorable_until = serializers.DateTimeField(allow_null=True)


class VersionOutput(serializers.Serializer):
    instance_id = serializers.CharField()
    deprecated_id = serializers.CharField(help_text="The version this one replaced; empty for the first")
    current = serializers.BooleanField()
    sha256 = serializers.CharField()
    form_version = serializers.CharField(source="form_version.version")
    submitted_at = serializers.DateTimeField(source="created_at")
    device_id = serializers.CharField()
    instance_name = serializers.CharField()
    attachments = serializers.SerializerMethodField()

    def get_attachments(self, version) -> dict:
        return {"expected": version.attachments_expected, "present": version.attachments_present}
