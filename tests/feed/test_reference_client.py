"""A reference client for the JSON sync API, written as a custom app would write it (plain
`requests`, a local store and an outbox), against a real gunicorn on PostgreSQL: it syncs a
device from empty, goes offline, queues 50 submissions (instance XML and JSON answers) while
the office changes things, comes back, pushes them in one batch, pulls, and then holds exactly
what the server's own records say — compared as bytes (issue 13)."""

from __future__ import annotations

import hashlib
import json
import uuid

import pytest
import requests
from django.conf import settings as django_settings
from django.db import connection

from backend.accounts.services import api_token_create, volunteer_create
from backend.registers.models import Household
from backend.registers.services import household_delete
from backend.review.models import Comment
from backend.submissions.models import Submission, SubmissionVersion
from backend.surveys.models import Form, FormState
from tests.registers.conftest import household_instance
from tests.submissions.factories import publish_household_form
from tests.submissions.live import GunicornServer

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]
PUBLIC = "https://survey.example.org"  # GunicornServer's PUBLIC_BASE_URL


class SyncClient:
    """What a client developer needs: pull every page in order and apply it; keep what was made
    offline in an outbox; push it in batches and drop what the server acknowledged."""

    def __init__(self, base: str, token: str):
        self.api = f"{base}/key/{token}/api/v1/sync"
        self.store: dict[tuple[str, str], dict] = {}
        self.cursor = ""
        self.outbox: list[dict] = []
        self.session = requests.Session()

    def pull(self, limit: int = 500) -> int:
        applied = 0
        while True:
            response = self.session.get(
                f"{self.api}/changes", params={"since": self.cursor, "limit": limit}, timeout=30
            )
            response.raise_for_status()
            page = response.json()
            if page["reset"]:
                self.store.clear()
            for change in page["changes"]:
                key = (change["kind"], change["id"])
                if change["op"] == "upsert":
                    self.store[key] = change["data"]
                else:
                    self.store.pop(key, None)
                applied += 1
            self.cursor = page["cursor"]  # kept on disk by a real app: it survives restarts
            if not page["more"]:
                return applied

    def push(self) -> dict[str, int]:
        summary: dict[str, int] = {}
        while self.outbox:
            batch = self.outbox[:100]
            response = self.session.post(f"{self.api}/submissions", json={"items": batch}, timeout=120)
            response.raise_for_status()
            kept = []
            for item, result in zip(batch, response.json()["results"], strict=True):
                summary[result["result"]] = summary.get(result["result"], 0) + 1
                if result["status"] not in (201, 202):
                    kept.append(item)  # refused or in conflict: the user must look at it
            self.outbox = kept + self.outbox[len(batch) :]
            if kept:
                break
        return summary

    def of_kind(self, kind: str) -> dict[str, dict]:
        return {key: data for (k, key), data in self.store.items() if k == kind}


def server_view(volunteer, token: str) -> dict[tuple[str, str], dict]:
    """The same scope read straight from the server's tables (not through the feed code)."""
    view: dict[tuple[str, str], dict] = {}
    for form in Form.objects.filter(volunteers=volunteer, state=FormState.OPEN).select_related("current_version"):
        version = form.current_version
        view[("form", str(form.pk))] = {
            "form_id": form.form_id,
            "title": version.title or form.form_id,
            "version": version.version,
            "hash": f"md5:{version.md5}",
            "download_url": f"{PUBLIC}/key/{token}/forms/{form.form_id}.xml",
            "manifest_url": f"{PUBLIC}/key/{token}/forms/{form.form_id}/manifest" if version.expected_media else None,
        }
    for household in Household.objects.filter(hamlet__in=volunteer.hamlets.all(), deleted_at__isnull=True):
        view[("household", str(household.pk))] = {
            "label": household.label,
            "version": household.version,
            "hamlet": household.hamlet.code,
            "properties": household.properties,
        }
    for submission in Submission.objects.filter(volunteer=volunteer, deleted_at__isnull=True).select_related(
        "form", "current_version"
    ):
        view[("submission", str(submission.pk))] = {
            "form_id": submission.form.form_id,
            "instance_id": submission.instance_id,
            "current_instance_id": submission.current_version.instance_id,
            "sha256": submission.current_version.sha256,
            "review_state": submission.review_state,
            "hamlet_code": submission.hamlet_code,
            "received_at": submission.received_at.isoformat(),
            "updated_at": submission.updated_at.isoformat(),
            "comments": [
                {
                    "id": c.pk,
                    "author": c.author_label,
                    "body": c.body,
                    "review_state": c.review_state,
                    "created_at": c.created_at.isoformat(),
                }
                for c in Comment.objects.filter(submission=submission).order_by("created_at", "id")
            ],
        }
    return view


