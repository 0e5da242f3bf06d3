"""A recomputation split into parts (ANALYTICS_PARTS) on two real worker processes stores
exactly the results of one computation in this process: same rows, coverage, scorecard and
review, for a commune with a stray hamlet code and a market (which belong to no part's
hamlet list but must be counted once)."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.exports import tables_unpack
from backend.jobs.models import Job, JobState
from backend.reports.jobs import results_fresh
from backend.reports.models import ComputedPart, ComputedResult
from backend.reports.services import indicator_recompute_request, indicator_results_compute
from tests.analytics.builders import household
from tests.jobs.worker import WORKER_START_S, wait_for
from tests.reports.factories import small_commune, store

pytestmark = pytest.mark.usefixtures("postgres_only")


def _stored() -> dict[str, dict[str, pd.DataFrame]]:
    return {r.round: tables_unpack(r.tables) for r in ComputedResult.objects.all()}


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    key = [c for c in ("indicator", "round", "hamlet", "tier", "criterion", "submission_id") if c in frame.columns]
    return frame.sort_values(key, na_position="first", kind="stable").reset_index(drop=True)


def test_two_workers_computing_two_parts_store_the_figures_of_one_computation(broker):
    forms = small_commune()
    store(forms, household("AP99"))  # a hamlet code on no list: the commune-level part reads it
    indicator_results_compute()
    whole = _stored()
    assert whole["2025"]["rows"]["hamlet"].isin(["AP01", "AP02"]).any()
    ComputedResult.objects.all().delete()

    # A long visibility timeout: the harness's 3 s (for the kill test) would hand a part still
    # running on one worker to the other, and the job row would then tell of the second run.
    env = {"ANALYTICS_PARTS": "2", "CELERY_VISIBILITY_TIMEOUT": "3600"}
    workers = [broker(extra_env=env) for _ in range(2)]
    job = indicator_recompute_request()
    wait_for(
        lambda: results_fresh() and not ComputedPart.objects.exists(),
        timeout=WORKER_START_S + 120,
        what="the parts combined",
        workers=workers,
    )
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.result["parts"] == 2
    parts = Job.objects.filter(kind="indicators.part")
    wait_for(lambda: all(p.state == JobState.DONE for p in parts.all()), timeout=60, what="parts done", workers=workers)
    assert sorted(p.params["index"] for p in parts) == [0, 1]
    assert sum(p.result["combined"] for p in parts) == 1  # the last part stored combined them, once

    split = _stored()
    assert split.keys() == whole.keys()
    for round_name, tables in whole.items():
        for name, frame in tables.items():
            pd.testing.assert_frame_equal(_sorted(split[round_name][name]), _sorted(frame), check_dtype=False)
    assert ComputedResult.objects.get(round="2025").counts["households"] == 10  # 9 + the stray one

    # The nightly run (force) recomputes and stores again though nothing changed, and leaves
    # no part behind.
    before = ComputedResult.objects.get(round="2025").computed_at
    indicator_recompute_request(force=True)
    wait_for(
        lambda: ComputedResult.objects.get(round="2025").computed_at > before and not ComputedPart.objects.exists(),
        timeout=120,
        what="the forced recomputation stored",
        workers=workers,
    )
