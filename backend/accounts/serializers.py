from rest_framework import serializers

from backend.accounts.models import ApiToken, Role, Volunteer


class VolunteerCreateInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    code = serializers.CharField(max_length=10, required=False, default="")
    forms = serializers.ListField(
        child=serializers.CharField(), required=False, default=list, help_text="form_ids; all open forms when empty"
    )
    hamlets = serializers.ListField(
        child=serializers.CharField(), required=False, default=list, help_text="hamlet codes"
    )


class VolunteerCreatedOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    server_url = serializers.CharField(help_text="Shown once: the Collect server URL with the device key")
    qr_png = serializers.CharField()
    qr_svg = serializers.CharField()
    forms = serializers.ListField(child=serializers.CharField())


class VolunteerRevokedOutput(serializers.Serializer):
    id = serializers.IntegerField()
    revoked_devices = serializers.IntegerField(help_text="device links revoked now (already revoked ones not counted)")


class VolunteerOutput(serializers.ModelSerializer):
    forms = serializers.SlugRelatedField(many=True, read_only=True, slug_field="form_id")
    hamlets = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    active_devices = serializers.SerializerMethodField()

    class Meta:
        model = Volunteer
        fields = ["id", "name", "code", "forms", "hamlets", "active_devices", "created_at"]

    def get_active_devices(self, volunteer) -> int:
        return sum(1 for t in volunteer.tokens.all() if t.revoked_at is None)


class VolunteerAssignInput(serializers.Serializer):
    forms = serializers.ListField(child=serializers.CharField(), required=False, help_text="form_ids")
    hamlets = serializers.ListField(child=serializers.CharField(), required=False, help_text="hamlet codes")


class UserCreateInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(min_length=10, max_length=200, write_only=True)
    role = serializers.ChoiceField(choices=Role.choices)
    name = serializers.CharField(max_length=150, required=False, default="")
    hamlets = serializers.ListField(
        child=serializers.CharField(), required=False, default=list, help_text="hamlet codes (hamlet heads; volunteers)"
    )
    forms = serializers.ListField(
        child=serializers.CharField(), required=False, default=list, help_text="form_ids assigned (volunteers only)"
    )


class UserUpdateInput(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    name = serializers.CharField(max_length=150, required=False)
    password = serializers.CharField(min_length=10, max_length=200, required=False, write_only=True)
    is_active = serializers.BooleanField(required=False)
    hamlets = serializers.ListField(child=serializers.CharField(), required=False)
    forms = serializers.ListField(child=serializers.CharField(), required=False)


class UserOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(source="first_name")
    is_active = serializers.BooleanField()
    role = serializers.SerializerMethodField()
    hamlets = serializers.SerializerMethodField()
    forms = serializers.SerializerMethodField()
    volunteer_id = serializers.SerializerMethodField()

    def get_role(self, user) -> str:
        if user.is_superuser:
            return Role.ADMIN
        profile = getattr(user, "profile", None)
        return profile.role if profile else Role.VIEWER

    def get_hamlets(self, user) -> list[str]:
        profile = getattr(user, "profile", None)
        return sorted(h.code for h in profile.hamlets.all()) if profile else []

    def get_forms(self, user) -> list[str]:
        volunteer = getattr(user, "volunteer", None)
        return sorted(f.form_id for f in volunteer.forms.all()) if volunteer else []

    def get_volunteer_id(self, user) -> int | None:
        volunteer = getattr(user, "volunteer", None)
        return volunteer.pk if volunteer else None


class ApiTokenCreateInput(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False, default="")


class ApiTokenCreatedOutput(serializers.Serializer):
    token = serializers.CharField(help_text="Shown once: send it as `Authorization: Bearer <token>`")
    name = serializers.CharField(allow_blank=True)


class ApiTokenLoginInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=200)
    name = serializers.CharField(max_length=100, required=False, default="script")


class ApiTokenOutput(serializers.ModelSerializer):
    user = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "user", "name", "created_at", "revoked_at", "last_used_at"]
