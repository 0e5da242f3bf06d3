"""Writes for reports: recompute and store indicator results; enter rounds and figures.

Freshness: results are stored per round with the fingerprint of the data they came from.
A reader gets the stored result at once; if the data changed since, one recomputation job is
enqueued (`indicator_recompute_request`: one active job however many readers ask, run by a
Celery worker — see jobs.py; in-process when there is no broker) and the next reader gets the
new figures. The management command recomputes in the foreground; Celery beat runs the
nightly recomputation.
"""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from analytics.exports import tables_pack
from analytics.frames import frames_typed
from analytics.parts import hamlet_parts
from analytics.pipeline import (
    PartialResults,
    Results,
    Stopwatch,
    partial_results_compute,
    partials_merge,
    results_combine,
)
from analytics.rounds import DEFAULT_ROUNDS, Round, windows_overlapping
from analytics.scorecard import LABEL_COLUMNS
from backend.audit.services import audit_record
from backend.core.errors import (
    bad_request,
    results_computing,
    round_assignment_refused,
    survey_round_exists,
    survey_round_overlap,
)
from backend.core.locks import row_lock, rows_lock
from backend.jobs.models import Job, JobState
from backend.jobs.services import job_enqueue
from backend.reports.answers import submission_answers_repair
from backend.reports.data_version import data_version_current
from backend.reports.incremental import base_store, hamlets_remember, hamlets_remembered, partial_updated, update_plan
from backend.reports.models import (
    ADMINISTRATIVE_INDICATORS,
    AdministrativeFigure,
    ComputedPart,
    ComputedResult,
    RoundAssignment,
    SurveyRound,
)
from backend.reports.selectors import (
    AnalysisInputs,
    analysed_submissions,
    analysis_hamlets_read,
    analysis_inputs_read,
    data_fingerprint,
    declared_rounds,
    hamlets_with_weights,
    location_rule,
)
from backend.submissions.models import Submission

logger = logging.getLogger(__name__)
FIRST_COMPUTATION_RETRY_S = 15  # a province's first computation takes ~11 s
RECOMPUTE_JOB = "indicators.recompute"
PART_JOB = "indicators.part"


@dataclass
class ComputeReport:
    rounds: list[str]
    timings: dict[str, float]
    counts: dict[str, int]
    fingerprint: str
    hamlets: list[str] | None = None  # the hamlets read again by an incremental one (None: all)


def indicator_results_compute(
    *, round_name: str | None = None, progress: Callable[[str, float, str], None] | None = None
) -> ComputeReport:
    """Read everything, compute, and replace the stored results (all rounds, or one).

    `progress(stage, seconds, detail)` is called after each stage (read, join, compute, write)."""
    watch = Stopwatch()
    fingerprint = data_fingerprint()
    partial, inputs = _part_compute(
        hamlets=None, commune_level=True, round_name=round_name, watch=watch, progress=progress
    )
    results = results_combine([partial], inputs.hamlets, rounds=inputs.rounds, stopwatch=watch, labelled=False)
    report = _results_write(results, fingerprint=fingerprint, round_name=round_name, watch=watch, progress=progress)
    if round_name is None:
        with watch.stage("base"):
            base_store(partial, fingerprint)  # what the next incremental recomputation starts from
    return report


