from rest_framework import serializers

from backend.accounts.models import Volunteer


class VolunteerCreateInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    code = serializers.CharField(max_length=10, required=False, default="")
    forms = serializers.ListField(child=serializers.CharField(), required=False, default=list,
                                  help_text="form_ids; all open forms when empty")
    hamlets = serializers.ListField(child=serializers.CharField(), required=False, default=list,
                                    help_text="hamlet codes")


class VolunteerCreatedOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    server_url = serializers.CharField(help_text="Shown once: the Collect server URL with the device key")
    qr_png = serializers.CharField()
    qr_svg = serializers.CharField()
    forms = serializers.ListField(child=serializers.CharField())


class VolunteerOutput(serializers.ModelSerializer):
    forms = serializers.SlugRelatedField(many=True, read_only=True, slug_field="form_id")
    hamlets = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    active_devices = serializers.SerializerMethodField()

    class Meta:
        model = Volunteer
        fields = ["id", "name", "code", "forms", "hamlets", "active_devices", "created_at"]

    def get_active_devices(self, volunteer) -> int:
        return sum(1 for t in volunteer.tokens.all() if t.revoked_at is None)
