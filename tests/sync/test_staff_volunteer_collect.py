"""A volunteer created on the staff page (/staff/volunteers/) is a working Collect device: the
server URL the page shows and the settings QR it links both configure Collect, and Collect's
own request sequence (formList → form → manifest → media → HEAD and POST /submission) with
that key stores the household under that volunteer. Revoked on the page, the key stops."""

import base64
import hashlib
import io
import json
import re
import zlib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import zxingcpp
from django.test import Client
from lxml import etree
from PIL import Image

from backend.accounts.models import Role, Volunteer
from backend.accounts.services import user_create
from backend.places.models import Commune, Hamlet
from backend.submissions.models import Submission
from backend.surveys.services import form_publish
from tests.helpers import COLLECT_HEADERS
from tests.submissions.factories import multipart
from tests.sync.collect_instance import collect_instance
from tests.sync.test_collect_session_replay import LIST_NS, MANIFEST_NS, with_device_id

pytestmark = pytest.mark.django_db
FORMS = Path(__file__).resolve().parents[2] / "forms_xlsform"


def get_blank_forms(client, server_url: str) -> dict[str, dict[str, bytes]]:
    """Collect's "Get blank form" with this server URL: formList, each form (md5 against the
    list's hash), its manifest, each media file (an uploaded file's md5 against the manifest;
    the register's entity list carries a state hash, as Central's does). {formID: {name: bytes}}."""
    listing = client.get(with_device_id(server_url + "/formList"), **COLLECT_HEADERS)
    assert listing.status_code == 200 and listing.has_header("X-OpenRosa-Version")
    got = {}
    for xform in etree.fromstring(listing.content).iter(f"{LIST_NS}xform"):
        fields = {child.tag.removeprefix(LIST_NS): child.text or "" for child in xform}
        download = client.get(with_device_id(fields["downloadUrl"]), **COLLECT_HEADERS)
        assert hashlib.md5(download.content).hexdigest() == fields["hash"].removeprefix("md5:")
        files = {"form.xml": download.content}
        manifest = client.get(with_device_id(fields["manifestUrl"]), **COLLECT_HEADERS)
        for media in etree.fromstring(manifest.content).iter(f"{MANIFEST_NS}mediaFile"):
            name = media.find(f"{MANIFEST_NS}filename").text
            response = client.get(with_device_id(media.find(f"{MANIFEST_NS}downloadUrl").text), **COLLECT_HEADERS)
            assert response.status_code == 200, name
            body = b"".join(response.streaming_content) if response.streaming else response.content
            if media.get("type") != "entityList":
                assert hashlib.md5(body).hexdigest() == media.find(f"{MANIFEST_NS}hash").text[4:], name
            files[name] = body
        got[fields["formID"]] = files
    return got


@pytest.fixture
def household_form():
    commune = Commune.objects.create(code="PL", name="Phú Lâm")
    Hamlet.objects.create(commune=commune, code="AP01", name="Phú Dũng")
    Hamlet.objects.create(commune=commune, code="AP02", name="Phú Tân")
    return form_publish(
        xlsform=(FORMS / "pl_ho.xlsx").read_bytes(),
        filename="pl_ho.xlsx",
        attachments={"ap.csv": (FORMS / "ap.csv").read_bytes()},
    )


def test_a_volunteer_created_on_the_staff_page_submits_from_collects_replayed_session(household_form):
    staff = Client()
    staff.force_login(user_create(username="lanhdao", password="Lanh-dao-2026!", role=Role.LEADERSHIP))
    page = staff.post(
        "/staff/volunteers/", {"name": "Võ Thị Hạnh", "code": "tnv077", "hamlets": ["AP01"], "forms": ["pl_ho"]}
    )
    assert page.status_code == 200
    volunteer = Volunteer.objects.get(code="TNV077")

    # What the leader copies or prints: the Collect server URL on the page...
    shown = re.search(r'<code class="break collect-url">([^<]+)</code>', page.content.decode()).group(1)
    assert shown.startswith("https://survey.example.org/key/")
    server_path = urlsplit(shown).path
    # ...and the settings QR Collect scans (/key/<token>/qr.png) carry the same server URL.
    qr = Client().get(f"{server_path}/qr.png")
    assert qr.status_code == 200
    payload = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.content)))[0].text
    settings = json.loads(zlib.decompress(base64.b64decode(payload)))
    assert settings["general"]["server_url"] == shown

    # Collect's "Get blank form": the assigned form and its media, hashes checked.
    collect = Client()
    on_phone = get_blank_forms(collect, shown)
    assert set(on_phone) == {"pl_ho"}
    assert set(on_phone["pl_ho"]) == {"form.xml", "ap.csv", "households.csv"}
    assert on_phone["pl_ho"]["form.xml"] == bytes(household_form.version.xform)

    # Collect's "Send finalized form": HEAD first, then the multipart POST.
    xform = bytes(household_form.version.xform)
    filled = collect_instance(
        xform, repeat_times=1, external_values={"ap.csv": ["AP01"], "households.csv": ["AP01-01-0001"]}
    )
    head = collect.head(f"{server_path}/submission", **COLLECT_HEADERS)
    assert head.status_code == 204
    body, content_type = multipart(filled.xml, filled.files)
    sent = collect.generic("POST", f"{server_path}/submission", body, content_type=content_type, **COLLECT_HEADERS)
    assert sent.status_code == 201, sent.content.decode()[:500]
    stored = Submission.objects.get(instance_id=filled.instance_id)
    assert stored.volunteer_id == volunteer.pk and stored.form.form_id == "pl_ho"
    assert stored.hamlet_code == "AP01"

    # Revoked on the same page: the phone's next refresh and send are refused.
    assert staff.post(f"/staff/volunteers/{volunteer.pk}/revoke").status_code in (200, 302)
    assert collect.get(f"{server_path}/formList", **COLLECT_HEADERS).status_code in (401, 403)
    again = collect_instance(xform, repeat_times=1, external_values={"ap.csv": ["AP01"], "households.csv": ["x"]})
    body, content_type = multipart(again.xml, again.files)
    refused = collect.generic("POST", f"{server_path}/submission", body, content_type=content_type, **COLLECT_HEADERS)
    assert refused.status_code in (401, 403)
    assert not Submission.objects.filter(instance_id=again.instance_id).exists()
