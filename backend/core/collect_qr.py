"""ODK Collect settings QR codes (pure; no Django).

Collect decodes Base64 → zlib inflate (with header) → JSON, and requires top-level
`general` and `admin` objects (OPENROSA.md §4.3).
"""

from __future__ import annotations

import base64
import io
import json
import zlib

import segno


def collect_settings(*, server_url: str, project_name: str, managed: bool = True) -> dict:
    general = {"server_url": server_url}
    if managed:
        general.update({"form_update_mode": "match_exactly", "autosend": "wifi_and_cellular"})
    return {"general": general, "admin": {}, "project": {"name": project_name, "icon": "P", "color": "#1e7d32"}}


def collect_settings_encode(settings_json: dict) -> str:
    raw = json.dumps(settings_json, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return base64.b64encode(zlib.compress(raw)).decode("ascii")


def collect_settings_decode(payload: str) -> dict:
    return json.loads(zlib.decompress(base64.b64decode(payload)).decode("utf-8"))


def collect_qr_render(payload: str, *, kind: str = "png", scale: int = 6) -> bytes:
    """Render the encoded settings as a QR code (error correction L, as Collect writes)."""
    qr = segno.make(payload, error="l", boost_error=False, micro=False)
    out = io.BytesIO()
    qr.save(out, kind=kind, scale=scale, border=4)
    return out.getvalue()
