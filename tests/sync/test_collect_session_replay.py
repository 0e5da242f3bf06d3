"""ODK Collect's exact request sequence, replayed: list → download + md5 check → manifest →
media; a second refresh reports nothing new; a new version changes the hash."""

import hashlib

from lxml import etree

from backend.surveys.services import form_publish
from tests.helpers import COLLECT_HEADERS, with_media_form

LIST_NS = "{http://openrosa.org/xforms/xformsList}"
MANIFEST_NS = "{http://openrosa.org/xforms/xformsManifest}"
BASE = "https://survey.example.org"
DEVICE_ID = "collect:Xy12Ab34Cd56Ef78"


def with_device_id(url: str) -> str:
    path = url.removeprefix(BASE)
    return path + ("&" if "?" in path else "?") + f"deviceID={DEVICE_ID}"


def collect_refresh(client, server_url: str, on_device: dict) -> dict:
    """One "Get blank form" refresh as Collect does it. `on_device` maps formID to
    {"md5", "media": {name: md5}}; returns what Collect would report per form."""
    listing = client.get(with_device_id(server_url + "/formList"), **COLLECT_HEADERS)
    assert listing.status_code == 200 and "text/xml" in listing["Content-Type"]
    assert listing.has_header("X-OpenRosa-Version")
    report = {}
    for xform in etree.fromstring(listing.content).iter(f"{LIST_NS}xform"):
        fields = {child.tag.removeprefix(LIST_NS): child.text or "" for child in xform}
        form_id, list_hash = fields["formID"], fields["hash"].removeprefix("md5:")
        manifest_media = {}
        if "manifestUrl" in fields:
            manifest = client.get(with_device_id(fields["manifestUrl"]), **COLLECT_HEADERS)
            assert manifest.status_code == 200 and "text/xml" in manifest["Content-Type"]
            for media in etree.fromstring(manifest.content).iter(f"{MANIFEST_NS}mediaFile"):
                name = media.find(f"{MANIFEST_NS}filename").text
                manifest_media[name] = (
                    media.find(f"{MANIFEST_NS}hash").text[4:],
                    media.find(f"{MANIFEST_NS}downloadUrl").text,
                )
        local = on_device.get(form_id)
        if local and local["md5"] == list_hash:
            stale = [n for n, (h, _) in manifest_media.items() if h not in local["media"].values()]
            report[form_id] = "UpdatedMedia" if stale else "OnDevice"
            if not stale:
                continue
        else:
            report[form_id] = "UpdatedVersion" if local else "New"
        download = client.get(with_device_id(fields["downloadUrl"]), **COLLECT_HEADERS)
        assert download.status_code == 200
        downloaded_md5 = hashlib.md5(download.content).hexdigest()
        assert downloaded_md5 == list_hash, "Collect would show 'update available' forever"
        media_on_device = {}
        for name, (media_hash, url) in manifest_media.items():
            file_response = client.get(with_device_id(url), **COLLECT_HEADERS)
            assert file_response.status_code == 200
            content = b"".join(file_response.streaming_content)
            assert hashlib.md5(content).hexdigest() == media_hash
            media_on_device[name] = media_hash
        on_device[form_id] = {"md5": downloaded_md5, "media": media_on_device}
    return report


def test_collect_downloads_forms_and_media_then_sees_nothing_new_then_sees_a_new_version(client, device):
    _, token = device
    server_url = f"{BASE}/key/{token}"
    on_device: dict = {}
    assert collect_refresh(client, server_url, on_device) == {"withmedia": "New"}
    assert on_device["withmedia"]["media"].keys() == {"ap.csv"}
    assert collect_refresh(client, server_url, on_device) == {"withmedia": "OnDevice"}

    result = form_publish(xlsform=with_media_form(version="2026112702"), filename="withmedia.xlsx")
    assert result.status == "created"
    assert collect_refresh(client, server_url, on_device) == {"withmedia": "UpdatedVersion"}
    assert collect_refresh(client, server_url, on_device) == {"withmedia": "OnDevice"}
