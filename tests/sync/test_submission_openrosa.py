"""POST/HEAD /submission as Collect speaks it: OPENROSA.md §3 and §7 items 1–29."""

import pytest

from backend.core.blobs import blob_read
from backend.submissions.models import Submission, SubmissionAttachment, SubmissionVersion
from backend.surveys.models import FormState
from tests.helpers import COLLECT_HEADERS, openrosa_refusal
from tests.submissions.factories import (
    AUDIT,
    PHOTO,
    device_for,
    instance_xml,
    multipart,
    new_instance_id,
    publish_household_form,
)


@pytest.fixture
def form(db):
    return publish_household_form()


@pytest.fixture
def url(form):
    _volunteer, token = device_for(form)
    return f"/key/{token}/submission"


def post(client, url, xml, files=None, *, incomplete=False, query="", **extra):
    body, content_type = multipart(xml, files, incomplete=incomplete)
    return client.generic("POST", url + query, body, content_type=content_type, **{**COLLECT_HEADERS, **extra})


def message(response) -> str:
    """The body as text; for a refusal, the message Collect shows (asserting the body is an
    OpenRosaResponse)."""
    if response.status_code >= 400:
        return openrosa_refusal(response, response.status_code)
    return response.content.decode()


def test_head_is_204_with_the_accepted_length(client, url, settings):
    response = client.head(url, **COLLECT_HEADERS)
    assert response.status_code == 204
    assert response["X-OpenRosa-Accept-Content-Length"] == str(settings.OPENROSA_ACCEPT_CONTENT_LENGTH)
    assert response["X-OpenRosa-Version"] == "1.0" and not response.content


def test_head_without_the_openrosa_header_is_400(client, url):
    assert client.head(url).status_code == 400


def test_without_credentials_head_and_post_are_401(client, form):
    assert client.head("/submission", **COLLECT_HEADERS).status_code == 401
    response = post(client, "/submission", instance_xml(instance_id=new_instance_id()))
    assert response.status_code == 401 and message(response)


def test_an_unknown_device_token_is_403(client, form):
    assert client.head(f"/key/{'a' * 64}/submission", **COLLECT_HEADERS).status_code == 403


def test_a_body_that_is_not_multipart_is_400_naming_the_missing_field(client, url):
    response = client.generic(
        "POST", url, instance_xml(instance_id="uuid:x"), content_type="text/xml", **COLLECT_HEADERS
    )
    openrosa_refusal(response, 400)
    assert "Required multipart POST field xml_submission_file missing." in message(response)


def test_unparseable_xml_is_400_mentioning_the_form_id_attribute(client, url):
    response = post(client, url, b"<test")
    assert response.status_code == 400 and "form ID xml attribute" in message(response)


@pytest.mark.parametrize(
    "content_type",
    ["multipart/form-data", "multipart/form-data; boundary=zzz"],
)
def test_malformed_multipart_is_400_39_as_an_openrosa_response(client, url, content_type):
    response = client.generic(
        "POST", url, b"--zzz\r\nContent-Disposition: form-da", content_type=content_type, **COLLECT_HEADERS
    )
    openrosa_refusal(response, 400)
    assert "Multipart form content failed to parse." in message(response)
    assert response["Content-Type"] == "text/xml; charset=utf-8"


def test_unknown_form_and_unknown_version_are_404(client, url):
    response = post(client, url, instance_xml(instance_id=new_instance_id(), form_id="nonexistent"))
    openrosa_refusal(response, 404)
    response = post(client, url, instance_xml(instance_id=new_instance_id(), version="-1"))
    assert response.status_code == 404 and "The form version specified in this submission" in message(response)


def test_a_closed_form_is_409_and_a_closing_form_still_accepts(client, url, form):
    form.state = FormState.CLOSING
    form.save()
    assert post(client, url, instance_xml(instance_id=new_instance_id())).status_code == 201
    form.state = FormState.CLOSED
    form.save()
    openrosa_refusal(post(client, url, instance_xml(instance_id=new_instance_id())), 409)


def test_a_valid_submission_is_201_with_the_success_envelope_and_device_details(client, url):
    iid = new_instance_id()
    xml = instance_xml(instance_id=iid)
    response = post(
        client,
        url,
        xml,
        {"1764201234567.jpg": PHOTO},
        query="?deviceID=imei%3A358240051111110",
        HTTP_ODK_CLIENT="test-framework",
    )
    assert response.status_code == 201
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert "full submission upload was successful!" in message(response)
    assert 'nature=""' in message(response)
    version = SubmissionVersion.objects.get(instance_id=iid)
    assert bytes(version.xml) == xml
    assert version.device_id == "imei:358240051111110"
    assert version.user_agent == "test-framework " + COLLECT_HEADERS["HTTP_USER_AGENT"]