def indicator_results_update(*, progress: Callable[[str, float, str], None] | None = None) -> ComputeReport | None:
    """Recompute only the hamlets whose submissions changed since the last computation and
    store the results of every round (`backend/reports/incremental.py`: exactly what a full
    recomputation gives). None, having stored nothing, when a full recomputation is needed.
    The caller holds the recompute lock."""
    watch = Stopwatch()
    with watch.stage("plan"):
        plan, why = update_plan()
    if plan is None:
        logger.info("incremental recomputation not possible (%s): a full one is needed", why)
        return None
    if plan.hamlets:
        part, inputs = _part_compute(
            hamlets=plan.hamlets,
            commune_level=False,
            round_name=None,
            watch=watch,
            progress=progress,
            hamlets_frame=hamlets_remembered(plan.tables),
        )
        hamlets_remember(plan.tables, inputs.hamlets)
        hamlets_frame, rounds = inputs.hamlets, inputs.rounds
        with watch.stage("compute"):
            partial = partial_updated(plan, part)
    else:  # stale for changes the indicators do not read (another form): the base's figures
        with watch.stage("read"):
            hamlets_frame = hamlets_remembered(plan.tables)
            hamlets_frame = analysis_hamlets_read() if hamlets_frame is None else hamlets_frame
            rounds = declared_rounds()
        partial = plan.base.partial
    results = results_combine([partial], hamlets_frame, rounds=rounds, stopwatch=watch, labelled=False)
    report = _results_write(results, fingerprint=plan.version, round_name=None, watch=watch, progress=progress)
    with watch.stage("base"):
        base_store(partial, plan.version)
    report.timings = dict(watch.timings)
    report.hamlets = plan.hamlets
    return report


def _part_compute(
    *,
    hamlets: list[str] | None,
    commune_level: bool,
    round_name: str | None,
    watch: Stopwatch,
    progress: Callable[[str, float, str], None] | None = None,
    hamlets_frame=None,
) -> tuple[PartialResults, AnalysisInputs]:
    """Read one part's data (all of it when `hamlets` is None) and compute its hamlet rows.
    `hamlets_frame`: the hamlet table, when the caller knows it unchanged since it was read."""
    with watch.stage("read"):
        inputs = analysis_inputs_read(hamlets=hamlets, commune_level=commune_level, hamlets_frame=hamlets_frame)
    if inputs.raw.unprojected:
        # Submissions stored before the answers projection, or under an older field layout.
        with watch.stage("repair"):
            repaired = submission_answers_repair(submission_ids=inputs.raw.unprojected)
        if progress:
            progress("repair", watch.timings["repair"], f"{repaired} phiếu được trích xuất lại câu trả lời")
        with watch.stage("read"):
            inputs = analysis_inputs_read(hamlets=hamlets, commune_level=commune_level, hamlets_frame=hamlets_frame)
        if inputs.raw.unprojected:
            logger.warning("answers still missing for %d submissions after repair", len(inputs.raw.unprojected))
    with watch.stage("read"):
        frames = frames_typed(inputs.raw)
    if progress:
        progress(
            "read",
            watch.timings["read"],
            f"{len(frames.households)} hộ, {len(frames.members)} người 15+, "
            f"{len(frames.stalls)} sạp, {len(frames.assessments)} phiếu ấp",
        )
    rule = location_rule()
    partial = partial_results_compute(
        frames,
        inputs.hamlets,
        rounds=inputs.rounds,
        administrative=inputs.administrative,
        registered_stalls=inputs.registered_stalls,
        tolerance_m=rule.tolerance_m,
        max_accuracy_m=rule.max_accuracy_m,
        only_round=round_name,
        commune_level=commune_level,
        stopwatch=watch,
    )
    return partial, inputs


def _results_write(
    results: Results,
    *,
    fingerprint: str,
    round_name: str | None,
    watch: Stopwatch,
    progress: Callable[[str, float, str], None] | None = None,
) -> ComputeReport:
    if progress:
        progress("join", watch.timings.get("join", 0.0), f"{results.counts['flagged']} hộ cần kiểm tra vị trí")
        progress("compute", watch.timings.get("compute", 0.0), f"{len(results.rows)} dòng chỉ số")
    with watch.stage("write"):
        rounds = results_store(results=results, fingerprint=fingerprint, round_name=round_name, timings=watch.timings)
    if progress:
        progress("write", watch.timings["write"], f"{len(rounds)} đợt: {', '.join(rounds) or '—'}")
    return ComputeReport(rounds=rounds, timings=dict(watch.timings), counts=results.counts, fingerprint=fingerprint)


