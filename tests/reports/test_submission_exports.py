"""Submission exports: CSV zip with one file per repeat joined by KEY/PARENT_KEY, XLSX with
repeats on their own sheets, GeoJSON points, all attachments as a zip; streamed, filtered
(round, hamlet, state, dates), scoped by the one selector, guarded against formulas,
audited; the same files built by a background job with progress and a download link."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from backend.accounts.actors import actor_for_device
from backend.audit.models import AuditEvent
from backend.jobs.models import Job
from backend.reports.models import RoundAssignment, SurveyRound
from backend.submissions.models import Submission
from backend.submissions.services import submission_receive
from tests.access.world import world_build
from tests.submissions.factories import PHOTO, instance_xml, new_instance_id

pytestmark = pytest.mark.django_db
BASE = "/api/v1/forms/ho_test"
OTHER_PHOTO = b"\xff\xd8\xff\xe0" + b"khac" * 500 + b"\xff\xd9"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world():
    return world_build()


def submit(world, *, hamlet="AP01", other=False, members=(), photo=PHOTO, vi_tri="10.9012 106.8123 12.5 4.0", **kw):
    volunteer = world.other_volunteer if other else world.volunteer
    actor = actor_for_device(volunteer.tokens.get(revoked_at__isnull=True), url_prefix="")
    xml = instance_xml(instance_id=new_instance_id(), ap=hamlet, audit=None, members=list(members), vi_tri=vi_tri, **kw)
    files = {"1764201234567.jpg": SimpleUploadedFile("1764201234567.jpg", photo, "image/jpeg")} if photo else {}
    return submission_receive(actor=actor, xml=xml, files=files).submission


def body(response) -> bytes:
    assert response.status_code == 200, getattr(response, "content", b"")[:500]
    return b"".join(response.streaming_content)


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.fixture
def three(world, client):
    """Two households of ấp A (two members, one), one of ấp B (three members, a formula)."""
    a1 = submit(world, members=[("Nguyễn Văn Hùng", ""), ("Lê Thị Hoa", "")])
    a2 = submit(world, members=[("Trần Minh Đức", "")], photo=OTHER_PHOTO, vi_tri="")
    b1 = submit(
        world, hamlet="AP02", other=True, members=[("=HYPERLINK(1)", ""), ("Võ Thị Lan", ""), ("Đỗ Văn Bảy", "")]
    )
    client.force_login(world.users["leadership"])
    return a1, a2, b1


def test_csv_zip_has_a_file_per_repeat_whose_rows_join_their_household_by_key(three, client):
    a1, a2, b1 = three
    archive = zipfile.ZipFile(io.BytesIO(body(client.get(f"{BASE}/submissions.csv.zip"))))
    assert sorted(archive.namelist()) == ["ho_test-tv.csv", "ho_test.csv"]
    households = read_csv(archive.read("ho_test.csv"))
    members = read_csv(archive.read("ho_test-tv.csv"))
    assert [h["instance_id"] for h in households] == [a1.instance_id, a2.instance_id, b1.instance_id]
    assert [h["KEY"] for h in households] == [h["instance_id"] for h in households]
    assert [h["tv[count]"] for h in households] == ["2", "1", "3"]
    by_household = {}
    for member in members:
        by_household.setdefault(member["PARENT_KEY"], []).append(member["tv_ten"])
    assert by_household == {
        a1.instance_id: ["Nguyễn Văn Hùng", "Lê Thị Hoa"],
        a2.instance_id: ["Trần Minh Đức"],
        b1.instance_id: ["'=HYPERLINK(1)", "Võ Thị Lan", "Đỗ Văn Bảy"],  # guarded
    }
    assert members[1]["KEY"] == f"{a1.instance_id}/tv[2]"
    assert households[0]["ho/so_tv"] == "2" and households[0]["hamlet"] == "AP01"


def test_xlsx_holds_the_households_and_their_members_on_their_own_sheet(three, client):
    a1, a2, b1 = three
    response = client.get(f"{BASE}/submissions.xlsx")
    workbook = load_workbook(io.BytesIO(body(response)), read_only=True)
    assert workbook.sheetnames == ["ho_test", "tv"]
    households = list(workbook["ho_test"].iter_rows(values_only=True))
    members = list(workbook["tv"].iter_rows(values_only=True))
    header = households[0]
    assert header[:3] == ("instance_id", "current_instance_id", "review_state") and header[-1] == "KEY"
    assert [row[0] for row in households[1:]] == [a1.instance_id, a2.instance_id, b1.instance_id]
    assert members[0][:3] == ("KEY", "PARENT_KEY", "tv_ten")
    assert len(members) == 1 + 6
    assert ("'=HYPERLINK(1)" in [m[2] for m in members]) and "=HYPERLINK(1)" not in [m[2] for m in members]
    assert {m[1] for m in members[1:]} == {a1.instance_id, a2.instance_id, b1.instance_id}


def test_geojson_has_a_point_per_located_submission(three, client):
    a1, a2, b1 = three
    response = client.get(f"{BASE}/submissions.geojson")
    assert response["Content-Type"] == "application/geo+json"
    collection = json.loads(body(response))
    assert collection["type"] == "FeatureCollection"
    by_id = {f["id"]: f for f in collection["features"]}
    assert set(by_id) == {a1.instance_id, b1.instance_id}  # a2 has no location
    assert by_id[a1.instance_id]["geometry"] == {"type": "Point", "coordinates": [106.8123, 10.9012, 12.5]}
    assert by_id[b1.instance_id]["properties"]["hamlet"] == "AP02"
    assert by_id[b1.instance_id]["properties"]["tv[count]"] == 3


def test_attachments_zip_holds_each_submissions_own_bytes(three, client):
    a1, a2, b1 = three
    archive = zipfile.ZipFile(io.BytesIO(body(client.get(f"{BASE}/attachments.zip"))))
    folder = {s: s.instance_id.removeprefix("uuid:") for s in (a1, a2, b1)}
    assert sorted(archive.namelist()) == sorted(f"media/{folder[s]}/1764201234567.jpg" for s in (a1, a2, b1))
    assert archive.read(f"media/{folder[a1]}/1764201234567.jpg") == PHOTO
    assert archive.read(f"media/{folder[a2]}/1764201234567.jpg") == OTHER_PHOTO
    assert archive.testzip() is None


@pytest.mark.parametrize("fmt", ["submissions.csv", "submissions.csv.zip", "submissions.xlsx", "submissions.geojson"])
def test_a_hamlet_heads_export_lacks_the_other_hamlet_in_every_format(three, world, client, fmt):
    a1, a2, b1 = three
    client.force_login(world.users["hamlet_head"])
    data = body(client.get(f"{BASE}/{fmt}"))
    if fmt.endswith("zip") or fmt.endswith("xlsx"):
        archive = zipfile.ZipFile(io.BytesIO(data))
        data = b"".join(archive.read(n) for n in archive.namelist())
    for own in (a1, a2) if fmt != "submissions.geojson" else (a1,):  # a2 has no point
        assert own.instance_id.encode() in data
    assert b1.instance_id.encode() not in data and "Võ Thị Lan".encode() not in data
    event = AuditEvent.objects.filter(action="submission.export").latest("id")
    assert event.actor_label == "user:truongap_a" and event.details["rows"] == 2


def test_a_hamlet_heads_attachments_are_only_their_hamlets(three, world, client):
    a1, a2, b1 = three
    client.force_login(world.users["hamlet_head"])
    names = zipfile.ZipFile(io.BytesIO(body(client.get(f"{BASE}/attachments.zip")))).namelist()
    assert len(names) == 2 and not any(b1.instance_id.removeprefix("uuid:") in n for n in names)


def test_filters_narrow_every_format_and_bad_ones_are_400_naming_the_field(three, world, client):
    a1, a2, b1 = three
    Submission.objects.filter(pk=a2.pk).update(review_state="approved")
    SurveyRound.objects.create(name="2026", start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), target_year=2027)
    RoundAssignment.objects.create(submission=b1, round=SurveyRound.objects.get(name="2025"))

    def ids(params):
        return [r["instance_id"] for r in read_csv(body(client.get(f"{BASE}/submissions.csv", params)))]

    assert ids({"hamlet": "AP02"}) == [b1.instance_id]
    assert ids({"state": "approved"}) == [a2.instance_id]
    assert ids({"round": "2026"}) == [a1.instance_id, a2.instance_id]
    assert ids({"round": "2025"}) == [b1.instance_id]  # by hand, whatever its date
    assert ids({"date_from": "2026-11-28"}) == []
    rows = read_csv(body(client.get(f"{BASE}/submissions.csv")))
    assert [r["round"] for r in rows] == ["2026", "2026", "2025"]

    unknown = client.get(f"{BASE}/submissions.csv.zip", {"round": "1999"})
    assert unknown.status_code == 400 and "1999" in unknown.json()["message"]
    bad_date = client.post(f"{BASE}/submissions.xlsx?date_from=hôm-qua")
    assert bad_date.status_code == 400 and "date_from" in bad_date.json()["details"]["fields"]
    assert not Job.objects.filter(kind="submissions.export").exists()


def test_the_csv_route_keeps_its_columns_and_has_no_cap(three, client):
    response = client.get(f"{BASE}/submissions.csv")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Export-Rows"] == "3"
    data = body(response)
    assert data.startswith("\ufeff".encode())
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert header[:9] == [
        "instance_id",
        "current_instance_id",
        "review_state",
        "hamlet",
        "volunteer",
        "survey_date",
        "submitted_at",
        "lat",
        "lon",
    ]
    assert "tv[count]" in header and "tv/tv_ten" not in header
    from backend.reports import submission_export

    assert not hasattr(submission_export, "EXPORT_LIMIT")


def test_deleted_submissions_are_in_no_export(three, client):
    a1, a2, b1 = three
    Submission.objects.filter(pk=a1.pk).update(deleted_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    data = body(client.get(f"{BASE}/submissions.csv.zip"))
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert a1.instance_id.encode() not in b"".join(archive.read(n) for n in archive.namelist())
    names = zipfile.ZipFile(io.BytesIO(body(client.get(f"{BASE}/attachments.zip")))).namelist()
    assert len(names) == 2


@pytest.mark.parametrize("fmt", ["submissions.csv.zip", "submissions.xlsx", "attachments.zip"])
def test_a_background_export_is_the_file_the_request_streams(three, world, client, fmt):
    client.force_login(world.users["hamlet_head"])
    direct = body(client.get(f"{BASE}/{fmt}", {"hamlet": "AP01"}))
    started = client.post(f"{BASE}/{fmt}?hamlet=AP01")
    assert started.status_code == 202, started.content
    job = client.get(started["Location"]).json()
    assert job["state"] == "done" and job["progress"] == 1.0, job
    assert job["kind"] == "submissions.export" and job["params"]["query"] == {"hamlet": ["AP01"]}
    assert job["result"]["rows"] == 2
    download = client.get(job["result_url"])
    assert "no-store" in download["Cache-Control"]
    data = b"".join(download.streaming_content)

    def contents(raw):
        archive = zipfile.ZipFile(io.BytesIO(raw))
        return {n: archive.read(n) for n in archive.namelist() if not n.startswith("docProps/")}

    assert contents(data) == contents(direct)
    # Someone else cannot follow or download it.
    client.force_login(world.users["hamlet_head_b"])
    assert client.get(job["result_url"]).status_code == 404
