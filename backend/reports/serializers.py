"""Wire shapes for reports. No queries, no writes."""

from __future__ import annotations

import math

from rest_framework import serializers

from backend.reports.models import ADMINISTRATIVE_INDICATORS, AdministrativeFigure, SurveyRound


def _clean(value, digits: int | None = None):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if digits is not None and isinstance(value, int | float) and not isinstance(value, bool):
        return round(float(value), digits)
    return value


def indicator_row(row: dict) -> dict:
    """A stored row in the contract shape; percentages to 2 decimals, estimated totals to 1."""
    return {
        "indicator": row["indicator"],
        "hamlet": row.get("hamlet") if isinstance(row.get("hamlet"), str) else None,
        "round": row["round"],
        "numerator": _clean(row.get("numerator"), 1),
        "denominator": _clean(row.get("denominator"), 1),
        "value": _clean(row.get("value"), 2),
        "ci_low": _clean(row.get("ci_low"), 2),
        "ci_high": _clean(row.get("ci_high"), 2),
        "target": _clean(row.get("target")),
        "target_year": _clean(row.get("target_year")),
        "met": _clean(row.get("met")),
        "suppressed": bool(row.get("suppressed", False)),
        "target_op": _clean(row.get("target_op")),
        "reason": _clean(row.get("reason")),
        "reason_en": _clean(row.get("reason_en")),
        # Added for issue 12: the units behind the value, and whether they are too few to read it.
        "n": _clean(row.get("n")),
        "too_few": bool(row.get("too_few", False)),
    }


class SurveyRoundSerializer(serializers.ModelSerializer):
    class Meta:
        model = SurveyRound
        fields = ["id", "name", "start", "end", "note", "target_year"]
        read_only_fields = ["id"]


class SurveyRoundInput(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    start = serializers.DateField()
    end = serializers.DateField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    target_year = serializers.IntegerField(required=False, allow_null=True, default=None)


class SurveyRoundPatch(serializers.Serializer):
    """Any of the fields; the ones sent are changed."""

    name = serializers.CharField(max_length=50, required=False)
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    target_year = serializers.IntegerField(required=False, allow_null=True)


class UnassignedSubmissionOutput(serializers.Serializer):
    """A counted submission that belongs to no round (no microdata beyond what a reviewer sees
    in the submission list)."""

    id = serializers.IntegerField()
    form_id = serializers.CharField(source="form.form_id")
    instance_id = serializers.CharField(source="current_instance_id")
    hamlet_code = serializers.CharField()
    survey_date = serializers.DateField(allow_null=True)
    survey_round = serializers.CharField(help_text="the round field the form sent (dot_ks), not used for counting")
    received_at = serializers.DateTimeField()
    volunteer = serializers.CharField(source="volunteer.name", allow_null=True, default=None)
    review_state = serializers.CharField()


class RoundAssignInput(serializers.Serializer):
    round = serializers.CharField(max_length=50)
    submissions = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=1000)


class RoundAssignOutput(serializers.Serializer):
    round = serializers.CharField()
    assigned = serializers.IntegerField()


class AdministrativeFigureSerializer(serializers.ModelSerializer):
    class Meta:
        model = AdministrativeFigure
        fields = ["id", "indicator", "round", "numerator", "denominator", "source", "note", "updated_at"]


class AdministrativeFigureInput(serializers.Serializer):
    indicator = serializers.ChoiceField(choices=ADMINISTRATIVE_INDICATORS)
    round = serializers.CharField(max_length=50)
    numerator = serializers.IntegerField(min_value=0)
    denominator = serializers.IntegerField(min_value=1)
    source = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


# --- Response shapes of the analytics endpoints (documentation: the OpenAPI schema). The
# bodies are built by backend/reports/results.py; these classes describe them, and a test
# checks every endpoint's JSON against the schema they produce.


class IndicatorRowOutput(serializers.Serializer):
    indicator = serializers.CharField(help_text="catalogue id, e.g. P2025_SMARTPHONE")
    hamlet = serializers.CharField(allow_null=True, help_text="hamlet code; null for the commune")
    round = serializers.CharField()
    numerator = serializers.FloatField(allow_null=True)
    denominator = serializers.FloatField(allow_null=True)
    value = serializers.FloatField(allow_null=True, help_text="null when suppressed or not computable")
    ci_low = serializers.FloatField(allow_null=True)
    ci_high = serializers.FloatField(allow_null=True)
    target = serializers.FloatField(allow_null=True)
    target_year = serializers.IntegerField(allow_null=True)
    met = serializers.BooleanField(allow_null=True)
    suppressed = serializers.BooleanField(help_text="a small cell hidden from readers without microdata")
    target_op = serializers.CharField(allow_null=True, help_text='">=" or ">"')
    reason = serializers.CharField(allow_null=True)
    reason_en = serializers.CharField(allow_null=True)
    n = serializers.IntegerField(allow_null=True, help_text="surveyed units behind the value; null when not a sample")
    too_few = serializers.BooleanField(help_text="from fewer units than ANALYTICS_MIN_SAMPLE: read as 'too few'")


class TargetOutput(serializers.Serializer):
    op = serializers.CharField()
    value = serializers.FloatField()
    role = serializers.CharField(allow_null=True)