def test_unicode_part_names_identical_parts_and_unreferenced_parts(client, url):
    iid = new_instance_id()
    xml = instance_xml(instance_id=iid, photo="ảnh_hộ.jpg", members=[("A", "ảnh_hộ.jpg"), ("B", "tv2.jpg")])
    response = post(
        client, url, xml, {"ảnh_hộ.jpg": PHOTO, "tv2.jpg": PHOTO, "stray.jpg": b"stray", "audit.csv": AUDIT}
    )
    assert response.status_code == 201
    rows = {a.name: a.blob_id for a in SubmissionAttachment.objects.all()}
    assert set(rows) == {"ảnh_hộ.jpg", "tv2.jpg", "audit.csv"}
    assert rows["ảnh_hộ.jpg"] == rows["tv2.jpg"] and blob_read(rows["ảnh_hộ.jpg"]) == PHOTO
    assert SubmissionAttachment.objects.get(name="audit.csv").is_client_audit


def test_the_same_instance_with_different_xml_is_409(client, url):
    iid = new_instance_id()
    assert post(client, url, instance_xml(instance_id=iid)).status_code == 201
    response = post(client, url, instance_xml(instance_id=iid, ap="AP11"))
    assert response.status_code == 409 and "different XML" in message(response)


def test_collect_split_upload_over_three_posts_ends_with_all_files(client, url):
    iid = new_instance_id()
    xml = instance_xml(instance_id=iid, members=[("A", "m1.jpg")])
    first = post(client, url, xml, {"1764201234567.jpg": PHOTO}, incomplete=True)
    second = post(client, url, xml, {"m1.jpg": PHOTO[::-1]}, incomplete=True)
    third = post(client, url, xml, {"audit.csv": AUDIT})
    assert [r.status_code for r in (first, second, third)] == [201, 201, 201]
    assert not SubmissionAttachment.objects.filter(blob__isnull=True).exists()
    assert SubmissionAttachment.objects.count() == 3 and Submission.objects.count() == 1
    for files in ({"1764201234567.jpg": PHOTO}, {"m1.jpg": PHOTO[::-1]}, {"audit.csv": AUDIT}):
        assert post(client, url, xml, files).status_code == 201
    assert Submission.objects.count() == 1 and SubmissionVersion.objects.count() == 1


def test_each_stored_file_leaves_one_attachment_audit_event_and_replays_leave_none(client, url):
    from backend.audit.models import AuditEvent

    iid = new_instance_id()
    xml = instance_xml(instance_id=iid, members=[("A", "m1.jpg")])
    post(client, url, xml, {"1764201234567.jpg": PHOTO, "m1.jpg": PHOTO[::-1]}, incomplete=True)
    post(client, url, xml, {"audit.csv": AUDIT})
    post(client, url, xml, {"audit.csv": AUDIT})  # a byte-identical replay stores nothing new
    events = AuditEvent.objects.filter(action="submission.attachment.update").order_by("id")
    assert [e.details["name"] for e in events] == ["1764201234567.jpg", "m1.jpg", "audit.csv"]
    assert {e.details["instance_id"] for e in events} == {iid}
    assert all(e.actor_device_id is not None for e in events)
    assert AuditEvent.objects.get(action="submission.create").ip == "127.0.0.1"  # the test client's address


def test_a_deleted_submission_resent_is_409(client, url):
    iid = new_instance_id()
    xml = instance_xml(instance_id=iid)
    post(client, url, xml)
    Submission.objects.update(deleted_at="2026-11-28T00:00:00Z")
    response = post(client, url, xml)
    assert response.status_code == 409 and "has been deleted" in message(response)


def test_edits_over_openrosa_unknown_stale_taken_and_accepted(client, url):
    one, two, three = new_instance_id(), new_instance_id(), new_instance_id()
    post(client, url, instance_xml(instance_id=one), {"1764201234567.jpg": PHOTO})
    post(client, url, instance_xml(instance_id=three))
    openrosa_refusal(post(client, url, instance_xml(instance_id=two, deprecated_id="uuid:nope")), 404)
    openrosa_refusal(post(client, url, instance_xml(instance_id=three, deprecated_id=one)), 409)
    edit = instance_xml(instance_id=two, deprecated_id=one, ap="AP02")
    accepted = post(client, url, edit, query="?deviceID=collect:edit")
    assert accepted.status_code == 201
    sub = Submission.objects.get(instance_id=one)
    assert sub.review_state == "edited" and sub.current_version.device_id == "collect:edit"
    assert sub.current_version.attachments.get(name="1764201234567.jpg").blob_id is not None
    stale = post(client, url, instance_xml(instance_id=new_instance_id(), deprecated_id=one))
    assert stale.status_code == 409 and "out of date" in message(stale)
    assert post(client, url, edit).status_code == 201  # the edit retried


