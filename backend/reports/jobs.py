"""Background jobs of the reports app (see backend/jobs/registry.py)."""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager

from django.conf import settings
from django.db import connection

from backend.jobs.registry import JobFile, job_handler
from backend.jobs.services import broker_eager
from backend.reports.data_version import data_version_current
from backend.reports.models import ComputedResult
from backend.reports.selectors import data_fingerprint

logger = logging.getLogger(__name__)
ADVISORY_LOCK_KEY = 5_057_2030  # any constant unique to this job
STAGES = ("repair", "read", "join", "compute", "write")


@contextmanager
def recompute_lock():
    """One recomputation at a time across every worker and web process (PostgreSQL); a second
    one waits, then finds the results fresh and stops. The lock belongs to the database
    session, so a worker that dies releases it with its connection."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
        try:
            yield
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])


def results_fresh(fingerprint: str | None = None) -> bool:
    """Whether the stored results match the data: all of them stored for `fingerprint` (the
    computation that asks), or each still current (`data_version`: a version taken later may
    name the same data under another anchor, so versions are not compared as text)."""
    stored = set(ComputedResult.objects.values_list("fingerprint", flat=True))
    if not stored:
        return False
    return stored == {fingerprint} or all(data_version_current(f) for f in stored)


@job_handler("indicators.recompute")
def indicators_recompute(job, progress) -> dict:
    """Recompute every round. Idempotent: it replaces the stored results, and does nothing when
    they already match the data (unless `force`, the nightly run, always a full one). When only
    some hamlets' submissions changed, only those are read again (`indicator_results_update`:
    the same figures as a full recomputation, in about a second at province scale)."""
    from backend.reports.services import indicator_results_compute, indicator_results_update

    force = bool(job.params.get("force"))
    done = []

    def stage(name: str, seconds: float, detail: str) -> None:
        done.append(name)
        progress(min(0.95, len(done) / 4), f"{name}: {detail}")

    progress(0.0, "Đang chờ lượt tính / waiting for the computation lock")
    if not force:
        with recompute_lock():
            if results_fresh():
                return {"skipped": "results already match the data"}
            report = indicator_results_update(progress=stage)
        if report is not None:
            return _summary(report)
    parts = settings.ANALYTICS_PARTS
    if parts > 1 and not broker_eager():
        # Split: one job per part, run by whichever workers are free; the last part to be
        # stored combines them (`indicators_part`).
        from backend.reports.services import indicator_parts_enqueue

        fingerprint = data_fingerprint()
        if not force and results_fresh(fingerprint):
            return {"skipped": "results already match the data"}
        jobs = indicator_parts_enqueue(fingerprint=fingerprint, count=parts, force=force, user=job.created_by)
        return {"parts": parts, "fingerprint": fingerprint, "part_jobs": [str(j.id) for j in jobs]}
    with recompute_lock():
        if not force and results_fresh():
            return {"skipped": "results already match the data"}
        report = indicator_results_compute(progress=stage)
    return _summary(report)


def _summary(report) -> dict:
    summary = {
        "rounds": report.rounds,
        "fingerprint": report.fingerprint,
        "seconds": round(sum(report.timings.values()), 3),
        "households": report.counts.get("households", 0),
    }
    if report.hamlets is not None:
        summary["hamlets_recomputed"] = report.hamlets
        summary["timings"] = {stage: round(seconds, 3) for stage, seconds in report.timings.items()}
    return summary


@job_handler("indicators.part")
def indicators_part(job, progress) -> dict:
    """One part of a split recomputation; the job that stores the last part combines them."""
    from backend.reports.services import indicator_part_compute, indicator_parts_combine

    fingerprint, index, count = job.params["fingerprint"], job.params["index"], job.params["count"]
    progress(0.05, f"Phần {index + 1}/{count}: đọc và tính / part {index + 1} of {count}: reading and computing")
    computed = indicator_part_compute(fingerprint=fingerprint, index=index, count=count)
    progress(0.8, "Ghép các phần / combining the parts")
    with recompute_lock():
        fresh = not job.params.get("force") and results_fresh(fingerprint)
        report = None if fresh else indicator_parts_combine(fingerprint=fingerprint, count=count)
    return {
        "part": f"{index + 1}/{count}",
        "computed": computed,
        "pid": os.getpid(),  # which worker process ran it
        "combined": report is not None,
        **({"rounds": report.rounds, "households": report.counts.get("households", 0)} if report else {}),
    }


def _results_for(job):
    """The stored results as the job's creator reads them (the same suppression as the API)."""
    from backend.accounts.actors import actor_for_user
    from backend.reports.results import StoredResults

    return StoredResults(actor_for_user(job.created_by), job.params.get("round") or None)


