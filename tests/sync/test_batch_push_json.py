"""JSON items in the batch push (issue 13): answers by field name become the form's instance
XML (read from its XForm by the one schema reader), then go through `submission_receive` like
any item; unknown fields and wrong types are refused per item with code 400.40."""

import base64

import pytest
from lxml import etree

from backend.submissions.models import Submission, SubmissionAttachment
from tests.submissions.factories import PHOTO, device_for, new_instance_id, publish_household_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def token():
    _volunteer, raw = device_for(publish_household_form())
    return raw


def push(client, token, items):
    response = client.post(f"/key/{token}/api/v1/sync/submissions", {"items": items}, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def answers_item(instance_id, answers, files=None):
    return {
        "form_id": "ho_test",
        "instance_id": instance_id,
        "answers": answers,
        "files": {n: base64.b64encode(d).decode() for n, d in (files or {}).items()},
    }


GOOD = {
    "dot_ks": "2026-R1",
    "ap": "AP05",
    "today": "2026-12-03",
    "vi_tri": [10.9012, 106.8123, 12.5, 4.0],
    "anh": "nha.jpg",
    "so_tv": 2,
    "tv": [{"tv_ten": "Nguyễn Văn Hùng"}, {"tv_ten": "Lê Thị Hoa"}],
}


def test_json_answers_are_stored_as_the_forms_instance_xml_and_a_resend_is_a_replay(client, token):
    iid = new_instance_id()
    (result,) = push(client, token, [answers_item(iid, GOOD, {"nha.jpg": PHOTO})])
    assert (result["result"], result["status"], result["instance_id"]) == ("created", 201, iid)
    submission = Submission.objects.get(instance_id=iid)
    assert (submission.hamlet_code, str(submission.survey_date), submission.lat) == ("AP05", "2026-12-03", 10.9012)
    xml = etree.fromstring(bytes(submission.current_version.xml))
    assert xml.get("id") == "ho_test" and xml.get("version") == "2026112701"
    assert xml.findtext("ho/so_tv") == "2" and [e.text for e in xml.iterfind("tv/tv_ten")] == [
        "Nguyễn Văn Hùng",
        "Lê Thị Hoa",
    ]
    assert xml.findtext("meta/instanceID") == iid
    assert submission.current_version.parsed["tv"][1]["tv_ten"] == "Lê Thị Hoa"
    assert SubmissionAttachment.objects.get(name="nha.jpg").blob_id is not None

    (again,) = push(client, token, [answers_item(iid, GOOD, {"nha.jpg": PHOTO})])
    assert again["result"] == "replayed" and Submission.objects.count() == 1
    (changed,) = push(client, token, [answers_item(iid, {**GOOD, "so_tv": 3}, {"nha.jpg": PHOTO})])
    assert (changed["result"], changed["code"]) == ("conflict", "409.1")


@pytest.mark.parametrize(
    ("answers", "field", "words"),
    [
        ({"khong_co": "x"}, "khong_co", "no such field"),
        ({"so_tv": "hai"}, "so_tv", "whole number"),
        ({"so_tv": True}, "so_tv", "whole number"),
        ({"today": "03/12/2026"}, "today", "YYYY-MM-DD"),
        ({"vi_tri": [95, 106]}, "vi_tri", "out of range"),
        ({"ho": {"so_tv": 2}}, "ho", "is a group"),
        ({"tv": {"tv_ten": "A"}}, "tv", "list of objects"),
        ({"tv": [{"tv_tuoi": 3}]}, "tv[0].tv_tuoi", "no such field"),
        ({"anh": "missing.jpg"}, "anh", "does not carry"),
        ({"ap": 5}, "ap", "expects text"),
    ],
)
def test_unknown_fields_and_wrong_types_are_refused_per_item_and_store_nothing(client, token, answers, field, words):
    ok = new_instance_id()
    results = push(
        client, token, [answers_item(new_instance_id(), answers), answers_item(ok, GOOD, {"nha.jpg": PHOTO})]
    )
    bad, good = results
    assert (bad["result"], bad["status"], bad["code"]) == ("refused", 400, "400.40")
    assert field in bad["message"] and words in bad["message"]
    assert good["result"] == "created"
    assert list(Submission.objects.values_list("instance_id", flat=True)) == [ok]


def test_an_unknown_form_or_version_is_refused_for_that_item(client, token):
    unknown = {**answers_item(new_instance_id(), GOOD), "form_id": "khong_co"}
    old = {**answers_item(new_instance_id(), GOOD), "version": "1999"}
    results = push(client, token, [unknown, old])
    assert [(r["result"], r["code"]) for r in results] == [("refused", "404.1"), ("refused", "404.6")]


def test_an_item_with_both_xml_and_answers_or_neither_is_a_400(client, token):
    both = {**answers_item(new_instance_id(), GOOD), "xml": "<data/>"}
    response = client.post(f"/key/{token}/api/v1/sync/submissions", {"items": [both]}, content_type="application/json")
    assert response.status_code == 400 and "not both" in response.content.decode()
    neither = client.post(
        f"/key/{token}/api/v1/sync/submissions", {"items": [{"files": {}}]}, content_type="application/json"
    )
    assert neither.status_code == 400
