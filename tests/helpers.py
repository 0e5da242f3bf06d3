"""Test helpers: small XLSForms built in memory, OpenRosa request headers."""

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
