"""Wire shapes of the register API (no queries, no writes)."""

from rest_framework import serializers

from backend.registers.models import Resolution


class HouseholdOutput(serializers.Serializer):
    id = serializers.UUIDField()
    hamlet = serializers.CharField(source="hamlet.code")
    ma_ho = serializers.CharField()
    label = serializers.CharField()
    ten_goi = serializers.CharField()
    mo_ta = serializers.CharField()
    lat = serializers.FloatField(allow_null=True)
    lon = serializers.FloatField(allow_null=True)
    version = serializers.IntegerField()
    source = serializers.CharField()
    added_in_field = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ChangeOutput(serializers.Serializer):
    version = serializers.IntegerField()
    data = serializers.DictField()
    changed = serializers.ListField(child=serializers.CharField())
    source = serializers.CharField()
    instance_id = serializers.CharField(source="submission.instance_id", allow_null=True, default=None)
    import_name = serializers.CharField()
    user = serializers.CharField(source="user.username", allow_null=True, default=None)
    base_version = serializers.IntegerField(allow_null=True)
    trunk_version = serializers.IntegerField(allow_null=True)
    branch_id = serializers.CharField()
    created_at = serializers.DateTimeField()


class HouseholdDetailOutput(HouseholdOutput):
    properties = serializers.DictField()
    history = ChangeOutput(many=True)


class ConflictOutput(serializers.Serializer):
    id = serializers.IntegerField()
    household = serializers.UUIDField(source="household_id")
    hamlet = serializers.CharField(source="household.hamlet.code")
    label = serializers.CharField(source="household.label")
    kind = serializers.CharField()
    base_version = serializers.IntegerField()
    server_version = serializers.IntegerField()
    version = serializers.IntegerField()
    fields = serializers.ListField(child=serializers.CharField())
    values = serializers.DictField()
    submission = serializers.IntegerField(source="submission_id", allow_null=True)
    created_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    resolved_by = serializers.CharField(source="resolved_by.username", allow_null=True, default=None)
    resolution = serializers.CharField()
    note = serializers.CharField()


class ResolveInput(serializers.Serializer):
    resolution = serializers.ChoiceField(choices=Resolution.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class VisitOutput(serializers.Serializer):
    submission = serializers.IntegerField(source="submission_id")
    instance_id = serializers.CharField(source="submission.instance_id")
    outcome = serializers.CharField()
    visited_on = serializers.DateField(allow_null=True)
    volunteer = serializers.IntegerField(source="volunteer_id", allow_null=True)


class DuplicateVisitsOutput(serializers.Serializer):
    household = HouseholdOutput()
    visits = VisitOutput(many=True)


class ImportChangeOutput(serializers.Serializer):
    line = serializers.IntegerField()
    action = serializers.CharField()
    ap = serializers.CharField()
    ma_ho = serializers.CharField()
    id = serializers.CharField(required=False)
    fields = serializers.DictField(required=False)


class ImportReportOutput(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.DictField())
    dry_run = serializers.BooleanField()
    changes = ImportChangeOutput(many=True)
