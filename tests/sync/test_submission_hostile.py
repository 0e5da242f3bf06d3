"""Hostile input on /submission: each is a 4xx OpenRosaResponse with a message, nothing is
stored (no submission, no blob), and the next honest submission still succeeds."""

import time

import pytest

from backend.core.models import Blob
from backend.submissions.models import Submission
from tests.helpers import COLLECT_HEADERS
from tests.submissions.factories import (
    PHOTO,
    device_for,
    instance_xml,
    multipart,
    new_instance_id,
    publish_household_form,
)

XXE = (
    b'<?xml version="1.0"?><!DOCTYPE data [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    b'<data id="ho_test" version="2026112701"><ap>&xxe;</ap><meta><instanceID>uuid:x1</instanceID></meta></data>'
)
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE data [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    + b"".join(f'<!ENTITY {chr(99 + i)} "{("&" + chr(98 + i) + ";") * 10}">'.encode() for i in range(7))
    + b']><data id="ho_test" version="2026112701"><ap>&j;</ap><meta><instanceID>uuid:x2</instanceID></meta></data>'
)
DEEP = (
    b'<data id="ho_test" version="2026112701">'
    + b"<g>" * 100_000
    + b"x"
    + b"</g>" * 100_000
    + b"<meta><instanceID>uuid:x3</instanceID></meta></data>"
)
BAD_UTF8 = (
    b'<data id="ho_test" version="2026112701"><ap>\xff\xfe\xc3</ap><meta><instanceID>uuid:x4</instanceID></meta></data>'
)


@pytest.fixture
def url(db):
    _volunteer, token = device_for(publish_household_form())
    return f"/key/{token}/submission"


def send(client, url, body, content_type, **extra):
    return client.generic("POST", url, body, content_type=content_type, **{**COLLECT_HEADERS, **extra})


def assert_refused_and_still_serving(client, url, response, status_range=(400, 499)):
    assert status_range[0] <= response.status_code <= status_range[1], response.content[:300]
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert b'<message nature="error">' in response.content
    assert not Submission.objects.exists() and not Blob.objects.filter(size=len(PHOTO)).exists()
    body, content_type = multipart(instance_xml(instance_id=new_instance_id()))
    assert send(client, url, body, content_type).status_code == 201


@pytest.mark.parametrize(
    "xml", [XXE, LAUGHS, DEEP, BAD_UTF8], ids=["external-entity", "billion-laughs", "100k-nested", "invalid-utf8"]
)
def test_hostile_xml_is_refused_quickly(client, url, xml):
    started = time.monotonic()
    response = send(client, url, *multipart(xml, {"1764201234567.jpg": PHOTO}))
    assert time.monotonic() - started < 5
    assert response.status_code == 400
    assert_refused_and_still_serving(client, url, response)


def test_a_part_named_like_a_path_is_refused(client, url):
    xml = instance_xml(instance_id=new_instance_id(), photo="../../etc/passwd")
    response = send(client, url, *multipart(xml, {"../../etc/passwd": PHOTO}))
    assert response.status_code == 400 and b"not a plain file name" in response.content
    assert_refused_and_still_serving(client, url, response)


def test_a_declared_2gb_body_is_413_before_anything_is_read(client, url):
    body, content_type = multipart(instance_xml(instance_id=new_instance_id()), {"1764201234567.jpg": PHOTO})
    response = send(client, url, body, content_type, CONTENT_LENGTH=str(2 * 1024**3))
    assert response.status_code == 413 and b"larger than" in response.content
    assert_refused_and_still_serving(client, url, response)


@pytest.mark.parametrize("cut", [200, -300, -10], ids=["in-the-xml", "in-the-photo", "in-the-closing-boundary"])
def test_a_truncated_multipart_body_is_refused(client, url, cut):
    body, content_type = multipart(instance_xml(instance_id=new_instance_id()), {"1764201234567.jpg": PHOTO})
    response = send(client, url, body[:cut], content_type)
    assert response.status_code == 400
    assert_refused_and_still_serving(client, url, response)


def test_more_file_parts_than_allowed_is_413(client, url, settings):
    files = {f"f{i}.jpg": b"x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)}
    response = send(client, url, *multipart(instance_xml(instance_id=new_instance_id()), files))
    assert response.status_code == 413
    assert_refused_and_still_serving(client, url, response)


def test_a_huge_non_file_field_is_413(client, url, settings):
    body, content_type = multipart(instance_xml(instance_id=new_instance_id()))
    boundary = content_type.split("=", 1)[1].encode()
    field = b"--" + boundary + b'\r\nContent-Disposition: form-data; name="junk"\r\n\r\n'
    field += b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1) + b"\r\n"
    response = send(client, url, field + body, content_type)
    assert response.status_code == 413
    assert_refused_and_still_serving(client, url, response)
