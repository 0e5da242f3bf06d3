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
    }


class SurveyRoundSerializer(serializers.ModelSerializer):
    class Meta:
        model = SurveyRound
        fields = ["id", "name", "start", "end", "note"]
        read_only_fields = ["id"]


class SurveyRoundInput(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    start = serializers.DateField()
    end = serializers.DateField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


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
