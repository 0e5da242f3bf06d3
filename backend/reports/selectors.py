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

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pandas as pd
from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from analytics.compute import AdministrativeFigure as Figure
from analytics.frames import (
    FIELDS,
    MEMBER_REPEAT,
    META_COLUMNS,
    REPEATS,
    STALL_FORM,
    RawFrames,
    answers_layout,
    raw_from_records,
)
from analytics.geo import LocationRule, hamlets_frame
from analytics.rounds import Round, scorecard_tier, tier_for_round
from backend.places.models import Hamlet, Market
from backend.reports.copy_out import copy_out_bytes
from backend.reports.models import ANSWERS_BY_KEY, AdministrativeFigure, RoundAssignment, SurveyRound
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
    """The version of everything the results depend on, taken now (`data_version`): a
    submission received, edited, reviewed or deleted (each writes a change-feed row), a round,
    a round assignment, an administrative figure, a hamlet or a market edited, or the settings
    that select submissions. Compare a stored one with `data_version_current`, never as text."""
    from backend.reports.data_version import data_version_take

    return data_version_take().encode()


@dataclass
class AnalysisInputs:
    raw: RawFrames
    hamlets: object  # GeoDataFrame
    rounds: list[Round]
    administrative: list[Figure]
    registered_stalls: int


def analysis_inputs_read(
    *, hamlets: Sequence[str] | None = None, commune_level: bool = True, hamlets_frame=None
) -> AnalysisInputs:
    """Everything the indicators read. `hamlets`: only these hamlets' submissions (one part of a
    split computation; None: all). `commune_level`: this part also reads what belongs to no
    hamlet on the list of hamlets — the market's stall interviews and any submission whose
    hamlet code is on no list — so that the parts together read everything exactly once. The
    hamlet table is always whole (a point is located against every polygon); `hamlets_frame`:
    that table as the caller already read it (`analysis_hamlets_read`, unchanged since)."""
    return AnalysisInputs(
        raw=raw_frames_read(hamlets=hamlets, commune_level=commune_level),
        hamlets=analysis_hamlets_read() if hamlets_frame is None else hamlets_frame,
        rounds=declared_rounds(),
        administrative=[
            Figure(f.indicator, f.round, f.numerator, f.denominator) for f in AdministrativeFigure.objects.all()
        ],
        registered_stalls=sum(Market.objects.values_list("registered_stalls", flat=True)),
    )


def analysis_hamlets_read():
    """Every hamlet with its boundary and register figures, as a GeoDataFrame."""
    return hamlets_frame(
        Hamlet.objects.values("code", "name", "name_en", "boundary", "registered_households", "population", "pilot_dra")
    )


def hamlets_with_weights() -> list[tuple[str, int, int]]:
    """(code, commune id, registered households) of every hamlet: what a split computation
    shares out (`analytics.parts.hamlet_parts`)."""
    return list(Hamlet.objects.order_by("code").values_list("code", "commune_id", "registered_households"))


# --- Which round a submission belongs to (the rule of `analytics.rounds.rounds_assign`) -------
# The analytics assign rounds in pandas from the survey date and the manual assignment (the
# frames' `survey_round` column carries the assignment, never the form's own round field); the
# lists below ask the same question of the database.


def declared_rounds() -> list[Round]:
    return [Round(r.name, r.start, r.end, r.target_year) for r in SurveyRound.objects.all()]


def round_target_year(round_name: str) -> int | None:
    """`analytics.rounds.tier_for_round` of a declared round (None: not declared)."""
    return tier_for_round(round_name, declared_rounds())


def round_scorecard_tier(round_name: str) -> int:
    """The scorecard tier (2027 or 2030) a round is judged against, from its target year: the
    one rule for the scorecard API, the dashboard and the public results page."""
    return scorecard_tier(round_target_year(round_name))


def _in_some_window(rounds) -> Q:
    inside = Q(pk__in=[])
    for round_ in rounds:
        inside |= Q(survey_date__gte=round_.start, survey_date__lte=round_.end)
    return inside


def analysed_submissions() -> QuerySet[Submission]:
    """The submissions that count (`counted_submissions`) of the forms the analytics read."""
    return counted_submissions().filter(form__form_id__in=list(FIELDS))


def submissions_unassigned(actor) -> QuerySet[Submission]:
    """Counted submissions this actor may read that belong to no round: no manual assignment
    and a survey date (or none) outside every declared window. Oldest survey date first."""
    from backend.submissions.selectors import submissions_visible_to

    visible = submissions_visible_to(actor).values("pk")
    return (
        analysed_submissions()
        .filter(pk__in=visible, round_assignment__isnull=True)
        .exclude(_in_some_window(SurveyRound.objects.all()))
        .select_related("form", "volunteer")
        .annotate(current_instance_id=F("current_version__instance_id"))
        .order_by(F("survey_date").asc(nulls_first=True), "id")
    )