class CatalogueEntryOutput(serializers.Serializer):
    id = serializers.CharField()
    label_vi = serializers.CharField()
    label_en = serializers.CharField()
    unit = serializers.CharField()
    unit_label_vi = serializers.CharField()
    unit_label_en = serializers.CharField()
    kind = serializers.CharField()
    source = serializers.CharField()
    form = serializers.CharField(allow_null=True)
    fields = serializers.ListField(child=serializers.CharField())
    numerator = serializers.CharField(allow_null=True)
    denominator = serializers.CharField(allow_null=True)
    targets = serializers.DictField(child=TargetOutput(), help_text="by target year")
    group = serializers.CharField(allow_null=True)
    criterion = serializers.BooleanField(help_text="a Khu dân cư chuyển đổi số criterion (scored per hamlet)")
    direction = serializers.CharField(help_text='"up": higher is better')
    condition = serializers.CharField(allow_null=True)
    gate_failed_vi = serializers.CharField(allow_null=True)
    gate_failed_en = serializers.CharField(allow_null=True)
    notes = serializers.CharField(allow_null=True)
    notes_en = serializers.CharField(allow_null=True)
    value_unit = serializers.CharField(allow_null=True)
    figures = serializers.CharField(allow_null=True, help_text="what the hamlet and commune figures mean")
    commune_verdict = serializers.BooleanField(help_text="the commune row is judged against the target too")


class CriterionOutput(serializers.Serializer):
    criterion = serializers.CharField()
    group = serializers.CharField(allow_null=True)
    label_vi = serializers.CharField(allow_null=True)
    label_en = serializers.CharField(allow_null=True)
    role = serializers.CharField(allow_null=True, help_text="mandatory (BB) or optional (TC)")
    value = serializers.FloatField(allow_null=True)
    op = serializers.CharField(allow_null=True)
    threshold = serializers.FloatField(allow_null=True)
    status = serializers.CharField(allow_null=True)
    status_en = serializers.CharField(allow_null=True)
    met = serializers.BooleanField(allow_null=True)
    gap_pp = serializers.FloatField(allow_null=True, help_text="percentage points short of the threshold")
    source = serializers.CharField(allow_null=True)
    condition = serializers.CharField(allow_null=True)
    suppressed = serializers.BooleanField(allow_null=True)
    reason = serializers.CharField(allow_null=True)
    reason_en = serializers.CharField(allow_null=True)
    n = serializers.IntegerField(allow_null=True, help_text="households behind the value (null: not a sample)")
    too_few = serializers.BooleanField(help_text="from fewer units than ANALYTICS_MIN_SAMPLE: read as 'too few'")


class ScorecardHamletOutput(serializers.Serializer):
    hamlet = serializers.CharField()
    name = serializers.CharField(allow_null=True)
    pilot = serializers.BooleanField(help_text="one of the pilot digital residential areas (listed first)")
    tier = serializers.IntegerField()
    status = serializers.CharField()
    status_en = serializers.CharField()
    dat = serializers.BooleanField(allow_null=True, help_text="meets the standard; null when suppressed")
    suppressed = serializers.BooleanField()
    bb_met = serializers.IntegerField(allow_null=True, help_text="null when the verdict is suppressed")
    bb_total = serializers.IntegerField(allow_null=True)
    tc_met = serializers.IntegerField(allow_null=True, help_text="null when the verdict is suppressed")
    tc_required = serializers.IntegerField()
    failing = serializers.ListField(child=serializers.CharField())
    failing_mandatory = serializers.ListField(child=serializers.CharField())
    criteria = CriterionOutput(many=True)


class CommuneTargetOutput(IndicatorRowOutput):
    label_vi = serializers.CharField()
    label_en = serializers.CharField()
    source = serializers.CharField()


class BilingualOutput(serializers.Serializer):
    vi = serializers.CharField()
    en = serializers.CharField()


class SuppressionOutput(serializers.Serializer):
    min_cell = serializers.IntegerField()


class ScorecardOutput(serializers.Serializer):
    round = serializers.CharField()
    tier = serializers.IntegerField(help_text="2027 or 2030")
    rule = BilingualOutput()
    criteria = serializers.ListField(child=serializers.CharField())
    suppression = SuppressionOutput(allow_null=True, help_text="null for readers who see microdata")
    hamlets = ScorecardHamletOutput(many=True)
    commune_targets = CommuneTargetOutput(many=True)


class HamletFeatureOutput(serializers.Serializer):
    type = serializers.CharField(help_text="Feature")
    geometry = serializers.JSONField(allow_null=True, help_text="GeoJSON geometry in EPSG:4326")
    properties = serializers.DictField(help_text="the hamlet and its indicator row (indicator, round, value, …)")


class HamletCollectionOutput(serializers.Serializer):
    type = serializers.CharField(help_text="FeatureCollection")
    features = HamletFeatureOutput(many=True)


class LocationReviewOutput(serializers.Serializer):
    submission_id = serializers.IntegerField()
    hamlet = serializers.CharField(help_text="declared hamlet")
    located_hamlet = serializers.CharField(allow_null=True, help_text="the hamlet whose polygon holds the point")
    distance_m = serializers.FloatField(allow_null=True)
    outside = serializers.BooleanField()
    poor_accuracy = serializers.BooleanField()
    review = serializers.BooleanField()
    reason = serializers.CharField(help_text="outside_declared_hamlet or poor_gps_accuracy")
    round = serializers.CharField(allow_null=True)
    ma_ho = serializers.CharField(allow_null=True, help_text="household code")


class HamletCoverageOutput(serializers.Serializer):
    hamlet = serializers.CharField(source="code")
    name = serializers.CharField()
    registered = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="households per status")
    surveyed = serializers.IntegerField()
    refused = serializers.IntegerField()
    flagged = serializers.IntegerField()
    percent = serializers.FloatField(allow_null=True)
    register = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="against the household register: households, visited, refused, moved, not_found, not_visited",
    )


class RoundCoverageOutput(serializers.Serializer):
    round = serializers.CharField()
    registered = serializers.IntegerField()
    totals = serializers.DictField(child=serializers.IntegerField())
    register_totals = serializers.DictField(child=serializers.IntegerField())
    hamlets = HamletCoverageOutput(many=True)
