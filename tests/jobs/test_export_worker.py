"""A submission export run by a real Celery worker on a real Redis: the request answers 202
at once, the worker writes the zip to a temporary file and into the blob storage, the job
goes queued → done with progress 1, and its download holds what the GET streams."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client

from backend.jobs.models import Job, JobState
from tests.access.world import world_build
from tests.jobs.worker import WORKER_START_S, wait_for
from tests.submissions.factories import instance_xml, new_instance_id

pytestmark = pytest.mark.usefixtures("postgres_only")


def test_a_worker_builds_the_csv_zip_a_hamlet_head_asked_for(broker, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = world_build()
    from backend.accounts.actors import actor_for_device
    from backend.submissions.services import submission_receive

    for hamlet, volunteer in (("AP01", world.volunteer), ("AP01", world.volunteer), ("AP02", world.other_volunteer)):
        actor = actor_for_device(volunteer.tokens.get(revoked_at__isnull=True), url_prefix="")
        xml = instance_xml(instance_id=new_instance_id(), ap=hamlet, audit=None, photo=None)
        submission_receive(actor=actor, xml=xml, files={})
    client = Client()
    client.force_login(world.users["hamlet_head"])
    started = client.post("/api/v1/forms/ho_test/submissions.csv.zip")
    assert started.status_code == 202, started.content
    assert started.json()["state"] == "queued"  # nothing ran in the request
    worker = broker()
    job = Job.objects.get(pk=started.json()["id"])
    wait_for(
        lambda: Job.objects.get(pk=job.pk).state == JobState.DONE,
        timeout=WORKER_START_S + 60,
        what="done",
        workers=[worker],
    )
    body = client.get(f"/api/v1/jobs/{job.pk}").json()
    assert body["progress"] == 1.0 and body["result"]["rows"] == 2
    archive = zipfile.ZipFile(io.BytesIO(b"".join(client.get(body["result_url"]).streaming_content)))
    direct = zipfile.ZipFile(
        io.BytesIO(b"".join(client.get("/api/v1/forms/ho_test/submissions.csv.zip").streaming_content))
    )
    assert {n: archive.read(n) for n in archive.namelist()} == {n: direct.read(n) for n in direct.namelist()}
    assert b"AP02" not in archive.read("ho_test.csv")