def submissions_in_round(survey_round: SurveyRound, queryset: QuerySet[Submission] | None = None):
    """The submissions of one declared round: assigned to it by hand, or inside its window and
    assigned to no other round by hand (windows do not overlap: the services refuse that)."""
    queryset = analysed_submissions() if queryset is None else queryset
    return queryset.filter(
        Q(round_assignment__round=survey_round)
        | Q(round_assignment__isnull=True, survey_date__gte=survey_round.start, survey_date__lte=survey_round.end)
    )


def raw_frames_read(*, hamlets: Sequence[str] | None = None, commune_level: bool = True) -> RawFrames:
    if connection.vendor == "postgresql":
        return _raw_frames_copy(hamlets, commune_level)
    return _raw_frames_iter(hamlets, commune_level)


def _part_of(
    submissions: QuerySet[Submission], hamlets: Sequence[str] | None, commune_level: bool
) -> QuerySet[Submission]:
    """A part's submissions of the hamlet-level forms: those of its hamlets, and, for the
    commune-level part, those of a hamlet code on no list (they count in the commune)."""
    if hamlets is None:
        return submissions
    scope = Q(hamlet_code__in=list(hamlets))
    if commune_level:
        scope |= ~Q(hamlet_code__in=Hamlet.objects.values("code"))
    return submissions.filter(scope)


