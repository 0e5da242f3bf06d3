"""The OData feed through Django's test client: the $metadata bytes, typed values, repeat rows
joined by their parent keys, who sees which rows, filters, paging, bad options, audit."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from lxml import etree

from backend.audit.models import AuditEvent
from backend.submissions.models import Submission
from tests.odata.world import FORM_ID, PASSWORD

BASE = f"/api/v1/forms/{FORM_ID}.svc"
EDM = "{http://docs.oasis-open.org/odata/ns/edm}"


def get(client, world, path, role="admin", **extra):
    response = client.get(BASE + path, HTTP_AUTHORIZATION=f"Bearer {world.tokens[role]}", **extra)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def rows(client, world, path, role="admin"):
    response, body = get(client, world, path, role)
    assert response.status_code == 200, body
    return json.loads(body)


def test_the_metadata_is_edmx_built_from_the_xform(client, world):
    response, body = get(client, world, "/$metadata")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    assert response["OData-Version"] == "4.0"
    assert body.startswith(
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0">\n<edmx:DataServices>\n'
    )
    # The same form gives the same bytes (clients cache metadata).
    assert get(client, world, "/$metadata")[1] == body
    root = etree.fromstring(body)
    types = {
        e.get("Name"): {p.get("Name"): p.get("Type") for p in e.iter(f"{EDM}Property")}
        for e in root.iter(f"{EDM}EntityType", f"{EDM}ComplexType")
    }
    ns = "org.opendatakit.user.od_test"
    assert types["Submissions"] == {
        "__id": "Edm.String",
        "__system": "org.opendatakit.submission.metadata",
        "today": "Edm.Date",
        "dot_ks": "Edm.String",
        "ap": "Edm.String",
        "so_nguoi": "Edm.Int64",
        "thu_nhap": "Edm.Decimal",
        "ngay_sinh": "Edm.Date",
        "luc_den": "Edm.DateTimeOffset",
        "vi_tri": "Edm.GeographyPoint",
        "kenh": "Edm.String",
        "ho": f"{ns}.ho",
        "meta": f"{ns}.meta",
    }
    assert types["ho"] == {"ten_chu_ho": "Edm.String"}  # the repeat inside is its own set
    assert types["Submissions.ho.tv"] == {
        "__id": "Edm.String",
        "__Submissions-id": "Edm.String",
        "tv_ten": "Edm.String",
        "tv_tuoi": "Edm.Int64",
    }
    assert types["Submissions.ho.tv.dt"] == {
        "__id": "Edm.String",
        "__Submissions-ho-tv-id": "Edm.String",
        "dt_loai": "Edm.String",
    }
    sets = {e.get("Name"): e.get("EntityType") for e in root.iter(f"{EDM}EntitySet")}
    assert sets == {name: f"{ns}.{name}" for name in ("Submissions", "Submissions.ho.tv", "Submissions.ho.tv.dt")}
    keys = [k.get("Name") for k in root.iter(f"{EDM}PropertyRef")]
    assert keys == ["__id", "__id", "__id"]


def test_the_service_document_lists_every_table(client, world):
    document = rows(client, world, "")
    assert document["@odata.context"] == f"http://testserver{BASE}/$metadata"
    assert [s["url"] for s in document["value"]] == ["Submissions", "Submissions.ho.tv", "Submissions.ho.tv.dt"]


def test_values_are_typed_by_the_form(client, world):
    full = world.send()
    empty = world.send(so_nguoi="", thu_nhap="", vi_tri="", kenh="", ngay_sinh="")
    by_id = {r["__id"]: r for r in rows(client, world, "/Submissions")["value"]}
    row = by_id[full]
    assert row["so_nguoi"] == 3 and row["thu_nhap"] == 12.5 and row["ngay_sinh"] == "1970-05-01"
    assert row["luc_den"] == "2026-11-27T08:15:00.000+07:00" and row["kenh"] == "zalo loa"
    assert row["vi_tri"] == {"type": "Point", "coordinates": [106.8123, 10.9012, 12.5], "properties": {"accuracy": 4.0}}
    assert row["ho"] == {"ten_chu_ho": "Nguyễn Văn Hùng"} and row["meta"] == {"instanceID": full}
    assert row["__system"]["reviewState"] is None and row["__system"]["hamletCode"] == "AP01"
    assert row["__system"]["surveyDate"] == "2026-11-27" and row["__system"]["submitterName"] == "Trần Thị Bình"
    blank = by_id[empty]
    assert [blank[k] for k in ("so_nguoi", "thu_nhap", "vi_tri", "kenh", "ngay_sinh")] == [None] * 5


def test_repeat_rows_point_at_their_parents(client, world):
    one = world.send(members=(("An", "40", ("smartphone", "feature")), ("Bình", "9", ())))
    two = world.send(members=(("Chi", "30", ("smartphone",)),))
    members = rows(client, world, "/Submissions.ho.tv?$count=true")
    assert members["@odata.count"] == 3
    assert [(m["__Submissions-id"], m["tv_ten"], m["tv_tuoi"]) for m in members["value"]] == [
        (two, "Chi", 30),
        (one, "An", 40),
        (one, "Bình", 9),
    ]
    phones = rows(client, world, "/Submissions.ho.tv.dt?$count=true")
    parent_of = {m["__id"]: m["tv_ten"] for m in members["value"]}
    assert phones["@odata.count"] == 3
    assert [(parent_of[p["__Submissions-ho-tv-id"]], p["dt_loai"]) for p in phones["value"]] == [
        ("Chi", "smartphone"),
        ("An", "smartphone"),
        ("An", "feature"),
    ]
    assert len({m["__id"] for m in members["value"]}) == 3  # row keys are distinct
    # The same rows again: keys are stable across requests.
    assert rows(client, world, "/Submissions.ho.tv")["value"] == members["value"]


def test_a_hamlet_head_sees_their_hamlet_and_nobody_sees_deleted_rows(client, world):
    mine = world.send(ap="AP01")
    world.send(ap="AP02", members=(("Người ấp B", "50", ()),))
    gone = world.send(ap="AP01")
    Submission.objects.filter(instance_id=gone).update(deleted_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    head = rows(client, world, "/Submissions?$count=true", role="hamlet_head")
    assert [r["__id"] for r in head["value"]] == [mine] and head["@odata.count"] == 1
    members = rows(client, world, "/Submissions.ho.tv", role="hamlet_head")["value"]
    assert [m["__Submissions-id"] for m in members] == [mine]
    assert get(client, world, "/Submissions.ho.tv/$count", role="hamlet_head")[1] == b"1"
    assert rows(client, world, "/Submissions?$count=true")["@odata.count"] == 2  # admin: all but deleted
    response, body = get(client, world, "/Submissions", role="viewer")
    assert response.status_code == 403 and json.loads(body)["code"] == "403.1"
    assert get(client, world, "/$metadata", role="viewer")[0].status_code == 403


def test_filters_on_dates_and_review_state(client, world):
    days = [world.send(received_at=dt.datetime(2026, 11, d, 3, 0, tzinfo=dt.UTC)) for d in (10, 20, 30)]
    Submission.objects.filter(instance_id=days[1]).update(review_state="approved")
    Submission.objects.filter(instance_id=days[2]).update(review_state="has_issues", survey_date=dt.date(2026, 11, 29))

    def ids(expression):
        return [r["__id"] for r in rows(client, world, f"/Submissions?$filter={expression}")["value"]]

    assert ids("__system/submissionDate ge 2026-11-15T00:00:00Z") == [days[2], days[1]]
    assert ids("__system/submissionDate lt 2026-11-20") == [days[0]]  # a date: the day, commune time
    assert ids("day(__system/submissionDate) eq 20") == [days[1]]
    assert ids("__system/reviewState eq 'approved'") == [days[1]]
    assert ids("__system/reviewState eq null") == [days[0]]
    assert ids("__system/reviewState in ('approved','hasIssues')") == [days[2], days[1]]
    assert ids("not (__system/reviewState eq null) and __system/surveyDate gt 2026-11-28") == [days[2]]
    assert ids("__system/surveyDate eq 2026-11-27 or __system/reviewState ne null") == days[::-1]
    # The repeat tables are filtered by their submission's __system too.
    members = rows(client, world, "/Submissions.ho.tv?$filter=__system/reviewState eq 'approved'")["value"]
    assert [m["__Submissions-id"] for m in members] == [days[1]]


@pytest.mark.parametrize(
    "query, words",
    [
        ("$filter=__system/submissionDate ge", "does not parse"),
        ("$filter=so_nguoi gt 2", "so_nguoi cannot be filtered on"),
        ("$filter=__system/reviewState eq 'done'", "is null (received) or one of"),
        ("$filter=__system/surveyDate gt 2026-11-01T00:00:00Z", "is a date"),
        ("$filter=__system/submissionDate add 1 eq 2", "cannot be filtered on"),
        ("$filter=length(__system/hamletCode) eq 4", "not supported"),
        ("$top=-1", "not a whole number"),
        ("$skip=abc", "not a whole number"),
        ("$count=yes", "neither true nor false"),
        ("$select=khong_co", "not a property"),
        ("$select=ho/ten_chu_ho", "only top-level"),
        ("$expand=*", "does not support"),
        ("$skiptoken=bogus!", "not a token"),
    ],
)
def test_a_bad_option_is_a_400_that_says_why(client, world, query, words):
    world.send()
    response, body = get(client, world, f"/Submissions?{query}")
    assert response.status_code == 400
    problem = json.loads(body)
    assert problem["code"] == "400.18" and words in problem["message"]
    assert problem["error"]["message"] == problem["message"]  # the shape OData clients read


def test_top_pages_with_next_links_that_survive_new_submissions(client, world):
    sent = [world.send() for _ in range(5)]
    first = rows(client, world, "/Submissions?$top=2&$count=true")
    assert [r["__id"] for r in first["value"]] == sent[:2:-1][:2] == [sent[4], sent[3]]
    assert first["@odata.count"] == 5
    world.send()  # arrives between pages: not a reason to repeat or skip a row
    link = first["@odata.nextLink"].removeprefix(f"http://testserver{BASE}")
    second = rows(client, world, link)
    assert [r["__id"] for r in second["value"]] == [sent[2], sent[1]]
    third = rows(client, world, second["@odata.nextLink"].removeprefix(f"http://testserver{BASE}"))
    assert [r["__id"] for r in third["value"]] == [sent[0]] and "@odata.nextLink" not in third
    skipped = rows(client, world, "/Submissions?$skip=4")["value"]
    assert [r["__id"] for r in skipped] == [sent[1], sent[0]]
    members = rows(client, world, "/Submissions.ho.tv?$top=4")
    more = rows(client, world, members["@odata.nextLink"].removeprefix(f"http://testserver{BASE}"))
    assert len(members["value"]) == 4 and len(more["value"]) == 2 and "@odata.nextLink" not in more


def test_select_keeps_the_key_and_the_named_properties(client, world):
    world.send()
    row = rows(client, world, "/Submissions?$select=so_nguoi,__system")["value"][0]
    assert set(row) == {"__id", "__system", "so_nguoi"}


def test_basic_credentials_are_refused_over_plain_http_and_accepted_over_https(client, world):
    world.send()

    def basic(secret):
        return "Basic " + base64.b64encode(f"quantri:{secret}".encode()).decode()

    plain = client.get(f"{BASE}/Submissions", HTTP_AUTHORIZATION=basic(PASSWORD))
    assert plain.status_code == 401 and plain.json()["code"] == "401.3"
    secure = client.get(f"{BASE}/Submissions", HTTP_AUTHORIZATION=basic(PASSWORD), secure=True)
    assert secure.status_code == 200
    token = client.get(f"{BASE}/Submissions", HTTP_AUTHORIZATION=basic(world.tokens["admin"]), secure=True)
    assert token.status_code == 200
    other_users_token = client.get(
        f"{BASE}/Submissions", HTTP_AUTHORIZATION=basic(world.tokens["hamlet_head"]), secure=True
    )
    assert other_users_token.status_code == 401  # a token only works with its own user name


def test_every_read_leaves_one_audit_row(client, world):
    world.send()
    before = AuditEvent.objects.filter(action="submission.odata").count()
    rows(client, world, "/Submissions?$top=1")
    rows(client, world, "/Submissions.ho.tv")
    events = AuditEvent.objects.filter(action="submission.odata").order_by("id")
    assert events.count() == before + 2
    assert events.last().object_id == FORM_ID
