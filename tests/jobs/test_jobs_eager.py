"""Jobs without a broker (the quickstart): enqueued work runs at once and its record tells
the caller how it went, through GET /api/v1/jobs/{id}."""

import pytest

from backend.jobs.models import Job, JobState
from backend.jobs.registry import JobFile, job_handler
from backend.jobs.services import job_enqueue, job_run
from backend.reports.models import ComputedResult
from backend.reports.services import RECOMPUTE_JOB, indicator_recompute_request
from tests.analytics.builders import household
from tests.reports.factories import small_commune, store


@job_handler("tests.broken")
def _broken(job, progress):
    progress(0.5, "nửa đường / halfway")
    raise RuntimeError("the disk is full")


@job_handler("tests.file")
def _file(job, progress):
    return JobFile(data="Ấp,Hộ\nAP01,6\n".encode(), name="hộ theo ấp.csv", content_type="text/csv", summary={"rows": 1})


def test_without_a_broker_a_recompute_runs_at_once_and_its_job_reads_done(db, leadership):
    small_commune()
    job = indicator_recompute_request(user=leadership.user)
    assert job.state == JobState.DONE and job.attempts == 1
    assert job.result["rounds"] == ["2025"] and job.result["households"] == 9
    assert ComputedResult.objects.filter(round="2025").exists()
    body = leadership.get(f"/api/v1/jobs/{job.id}").json()
    assert body["state"] == "done" and body["progress"] == 1.0
    assert body["kind"] == RECOMPUTE_JOB and body["created_by"] == "lanhdao"
    assert body["started_at"] and body["finished_at"] and body["error"] == ""
    assert body["url"] == f"/api/v1/jobs/{job.id}"


def test_a_recompute_of_fresh_results_is_skipped_but_a_forced_one_runs(db, leadership):
    small_commune()
    indicator_recompute_request()
    first = ComputedResult.objects.get(round="2025").computed_at
    again = indicator_recompute_request()
    assert again.state == JobState.DONE and again.result == {"skipped": "results already match the data"}
    assert ComputedResult.objects.get(round="2025").computed_at == first
    forced = indicator_recompute_request(force=True)
    assert forced.result["rounds"] == ["2025"]
    assert ComputedResult.objects.get(round="2025").computed_at > first


def test_stale_results_are_recomputed_by_a_job_when_a_reader_asks(db, leadership):
    forms = small_commune()
    assert leadership.get("/api/v1/indicators", {"round": "2025"}).status_code == 200
    store(forms, household("AP01"))
    response = leadership.get("/api/v1/indicators", {"round": "2025", "hamlet": "AP01", "indicator": "P2025_INFO"})
    # No broker: the job ran in this request, so the reader already gets the new figures.
    assert response["X-Results-Stale"] == "false"
    assert response.json()[0]["denominator"] == 7
    job = Job.objects.get(kind=RECOMPUTE_JOB)
    assert job.state == JobState.DONE and job.created_by.username == "lanhdao"


def test_a_failing_job_is_recorded_failed_with_its_error_and_the_caller_goes_on(transactional_db, leadership):
    job = job_enqueue(kind="tests.broken", user=leadership.user)
    assert job.state == JobState.FAILED
    body = leadership.get(f"/api/v1/jobs/{job.id}").json()
    assert body["state"] == "failed" and body["error"] == "RuntimeError: the disk is full"
    assert body["progress"] == 0.5 and body["progress_note"] == "nửa đường / halfway"
    assert body["result_url"] is None


def test_a_job_that_makes_a_file_links_to_it(db, viewer):
    job = job_enqueue(kind="tests.file", user=viewer.user)
    body = viewer.get(f"/api/v1/jobs/{job.id}").json()
    assert body["result"] == {"rows": 1} and body["result_url"] == f"/api/v1/jobs/{job.id}/result"
    download = viewer.get(body["result_url"])
    assert download.status_code == 200 and download["Content-Type"] == "text/csv"
    assert b"".join(download.streaming_content).decode() == "Ấp,Hộ\nAP01,6\n"
    assert "filename*=utf-8''h%E1%BB%99%20theo%20%E1%BA%A5p.csv" in download["Content-Disposition"]


