"""The Collect settings QR code configures a volunteer's phone in one scan."""

import base64
import io
import json
import zlib

from django.core.management import call_command

from backend.core.collect_qr import (
    collect_qr_render,
    collect_settings,
    collect_settings_decode,
    collect_settings_encode,
)


def decode_like_collect(payload: str) -> dict:
    # Collect: Base64 → java.util.zip.Inflater (zlib header) → UTF-8 JSON.
    return json.loads(zlib.decompress(base64.b64decode(payload)).decode("utf-8"))


def test_settings_payload_decodes_to_collects_required_keys_and_the_server_url():
    url = "https://survey.example.org/key/" + "t" * 64
    payload = collect_settings_encode(collect_settings(server_url=url, project_name="Xã Phú Lâm"))
    assert payload.startswith("eJ")  # zlib stream with header, as Collect expects
    settings = decode_like_collect(payload)
    assert isinstance(settings["general"], dict) and isinstance(settings["admin"], dict)
    assert settings["general"]["server_url"] == url
    assert settings["general"]["form_update_mode"] == "match_exactly"
    assert settings["project"]["name"] == "Xã Phú Lâm"
    assert collect_settings_decode(payload) == settings


def test_the_qr_png_and_svg_endpoints_render_for_a_valid_device_only(client, device):
    _, token = device
    png = client.get(f"/key/{token}/qr.png")
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    svg = client.get(f"/key/{token}/qr.svg")
    assert svg.status_code == 200 and b"<svg" in svg.content
    assert client.get("/key/" + "b" * 64 + "/qr.png").status_code == 403


def test_qr_code_image_carries_the_payload(device):
    import zxingcpp as zxing
    from PIL import Image

    payload = collect_settings_encode(collect_settings(server_url="https://x/key/abc", project_name="P"))
    image = Image.open(io.BytesIO(collect_qr_render(payload)))
    assert zxing.read_barcodes(image)[0].text == payload


def test_volunteer_create_prints_the_server_url_last_and_writes_the_qr(db, published_forms, tmp_path):
    out = io.StringIO()
    qr = tmp_path / "qr.png"
    call_command("volunteer_create", "Trần Thị B", "--form", "withmedia", "--qr", str(qr), stdout=out)
    last_line = out.getvalue().strip().splitlines()[-1]
    assert last_line.startswith("https://survey.example.org/key/")
    assert len(last_line.rsplit("/", 1)[1]) == 64
    assert qr.read_bytes().startswith(b"\x89PNG")


def test_publish_form_command_prints_form_id_and_version(db, tmp_path):
    from tests.helpers import with_media_form

    xlsx = tmp_path / "household.xlsx"
    xlsx.write_bytes(with_media_form(form_id="household"))
    ap = tmp_path / "ap.csv"
    ap.write_text("name,label\nAP01,Ấp 1\n", encoding="utf-8")
    out = io.StringIO()
    call_command("publish_form", str(xlsx), "--attach", str(ap), "--no-house-checks", stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == "household 2026112701"
