"""The exports page: a hamlet head asks for a CSV zip of their hamlet; the background job
(eager here; tests/jobs/test_export_worker.py runs it on a real worker) is listed with its
state, n and a download link that gives only their hamlet; a bad date is a 400 saying so."""

import io
import re
import zipfile

import pytest

from backend.audit.models import AuditEvent
from tests.access.world import world_build

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_a_hamlet_head_exports_their_hamlet_from_the_page(client):
    world = world_build()
    ours = world.submit(hamlet="AP01")
    theirs = world.submit(hamlet="AP02", other=True)
    client.force_login(world.users["hamlet_head"])
    page = client.get("/staff/exports/")
    assert page.status_code == 200 and "Xuất bản ghi khảo sát" in page.content.decode()
    started = client.post("/staff/exports/", {"form_id": "ho_test", "format": "csv.zip", "round": "", "state": ""})
    assert started.status_code == 302
    html = client.get("/staff/exports/").content.decode()
    assert "n = 1" in html and "Xong / Done" in html
    link = re.search(r'href="(/api/v1/jobs/[0-9a-f-]+/result)"', html).group(1)
    archive = zipfile.ZipFile(io.BytesIO(b"".join(client.get(link).streaming_content)))
    households = archive.read("ho_test.csv").decode("utf-8-sig")
    assert ours.instance_id in households and theirs.instance_id not in households
    event = AuditEvent.objects.get(action="submission.export")
    assert event.actor_label == "user:truongap_a" and event.details["rows"] == 1

    refused = client.post("/staff/exports/", {"form_id": "ho_test", "format": "xlsx", "date_from": "hôm qua"})
    assert refused.status_code == 400 and "Bộ lọc không hợp lệ" in refused.content.decode()
    assert AuditEvent.objects.filter(action="submission.export").count() == 1
