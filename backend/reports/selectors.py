"""Reads for reports: who sees microdata, the analysis frames, and the stored results.

Whether a reader gets unsuppressed aggregates is `backend.accounts.policy.sees_microdata`;
the API, exports and maps all ask it.

The frames reader has two paths with one result:
* PostgreSQL: the answers projection (plain text columns extracted at ingest, see
  `backend/reports/answers.py`) joined to the submissions' typed columns, streamed with COPY
  as CSV and parsed by pandas in C. No per-row Python objects and no JSON decompression,
  which is what makes a province (1M households, ~3M persons) readable in about 2 seconds.
  Submissions whose answers are missing or stale are listed in `RawFrames.unprojected` for
  the caller to repair and read again.
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

from analytics.compute import AdministrativeFigure as Figure
from analytics.frames import (
    FIELDS,
    MEMBER_REPEAT,
    META_COLUMNS,
    REPEATS,
    RawFrames,
    answers_layout,
    raw_from_records,
)
from analytics.geo import LocationRule, hamlets_frame
from analytics.rounds import Round
from backend.places.models import Hamlet, Market
from backend.reports.models import ANSWERS_BY_KEY, AdministrativeFigure, SurveyRound
from backend.submissions.models import ReviewState, Submission
from backend.surveys.models import Form

UNIQUE_TEXT = {"ma_ho", "sap_so", "mh_ten"}
CHUNK_SIZE = 2000


def hamlets_seen_unsuppressed(actor) -> frozenset[str]:
    """The hamlets whose aggregates this reader gets without small-cell suppression although
    they see no microdata elsewhere: a hamlet head's own hamlets. They review those households
    one by one (`submissions_visible_to`), so hiding their totals from them protects nobody.
    Everyone else without microdata: none. The commune rows are never unsuppressed this way."""
    from backend.accounts import policy

    return frozenset(actor.hamlet_codes) if policy.sees_own_hamlets(actor) else frozenset()


def location_rule() -> LocationRule:
    """The one outside-hamlet / GPS-accuracy rule, from the settings: the hamlet head's map,
    the dashboard's location review and the indicators all flag households with it."""
    return LocationRule(
        tolerance_m=settings.ANALYTICS_OUTSIDE_TOLERANCE_M, max_accuracy_m=settings.ANALYTICS_MAX_ACCURACY_M
    )


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
        Submission.objects.aggregate(
            n=Count("id"),
            last=Max("updated_at"),
            top=Max("id"),
            deleted=Count("id", filter=Q(deleted_at__isnull=False)),
        ),
        SurveyRound.objects.aggregate(n=Count("id"), last=Max("updated_at")),
        AdministrativeFigure.objects.aggregate(n=Count("id"), last=Max("updated_at")),
        Hamlet.objects.aggregate(n=Count("id"), last=Max("updated_at")),
        Market.objects.aggregate(stalls=Max("registered_stalls"), n=Count("id")),
        (settings.ANALYTICS_ONLY_APPROVED, location_rule()),
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
            Hamlet.objects.values(
                "code", "name", "name_en", "boundary", "registered_households", "population", "pilot_dra"
            )
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
    rows = (
        counted_submissions()
        .filter(form__form_id__in=list(FIELDS))
        .values_list(
            "id",
            "form__form_id",
            "hamlet_code",
            "lat",
            "lon",
            "accuracy",
            "survey_date",
            "survey_round",
            "received_at",
            "current_version__parsed",
        )
        .order_by("id")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    names = META_COLUMNS + ["parsed"]
    return raw_from_records(dict(zip(names, row, strict=True)) for row in rows)


# --- PostgreSQL fast path ---------------------------------------------------------------

LANES = 2  # one connection (and one core) per lane
MEMBER_LANE = 1  # the roster, the biggest read, has a lane to itself; everything else shares lane 0
# JIT compilation costs more than it saves on these scans; dates are sent as YYYY-MM-DD.
SESSION_SETTINGS = "SET LOCAL jit = off; SET LOCAL DateStyle = 'ISO'"


def _copy_queries() -> tuple[list[tuple[str, str, tuple, int]], dict[str, list[str]]]:
    """[(frame key, query, numeric columns, lane)], and the columns of frames with no form yet.

    A form's own rows come from its submissions (the typed columns, the review filter) joined
    to their answers; `unprojected` marks a submission whose answers are missing or were
    extracted from another version or layout. Which submissions count is `counted_submissions()`
    itself, compiled to SQL (`_counted_sql`), so the two readers cannot disagree. Repeat rows
    are read whole, without the join, and filtered in pandas (`_only_counted`): a hash join of
    millions of rows costs more."""
    queries, empty = [], {}
    forms = {f.form_id: f for f in Form.objects.filter(form_id__in=list(FIELDS))}
    for form_id, fields in FIELDS.items():
        form = forms.get(form_id)
        if form is None:
            empty[form_id] = META_COLUMNS + fields
            for repeat, repeat_fields in REPEATS[form_id].items():
                empty[repeat] = ["submission_id", "position"] + repeat_fields
            continue
        answers = ANSWERS_BY_KEY[form_id]._meta.db_table
        selected = ", ".join(f"a.{_identifier(name)}" for name in fields)
        queries.append(
            (
                form_id,
                f"SELECT s.id AS submission_id, '{form_id}' AS form_id, s.hamlet_code, s.lat, s.lon, s.accuracy, "
                f"s.survey_date, s.survey_round, date_part('epoch', s.received_at) AS received_at, {selected}, "
                f"a.submission_id IS NULL AS unprojected "
                f"FROM ({_counted_sql(form)}) s LEFT JOIN {answers} a "
                f"ON a.submission_id = s.id AND a.version_id = s.current_version_id "
                f"AND a.layout = '{answers_layout(form_id)}'",
                ("submission_id", "lat", "lon", "accuracy", "received_at"),
                0,
            )
        )
        for repeat, repeat_fields in REPEATS[form_id].items():
            table = ANSWERS_BY_KEY[repeat]._meta.db_table
            columns = ", ".join(_identifier(name) for name in ["submission_id", "position", *repeat_fields])
            queries.append(
                (
                    repeat,
                    f"SELECT {columns} FROM {table}",
                    ("submission_id", "position"),
                    MEMBER_LANE if repeat == MEMBER_REPEAT else 0,
                )
            )
    return queries, empty


def _counted_sql(form: Form) -> str:
    """`counted_submissions()` of one form as SQL text with its parameters bound (COPY takes
    no parameters). Unordered, so PostgreSQL pulls the subquery up into a plain scan."""
    rows = (
        counted_submissions()
        .filter(form=form)
        .order_by()
        .values(
            "id",
            "hamlet_code",
            "lat",
            "lon",
            "accuracy",
            "survey_date",
            "survey_round",
            "received_at",
            "current_version_id",
        )
    )
    sql, params = rows.query.sql_with_params()
    return connection.ops.compose_sql(sql, params)


def _identifier(name: str) -> str:
    # Field names are XML NCNames from our own lists, but never trust a name into SQL.
    if not name or not all(c.isalnum() or c == "_" for c in name):
        raise ValueError(f"unexpected field name {name!r}")
    return f'"{name}"'


def _raw_frames_copy() -> RawFrames:
    queries, empty = _copy_queries()
    frames = {key: pd.DataFrame(columns=columns) for key, columns in empty.items()}
    if connection.in_atomic_block:
        # Inside a transaction (tests, or a caller's atomic block) only this connection sees
        # the data: read sequentially on it.
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            cursor.execute(SESSION_SETTINGS)
            for key, query, numeric, _lane in queries:
                frames[key] = _copy_csv(cursor, query, numeric=numeric)
    else:
        frames.update(_copies_in_parallel(queries))
    unprojected: list[int] = []
    for form_id in FIELDS:
        frame = frames[form_id]
        counted = frame["submission_id"]
        if "unprojected" in frame:
            flagged = frame["unprojected"].astype(str).eq("t").to_numpy()
            unprojected += counted.to_numpy()[flagged].tolist()
            counted = counted[~flagged] if flagged.any() else counted
            frames[form_id] = frame.drop(columns="unprojected")
        for repeat in REPEATS[form_id]:
            frames[repeat] = _only_counted(frames[repeat], counted)
    return RawFrames(
        households=frames["pl_ho"],
        members=frames["tv"],
        stalls=frames["pl_cho"],
        assessments=frames["pl_kdc"],
        test_points=frames["diem_do"],
        agri_models=frames["mo_hinh_nn"],
        unprojected=unprojected,
    )


def _only_counted(rows: pd.DataFrame, counted_ids: pd.Series) -> pd.DataFrame:
    """Repeat rows of the submissions that count (not deleted, not rejected) and whose
    answers are current: a stale roster is read again after its repair."""
    if rows.empty:
        return rows
    kept = rows["submission_id"].isin(counted_ids).to_numpy()
    return rows if kept.all() else rows[kept].reset_index(drop=True)


def _copies_in_parallel(queries: list[tuple[str, str, tuple, int]]) -> dict[str, pd.DataFrame]:
    """LANES connections reading one snapshot (pg_export_snapshot), so the roster and the
    households it belongs to are read as of the same moment while both cores work."""
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

        def run(lane: int) -> list[tuple[str, pd.DataFrame]]:
            with raws[lane].cursor() as cursor:
                return [
                    (key, _copy_csv(cursor, query, numeric=numeric))
                    for key, query, numeric, query_lane in queries
                    if query_lane == lane
                ]

        with ThreadPoolExecutor(max_workers=LANES) as pool:
            return dict(item for lane_result in pool.map(run, range(LANES)) for item in lane_result)
    finally:
        for raw in raws:
            if not raw.closed:
                with raw.cursor() as cursor:
                    cursor.execute("ROLLBACK")
                raw.close()


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
    dtypes = {
        name: ("float64" if name in numeric else object if name in UNIQUE_TEXT else "category") for name in header
    }
    frame = pd.read_csv(buffer, dtype=dtypes, keep_default_na=False, na_values={n: [""] for n in numeric})
    for name in ("submission_id", "position"):
        if name in frame:
            frame[name] = frame[name].astype("int64")
    return frame
