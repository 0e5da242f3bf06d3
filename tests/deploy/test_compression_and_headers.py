"""Text responses compressed when asked, security headers on every response, and OpenRosa
bytes untouched for a client that does not ask (its md5 must match formList's hash)."""

import gzip
import hashlib
import json

import brotli
import pytest
from lxml import etree

from backend.accounts.models import Role
from backend.accounts.services import user_create, volunteer_create
from backend.surveys.services import form_publish
from tests.helpers import xlsform_bytes

LIST_NS = "{http://openrosa.org/xforms/xformsList}"
PASSWORD = "lanh-dao-pass-1"


@pytest.fixture
def leader(db, client):
    user_create(username="lanhdao", password=PASSWORD, role=Role.LEADERSHIP)
    client.login(username="lanhdao", password=PASSWORD)
    return client


@pytest.fixture
def device_token(db):
    survey = [["text", f"q{i}", f"Câu hỏi số {i} về chuyển đổi số"] for i in range(60)]
    form = form_publish(xlsform=xlsform_bytes(form_id="big", title="Big", survey=survey), filename="big.xlsx").form
    _volunteer, token = volunteer_create(name="Nguyễn Văn A", forms=[form])
    return token


def test_a_page_comes_back_brotli_or_gzip_as_asked(leader):
    plain = leader.get("/dashboard/")
    assert plain.status_code == 200 and not plain.has_header("Content-Encoding")
    assert "Accept-Encoding" in plain["Vary"]
    for coding, decode in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        response = leader.get("/dashboard/", HTTP_ACCEPT_ENCODING=f"{coding}, identity")
        assert response["Content-Encoding"] == coding
        assert len(response.wire_content) < len(response.content) / 2
        assert decode(response.wire_content) == response.content
        assert "Bảng điều khiển".encode() in response.content or b"<html" in response.content


def test_a_json_response_comes_back_compressed(leader):
    response = leader.get("/api/schema?format=json", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "br"
    assert json.loads(brotli.decompress(response.wire_content))["openapi"].startswith("3.")


def test_a_refused_coding_is_not_used(leader):
    response = leader.get("/dashboard/", HTTP_ACCEPT_ENCODING="br;q=0, gzip")
    assert response["Content-Encoding"] == "gzip"
    response = leader.get("/dashboard/", HTTP_ACCEPT_ENCODING="identity")
    assert not response.has_header("Content-Encoding")


def test_openrosa_bytes_without_accept_encoding_are_exactly_what_formlist_hashes(client, device_token):
    """No Accept-Encoding: the XForm is the stored bytes, byte for byte, and formList's md5 is theirs."""
    headers = {"HTTP_X_OPENROSA_VERSION": "1.0"}
    listing = client.get(f"/key/{device_token}/formList", **headers)
    assert not listing.has_header("Content-Encoding")
    item = etree.fromstring(listing.content).find(f"{LIST_NS}xform")
    url = item.findtext(f"{LIST_NS}downloadUrl").replace("https://survey.example.org", "")
    download = client.get(url, **headers)
    assert not download.has_header("Content-Encoding")
    assert item.findtext(f"{LIST_NS}hash") == "md5:" + hashlib.md5(download.content).hexdigest()
    assert download["ETag"] == f'"{hashlib.md5(download.content).hexdigest()}"'


def test_collect_asking_for_gzip_decodes_to_the_same_bytes_and_can_revalidate(client, device_token):
    headers = {"HTTP_X_OPENROSA_VERSION": "1.0"}
    item = etree.fromstring(client.get(f"/key/{device_token}/formList", **headers).content).find(f"{LIST_NS}xform")
    url = item.findtext(f"{LIST_NS}downloadUrl").replace("https://survey.example.org", "")
    plain = client.get(url, **headers)
    zipped = client.get(url, HTTP_ACCEPT_ENCODING="gzip", **headers)
    assert zipped["Content-Encoding"] == "gzip" and len(zipped.wire_content) < len(plain.content)
    assert zipped.content == plain.content
    # The compressed copy has a weak ETag; sending it back still gets 304.
    assert zipped["ETag"] == "W/" + plain["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=zipped["ETag"], **headers).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH=plain["ETag"], **headers).status_code == 304


def test_security_headers_on_pages_api_and_phone_routes(leader, device_token, settings):
    for url in ("/dashboard/", "/api/v1/indicators", f"/key/{device_token}/formList", "/healthz"):
        response = leader.get(url, HTTP_X_OPENROSA_VERSION="1.0")
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] == "same-origin", url
        assert response["X-Frame-Options"] == "DENY", url
        assert "microphone=()" in response["Permissions-Policy"], url
    assert "frame-ancestors 'none'" in leader.get("/dashboard/")["Content-Security-Policy"]


def test_hsts_only_over_https(leader, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    assert not leader.get("/dashboard/").has_header("Strict-Transport-Security")
    assert leader.get("/dashboard/", secure=True)["Strict-Transport-Security"].startswith("max-age=31536000")


def test_images_and_spreadsheets_are_not_compressed_again():
    from backend.core.compression import is_text

    assert is_text("text/html; charset=utf-8") and is_text("application/json") and is_text("text/xml")
    assert is_text("application/geo+json") and is_text("image/svg+xml") and is_text("text/csv")
    assert not is_text("image/png") and not is_text("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert is_text("application/vnd.oai.openapi; charset=utf-8")
    assert not is_text("application/zip") and not is_text("application/geopackage+sqlite3")
