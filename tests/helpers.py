"""Test helpers: small XLSForms built in memory, OpenRosa request headers, API clients."""

from __future__ import annotations

import io

from openpyxl import Workbook

COLLECT_HEADERS = {
    "HTTP_X_OPENROSA_VERSION": "1.0",
    "HTTP_USER_AGENT": "org.odk.collect.android/v2025.2.1 Dalvik/2.1.0 (Linux; U; Android 14; Pixel 7)",
    "HTTP_ACCEPT_ENCODING": "gzip",
    "HTTP_DATE": "Fri, 27 Nov 2026 01:15:00 GMT",
}


def xlsform_bytes(
    *,
    form_id: str = "simple",
    version: str = "2026112701",
    title: str = "Simple",
    survey: list[list[str]] | None = None,
    choices: list[list[str]] | None = None,
    survey_header: list[str] | None = None,
) -> bytes:
    """An .xlsx XLSForm. `survey` rows follow `survey_header` (type, name, label by default)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "survey"
    sheet.append(survey_header or ["type", "name", "label"])
    for row in survey or [["text", "name", "Name"], ["integer", "age", "Age"]]:
        sheet.append(row)
    choices_sheet = workbook.create_sheet("choices")
    choices_sheet.append(["list_name", "name", "label"])
    for row in choices or []:
        choices_sheet.append(row)
    settings = workbook.create_sheet("settings")
    settings.append(["form_id", "version", "form_title"])
    settings.append([form_id, version, title])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def with_media_form(form_id: str = "withmedia", version: str = "2026112701") -> bytes:
    return xlsform_bytes(
        form_id=form_id,
        version=version,
        title="With media",
        survey=[["select_one_from_file ap.csv", "ap", "Hamlet"], ["text", "note_txt", "Note"]],
    )


def odk_validate_many(xforms: dict[str, bytes], folder) -> tuple[int, str, str]:
    """Run ODK Validate (the JavaRosa checker bundled with pyxform) once over several XForms:
    one JVM start instead of one per form. Returns (exit code, stdout, stderr); the exit code
    is 0 only when every form is valid, stderr carries errors and warnings."""
    import subprocess
    from pathlib import Path

    from pyxform.validators.odk_validate import ODK_VALIDATE_PATH

    paths = []
    for name, xform in xforms.items():
        path = Path(folder) / f"{name}.xml"
        path.write_bytes(xform)
        paths.append(str(path))
    done = subprocess.run(
        ["java", "-Djava.awt.headless=true", "-jar", ODK_VALIDATE_PATH, *paths],
        capture_output=True,
        text=True,
        timeout=600,
    )
    return done.returncode, done.stdout, done.stderr


def decode_content_encoding(response):
    """Undo Content-Encoding the way OkHttp (Collect) and browsers do, so tests read the
    entity bytes; the bytes on the wire stay in `response.wire_content` (non-streaming)."""
    import gzip
    import zlib

    import brotli

    coding = (response.get("Content-Encoding") or "").strip().lower()
    if coding not in {"gzip", "br"}:
        return response
    if response.streaming:
        chunks = response.streaming_content
        if coding == "br":
            decoder = brotli.Decompressor()
            response.streaming_content = (decoder.process(chunk) for chunk in chunks)
        else:
            decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
            response.streaming_content = (decoder.decompress(chunk) for chunk in chunks)
        return response
    wire = response.content
    response.content = brotli.decompress(wire) if coding == "br" else gzip.decompress(wire)
    response.wire_content = wire
    return response


OPENROSA_RESPONSE_NS = "http://openrosa.org/http/response"


def openrosa_refusal(response, status: int) -> str:
    """Assert `response` is the refusal ODK Collect can show: this status, `text/xml`, the
    X-OpenRosa-Version header and an OpenRosaResponse body (namespace included) whose
    <message> is not empty. Returns the message (OPENROSA.md §3.4)."""
    from defusedxml import ElementTree

    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("text/xml"), response["Content-Type"]
    assert response["X-OpenRosa-Version"] == "1.0"
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{{{OPENROSA_RESPONSE_NS}}}OpenRosaResponse", root.tag
    message = root.find(f"{{{OPENROSA_RESPONSE_NS}}}message")
    assert message is not None, response.content[:300]
    assert (message.text or "").strip(), "an empty message tells the volunteer nothing"
    return message.text


def api_client_for(role: str, username: str, *, hamlets=(), name: str = "", password: str = "s3cret-pass-123"):
    """A DRF test client signed in as a new user of `role` with a Bearer API token, as the
    dashboard and scripts call the API; the user is on `client.user`."""
    from rest_framework.test import APIClient

    from backend.accounts.services import api_token_create, user_create

    user = user_create(username=username, password=password, role=role, hamlets=hamlets, name=name)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user)}")
    client.user = user
    return client