@job_handler("indicators.export")
def indicator_export(job, progress) -> JobFile:
    from backend.reports.results import EXPORT_NAME, EXPORT_TYPES, export_body

    fmt = job.params["format"]
    progress(0.1, "Đọc kết quả / reading the results")
    results = _results_for(job)
    progress(0.4, f"Ghi tệp {fmt} / writing the {fmt} file")
    body = export_body(results, fmt)
    return JobFile(
        data=body,
        name=EXPORT_NAME.format(fmt=fmt),
        content_type=EXPORT_TYPES[fmt],
        summary={"format": fmt, "rows": len(results.rows), "stale": results.stale},
    )


@job_handler("indicators.map")
def indicator_map(job, progress) -> JobFile:
    from backend.reports.results import map_body

    indicator = job.params["indicator"]
    results = _results_for(job)
    round_name = job.params.get("round") or (results.rounds[-1] if results.rounds else None)
    progress(0.3, "Vẽ bản đồ / drawing the map")
    size = job.params.get("size") or "screen"  # jobs queued before sizes existed drew the screen map
    body = map_body(results, indicator, round_name, size=size)
    return JobFile(
        data=body,
        name=f"{indicator}_{round_name}{'_A4' if size == 'a4' else ''}.png",
        content_type="image/png",
        summary={"indicator": indicator, "round": round_name, "size": size},
    )


@job_handler("submissions.export")
def submissions_export(job, progress) -> JobFile:
    """A submission export (params: form_id, format, query) for the job's creator, scoped as
    they are now, written to a temporary file that the job runner streams into the blob
    storage: a province's export never sits in memory."""
    import tempfile

    from django.http import QueryDict

    from backend.accounts.actors import actor_for_user
    from backend.reports.export_formats import CONTENT_TYPES, export_to_file, file_name
    from backend.reports.submission_export import ExportSpec, export_attachments, export_submissions
    from backend.submissions.selectors import form_for_submissions

    params = job.params
    fmt, form_id = params["format"], params["form_id"]
    query = QueryDict(mutable=True)
    for key, values in (params.get("query") or {}).items():
        query.setlist(key, values if isinstance(values, list) else [values])
    spec = ExportSpec(actor=actor_for_user(job.created_by), form=form_for_submissions(form_id), params=query)
    rows = export_submissions(spec).count()
    total = sum(1 for _ in export_attachments(spec)) if fmt == "attachments.zip" else rows

    def advanced(done: int) -> None:
        progress(done / total if total else 1.0, f"{done}/{total}")

    progress(0.0, f"0/{total}")
    fd, path = tempfile.mkstemp(prefix="export-", suffix="." + fmt.replace(".", "-"))
    try:
        with os.fdopen(fd, "wb") as target:
            export_to_file(spec, fmt, target, progress=advanced)
    except BaseException:
        os.unlink(path)
        raise
    return JobFile(
        data=b"",
        path=path,
        name=file_name(form_id, fmt),
        content_type=CONTENT_TYPES[fmt],
        summary={"rows": rows, "format": fmt, "form_id": form_id, "files": total if fmt == "attachments.zip" else None},
    )
