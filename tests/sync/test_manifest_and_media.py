"""Manifest and media download (OPENROSA.md §2, checklist items 38–40)."""

import hashlib

from lxml import etree

from backend.surveys.models import FormState
from backend.surveys.services import form_media_update, form_state_set
from tests.helpers import COLLECT_HEADERS
from tests.sync.conftest import AP_CSV

NS = {"m": "http://openrosa.org/xforms/xformsManifest"}


def manifest_files(response):
    root = etree.fromstring(response.content)
    assert root.tag == "{http://openrosa.org/xforms/xformsManifest}manifest"
    return [{c.tag.split("}")[1]: c.text for c in f} for f in root.findall("m:mediaFile", NS)]


def test_manifest_lists_uploaded_media_with_md5_and_an_absolute_download_url(client, device):
    _, token = device
    response = client.get(f"/key/{token}/forms/withmedia/manifest?deviceID=collect:x", **COLLECT_HEADERS)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response["X-OpenRosa-Version"] == "1.0"
    assert manifest_files(response) == [
        {
            "filename": "ap.csv",
            "hash": "md5:" + hashlib.md5(AP_CSV).hexdigest(),
            "downloadUrl": f"https://survey.example.org/key/{token}/forms/withmedia/attachments/ap.csv",
        }
    ]


def test_manifest_of_a_form_not_assigned_to_the_device_is_refused(client, device):
    _, token = device
    assert client.get(f"/key/{token}/forms/simple/manifest", **COLLECT_HEADERS).status_code == 403


def test_media_download_has_etag_and_answers_304_when_unchanged(client, device):
    _, token = device
    url = f"/key/{token}/forms/withmedia/attachments/ap.csv?deviceID=collect:x"
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == AP_CSV
    etag = response["ETag"]
    assert etag == f'"{hashlib.md5(AP_CSV).hexdigest()}"'
    assert "attachment" in response["Content-Disposition"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_changed_media_gets_a_new_etag_and_manifest_hash(client, device, published_forms):
    _, token = device
    url = f"/key/{token}/forms/withmedia/attachments/ap.csv"
    old_etag = client.get(url)["ETag"]
    new_csv = AP_CSV + "AP03,Ấp Phú Thành\n".encode()
    assert form_media_update(form=published_forms["withmedia"], name="ap.csv", data=new_csv) is True
    response = client.get(url, HTTP_IF_NONE_MATCH=old_etag)
    assert response.status_code == 200
    assert response["ETag"] != old_etag
    files = manifest_files(client.get(f"/key/{token}/forms/withmedia/manifest", **COLLECT_HEADERS))
    assert files[0]["hash"] == "md5:" + hashlib.md5(new_csv).hexdigest()


def test_unknown_media_name_is_404(client, device):
    _, token = device
    assert client.get(f"/key/{token}/forms/withmedia/attachments/nope.csv").status_code == 404


def test_closed_form_xml_manifest_and_media_are_refused_to_devices(client, device, published_forms):
    _, token = device
    form_state_set(form=published_forms["withmedia"], state=FormState.CLOSED)
    assert client.get(f"/key/{token}/forms/withmedia.xml").status_code == 403
    assert client.get(f"/key/{token}/forms/withmedia/manifest", **COLLECT_HEADERS).status_code == 403
    assert client.get(f"/key/{token}/forms/withmedia/attachments/ap.csv").status_code == 403


def test_a_form_with_no_uploaded_media_has_an_empty_manifest(client, db):
    from backend.accounts.services import volunteer_create
    from backend.surveys.services import form_publish
    from tests.helpers import with_media_form

    result = form_publish(xlsform=with_media_form(form_id="nomedia"), filename="n.xlsx")
    assert result.missing_media == ["ap.csv"]
    _, token = volunteer_create(name="B", forms=[result.form])
    assert manifest_files(client.get(f"/key/{token}/forms/nomedia/manifest", **COLLECT_HEADERS)) == []
