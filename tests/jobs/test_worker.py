"""A real worker process on a real Redis: a recomputation goes queued → running → done, and
one whose worker is killed with SIGKILL mid-task runs again on the next worker and finishes
(acks late; the job is idempotent)."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection

from backend.celery import app
from backend.jobs.models import Job, JobState
from backend.reports.jobs import ADVISORY_LOCK_KEY
from backend.reports.models import ComputedResult
from backend.reports.services import indicator_recompute_request
from tests.jobs.worker import TEST_REDIS_URL, VISIBILITY_TIMEOUT_S, Worker, redis_answers, wait_for
from tests.reports.factories import small_commune

pytestmark = pytest.mark.usefixtures("postgres_only")
WORKER_START_S = 120  # importing Django, pandas and geopandas on a loaded 2-core machine


@pytest.fixture
def broker(transactional_db, tmp_path):
    """This process publishes to a real Redis, on a queue of its own (other runs share Redis)."""
    if not redis_answers():
        pytest.skip(f"needs Redis at {TEST_REDIS_URL}")
    queue = f"test-jobs-{uuid.uuid4().hex[:8]}"
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager", "task_default_queue")}
    app.conf.update(broker_url=TEST_REDIS_URL, task_always_eager=False, task_default_queue=queue)
    _forget_connections()
    workers: list[Worker] = []

    def start(**kwargs) -> Worker:
        worker = Worker(queue, tmp_path, **kwargs)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()
    app.conf.update(saved)
    _forget_connections()
    import redis

    redis.Redis.from_url(TEST_REDIS_URL).delete(queue)


def _forget_connections():
    """Have the app open connections to the broker now configured (it caches its pools)."""
    app._pool = None
    app.amqp._producer_pool = None


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
