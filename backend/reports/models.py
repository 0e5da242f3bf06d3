"""Reports: survey rounds, administrative figures, and the last computed indicator results.

Computed results are a cache with a durable record: the last full computation per round,
stamped with the fingerprint of the data it was computed from, so a page view serves it at
once and only a change in the data (or the command) triggers a new computation.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from analytics.frames import (
    AGRI_MODEL_REPEAT,
    ASSESSMENT_FORM,
    FIELDS,
    FRAME_FIELDS,
    HOUSEHOLD_FORM,
    MEMBER_REPEAT,
    STALL_FORM,
    TEST_POINT_REPEAT,
)

ADMINISTRATIVE_INDICATORS = [
    ("P2025_DOSSIERS_ONLINE", "Hồ sơ TTHC qua dịch vụ công trực tuyến (2025) / Online dossiers (2025)"),
    ("P2030_DOSSIERS_ONLINE", "Hồ sơ TTHC xử lý trực tuyến (2030) / Dossiers processed online (2030)"),
    ("P2030_OFFICIALS_IT", "Cán bộ, công chức thành thạo CNTT / Officials proficient in IT"),
]


class SurveyRound(models.Model):
    """A declared survey round ("2025", "2027-giua-ky"): a date window (inclusive) and the
    target year (tier 2025/2027/2030) its figures are judged against. Rounds are declared,
    never guessed: a submission outside every window is unassigned until someone assigns it."""

    name = models.CharField(max_length=50, unique=True)
    start = models.DateField()
    end = models.DateField()
    target_year = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "name"]
        constraints = [models.CheckConstraint(condition=Q(end__gte=F("start")), name="survey_round_end_after_start")]

    def __str__(self) -> str:
        return f"{self.name} ({self.start} – {self.end})"


class RoundAssignment(models.Model):
    """A submission put in a round by hand (its survey date is outside every window, or wrong).
    A manual assignment wins over the windows."""

    submission = models.OneToOneField(
        "submissions.Submission", primary_key=True, on_delete=models.CASCADE, related_name="round_assignment"
    )
    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    assigned_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"submission {self.submission_id} → {self.round_id}"


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


# --- The answers projection -----------------------------------------------------------------
# What the indicator catalogue reads of each submission's current version, extracted once
# when the submission is stored (`submission_answers_store`) instead of out of the compressed JSON on
# every recomputation: at province scale that JSON extraction was most of the time.
#
# One table per analysis frame; its text columns are generated from the field lists in
# `analytics.frames`, so those lists stay the one declaration (change a list, then run
# makemigrations). Rows are derived data: each form-level row records the version it was
# extracted from and the layout of the lists, and the reader re-extracts any row that does
# not match (`submission_answers_repair`), so the projection can lag but never be silently wrong.

ANSWER_MODELS = {  # frame key → model name
    HOUSEHOLD_FORM: "HouseholdAnswers",
    MEMBER_REPEAT: "MemberAnswers",
    STALL_FORM: "StallAnswers",
    ASSESSMENT_FORM: "AssessmentAnswers",
    TEST_POINT_REPEAT: "TestPointAnswers",
    AGRI_MODEL_REPEAT: "AgriModelAnswers",
}
RESERVED_COLUMNS = {"id", "submission", "submission_id", "version", "version_id", "layout", "position"}


def _answers_model(key: str) -> type[models.Model]:
    form_level = key in FIELDS
    attrs: dict = {"__module__": __name__}
    if form_level:
        attrs["submission"] = models.OneToOneField(
            "submissions.Submission", primary_key=True, on_delete=models.CASCADE, related_name="+"
        )
        attrs["version"] = models.ForeignKey(
            "submissions.SubmissionVersion", on_delete=models.CASCADE, related_name="+", db_index=False
        )
        attrs["layout"] = models.CharField(max_length=12)
        meta: dict = {}
    else:
        attrs["id"] = models.BigAutoField(primary_key=True)
        # No index of its own: the unique (submission, position) index serves lookups by submission.
        attrs["submission"] = models.ForeignKey(
            "submissions.Submission", on_delete=models.CASCADE, related_name="+", db_index=False
        )
        attrs["position"] = models.PositiveIntegerField()
        meta = {
            "constraints": [
                models.UniqueConstraint(fields=["submission", "position"], name=f"{key}_answers_one_per_position")
            ]
        }
    for name in FRAME_FIELDS[key]:
        if name in RESERVED_COLUMNS:
            raise ValueError(f"field {name!r} of {key} clashes with a column of the answers table")
        attrs[name] = models.TextField(blank=True, default="")
    attrs["Meta"] = type("Meta", (), meta)
    return type(ANSWER_MODELS[key], (models.Model,), attrs)


ANSWERS_BY_KEY: dict[str, type[models.Model]] = {key: _answers_model(key) for key in ANSWER_MODELS}
HouseholdAnswers = ANSWERS_BY_KEY[HOUSEHOLD_FORM]
MemberAnswers = ANSWERS_BY_KEY[MEMBER_REPEAT]


class ComputedPart(models.Model):
    """One part of a split indicator computation (`services.indicator_part_compute`): the
    hamlet rows of some hamlets for one data fingerprint, kept until the parts are combined.
    `data` is a pickled `analytics.pipeline.PartialResults`, written and read only by this
    server's own workers (never from a request)."""

    fingerprint = models.CharField(max_length=128)
    index = models.PositiveIntegerField()
    count = models.PositiveIntegerField()
    hamlets = models.PositiveIntegerField(default=0)
    timings = models.JSONField(default=dict)
    data = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fingerprint", "index", "count"], name="computed_part_unique"),
        ]

    def __str__(self) -> str:
        return f"part {self.index + 1}/{self.count} of {self.fingerprint[:8]}"


class ComputedBase(models.Model):
    """What the next incremental recomputation starts from (`backend/reports/incremental.py`):
    the merged hamlet rows of the last computation of every round (a pickled
    `analytics.pipeline.PartialResults`, written and read only by this server's own workers,
    never from a request), with the data version it was computed at. One row."""

    version = models.CharField(max_length=160)
    layout = models.PositiveIntegerField(default=1)  # `incremental.BASE_LAYOUT` it was written with
    data = models.BinaryField()
    computed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"computed base @ {self.computed_at:%Y-%m-%d %H:%M}"
