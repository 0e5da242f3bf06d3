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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pandas as pd
from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Q
from pandas.api.types import union_categoricals

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
UNIQUE_TEXT = {"ma_ho", "sap_so", "mh_ten"}
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


def _extract(paths: list[tuple], record: str, text_tops: set[str]) -> str:
    """SQL text for the first non-null of the paths, '' when none. `record` is the alias of
    the row's jsonb_to_record; top-level leaves are its text columns, groups jsonb."""
    if not paths:
        return "''"
    options = []
    for path in paths:
        top = f"{record}.{_identifier(path[0])}"
        if len(path) == 1:
            options.append(top if path[0] in text_tops else f"({top} #>> '{{}}')")
        else:
            options.append(f"({top} #>> {_literal_path(path[1:])})")
    return f"COALESCE({', '.join(options)}, '')"


def _record(paths: list[tuple], doc: str, alias: str) -> tuple[str, set[str]]:
    """(`jsonb_to_record(doc) AS alias("ap" text, "ho" jsonb, …)`, the text columns).

    Why: `parsed` is stored compressed (TOAST) and PostgreSQL decompresses it again for every
    `#>>` in the select list; jsonb_to_record decompresses it once, returns the top-level
    leaves as text and the groups as small in-memory jsonb. 4–5× faster at 1M households."""
    leaves = {p[0] for p in paths if len(p) == 1}
    groups = {p[0] for p in paths if len(p) > 1}
    text_tops = leaves - groups  # a name that is a group in some version stays jsonb
    columns = ", ".join(
        f"{_identifier(top)} {'text' if top in text_tops else 'jsonb'}" for top in sorted(leaves | groups)
    ) or '"__id" text'
    return f"jsonb_to_record({doc}) AS {alias}({columns})", text_tops


def _element(paths: list[tuple]) -> str:
    """A field of one repeat instance (`r.doc`, small and in memory: plain operators)."""
    if not paths:
        return "''"
    options = [f"(r.doc #>> {_literal_path(p)})" if len(p) > 1 else f"(r.doc ->> {_literal(p[0])})" for p in paths]
    return f"COALESCE({', '.join(options)}, '')"


def _identifier(name: str) -> str:
    _check_name(name)
    return f'"{name}"'


def _literal(name: str) -> str:
    _check_name(name)
    return f"'{name}'"


def _literal_path(path: tuple) -> str:
    for part in path:
        _check_name(part)
    return "'{" + ",".join(path) + "}'"


def _check_name(part: str) -> None:
    # XForm names are XML NCNames (letters, digits, _ - .), but never trust them into SQL.
    if not part or not all(c.isalnum() or c in "_-." for c in part):
        raise ValueError(f"unexpected field name {part!r}")


def _copy_queries() -> tuple[list[tuple[str, str, tuple]], dict[str, list[str]]]:
    """[(frame key, query, numeric columns)], and the columns of frames with no form yet."""
    s = Submission._meta.db_table
    v = SubmissionVersion._meta.db_table
    where = "s.deleted_at IS NULL AND s.form_id = {form_pk}"
    if settings.ANALYTICS_ONLY_APPROVED:
        where += " AND s.review_state = 'approved'"
    else:
        where += " AND s.review_state <> 'rejected'"
    queries, empty = [], {}
    forms = {f.form_id: f for f in Form.objects.filter(form_id__in=list(FIELDS))}
    for form_id, fields in FIELDS.items():
        form = forms.get(form_id)
        if form is None:
            empty[form_id] = META_COLUMNS + fields
            for repeat, repeat_fields in REPEATS[form_id].items():
                empty[repeat] = ["submission_id", "position"] + repeat_fields
            continue
        paths, repeats = _form_paths(form)
        field_paths = {name: paths.get(name, []) for name in fields}
        record, text_tops = _record([p for options in field_paths.values() for p in options], "v.parsed", "x")
        selected = ", ".join(f"{_extract(field_paths[name], 'x', text_tops)} AS {name}" for name in fields)
        join = f"FROM {s} s JOIN {v} v ON v.id = s.current_version_id"
        condition = f"WHERE {where.format(form_pk=int(form.pk))}{LANE_MARK}"
        queries.append((form_id,
            f"SELECT s.id AS submission_id, '{form_id}' AS form_id, s.hamlet_code, s.lat, s.lon, s.accuracy, "
            f"to_char(s.survey_date, 'YYYY-MM-DD') AS survey_date, s.survey_round, "
            f"extract(epoch FROM s.received_at) AS received_at, {selected} "
            f"{join} CROSS JOIN LATERAL {record} {condition}",
            ("submission_id", "lat", "lon", "accuracy", "received_at"),
        ))
        for repeat, repeat_fields in REPEATS[form_id].items():
            repeat_paths = [p for p in paths.get(repeat, []) if p in repeats] or [(repeat,)]
            inner = {
                name: [q for q in (split_at_repeat(p, rp) for p in paths.get(name, []) for rp in repeat_paths) if q]
                for name in repeat_fields
            }
            arrays = [
                f"x.{_identifier(rp[0])}" if len(rp) == 1 else f"(x.{_identifier(rp[0])} #> {_literal_path(rp[1:])})"
                for rp in repeat_paths
            ]
            array = " || ".join(
                f"(CASE WHEN jsonb_typeof({a}) = 'array' THEN {a} ELSE '[]'::jsonb END)" for a in arrays
            )
            repeat_record = ", ".join(f"{_identifier(top)} jsonb" for top in sorted({rp[0] for rp in repeat_paths}))
            selected_inner = ", ".join(f"{_element(inner[name])} AS {name}" for name in repeat_fields)
            queries.append((repeat,
                f"SELECT s.id AS submission_id, r.position, {selected_inner} {join} "
                f"CROSS JOIN LATERAL jsonb_to_record(v.parsed) AS x({repeat_record}) "
                f"CROSS JOIN LATERAL jsonb_array_elements({array}) WITH ORDINALITY AS r(doc, position) {condition}",
                ("submission_id", "position"),
            ))
    return queries, empty


