"""Wire shapes for forms."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.surveys.models import Form, FormState


class FormPublishInput(serializers.Serializer):
    xlsform = serializers.FileField(help_text="The XLSForm (.xlsx)")
    media = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        help_text="Media files the form references (e.g. ap.csv); repeat the field for several",
    )
    publish = serializers.BooleanField(
        required=False, default=True, help_text="false stores a draft that can be tested first"
    )


class FormPublishOutput(serializers.Serializer):
    form_id = serializers.CharField()
    form_id_source = serializers.ChoiceField(
        choices=["settings", "file_name"],
        help_text="settings: the settings sheet's form_id; file_name: the workbook has none, so the id was "
        "taken from the uploaded file's name (accents and unsafe characters removed)",
    )
    form_id_note = serializers.CharField(
        allow_null=True, help_text="When the id came from the file name, a sentence saying so (en / vi)"
    )
    title = serializers.CharField()
    version = serializers.CharField()
    status = serializers.ChoiceField(
        choices=["created", "unchanged", "media_updated", "draft_created", "draft_published"]
    )
    published = serializers.BooleanField()
    hash = serializers.CharField()
    warnings = serializers.ListField(child=serializers.CharField())
    validation = serializers.DictField()
    media = serializers.ListField(child=serializers.DictField())
    missing_media = serializers.ListField(child=serializers.CharField())
    draft_token = serializers.CharField(allow_null=True)


class FormOutput(serializers.ModelSerializer):
    # A form stored as a draft only has no published version yet: both are null then.
    version = serializers.CharField(source="current_version.version", default=None, allow_null=True)
    hash = serializers.SerializerMethodField()

    class Meta:
        model = Form
        fields = ["form_id", "title", "state", "version", "hash", "created_at"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_hash(self, form) -> str | None:
        return f"md5:{form.current_version.md5}" if form.current_version_id else None


class FormStateInput(serializers.Serializer):
    state = serializers.ChoiceField(choices=FormState.values)
