"""A real worker process on a real Redis: a recomputation goes queued → running → done, and
one whose worker is killed with SIGKILL mid-task runs again on the next worker and finishes
(acks late; the job is idempotent)."""

from __future__ import annotations

import pytest
from django.db import connection

from backend.jobs.models import Job, JobState
from backend.reports.jobs import ADVISORY_LOCK_KEY
from backend.reports.models import ComputedResult
from backend.reports.services import indicator_recompute_request
from tests.jobs.worker import VISIBILITY_TIMEOUT_S, WORKER_START_S, wait_for
from tests.reports.factories import small_commune

pytestmark = pytest.mark.usefixtures("postgres_only")


class ComputationHeld:
    """Holds the recomputation's advisory lock from the test's own connection, so a job
    stays mid-task (running, waiting for the lock) until released."""

    def __enter__(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
        return self

    def release(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])

    def __exit__(self, *exc):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock_all()")


def state_of(job):
    job.refresh_from_db()
    return job.state


def waiting_for_the_lock(job) -> bool:
    return state_of(job) == JobState.RUNNING and "lock" in job.progress_note


def test_a_worker_runs_a_recompute_queued_then_running_then_done(broker):
    small_commune()
    with ComputationHeld() as held:
        job = indicator_recompute_request()
        assert state_of(job) == JobState.QUEUED  # the web process only enqueued it
        worker = broker()
        wait_for(lambda: waiting_for_the_lock(job), timeout=WORKER_START_S, what="running", workers=[worker])
        assert job.attempts == 1
        assert not ComputedResult.objects.exists()
        held.release()
        wait_for(lambda: state_of(job) == JobState.DONE, timeout=120, what="done", workers=[worker])
    assert job.result["rounds"] == ["2025"] and job.result["households"] == 9
    assert job.progress == 1.0 and job.error == "" and job.attempts == 1
    assert ComputedResult.objects.get(round="2025").fingerprint == job.result["fingerprint"]


def test_a_worker_killed_mid_task_loses_nothing_the_next_one_runs_it_again(broker):
    small_commune()
    with ComputationHeld() as held:
        job = indicator_recompute_request()
        first = broker()
        wait_for(lambda: waiting_for_the_lock(job), timeout=WORKER_START_S, what="running", workers=[first])
        first.kill()  # SIGKILL mid-task: the message was never acknowledged
        assert state_of(job) == JobState.RUNNING and job.attempts == 1
        assert not ComputedResult.objects.exists()
        second = broker()
        held.release()
        # Redis hands the unacknowledged message out again after the visibility timeout.
        wait_for(
            lambda: state_of(job) == JobState.DONE,
            timeout=WORKER_START_S + VISIBILITY_TIMEOUT_S + 60,
            what="done on the second worker",
            workers=[second],
        )
    assert job.attempts == 2 and job.error == ""
    assert job.result["rounds"] == ["2025"]
    assert ComputedResult.objects.filter(round="2025").count() == 1
    assert Job.objects.count() == 1
    assert "jobs.execute" in second.log() and "succeeded" in second.log()