# --- A computation split into parts (issue 14: more workers finish sooner) -----------------
# `indicators.recompute` with ANALYTICS_PARTS > 1 and a broker enqueues one `indicators.part`
# job per part; each reads only its hamlets' submissions and stores its hamlet rows
# (`ComputedPart`); the job that stores the last part combines them (under the recompute lock)
# into exactly the figures of one computation and stores the results. Every step is
# idempotent: a part already stored for the fingerprint is not computed again, and a
# combination finds the results fresh and stops.


def indicator_parts_plan(count: int) -> list[list[str]]:
    """The hamlet codes of each part: whole communes when there are enough (a province)."""
    return hamlet_parts(hamlets_with_weights(), count)


def indicator_parts_enqueue(*, fingerprint: str, count: int, force: bool = False, user=None) -> list[Job]:
    """`force`: combine and store even when the stored results match the data (the nightly
    run: new code or new targets)."""
    return [
        job_enqueue(
            kind=PART_JOB,
            params={"fingerprint": fingerprint, "index": index, "count": count, "force": force},
            user=user,
            dedupe_key=f"{PART_JOB}:{fingerprint}:{index}/{count}",
        )
        for index in range(count)
    ]


def indicator_part_compute(*, fingerprint: str, index: int, count: int) -> bool:
    """Compute and store part `index` of `count` (False: it was already stored)."""
    if ComputedPart.objects.filter(fingerprint=fingerprint, index=index, count=count).exists():
        return False
    watch = Stopwatch()
    hamlets = indicator_parts_plan(count)[index]
    partial, _inputs = _part_compute(hamlets=hamlets, commune_level=index == 0, round_name=None, watch=watch)
    ComputedPart.objects.get_or_create(
        fingerprint=fingerprint,
        index=index,
        count=count,
        defaults={
            "hamlets": len(hamlets),
            "timings": {k: round(v, 3) for k, v in watch.timings.items()},
            # Our own objects, written and read only by this server's workers.
            "data": pickle.dumps(partial, protocol=pickle.HIGHEST_PROTOCOL),
        },
    )
    return True


def indicator_parts_combine(*, fingerprint: str, count: int) -> ComputeReport | None:
    """When every part of `fingerprint` is stored: combine them, store the results, drop the
    parts. None when a part is still missing. The caller holds the recompute lock."""
    stored = list(ComputedPart.objects.filter(fingerprint=fingerprint, count=count).order_by("index"))
    if len(stored) < count:
        return None
    watch = Stopwatch()
    for part in stored:
        for stage, seconds in part.timings.items():
            watch.timings[stage] = max(watch.timings.get(stage, 0.0), seconds)  # the parts ran side by side
    partials = [pickle.loads(part.data) for part in stored]  # noqa: S301 (our own rows, see above)
    inputs_hamlets, rounds = analysis_hamlets_read(), declared_rounds()
    results = results_combine(partials, inputs_hamlets, rounds=rounds, stopwatch=watch, labelled=False)
    report = _results_write(results, fingerprint=fingerprint, round_name=None, watch=watch)
    if all("hamlet_counts" in vars(p) for p in partials):  # parts pickled before bases existed have none
        base_store(partials_merge(partials), fingerprint)
    # This computation's parts, and any left by an older one (a newer one's stay).
    oldest = min(part.created_at for part in stored)
    ComputedPart.objects.filter(Q(fingerprint=fingerprint) | Q(created_at__lt=oldest)).delete()
    return report


@transaction.atomic
def results_store(*, results: Results, fingerprint: str, round_name: str | None, timings: dict) -> list[str]:
    """Replace the stored result of each round present (all of them when `round_name` is None)."""
    rows = results.rows
    rounds = sorted(set(rows["round"])) if len(rows) else []
    if round_name is not None:
        rounds = [r for r in rounds if r == round_name] or [round_name]
    else:
        ComputedResult.objects.exclude(round__in=rounds).delete()
    now = timezone.now()
    scorecard = results.scorecard.drop(columns=LABEL_COLUMNS, errors="ignore")
    for name in rounds:

        def pick(frame, name=name):
            return frame[frame["round"] == name] if frame is not None and len(frame) else frame

        ComputedResult.objects.update_or_create(
            round=name,
            defaults={
                "fingerprint": fingerprint,
                "computed_at": now,
                "duration_s": round(sum(timings.values()), 3),
                "timings": {k: round(v, 3) for k, v in timings.items()},
                "counts": results.counts,
                "tables": tables_pack(
                    {
                        "rows": pick(rows),
                        "scorecard": pick(scorecard),
                        "summary": pick(results.scorecard_summary),
                        "coverage": pick(results.coverage),
                        "review": pick(results.review.drop(columns=["accuracy"], errors="ignore")),
                    }
                ),
            },
        )
    return rounds