def as_bytes(store) -> bytes:
    return json.dumps(sorted(([k[0], k[1]], v) for k, v in store.items()), ensure_ascii=False, sort_keys=True).encode()


@pytest.fixture
def live(postgres_only, follow_up_form, hamlets, register):
    form_b = publish_household_form()
    volunteer, token = volunteer_create(
        name="Tình nguyện viên AP01", forms=[follow_up_form, form_b], hamlets=[hamlets["AP01"]]
    )
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    server = GunicornServer(database_url=url, media_root=django_settings.MEDIA_ROOT, workers=2, threads=4).start()
    yield server, volunteer, token
    server.stop()


def xml_item(n: int) -> tuple[dict, bytes]:
    xml = household_instance(
        entity_id=f"uuid:{uuid.uuid4()}", create=True, label=f"Hộ mới số {n}", ma_ho=f"M{n:03d}", ten_goi="Tư"
    )
    return {"xml": xml.decode()}, xml


def json_item(n: int) -> dict:
    return {
        "form_id": "ho_test",
        "instance_id": f"uuid:{uuid.uuid4()}",
        "answers": {
            "dot_ks": "2026-R1",
            "ap": "AP01",
            "today": "2026-12-03",
            "so_tv": n % 5 + 1,
            "tv": [{"tv_ten": "Hà"}],
        },
    }


def test_a_client_synced_from_empty_pushes_fifty_offline_and_ends_identical_with_the_server(live, admin):
    server, volunteer, token = live
    client = SyncClient(server.base, token)
    client.pull()
    assert sorted(f["form_id"] for f in client.of_kind("form").values()) == ["ho_test", "ho_theo_doi"]
    assert len(client.of_kind("household")) == 2
    assert as_bytes(client.store) == as_bytes(server_view(volunteer, token))

    # Offline: 25 visits that add households (XML, as Collect writes it) and 25 JSON answers.
    sent_xml = {}
    for n in range(25):
        item, xml = xml_item(n)
        client.outbox.append(item)
        sent_xml[xml.decode().split("<instanceID>")[1].split("<")[0]] = xml
        client.outbox.append(json_item(n))
    # Meanwhile the office takes a household off the register.
    gone = Household.objects.filter(hamlet__code="AP01", ma_ho="H002").get()
    household_delete(household=gone, user=admin)

    pushed = list(client.outbox)
    assert client.push() == {"created": 50}
    assert client.outbox == []
    # The answer of a batch was lost: sending part of it again stores nothing twice.
    client.outbox = pushed[:10]
    assert client.push() == {"replayed": 10}
    assert Submission.objects.filter(volunteer=volunteer).count() == 50

    # The hamlet head's office reviews three, comments, and the admin deletes one.
    office = requests.Session()
    office.headers["Authorization"] = f"Bearer {api_token_create(user=admin)}"
    mine = list(Submission.objects.filter(volunteer=volunteer).order_by("id").select_related("form"))
    for submission in mine[:3]:
        url = f"{server.base}/api/v1/forms/{submission.form.form_id}/submissions/{submission.instance_id}/review"
        answer = office.patch(url, json={"state": "has_issues", "comment": "Kiểm tra lại số thành viên."}, timeout=30)
        assert answer.status_code == 200, answer.content
    deleted = mine[3]
    answer = office.delete(
        f"{server.base}/api/v1/forms/{deleted.form.form_id}/submissions/{deleted.instance_id}", timeout=30
    )
    assert answer.status_code == 200

    client.pull(limit=7)  # small pages: order and cursors matter
    expected = server_view(volunteer, token)
    assert as_bytes(client.store) == as_bytes(expected)
    assert ("household", str(gone.pk)) not in client.store
    assert ("submission", str(deleted.pk)) not in client.store
    assert len(client.of_kind("household")) == 1 + 25  # H001 and the 25 added in the field
    # The XML it sent is the XML the server holds, byte for byte.
    for instance_id, xml in sent_xml.items():
        stored = SubmissionVersion.objects.get(instance_id=instance_id)
        assert bytes(stored.xml) == xml
        held = next(s for s in client.of_kind("submission").values() if s["instance_id"] == instance_id)
        assert held["sha256"] == hashlib.sha256(xml).hexdigest()

    # Nothing new: one empty page; a new reviewer comment: exactly that one change.
    assert client.pull() == 0
    office.post(
        f"{server.base}/api/v1/forms/{mine[0].form.form_id}/submissions/{mine[0].instance_id}/comments",
        json={"body": "Đã ổn."},
        timeout=30,
    )
    assert client.pull() == 1
    assert as_bytes(client.store) == as_bytes(server_view(volunteer, token))