def _raw_frames_iter(hamlets: Sequence[str] | None = None, commune_level: bool = True) -> RawFrames:
    submissions = analysed_submissions()
    if hamlets is not None or not commune_level:
        # Stalls belong to no hamlet: the commune-level part reads them all, the others none.
        stalls = submissions.filter(form__form_id=STALL_FORM) if commune_level else submissions.none()
        submissions = _part_of(submissions.exclude(form__form_id=STALL_FORM), hamlets, commune_level) | stalls
    rows = (
        submissions.annotate(assigned_round=Coalesce(F("round_assignment__round__name"), Value("")))
        .values_list(
            "id",
            "form__form_id",
            "hamlet_code",
            "lat",
            "lon",
            "accuracy",
            "survey_date",
            "assigned_round",
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


def _copy_queries(
    hamlets: Sequence[str] | None = None, commune_level: bool = True
) -> tuple[list[tuple[str, str, tuple, int]], dict[str, list[str]]]:
    """[(frame key, query, numeric columns, lane)], and the columns of frames with no form yet.

    A form's own rows come from its submissions (the typed columns, the review filter) joined
    to their answers; `unprojected` marks a submission whose answers are missing or were
    extracted from another version or layout. Which submissions count is `counted_submissions()`
    itself, compiled to SQL (`_counted_sql`), so the two readers cannot disagree. Repeat rows
    are read whole, without the join, and filtered in pandas (`_only_counted`): a hash join of
    millions of rows costs more. A part of a split computation (`hamlets`, `commune_level`) reads its
    submissions only, and the repeat rows of those submissions."""
    assignments, rounds = RoundAssignment._meta.db_table, SurveyRound._meta.db_table
    queries, empty = [], {}
    forms = {f.form_id: f for f in Form.objects.filter(form_id__in=list(FIELDS))}
    for form_id, fields in FIELDS.items():
        form = forms.get(form_id)
        if form is None or (form_id == STALL_FORM and not commune_level):
            empty[form_id] = META_COLUMNS + fields
            for repeat, repeat_fields in REPEATS[form_id].items():
                empty[repeat] = ["submission_id", "position"] + repeat_fields
            continue
        answers = ANSWERS_BY_KEY[form_id]._meta.db_table
        scope = (None, True) if form_id == STALL_FORM else (hamlets, commune_level)  # stalls: no hamlet
        selected = ", ".join(f"a.{_identifier(name)}" for name in fields)
        queries.append(
            (
                form_id,
                f"SELECT s.id AS submission_id, '{form_id}' AS form_id, s.hamlet_code, s.lat, s.lon, s.accuracy, "
                f"s.survey_date, COALESCE(r.name, '') AS survey_round, "
                f"date_part('epoch', s.received_at) AS received_at, {selected}, "
                f"a.submission_id IS NULL AS unprojected "
                f"FROM ({_counted_sql(form, *scope)}) s LEFT JOIN {answers} a "
                f"ON a.submission_id = s.id AND a.version_id = s.current_version_id "
                f"AND a.layout = '{answers_layout(form_id)}' "
                f"LEFT JOIN {assignments} ra ON ra.submission_id = s.id LEFT JOIN {rounds} r ON r.id = ra.round_id",
                ("submission_id", "lat", "lon", "accuracy", "received_at"),
                0,
            )
        )
        for repeat, repeat_fields in REPEATS[form_id].items():
            table = ANSWERS_BY_KEY[repeat]._meta.db_table
            columns = ", ".join(_identifier(name) for name in ["submission_id", "position", *repeat_fields])
            where = "" if scope[0] is None else f" WHERE submission_id IN ({_part_ids_sql(form, *scope)})"
            queries.append(
                (
                    repeat,
                    f"SELECT {columns} FROM {table}{where}",
                    ("submission_id", "position"),
                    MEMBER_LANE if repeat == MEMBER_REPEAT else 0,
                )
            )
    return queries, empty


def _counted_sql(form: Form, hamlets: Sequence[str] | None = None, commune_level: bool = True) -> str:
    """`counted_submissions()` of one form (of some hamlets) as SQL text with its parameters
    bound (COPY takes no parameters). Unordered, so PostgreSQL pulls the subquery up into a
    plain scan."""
    rows = (
        _part_of(counted_submissions().filter(form=form), hamlets, commune_level)
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


def _part_ids_sql(form: Form, hamlets: Sequence[str], commune_level: bool) -> str:
    """The ids of one form's submissions in a part, for the part's repeat rows."""
    ids = _part_of(Submission.objects.filter(form=form), hamlets, commune_level).order_by().values("id")
    sql, params = ids.query.sql_with_params()
    return connection.ops.compose_sql(sql, params)


def _identifier(name: str) -> str:
    # Field names are XML NCNames from our own lists, but never trust a name into SQL.
    if not name or not all(c.isalnum() or c == "_" for c in name):
        raise ValueError(f"unexpected field name {name!r}")
    return f'"{name}"'


def _raw_frames_copy(hamlets: Sequence[str] | None = None, commune_level: bool = True) -> RawFrames:
    queries, empty = _copy_queries(hamlets, commune_level)
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
    buffer = copy_out_bytes(cursor, f"COPY ({query}) TO STDOUT WITH (FORMAT csv, HEADER true)")
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


# --- Coverage: one reading for the hamlet page, the dashboard and the exports ---------------
# The households of a round as the indicators count them: the submissions that count
# (`counted_submissions`, ANALYTICS_ONLY_APPROVED included), in the round by `rounds_assign`,
# one row per household (its latest interview), refusals apart. It is read from the stored
# results (the coverage table the xlsx export carries), never counted again another way.

COVERAGE_STATUSES = ("surveyed", "refused")
# Against the household register (backend/registers): each household of the register in the
# round's scope, settled by its latest counted visit of the round, or not yet visited.
REGISTER_STATUSES = ("visited", "refused", "moved", "not_found", "not_visited")


@dataclass(frozen=True)
class HamletCoverage:
    code: str
    name: str
    registered: int
    counts: dict[str, int]  # households per status (COVERAGE_STATUSES)
    flagged: int = 0  # surveyed households whose location awaits review
    # Register households per status (REGISTER_STATUSES) and "households" (in the register).
    register: dict[str, int] = field(default_factory=dict)

    @property
    def surveyed(self) -> int:
        return self.counts.get("surveyed", 0)

    @property
    def refused(self) -> int:
        return self.counts.get("refused", 0)

    @property
    def percent(self) -> float | None:
        return round(100 * self.surveyed / self.registered, 1) if self.registered else None


@dataclass(frozen=True)
class RoundCoverage:
    round: str
    hamlets: list[HamletCoverage]

    @property
    def registered(self) -> int:
        return sum(h.registered for h in self.hamlets)

    @property
    def totals(self) -> dict[str, int]:
        return {status: sum(h.counts.get(status, 0) for h in self.hamlets) for status in COVERAGE_STATUSES}

    @property
    def register_totals(self) -> dict[str, int]:
        return {
            status: sum(h.register.get(status, 0) for h in self.hamlets)
            for status in ("households", *REGISTER_STATUSES)
        }


def computed_rounds(stored) -> list[str]:
    """The declared rounds with stored results, oldest first (the rounds every page offers)."""
    return sorted(r.round for r in stored)


def round_coverage(stored, *, round_name: str, hamlets: frozenset[str] | None = None) -> RoundCoverage:
    """Coverage of one round per hamlet (only `hamlets` when given) from the stored results
    `stored` (`services.indicator_results_current`)."""
    from analytics.exports import tables_unpack
    from backend.places.selectors import hamlet_list

    result = next((r for r in stored if r.round == round_name), None)
    table = tables_unpack(result.tables).get("coverage") if result is not None else None
    register = round_register_coverage(round_name, hamlets=hamlets)
    by_hamlet: dict[str, dict] = {}
    if table is not None and len(table):
        for row in table.to_dict("records"):
            by_hamlet[str(row["hamlet"])] = row
    rows = []
    for hamlet in hamlet_list(codes=hamlets):
        found = by_hamlet.get(hamlet.code, {})
        rows.append(
            HamletCoverage(
                code=hamlet.code,
                name=hamlet.name,
                registered=int(hamlet.registered_households or 0),
                counts={status: int(found.get(status, 0) or 0) for status in COVERAGE_STATUSES},
                flagged=int(found.get("flagged", 0) or 0),
                register=register.get(hamlet.code, dict.fromkeys(("households", *REGISTER_STATUSES), 0)),
            )
        )
    return RoundCoverage(round=round_name, hamlets=rows)


def round_register_visits(survey_round: SurveyRound):
    """The submissions whose household visits count in this round (any form with an entity
    block): counted, and in the round by manual assignment or window."""
    return submissions_in_round(survey_round, counted_submissions())


def round_household_statuses(round_name: str, *, hamlets: frozenset[str] | None = None) -> list:
    """Each live household of the register (in `hamlets` when given) with its status in one
    declared round (`backend.registers.selectors.RoundStatus`: visited / refused / moved /
    not_found / not_visited, the submission that settled it, visits in the round): the one
    reading behind the coverage counts and the per-household lookup. Undeclared round: []."""
    from backend.registers.selectors import household_round_status

    survey_round = SurveyRound.objects.filter(name=round_name).first()
    if survey_round is None:
        return []
    return household_round_status(
        None,
        submissions=round_register_visits(survey_round),
        end=survey_round.end,
        hamlets=hamlets,
    )


@dataclass(frozen=True)
class RoundHouseholdLookup:
    """A round's register statuses for per-row lookups (the exports' column): by household
    (the entity id) and by submission (every visit of the round → its household's status,
    so an earlier, superseded visit reads the status the later one settled)."""

    round: str
    by_household: dict[str, object]  # household id → RoundStatus
    by_submission: dict[int, object]  # submission id → RoundStatus of the household it visited

    def status_of_submission(self, submission_id: int) -> str:
        """The register status of the household a submission visited ("" when it visited
        none in this round: another form, no entity block, or outside the round)."""
        found = self.by_submission.get(submission_id)
        return found.status if found is not None else ""


def round_household_lookup(round_name: str, *, hamlets: frozenset[str] | None = None) -> RoundHouseholdLookup:
    from backend.registers.models import HouseholdVisit

    statuses = round_household_statuses(round_name, hamlets=hamlets)
    by_household = {s.household_id: s for s in statuses}
    by_submission: dict[int, object] = {}
    survey_round = SurveyRound.objects.filter(name=round_name).first()
    if survey_round is not None and by_household:
        visits = HouseholdVisit.objects.filter(
            submission_id__in=round_register_visits(survey_round).values("pk")
        ).values_list("submission_id", "household_id")
        for submission_id, household_id in visits:
            status = by_household.get(str(household_id))
            if status is not None:
                by_submission[submission_id] = status
    return RoundHouseholdLookup(round=round_name, by_household=by_household, by_submission=by_submission)


def round_register_coverage(round_name: str, *, hamlets: frozenset[str] | None = None) -> dict[str, dict[str, int]]:
    """{hamlet: {households, visited, refused, moved, not_found, not_visited}} of one declared
    round against the household register: the round's submissions by the rounds' own rule
    (`submissions_in_round`: manual assignment or window, counted submissions only)."""
    from backend.registers.selectors import round_coverage as register_counts

    return register_counts(round_household_statuses(round_name, hamlets=hamlets))


def round_interviews_by_volunteer(actor, *, survey_round: SurveyRound, hamlets: frozenset[str] | None) -> list[dict]:
    """Household interviews per volunteer and hamlet in one round (every interview, a revisit
    included: this is the volunteers' work, the households are in `round_coverage`)."""
    from backend.submissions.selectors import submissions_visible_to

    household_form = Form.objects.filter(form_id="pl_ho").first()
    if household_form is None:
        return []
    rows = submissions_in_round(survey_round, analysed_submissions().filter(form=household_form))
    rows = rows.filter(pk__in=submissions_visible_to(actor, form=household_form).values("pk"))
    if hamlets is not None:
        rows = rows.filter(hamlet_code__in=hamlets)
    answers = ANSWERS_BY_KEY["pl_ho"].objects.filter(submission__in=rows)
    return list(
        answers.values("submission__volunteer__name", "submission__hamlet_code")
        .annotate(
            n=Count("submission"),
            # a household met that said no; moved away / not found are not refusals
            refused=Count("submission", filter=Q(dong_y="khong")),
            approved=Count("submission", filter=Q(submission__review_state=ReviewState.APPROVED)),
        )
        .order_by("submission__volunteer__name", "submission__hamlet_code")
    )