def indicator_results_current(*, background: bool = True, user=None) -> tuple[list[ComputedResult], bool]:
    """(stored results, stale). Never waits for a recomputation when results exist (unless
    there is no broker: then the job runs in this request). With nothing stored yet, a
    commune-sized database is computed during the request (about a second); a bigger one by a
    job, and the reader gets `results_computing` (503 with Retry-After and the job's id) until
    the first results are stored."""
    # Without the packed tables (megabytes at province scale): a reader whose body is cached
    # never needs them, and the others load them on first use (`results._Computation`).
    stored = list(ComputedResult.objects.defer("tables"))
    if not stored:
        if Submission.objects.count() <= settings.ANALYTICS_FOREGROUND_MAX_SUBMISSIONS:
            indicator_results_compute()
            return list(ComputedResult.objects.all()), False
        job = indicator_recompute_request(user=user) if background else None
        if job is not None and job.state == JobState.DONE:  # ran in-process (no broker)
            return list(ComputedResult.objects.all()), False
        raise results_computing(FIRST_COMPUTATION_RETRY_S, job_id=str(job.id) if job else "")
    stale = not results_match_data(stored)
    if stale and background:
        job = indicator_recompute_request(user=user)
        if job.state == JobState.DONE:  # ran in-process (no broker): serve the new figures
            return list(ComputedResult.objects.all()), False
    return stored, stale


def results_match_data(stored: list[ComputedResult]) -> bool:
    """Whether every stored result still matches the data (one version read per distinct
    computation, usually one: `data_version`)."""
    return bool(stored) and all(data_version_current(f) for f in {r.fingerprint for r in stored})


def indicator_recompute_request(*, user=None, force: bool = False) -> Job:
    """Enqueue a recomputation of every round, or return the one already queued or running."""
    return job_enqueue(
        kind=RECOMPUTE_JOB, params={"force": force}, user=user, dedupe_key=f"{RECOMPUTE_JOB}:{int(force)}"
    )


def indicator_export_enqueue(*, user, fmt: str, round_name: str = "") -> Job:
    """Have a worker build the indicator export (what GET /exports/indicators.{fmt} returns)
    for this reader; a second ask while it is under way returns the same job."""
    return job_enqueue(
        kind="indicators.export",
        params={"format": fmt, "round": round_name},
        user=user,
        dedupe_key=f"indicators.export:{getattr(user, 'pk', '')}:{fmt}:{round_name}",
    )


