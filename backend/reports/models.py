"""Reports: survey rounds, administrative figures, and the last computed indicator results.

Computed results are a cache with a durable record: the last full computation per round,
stamped with the fingerprint of the data it was computed from, so a page view serves it at
once and only a change in the data (or the command) triggers a new computation.
"""
from django.conf import settings
from django.db import models
from django.db.models import F, Q

ADMINISTRATIVE_INDICATORS = [
    ("P2025_DOSSIERS_ONLINE", "Hồ sơ TTHC qua dịch vụ công trực tuyến (2025) / Online dossiers (2025)"),
    ("P2030_DOSSIERS_ONLINE", "Hồ sơ TTHC xử lý trực tuyến (2030) / Dossiers processed online (2030)"),
    ("P2030_OFFICIALS_IT", "Cán bộ, công chức thành thạo CNTT / Officials proficient in IT"),
]


class SurveyRound(models.Model):
    """A named survey round ("2025", "2027-giua-ky") covering a date range (inclusive)."""

    name = models.CharField(max_length=50, unique=True)
    start = models.DateField()
    end = models.DateField()
    note = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "name"]
        constraints = [models.CheckConstraint(condition=Q(end__gte=F("start")), name="survey_round_end_after_start")]

    def __str__(self) -> str:
        return f"{self.name} ({self.start} – {self.end})"


class AdministrativeFigure(models.Model):
    """A figure the surveys cannot measure (dossiers, officials), entered by the commune."""

    indicator = models.CharField(max_length=40, choices=ADMINISTRATIVE_INDICATORS)
    round = models.CharField(max_length=50, help_text="Đợt/năm báo cáo, e.g. 2025")
    numerator = models.PositiveIntegerField()
    denominator = models.PositiveIntegerField()
    source = models.CharField(max_length=300, blank=True, help_text="Hệ thống một cửa, danh sách cán bộ…")
    note = models.CharField(max_length=500, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["indicator", "round"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "round"], name="administrative_figure_unique"),
            models.CheckConstraint(condition=Q(denominator__gt=0), name="administrative_figure_denominator_positive"),
            models.CheckConstraint(
                condition=Q(numerator__lte=F("denominator")), name="administrative_figure_numerator_le_denominator"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.round}: {self.numerator}/{self.denominator}"


class ComputedResult(models.Model):
    """The last computation for one round. `tables` holds the result tables (rows, scorecard,
    summary, coverage, review) packed by `analytics.exports.tables_pack`."""

    round = models.CharField(max_length=50, unique=True)
    fingerprint = models.CharField(max_length=128)
    computed_at = models.DateTimeField()
    duration_s = models.FloatField(default=0)
    timings = models.JSONField(default=dict)
    counts = models.JSONField(default=dict)
    tables = models.BinaryField(default=bytes)

    class Meta:
        ordering = ["round"]

    def __str__(self) -> str:
        return f"results {self.round} @ {self.computed_at:%Y-%m-%d %H:%M}"
