from rest_framework import serializers

from backend.audit.models import AuditEvent

DATE_OR_DATETIME = ["iso-8601", "%Y-%m-%d"]


class AuditQueryInput(serializers.Serializer):
    actor = serializers.CharField(required=False, default="", help_text="username, or actor label prefix")
    action = serializers.CharField(required=False, default="", help_text="exact, or a prefix ending with '.'")
    since = serializers.DateTimeField(required=False, default=None, input_formats=DATE_OR_DATETIME)
    until = serializers.DateTimeField(required=False, default=None, input_formats=DATE_OR_DATETIME)
    object_type = serializers.CharField(required=False, default="")
    object_id = serializers.CharField(required=False, default="")
    limit = serializers.IntegerField(required=False, default=100, min_value=1, max_value=1000)
    offset = serializers.IntegerField(required=False, default=0, min_value=0)


class AuditEventOutput(serializers.ModelSerializer):
    # Null for the system, a device or an anonymous attempt (a failed sign-in).
    actor_user = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "created_at",
            "actor_label",
            "actor_user",
            "actor_device",
            "action",
            "object_type",
            "object_id",
            "details",
            "ip",
        ]