LANE_MARK = " /*lane*/"
LANES = 2  # one connection (and one core) per lane
SPLIT_READS = {"pl_ho", "tv"}
# Memoize would cache on the whole repeat array (hashing every household's roster) and JIT
# compilation costs more than it saves on these simple scans.
SESSION_SETTINGS = "SET LOCAL enable_memoize = off; SET LOCAL jit = off"


def _raw_frames_copy() -> RawFrames:
    queries, empty = _copy_queries()
    frames = {key: pd.DataFrame(columns=columns) for key, columns in empty.items()}
    if connection.in_atomic_block:
        # Inside a transaction (tests, or a caller's atomic block) only this connection sees
        # the data: read sequentially on it.
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            cursor.execute(SESSION_SETTINGS)
            for key, query, numeric in queries:
                frames[key] = _copy_csv(cursor, query.replace(LANE_MARK, ""), numeric=numeric)
    else:
        frames.update(_copies_in_parallel(queries))
    return RawFrames(
        households=frames["pl_ho"], members=frames["tv"], stalls=frames["pl_cho"],
        assessments=frames["pl_kdc"], test_points=frames["diem_do"], agri_models=frames["mo_hinh_nn"],
    )


def _copies_in_parallel(queries: list[tuple[str, str, tuple]]) -> dict[str, pd.DataFrame]:
    """LANES connections reading one snapshot (pg_export_snapshot). The two big reads (the
    households and their roster) are split by submission id parity, one half per lane, so
    both cores work the whole time; every lane sees the same data."""
    params = connection.get_connection_params()
    raws = [connection.get_new_connection(params) for _ in range(LANES)]
    try:
        snapshot = None
        for raw in raws:
            raw.autocommit = True  # explicit BEGIN: the snapshot must be set first thing
            with raw.cursor() as cursor:
                cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                if snapshot is None:
                    cursor.execute("SELECT pg_export_snapshot()")
                    snapshot = cursor.fetchone()[0]
                else:
                    cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
                cursor.execute(SESSION_SETTINGS)
        lanes: list[list[tuple[str, str, tuple]]] = [[] for _ in range(LANES)]
        for key, query, numeric in queries:
            if key in SPLIT_READS:
                for lane in range(LANES):
                    lanes[lane].append((key, query.replace(LANE_MARK, f" AND s.id % {LANES} = {lane}"), numeric))
            else:
                lanes[0].append((key, query.replace(LANE_MARK, ""), numeric))

        def run(lane: int) -> list[tuple[str, pd.DataFrame]]:
            with raws[lane].cursor() as cursor:
                return [(key, _copy_csv(cursor, query, numeric=numeric)) for key, query, numeric in lanes[lane]]

        with ThreadPoolExecutor(max_workers=LANES) as pool:
            done = [item for lane_result in pool.map(run, range(LANES)) for item in lane_result]
        results = {}
        for key in dict.fromkeys(key for key, _ in done):
            results[key] = _concat_lanes([frame for k, frame in done if k == key])
        return results
    finally:
        for raw in raws:
            if not raw.closed:
                with raw.cursor() as cursor:
                    cursor.execute("ROLLBACK")
                raw.close()


def _concat_lanes(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Stack the lanes' frames; categoricals are unioned (a plain concat of categoricals with
    different categories falls back to Python objects)."""
    if len(frames) == 1:
        return frames[0]
    columns = {}
    for name in frames[0].columns:
        parts = [f[name] for f in frames]
        if all(isinstance(p.dtype, pd.CategoricalDtype) for p in parts):
            if len({p.cat.categories.dtype for p in parts}) > 1:
                # A lane whose column is all empty infers other category types (float for no
                # values): union on plain objects then. Rare, and only for small lanes.
                columns[name] = pd.concat([p.astype(object) for p in parts], ignore_index=True).astype("category")
            else:
                columns[name] = pd.Series(union_categoricals(parts, ignore_order=True))
        else:
            columns[name] = pd.concat(parts, ignore_index=True)
    return pd.DataFrame(columns)


def _copy_csv(cursor, query: str, *, numeric: tuple[str, ...]) -> pd.DataFrame:
    """Run `query` through COPY … TO STDOUT (CSV) and parse it in C.

    Answer columns come back as categoricals: a few hundred distinct answers over millions
    of rows cost one byte per row instead of a Python string each."""
    buffer = io.BytesIO()
    with cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER true)") as copy:
        for block in copy:
            buffer.write(block)
    buffer.seek(0)
    header = buffer.readline().decode().strip().split(",")
    buffer.seek(0)
    # Household codes are nearly unique: a categorical of them costs more than it saves.
    dtypes = {name: ("float64" if name in numeric else object if name in UNIQUE_TEXT else "category")
              for name in header}
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