def submission_export_enqueue(*, user, form_id: str, fmt: str, query: dict[str, list[str]]) -> Job:
    """Have a worker build a submission export (what GET /forms/<id>/submissions.<fmt>
    streams) for this reader, scoped as they are when it runs; the same ask while it is
    under way returns the same job."""
    key = json.dumps(query, sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return job_enqueue(
        kind="submissions.export",
        params={"form_id": form_id, "format": fmt, "query": query},
        user=user,
        dedupe_key=f"submissions.export:{getattr(user, 'pk', '')}:{form_id}:{fmt}:{digest}",
    )


def indicator_map_enqueue(*, user, indicator: str, round_name: str = "", size: str = "screen") -> Job:
    return job_enqueue(
        kind="indicators.map",
        params={"indicator": indicator, "round": round_name, "size": size},
        user=user,
        dedupe_key=f"indicators.map:{getattr(user, 'pk', '')}:{indicator}:{round_name}:{size}",
    )


@transaction.atomic
def survey_rounds_declare_defaults() -> list[SurveyRound]:
    """Make sure the rounds every database starts with exist (`analytics.rounds.DEFAULT_ROUNDS`,
    as the reports migration creates them): a missing one is created, an existing row of that
    name is left as leadership edited it. For databases emptied after migrating (a flush)."""
    created = []
    for default in DEFAULT_ROUNDS:
        if SurveyRound.objects.filter(name=default.name).exists():
            continue
        if any(windows_overlapping([default, Round(o.name, o.start, o.end)]) for o in SurveyRound.objects.all()):
            continue  # leadership declared another round over that window: theirs stands
        created.append(
            SurveyRound.objects.create(
                name=default.name,
                start=default.start,
                end=default.end,
                target_year=default.target_year,
                note=f"Đợt khảo sát {default.name} / Survey round {default.name}",
            )
        )
    return created


def _round_checked(*, name: str, start: date, end: date, target_year: int | None, exclude_pk: int | None) -> str:
    """The stripped name, or the catalogue error for a round that cannot be declared."""
    name = name.strip()
    if not name:
        raise bad_request("Tên đợt khảo sát không được để trống. / The round needs a name.", field="name")
    if end < start:
        raise bad_request(
            "Ngày kết thúc phải sau ngày bắt đầu. / The end date must not be before the start date.", field="end"
        )
    if target_year is not None and not 2000 <= target_year <= 2100:
        raise bad_request("Năm mục tiêu không hợp lệ. / The target year is not valid.", field="target_year")
    others = SurveyRound.objects.exclude(pk=exclude_pk) if exclude_pk else SurveyRound.objects.all()
    if others.filter(name=name).exists():
        raise survey_round_exists(name)
    mine = Round(name, start, end)
    for other in others:
        if windows_overlapping([mine, Round(other.name, other.start, other.end)]):
            raise survey_round_overlap(name, other.name)
    return name


@transaction.atomic
def survey_round_create(
    *,
    name: str,
    start: date,
    end: date,
    note: str = "",
    target_year: int | None = None,
    actor=None,
    ip: str | None = None,
) -> SurveyRound:
    """Declare a round. Its window must not overlap another round's (a submission belongs to
    one round); without a target year it is judged by its window's end year."""
    # Every round row locked: two declarations at once cannot both pass the overlap check.
    rows_lock(SurveyRound.objects.all())
    name = _round_checked(name=name, start=start, end=end, target_year=target_year, exclude_pk=None)
    target_year = end.year if target_year is None else target_year
    created = SurveyRound.objects.create(name=name, start=start, end=end, note=note, target_year=target_year)
    audit_record(
        actor=actor,
        action="survey_round.create",
        obj=created,
        ip=ip,
        name=name,
        start=start,
        end=end,
        target_year=target_year,
    )
    return created


ROUND_FIELDS = ("name", "start", "end", "note", "target_year")


@transaction.atomic
def survey_round_update(*, survey_round: SurveyRound, changes: dict, actor=None, ip: str | None = None) -> SurveyRound:
    """Edit a round (any of name, start, end, note, target_year). Submissions follow the new
    window at the next recomputation; one audit row with the previous and new values, none
    when nothing changed."""
    rows_lock(SurveyRound.objects.all())
    current = row_lock(SurveyRound.objects.all(), pk=survey_round.pk)
    unknown = set(changes) - set(ROUND_FIELDS)
    if unknown:
        raise bad_request("Trường không sửa được. / These fields cannot be edited.", fields=sorted(unknown))
    wanted = {field: changes.get(field, getattr(current, field)) for field in ROUND_FIELDS}
    wanted["name"] = _round_checked(
        name=wanted["name"],
        start=wanted["start"],
        end=wanted["end"],
        target_year=wanted["target_year"],
        exclude_pk=current.pk,
    )
    previous = {field: getattr(current, field) for field in ROUND_FIELDS}
    changed = {field: value for field, value in wanted.items() if previous[field] != value}
    if not changed:
        return current
    if "name" in changed:
        # Stored results and administrative figures are keyed by the round's name.
        AdministrativeFigure.objects.filter(round=previous["name"]).update(round=changed["name"])
        ComputedResult.objects.filter(round=previous["name"]).delete()
    for field, value in changed.items():
        setattr(current, field, value)
    current.save()
    audit_record(
        actor=actor,
        action="survey_round.update",
        obj=current,
        ip=ip,
        changed={field: [previous[field], value] for field, value in changed.items()},
    )
    return current


@transaction.atomic
def submissions_round_assign(
    *, round_name: str, submission_ids: list[int], visible, actor=None, ip: str | None = None
) -> SurveyRound:
    """Put these submissions in a declared round by hand (it wins over the windows), all or
    nothing: every id must be a counted submission of an analysed form that `visible` (the
    caller's actor-scoped queryset) holds, else nothing is stored. One audit row per call."""
    survey_round = SurveyRound.objects.filter(name=round_name).first()
    if survey_round is None:
        raise round_assignment_refused(
            f"Không có đợt khảo sát '{round_name}'. / There is no survey round '{round_name}'.",
            field="round",
            allowed=list(SurveyRound.objects.values_list("name", flat=True)),
        )
    wanted = sorted(set(submission_ids))
    if not wanted:
        raise round_assignment_refused("Chưa chọn phiếu nào. / No submissions given.", field="submissions")
    found = rows_lock(analysed_submissions().filter(pk__in=visible.values("pk")), wanted, of=("self",))
    missing = sorted(set(wanted) - {s.pk for s in found})
    if missing:
        raise round_assignment_refused(
            "Một số phiếu không có hoặc không được tính; không phiếu nào được gán. / Some submissions do not exist "
            "or do not count; none was assigned.",
            field="submissions",
            missing=missing[:50],
        )
    previous = dict(
        RoundAssignment.objects.filter(submission_id__in=wanted).values_list("submission_id", "round__name")
    )
    user = actor if getattr(actor, "is_authenticated", False) else None
    for submission in found:
        RoundAssignment.objects.update_or_create(
            submission=submission, defaults={"round": survey_round, "assigned_by": user}
        )
    audit_record(
        actor=actor,
        action="survey_round.assign",
        obj=survey_round,
        ip=ip,
        round=survey_round.name,
        submissions=wanted,
        previous={str(k): v for k, v in previous.items()},
    )
    return survey_round


@transaction.atomic
def administrative_figure_set(
    *,
    indicator: str,
    round_name: str,
    numerator: int,
    denominator: int,
    user=None,
    source: str = "",
    note: str = "",
    ip: str | None = None,
) -> AdministrativeFigure:
    """Enter (or correct) an administrative figure, e.g. online dossiers / all dossiers."""
    if indicator not in {code for code, _ in ADMINISTRATIVE_INDICATORS}:
        raise bad_request(
            f"'{indicator}' không phải chỉ tiêu số liệu hành chính. / '{indicator}' is not an administrative "
            "indicator.",
            field="indicator",
            allowed=[code for code, _ in ADMINISTRATIVE_INDICATORS],
        )
    if denominator <= 0 or numerator < 0 or numerator > denominator:
        raise bad_request(
            "Cần 0 ≤ tử số ≤ mẫu số và mẫu số > 0. / Need 0 ≤ numerator ≤ denominator and denominator > 0.",
            numerator=numerator,
            denominator=denominator,
        )
    if not round_name.strip():
        raise bad_request("Cần đợt/năm báo cáo. / The round is required.", field="round")
    previous = AdministrativeFigure.objects.filter(indicator=indicator, round=round_name.strip()).first()
    figure, _ = AdministrativeFigure.objects.update_or_create(
        indicator=indicator,
        round=round_name.strip(),
        defaults={
            "numerator": numerator,
            "denominator": denominator,
            "entered_by": user,
            "source": source,
            "note": note,
        },
    )
    audit_record(
        actor=user,
        action="administrative_figure.set",
        obj=figure,
        ip=ip,
        indicator=indicator,
        round=figure.round,
        value=[numerator, denominator],
        previous=None if previous is None else [previous.numerator, previous.denominator],
        source=source,
    )
    return figure