def test_a_job_is_seen_by_who_started_it_and_by_the_commune_not_by_another_viewer(db, leadership, viewer):
    from tests.helpers import api_client_for

    job = job_enqueue(kind="tests.file", user=viewer.user)
    other = api_client_for("viewer", "nguoixem2")
    for reader in (viewer, leadership):
        seen = reader.get(f"/api/v1/jobs/{job.id}")
        assert seen.status_code == 200
        assert (seen.json()["id"], seen.json()["kind"], seen.json()["created_by"]) == (
            str(job.id),
            "tests.file",
            "nguoixem",
        )
    hidden = other.get(f"/api/v1/jobs/{job.id}")
    assert hidden.status_code == 404 and hidden.json()["code"] == "404.1"
    assert other.get(f"/api/v1/jobs/{job.id}/result").status_code == 404
    assert viewer.get("/api/v1/jobs/00000000-0000-0000-0000-000000000000").status_code == 404
    assert viewer.get("/api/v1/jobs/not-a-uuid").status_code == 404


def test_one_active_job_per_dedupe_key_and_an_abandoned_one_is_replaced(db, settings):
    first = Job.objects.create(kind=RECOMPUTE_JOB, dedupe_key="k", state=JobState.RUNNING)
    assert job_enqueue(kind=RECOMPUTE_JOB, dedupe_key="k").pk == first.pk
    settings.JOBS_STALE_AFTER_S = 0
    replacement = job_enqueue(kind=RECOMPUTE_JOB, dedupe_key="k")
    assert replacement.pk != first.pk
    first.refresh_from_db()
    assert first.state == JobState.FAILED and "Abandoned" in first.error


def test_a_finished_job_delivered_again_does_not_run_again(db):
    job = job_enqueue(kind="tests.file")
    assert job_run(job.id).attempts == 1
    assert job_run(job.id).attempts == 1  # acks late: a redelivered message finds it done
    assert job_run("00000000-0000-0000-0000-000000000000") is None


def test_an_unknown_job_kind_is_refused(db):
    with pytest.raises(ValueError, match="unknown job kind"):
        job_enqueue(kind="no.such.kind")


def test_beat_schedules_the_nightly_recompute_and_purge_as_known_job_kinds(settings):
    from backend.celery import app
    from backend.jobs.registry import HANDLERS

    app.loader.import_default_modules()  # what a worker does at start: the tasks modules
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert {"nightly-recompute", "nightly-purge"} <= set(schedule)
    for entry in schedule.values():
        assert entry["task"] in app.tasks
        if entry["task"] == "jobs.scheduled":  # others (webhooks.sweep) are tasks of their own
            kind, params = entry["args"]
            assert kind in HANDLERS, kind
    assert schedule["webhooks-sweep"]["task"] == "webhooks.sweep"
    assert schedule["nightly-recompute"]["args"] == ("indicators.recompute", {"force": True})


def test_a_scheduled_job_runs_under_its_message_id_once(db):
    from backend.jobs.services import job_scheduled_run

    message_id = "3b8e3f36-5a55-4c1d-9d0f-6f1f2f0c9a11"
    job = job_scheduled_run(job_id=message_id, kind="tests.file", params={})
    assert str(job.pk) == message_id and job.state == JobState.DONE
    again = job_scheduled_run(job_id=message_id, kind="tests.file", params={})  # delivered twice
    assert again.attempts == 1 and Job.objects.count() == 1


def test_the_nightly_purge_forgets_old_finished_jobs_and_asks_apps_to_empty_their_trash(db):
    from datetime import timedelta

    from django.utils import timezone

    from backend.jobs.signals import purge_due

    long_ago = timezone.now() - timedelta(days=31)
    old = Job.objects.create(kind="tests.file", state=JobState.DONE, finished_at=long_ago)
    recent = Job.objects.create(kind="tests.file", state=JobState.DONE, finished_at=timezone.now())
    running = Job.objects.create(kind="tests.file", state=JobState.RUNNING)
    asked = []

    def trash(sender, now, **kwargs):
        asked.append(now)
        return {"submissions_purged": 0}

    purge_due.connect(trash)
    try:
        job = job_enqueue(kind="maintenance.purge")
    finally:
        purge_due.disconnect(trash)
    assert job.state == JobState.DONE and job.result["jobs_forgotten"] == 1
    assert any(v == {"submissions_purged": 0} for v in job.result.values())
    assert asked and not Job.objects.filter(pk=old.pk).exists()
    assert Job.objects.filter(pk__in=[recent.pk, running.pk]).count() == 2
