"""formList as ODK Collect consumes it (OPENROSA.md §1, checklist items 31–37)."""

import base64
import hashlib

from lxml import etree

from backend.accounts.models import Role
from backend.accounts.services import device_token_revoke, user_create
from backend.surveys.models import Form, FormState
from backend.surveys.services import form_publish, form_state_set
from tests.helpers import COLLECT_HEADERS, openrosa_refusal, xlsform_bytes

NS = {"x": "http://openrosa.org/xforms/xformsList"}


def parse_list(response):
    root = etree.fromstring(response.content)
    assert root.tag == "{http://openrosa.org/xforms/xformsList}xforms"
    return [{child.tag.split("}")[1]: (child.text or "") for child in item} for item in root.findall("x:xform", NS)]


def test_form_list_without_credentials_is_401_with_a_basic_challenge(client, published_forms):
    response = client.get("/formList", **COLLECT_HEADERS)
    openrosa_refusal(response, 401)
    assert response["WWW-Authenticate"].startswith("Basic ")
    assert response["Content-Type"] == "text/xml; charset=utf-8"


def test_form_list_for_a_device_shows_only_its_assigned_forms_with_collect_headers(client, device):
    _, token = device
    response = client.get(f"/key/{token}/formList?deviceID=collect%3Aabcdefgh12345678", **COLLECT_HEADERS)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response["X-OpenRosa-Version"] == "1.0"
    assert int(response["X-OpenRosa-Accept-Content-Length"]) > 0
    items = parse_list(response)
    assert [i["formID"] for i in items] == ["withmedia"]
    item = items[0]
    assert item["version"] == "2026112701"
    assert item["downloadUrl"] == f"https://survey.example.org/key/{token}/forms/withmedia.xml"
    assert item["manifestUrl"] == f"https://survey.example.org/key/{token}/forms/withmedia/manifest"
    assert item["hash"].startswith("md5:") and len(item["hash"]) == 36


def test_hash_is_the_md5_of_the_exact_bytes_served_at_download_url(client, device):
    _, token = device
    item = parse_list(client.get(f"/key/{token}/formList", **COLLECT_HEADERS))[0]
    path = item["downloadUrl"].removeprefix("https://survey.example.org")
    download = client.get(path + "?deviceID=collect:x", **COLLECT_HEADERS)
    assert download.status_code == 200
    assert "md5:" + hashlib.md5(download.content).hexdigest() == item["hash"]


def test_form_without_media_has_no_manifest_url_and_an_empty_version_element_when_unversioned(client, admin_user, db):
    form_publish(xlsform=xlsform_bytes(form_id="nover", version="", title="No version"), filename="n.xlsx")
    auth = base64.b64encode(b"admin:s3cret-pass").decode()
    response = client.get("/formList", secure=True, HTTP_AUTHORIZATION=f"Basic {auth}", **COLLECT_HEADERS)
    assert response.status_code == 200
    assert b"<version></version>" in response.content
    items = parse_list(response)
    assert items == [
        {
            "formID": "nover",
            "name": "No version",
            "version": "",
            "hash": items[0]["hash"],
            "downloadUrl": "https://survey.example.org/forms/nover.xml",
        }
    ]


def test_titles_are_xml_escaped_once(client, admin_user, published_forms):
    auth = base64.b64encode(b"admin:s3cret-pass").decode()
    response = client.get("/formList", secure=True, HTTP_AUTHORIZATION=f"Basic {auth}", **COLLECT_HEADERS)
    assert b"<name>Simple &amp; Co</name>" in response.content
    assert {i["name"] for i in parse_list(response)} == {"Simple & Co", "With media"}


def test_form_id_filter_returns_only_that_form_or_an_empty_list(client, device):
    _, token = device
    assert [
        i["formID"] for i in parse_list(client.get(f"/key/{token}/formList?formID=withmedia", **COLLECT_HEADERS))
    ] == ["withmedia"]
    assert parse_list(client.get(f"/key/{token}/formList?formID=nonexistent", **COLLECT_HEADERS)) == []


