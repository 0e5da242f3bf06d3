"""The one read of the ingest path (issue 18): in a single raw query, the copy already stored
under these bytes' sha256 (a replay: answered without parsing the XML) and the published form
version the XML names, each with whether the sender's volunteer is assigned that form.

The form id and version come from `root_hint`, a look at the root element's attributes that
needs no parse. It only chooses what to fetch: the caller compares it with what the real parse
reads and, when they differ (a comment before the root, escaped characters), asks again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from django.db import connection

from backend.accounts.models import Volunteer
from backend.core.rows import model_from_row
from backend.submissions.models import Submission, SubmissionAttachment, SubmissionVersion
from backend.surveys.models import Form, FormVersion

# The first element's start tag (the prolog's `<?xml …?>` and `<!-- … -->` do not match).
_ROOT_TAG = re.compile(rb"<[A-Za-z_][^\s/>]*((?:\s[^>]*)?)/?>")
_ROOT_ATTR = re.compile(rb"""(?:^|\s)(?:[A-Za-z_][\w.\-]*:)?(id|version)\s*=\s*(?:"([^"&<]*)"|'([^'&<]*)')""")


def root_hint(xml: bytes) -> tuple[str, str] | None:
    """(form id, version) from the root element's attributes, or None when not plainly there."""
    tag = _ROOT_TAG.search(xml, 0, 4096)
    if tag is None:
        return None
    found: dict[bytes, bytes] = {}
    for match in _ROOT_ATTR.finditer(tag.group(1)):
        name, value = match.group(1), match.group(2) if match.group(2) is not None else match.group(3)
        if name in found:
            return None  # `version` and `orx:version` both: let the parse decide
        found[name] = value
    if b"id" not in found:
        return None
    try:
        return found[b"id"].decode("utf-8"), found.get(b"version", b"").decode("utf-8")
    except UnicodeDecodeError:
        return None


@dataclass(frozen=True)
class StoredCopy:
    """The version stored under a sha256, and what decides whether a resend is a plain replay."""

    submission: Submission  # id, form_id, instance_id, current_version_id, deleted_at
    version_id: int
    published: bool
    form_state: str
    assigned: bool
    slots: dict[str, str | None]  # file name → blob sha256 (None: not received yet)


@cache
def _query() -> str:
    assignments = Volunteer.forms.through._meta.db_table
    return f"""
SELECT t.*, h.*
FROM (SELECT 1) AS one
LEFT JOIN LATERAL (
    SELECT fv.id, fv.version, fv.md5, f.id, f.form_id, f.state, f.title, f.webhooks_active,
           EXISTS (SELECT 1 FROM {assignments} a WHERE a.volunteer_id = %s AND a.form_id = f.id)
    FROM {FormVersion._meta.db_table} fv JOIN {Form._meta.db_table} f ON f.id = fv.form_id
    WHERE f.form_id = %s AND fv.version = %s AND fv.published
    ORDER BY fv.id LIMIT 1
) AS t ON true
LEFT JOIN LATERAL (
    SELECT sv.id, s.id, s.form_id, s.instance_id, s.current_version_id, s.deleted_at, pv.published, pf.state,
           EXISTS (SELECT 1 FROM {assignments} a WHERE a.volunteer_id = %s AND a.form_id = pf.id),
           ARRAY(SELECT x.name FROM {SubmissionAttachment._meta.db_table} x WHERE x.version_id = sv.id ORDER BY x.id),
           ARRAY(SELECT x.blob_id FROM {SubmissionAttachment._meta.db_table} x WHERE x.version_id = sv.id ORDER BY x.id)
    FROM {SubmissionVersion._meta.db_table} sv
    JOIN {Submission._meta.db_table} s ON s.id = sv.submission_id
    JOIN {FormVersion._meta.db_table} pv ON pv.id = sv.form_version_id
    JOIN {Form._meta.db_table} pf ON pf.id = pv.form_id
    WHERE sv.sha256 = %s
    ORDER BY sv.id LIMIT 1
) AS h ON true
"""


def ingest_lookup(
    *, volunteer_id: int | None, sha256: str, hint: tuple[str, str] | None
) -> tuple[StoredCopy | None, FormVersion | None]:
    """(the copy stored under `sha256`, the published version `hint` names) — either may be None.
    The version carries `.form` and `.assigned` (what `services._may_submit` reads)."""
    if connection.vendor != "postgresql":
        return _lookup_portable(volunteer_id=volunteer_id, sha256=sha256, hint=hint)
    form_id, version = hint if hint is not None else (None, None)
    with connection.cursor() as cursor:
        cursor.execute(_query(), [volunteer_id, form_id, version, volunteer_id, sha256])
        row = cursor.fetchone()
    target = None
    if row[0] is not None:
        fv_id, fv_version, md5, f_id, f_form_id, f_state, f_title, hooked, assigned = row[:9]
        target = model_from_row(FormVersion, {"id": fv_id, "form_id": f_id, "version": fv_version, "md5": md5})
        target.form = model_from_row(
            Form, {"id": f_id, "form_id": f_form_id, "state": f_state, "title": f_title, "webhooks_active": hooked}
        )
        target.assigned = assigned
    stored = None
    if row[9] is not None:
        version_id, sid, s_form, instance_id, current, deleted_at, published, state, assigned, names, blobs = row[9:]
        submission = model_from_row(
            Submission,
            {
                "id": sid,
                "form_id": s_form,
                "instance_id": instance_id,
                "current_version_id": current,
                "deleted_at": deleted_at,
            },
        )
        stored = StoredCopy(
            submission=submission,
            version_id=version_id,
            published=published,
            form_state=state,
            assigned=assigned,
            slots=dict(zip(names, blobs, strict=True)),
        )
    return stored, target


def _lookup_portable(
    *, volunteer_id: int | None, sha256: str, hint: tuple[str, str] | None
) -> tuple[StoredCopy | None, FormVersion | None]:
    """The same answer through the ORM in a few queries, for databases other than PostgreSQL
    (the SQLite quickstart has no LATERAL joins or arrays)."""
    assignments = Volunteer.forms.through.objects

    def assigned(form_id: int) -> bool:
        return volunteer_id is not None and assignments.filter(volunteer_id=volunteer_id, form_id=form_id).exists()

    target = None
    if hint is not None:
        target = (
            FormVersion.objects.select_related("form")
            .filter(form__form_id=hint[0], version=hint[1], published=True)
            .order_by("id")
            .first()
        )
        if target is not None:
            target.assigned = assigned(target.form_id)
    stored = None
    found = (
        SubmissionVersion.objects.select_related("submission", "form_version__form")
        .defer("xml", "parsed")
        .filter(sha256=sha256)
        .order_by("id")
        .first()
    )
    if found is not None:
        stored = StoredCopy(
            submission=found.submission,
            version_id=found.id,
            published=found.form_version.published,
            form_state=found.form_version.form.state,
            assigned=assigned(found.form_version.form_id),
            slots=dict(
                SubmissionAttachment.objects.filter(version_id=found.id).order_by("id").values_list("name", "blob_id")
            ),
        )
    return stored, target
