"""Microdata export: one CSV row per visible submission (scoped by the one selector), every
text cell passed through the formula-injection guard. Pure shaping; the API reads and audits."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from analytics.spreadsheet_safety import neutralise_row

FIXED = [
    "instance_id",
    "current_instance_id",
    "review_state",
    "hamlet",
    "volunteer",
    "survey_date",
    "submitted_at",
    "lat",
    "lon",
]


def export_row(submission) -> dict[str, Any]:
    """One CSV row: the fixed columns, then the current version's answers flattened. The
    submission comes with `current_version` and `volunteer` selected (`submissions_for_export`)."""
    version = submission.current_version
    fixed = [
        submission.instance_id,
        version.instance_id if version else "",
        submission.review_state,
        submission.hamlet_code,
        submission.volunteer.name if submission.volunteer else "",
        submission.survey_date,
        submission.received_at.isoformat(),
        submission.lat,
        submission.lon,
    ]
    return dict(zip(FIXED, fixed, strict=True)) | flatten(version.parsed if version else {})


def flatten(parsed: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Groups become "group/field" columns; a repeat becomes its count ("name[count]"):
    repeats are long data and belong in their own sheet, not in a household row."""
    out: dict[str, Any] = {}
    for key, value in parsed.items():
        if key.startswith("__"):
            continue
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, f"{name}/"))
        elif isinstance(value, list):
            out[f"{name}[count]"] = len(value)
        else:
            out[name] = value
    return out


def submissions_csv(rows: Iterable[dict[str, Any]]) -> bytes:
    rows = list(rows)
    fields = list(FIXED)
    for row in rows:
        fields += [k for k in row if k not in fields]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(neutralise_row(fields))
    for row in rows:
        writer.writerow(neutralise_row(row.get(f, "") for f in fields))
    # BOM: Excel opens UTF-8 Vietnamese correctly only with it.
    return ("\ufeff" + out.getvalue()).encode("utf-8")