def test_the_same_instance_id_on_another_form_is_201(client, form):
    other = publish_household_form(form_id="ho_khac")
    volunteer, token = device_for(form)
    volunteer.forms.add(other)
    iid = new_instance_id()
    assert post(client, f"/key/{token}/submission", instance_xml(instance_id=iid)).status_code == 201
    assert post(client, f"/key/{token}/submission", instance_xml(instance_id=iid, form_id="ho_khac")).status_code == 201


def test_unknown_non_file_fields_are_ignored(client, url):
    iid = new_instance_id()
    body, content_type = multipart(instance_xml(instance_id=iid))
    boundary = content_type.split("=", 1)[1].encode()
    extra = b"--" + boundary + b'\r\nContent-Disposition: form-data; name="__csrf"\r\n\r\ntoken\r\n'
    response = client.generic("POST", url, extra + body, content_type=content_type, **COLLECT_HEADERS)
    assert response.status_code == 201


def test_a_form_with_a_rank_question_accepts_its_submissions(client, db):
    # odk:rank is a bind type (a prefixed string), not an XML QName: reading it as one made
    # every submission to such a form answer 500.
    from backend.surveys.services import form_publish
    from tests.helpers import xlsform_bytes

    result = form_publish(
        xlsform=xlsform_bytes(
            form_id="xep_hang",
            survey=[["rank uu_tien", "uu_tien", "Xếp hạng ưu tiên"], ["text", "ghi_chu", "Ghi chú"]],
            choices=[["uu_tien", "dien", "Điện"], ["uu_tien", "nuoc", "Nước"], ["uu_tien", "duong", "Đường"]],
        ),
        filename="xep_hang.xlsx",
    )
    _volunteer, token = device_for(result.form)
    iid = new_instance_id()
    xml = (
        f'<data xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms" '
        f'id="xep_hang" version="2026112701"><uu_tien>nuoc dien duong</uu_tien><ghi_chu>ổn</ghi_chu>'
        f"<meta><instanceID>{iid}</instanceID></meta></data>"
    ).encode()
    response = post(client, f"/key/{token}/submission", xml)
    assert response.status_code == 201, message(response)
    stored = Submission.objects.select_related("current_version").get(instance_id=iid).current_version
    assert bytes(stored.xml) == xml
    assert stored.parsed["uu_tien"] == "nuoc dien duong"


def test_a_copy_an_edit_has_replaced_resent_is_accepted_so_the_phone_stops_retrying(client, url):
    # Issue 17: the old copy resent after its edit got 409 and stayed "failed" on the phone,
    # retried for days. Central answers 409.9 here; we answer 202 Accepted (OpenRosa's
    # "received, nothing to do"), which Collect and the web outbox take as sent.
    one, two, three = new_instance_id(), new_instance_id(), new_instance_id()
    original = instance_xml(instance_id=one)
    first_edit = instance_xml(instance_id=two, deprecated_id=one, ap="AP02")
    second_edit = instance_xml(instance_id=three, deprecated_id=two, ap="AP03")
    assert post(client, url, original).status_code == 201
    assert post(client, url, first_edit).status_code == 201
    assert post(client, url, second_edit).status_code == 201
    for resent in (original, first_edit):
        response = post(client, url, resent)
        assert response.status_code == 202, response.content
        assert response["X-OpenRosa-Version"] == "1.0"
        assert f"replaced by an edit ({three})" in message(response) and "không có gì thay đổi" in message(response)
    sub = Submission.objects.get(instance_id=one)
    assert sub.current_version.instance_id == three and sub.hamlet_code == "AP03"
    assert sub.versions.count() == 3
    # Different bytes under the old instanceID are still a conflict.
    changed = post(client, url, instance_xml(instance_id=one, ap="AP09"))
    assert changed.status_code == 409 and "different XML" in message(changed)


@pytest.mark.parametrize("where", ["instanceID", "deprecatedID", "file name"])
def test_an_id_or_file_name_longer_than_its_column_is_400_not_500(client, url, where):
    long = "uuid:" + "x" * 300
    if where == "instanceID":
        xml = instance_xml(instance_id=long)
    elif where == "deprecatedID":
        xml = instance_xml(instance_id=new_instance_id(), deprecated_id=long)
    else:
        xml = instance_xml(instance_id=new_instance_id(), photo="a" * 300 + ".jpg")
    response = post(client, url, xml)
    assert response.status_code == 400, message(response)
    assert "255" in message(response)