def test_closing_closed_and_draft_only_forms_are_left_out(client, device, published_forms):
    volunteer, token = device
    form_publish(xlsform=xlsform_bytes(form_id="draftonly"), filename="d.xlsx", publish=False)
    volunteer.forms.add(*published_forms.values())
    form_state_set(form=published_forms["simple"], state=FormState.CLOSING)
    assert [i["formID"] for i in parse_list(client.get(f"/key/{token}/formList", **COLLECT_HEADERS))] == ["withmedia"]
    form_state_set(form=published_forms["withmedia"], state=FormState.CLOSED)
    assert parse_list(client.get(f"/key/{token}/formList", **COLLECT_HEADERS)) == []


def test_form_ids_are_percent_escaped_in_urls(client, admin_user, db):
    form_publish(xlsform=xlsform_bytes(form_id="a_b.c-d", title="Odd"), filename="o.xlsx")
    auth = base64.b64encode(b"admin:s3cret-pass").decode()
    items = parse_list(client.get("/formList", secure=True, HTTP_AUTHORIZATION=f"Basic {auth}", **COLLECT_HEADERS))
    assert items[0]["downloadUrl"].endswith("/forms/a_b.c-d.xml")


def test_a_user_without_rights_gets_an_empty_list_not_an_error(client, published_forms):
    user_create(username="viewer", password="viewer-pass-1", role=Role.VIEWER)
    auth = base64.b64encode(b"viewer:viewer-pass-1").decode()
    response = client.get("/formList", secure=True, HTTP_AUTHORIZATION=f"Basic {auth}", **COLLECT_HEADERS)
    assert response.status_code == 200
    assert parse_list(response) == []


def test_basic_auth_over_plain_http_is_refused(client, admin_user, published_forms):
    auth = base64.b64encode(b"admin:s3cret-pass").decode()
    response = client.get("/formList", HTTP_AUTHORIZATION=f"Basic {auth}", **COLLECT_HEADERS)
    openrosa_refusal(response, 401)


def test_wrong_basic_password_is_401_with_a_challenge(client, admin_user):
    auth = base64.b64encode(b"admin:wrong").decode()
    response = client.get("/formList", secure=True, HTTP_AUTHORIZATION=f"Basic {auth}", **COLLECT_HEADERS)
    openrosa_refusal(response, 401)
    assert "Basic" in response["WWW-Authenticate"]


def test_unknown_malformed_and_revoked_device_tokens_get_403_not_401(client, device):
    volunteer, token = device
    openrosa_refusal(client.get("/key/" + "a" * 64 + "/formList", **COLLECT_HEADERS), 403)
    openrosa_refusal(client.get("/key/short/formList", **COLLECT_HEADERS), 403)
    device_token_revoke(device=volunteer.tokens.get())
    response = client.get(f"/key/{token}/formList", **COLLECT_HEADERS)
    openrosa_refusal(response, 403)
    assert b"OpenRosaResponse" in response.content


def test_form_list_requires_the_openrosa_version_header(client, device):
    _, token = device
    response = client.get(f"/key/{token}/formList")
    openrosa_refusal(response, 400)
    assert b"X-OpenRosa-Version" in response.content


def test_get_responses_are_not_cached_by_proxies(client, device):
    _, token = device
    response = client.get(f"/key/{token}/formList", **COLLECT_HEADERS)
    assert response["Cache-Control"] == "private, no-cache"
    assert "Accept-Encoding" in response["Vary"]


def test_the_form_list_costs_the_same_few_queries_however_many_forms_are_assigned(
    client, device, published_forms, django_assert_max_num_queries
):
    volunteer, token = device
    for n in range(3):
        form_publish(xlsform=xlsform_bytes(form_id=f"extra{n}", title=f"Extra {n}"), filename=f"e{n}.xlsx")
    volunteer.forms.set(Form.objects.all())
    with django_assert_max_num_queries(2):  # the device key, then the forms with their current versions
        response = client.get(f"/key/{token}/formList", **COLLECT_HEADERS)
    assert len(parse_list(response)) == 5
