"""Reads for reports: who sees microdata, the analysis frames, and the stored results.

`actor_sees_microdata` is the one place that decides whether a reader gets unsuppressed
aggregates and household-level review lists; the API, exports and maps all ask it.

The frames reader has two paths with one result:
* PostgreSQL: the database extracts only the needed keys with JSON operators and streams
  them with COPY as CSV; pandas parses that in C. No per-row Python objects, which is what
  makes a province (1M households, ~3M persons) readable in seconds.
* other databases (the SQLite quickstart): `.values_list(...).iterator(chunk_size=…)` of the
  parsed JSON, flattened by `analytics.frames.raw_from_records`.
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import pandas as pd
from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Q

from analytics.compute import AdministrativeFigure as Figure
from analytics.frames import (
    FIELDS,
    META_COLUMNS,
    REPEATS,
    RawFrames,
    raw_from_records,
)
from analytics.geo import hamlets_frame
from analytics.rounds import Round
from backend.accounts.models import Role
from backend.places.models import Hamlet, Market
from backend.reports.models import AdministrativeFigure, ComputedResult, SurveyRound
from backend.reports.xform_paths import split_at_repeat, xform_paths
from backend.submissions.models import ReviewState, Submission, SubmissionVersion
from backend.surveys.models import Form, FormVersion

MICRODATA_ROLES = (Role.ADMIN, Role.LEADERSHIP)
CHUNK_SIZE = 2000


def actor_sees_microdata(who) -> bool:
    """True for commune admins and leadership: unsuppressed values and household lists.

    `who` is an `Actor` (has `.role`) or a Django user."""
    role = getattr(who, "role", None)
    if role is None and hasattr(who, "is_authenticated"):
        from backend.accounts.selectors import user_role

        role = user_role(who)
    return role in MICRODATA_ROLES


def counted_submissions():
    """Submissions that count: not deleted, not rejected (or approved only, by setting)."""
    queryset = Submission.objects.filter(deleted_at__isnull=True, current_version__isnull=False)
    if settings.ANALYTICS_ONLY_APPROVED:
        return queryset.filter(review_state=ReviewState.APPROVED)
    return queryset.exclude(review_state=ReviewState.REJECTED)


def data_fingerprint() -> str:
    """Changes whenever anything the results depend on changes: a submission received,
    edited, reviewed or deleted (all bump `updated_at` or the count), a round, an
    administrative figure or a hamlet edited, or the settings that select submissions."""
    parts = [
        Submission.objects.aggregate(n=Count("id"), last=Max("updated_at"), top=Max("id"),
                                     deleted=Count("id", filter=Q(deleted_at__isnull=False))),
        SurveyRound.objects.aggregate(n=Count("id"), last=Max("updated_at")),
        AdministrativeFigure.objects.aggregate(n=Count("id"), last=Max("updated_at")),
        Hamlet.objects.aggregate(n=Count("id"), last=Max("updated_at")),
        Market.objects.aggregate(stalls=Max("registered_stalls"), n=Count("id")),
        (settings.ANALYTICS_ONLY_APPROVED, settings.ANALYTICS_OUTSIDE_TOLERANCE_M, settings.ANALYTICS_MAX_ACCURACY_M),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:40]


@dataclass
class AnalysisInputs:
    raw: RawFrames
    hamlets: object  # GeoDataFrame
    rounds: list[Round]
    administrative: list[Figure]
    registered_stalls: int


def analysis_inputs_read() -> AnalysisInputs:
    return AnalysisInputs(
        raw=raw_frames_read(),
        hamlets=hamlets_frame(
            Hamlet.objects.values("code", "name", "name_en", "boundary", "registered_households", "population",
                                  "pilot_dra")
        ),
        rounds=[Round(r.name, r.start, r.end) for r in SurveyRound.objects.all()],
        administrative=[
            Figure(f.indicator, f.round, f.numerator, f.denominator) for f in AdministrativeFigure.objects.all()
        ],
        registered_stalls=sum(Market.objects.values_list("registered_stalls", flat=True)),
    )


def raw_frames_read() -> RawFrames:
    if connection.vendor == "postgresql":
        return _raw_frames_copy()
    return _raw_frames_iter()


def _raw_frames_iter() -> RawFrames:
    rows = counted_submissions().filter(form__form_id__in=list(FIELDS)).values_list(
        "id", "form__form_id", "hamlet_code", "lat", "lon", "accuracy", "survey_date", "survey_round",
        "received_at", "current_version__parsed",
    ).order_by("id").iterator(chunk_size=CHUNK_SIZE)
    names = META_COLUMNS + ["parsed"]
    return raw_from_records(dict(zip(names, row, strict=True)) for row in rows)


# --- PostgreSQL fast path ---------------------------------------------------------------

def _form_paths(form: Form) -> tuple[dict[str, list[tuple]], set[tuple]]:
    """Every path each field name has had across the form's versions (a regrouped question
    keeps its name), and the repeat paths."""
    paths: dict[str, list[tuple]] = {}
    repeats: set[tuple] = set()
    for xform in FormVersion.objects.filter(form=form).values_list("xform", flat=True):
        version_paths, version_repeats = xform_paths(bytes(xform))
        repeats |= version_repeats
        for name, path in version_paths.items():
            if path not in paths.setdefault(name, []):
                paths[name].append(path)
    return paths, repeats


def _extract(doc: str, paths: list[tuple]) -> str:
    """SQL text for the first non-null of the paths in `doc`, '' when none."""
    if not paths:
        return "''"
    options = [f"{doc} #>> {_literal_path(p)}" for p in paths]
    return f"COALESCE({', '.join(options)}, '')"


def _literal_path(path: tuple) -> str:
    # XForm names are XML NCNames (letters, digits, _ - .), but never trust them into SQL.
    for part in path:
        if not all(c.isalnum() or c in "_-." for c in part):
            raise ValueError(f"unexpected field path {path!r}")
    return "'{" + ",".join(path) + "}'"


def _raw_frames_copy() -> RawFrames:
    s = Submission._meta.db_table
    v = SubmissionVersion._meta.db_table
    where = "s.deleted_at IS NULL AND s.form_id = {form_pk}"
    if settings.ANALYTICS_ONLY_APPROVED:
        where += " AND s.review_state = 'approved'"
    else:
        where += " AND s.review_state <> 'rejected'"
    frames: dict[str, pd.DataFrame] = {}
    repeat_frames: dict[str, pd.DataFrame] = {}
    forms = {f.form_id: f for f in Form.objects.filter(form_id__in=list(FIELDS))}
    for form_id, fields in FIELDS.items():
        form = forms.get(form_id)
        if form is None:
            frames[form_id] = pd.DataFrame(columns=META_COLUMNS + fields)
            for repeat, repeat_fields in REPEATS[form_id].items():
                repeat_frames[repeat] = pd.DataFrame(columns=["submission_id", "position"] + repeat_fields)
            continue
        paths, repeats = _form_paths(form)
        selected = ", ".join(f"{_extract('v.parsed', paths.get(name, []))} AS {name}" for name in fields)
        join = f"FROM {s} s JOIN {v} v ON v.id = s.current_version_id"
        condition = f"WHERE {where.format(form_pk=int(form.pk))}"
        frames[form_id] = _copy_csv(
            f"SELECT s.id AS submission_id, '{form_id}' AS form_id, s.hamlet_code, s.lat, s.lon, s.accuracy, "
            f"to_char(s.survey_date, 'YYYY-MM-DD') AS survey_date, s.survey_round, "
            f"extract(epoch FROM s.received_at) AS received_at, {selected} {join} {condition}",
            numeric=("submission_id", "lat", "lon", "accuracy", "received_at"),
        )
        for repeat, repeat_fields in REPEATS[form_id].items():
            repeat_paths = [p for p in paths.get(repeat, []) if p in repeats] or [(repeat,)]
            inner = {
                name: [q for q in (split_at_repeat(p, rp) for p in paths.get(name, []) for rp in repeat_paths) if q]
                for name in repeat_fields
            }
            array = " || ".join(
                f"(CASE WHEN jsonb_typeof(v.parsed #> {_literal_path(rp)}) = 'array' "
                f"THEN v.parsed #> {_literal_path(rp)} ELSE '[]'::jsonb END)"
                for rp in repeat_paths
            )
            selected_inner = ", ".join(f"{_extract('r.doc', inner[name])} AS {name}" for name in repeat_fields)
            repeat_frames[repeat] = _copy_csv(
                f"SELECT s.id AS submission_id, r.position, {selected_inner} {join} "
                f"CROSS JOIN LATERAL jsonb_array_elements({array}) WITH ORDINALITY AS r(doc, position) {condition}",
                numeric=("submission_id", "position"),
            )
    return RawFrames(
        households=frames["pl_ho"], members=repeat_frames["tv"], stalls=frames["pl_cho"],
        assessments=frames["pl_kdc"], test_points=repeat_frames["diem_do"], agri_models=repeat_frames["mo_hinh_nn"],
    )


def _copy_csv(query: str, *, numeric: tuple[str, ...]) -> pd.DataFrame:
    """Run `query` through COPY … TO STDOUT (CSV) and parse it in C.

    Answer columns come back as categoricals: a few hundred distinct answers over millions
    of rows cost one byte per row instead of a Python string each."""
    connection.ensure_connection()
    buffer = io.BytesIO()
    with connection.connection.cursor() as cursor:
        with cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER true)") as copy:
            for block in copy:
                buffer.write(block)
    buffer.seek(0)
    header = buffer.readline().decode().strip().split(",")
    buffer.seek(0)
    dtypes = {name: ("float64" if name in numeric else "category") for name in header}
    frame = pd.read_csv(buffer, dtype=dtypes, keep_default_na=False, na_values={n: [""] for n in numeric})
    for name in ("submission_id", "position"):
        if name in frame:
            frame[name] = frame[name].astype("int64")
    return frame


# --- stored results -----------------------------------------------------------------------

def computed_results(round_name: str | None = None) -> list[ComputedResult]:
    queryset = ComputedResult.objects.all()
    if round_name:
        queryset = queryset.filter(round=round_name)
    return list(queryset)
