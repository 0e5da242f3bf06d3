"""Many new submissions in one transaction, for bulk loads (the synthetic commune, issue 18):
the same answer per item as `submission_receive` one at a time, in a fraction of the queries.

`submissions_receive_bulk(items)` runs each item through the same prepare step
(`submission_prepare`: parse, published version and right to submit, projection) and then
stores the plain new submissions of the batch together: one statement draws the ids, one
INSERT each for the submissions, their versions, the audit rows and the change-feed rows, and
the subscribers get one `submission_versions_stored` with every item (the answers projection
and the household register work set-based on it).

Anything that is not a plain new submission goes through `submission_receive` itself, at its
place in the order (what was gathered before it is stored first): a byte-identical replay, an
edit, an instanceID already stored or repeated in the batch, a submission with files, one the
prepare step refuses (its Problem is the item's result). If the batch's INSERT still meets a
taken instanceID (a concurrent sender), it is rolled back and its items go one at a time.
Items carry no files: a bulk load has none, and file storage belongs outside a transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, connection, transaction

from backend.accounts.actors import Actor
from backend.audit.services import audit_rows
from backend.core.changes import changes_record
from backend.core.errors import Problem
from backend.core.rows import rows_copy
from backend.submissions.changes import submission_change_rows
from backend.submissions.ingest_lookup import root_hint
from backend.submissions.models import Submission, SubmissionVersion
from backend.submissions.services import (
    ReceiveResult,
    _create_events,
    _Ingest,
    _version_row,
    stored_arguments,
    submission_prepare,
    submission_receive,
    submission_row,
    version_lookup,
)
from backend.submissions.signals import submission_versions_stored

BATCH_SIZE = 500


@dataclass(frozen=True)
class BulkItem:
    actor: Actor
    xml: bytes
    device_id: str = ""
    user_agent: str = ""
    received_at: datetime | None = None
    client_ip: str | None = None


def submissions_receive_bulk(items: Sequence[BulkItem]) -> list[ReceiveResult | Problem]:
    """Receive `items` in order; each result is what `submission_receive` would have returned
    for it at that point (a ReceiveResult), or the Problem it would have raised."""
    if connection.vendor != "postgresql":
        return [_one(item) for item in items]
    shas = [hashlib.sha256(item.xml).hexdigest() for item in items]
    stored_shas = set(
        SubmissionVersion.objects.filter(sha256__in=set(shas)).values_list("sha256", flat=True).distinct()
    )
    versions: dict = {}
    prepared: list[_Ingest | None] = []
    for item, sha in zip(items, shas, strict=True):
        prepared.append(None if sha in stored_shas else _prepare(item, sha, versions))
    taken = _instance_ids_taken([p for p in prepared if p is not None])
    results: list[ReceiveResult | Problem | None] = [None] * len(items)
    run: list[tuple[int, _Ingest]] = []
    seen: set[tuple[int, str]] = set()
    for index, (item, ingest) in enumerate(zip(items, prepared, strict=True)):
        key = (ingest.form.pk, ingest.doc.instance_id) if ingest is not None else None
        if ingest is None or ingest.doc.deprecated_id or ingest.projection.attachments or key in taken or key in seen:
            _run_store(run, items, results)
            run = []
            results[index] = _one(item)
            continue
        seen.add(key)
        run.append((index, ingest))
    _run_store(run, items, results)
    return results  # type: ignore[return-value]


def _one(item: BulkItem) -> ReceiveResult | Problem:
    try:
        return submission_receive(
            actor=item.actor,
            xml=item.xml,
            files={},
            device_id=item.device_id,
            user_agent=item.user_agent,
            received_at=item.received_at,
            client_ip=item.client_ip,
        )
    except Problem as problem:
        return problem


def _prepare(item: BulkItem, sha256: str, versions: dict) -> _Ingest | None:
    """The prepare step with the version lookup shared by the batch (one query per form
    version and volunteer); None when it refuses (the item then goes one at a time, and
    `submission_receive` raises the same Problem)."""
    hint = root_hint(item.xml)
    volunteer = item.actor.volunteer
    key = (hint, volunteer.pk if volunteer else None, item.actor.kind, item.actor.role)
    if hint is not None and key not in versions:
        versions[key] = version_lookup(item.actor, *hint)
    try:
        return submission_prepare(
            actor=item.actor,
            xml=item.xml,
            sha256=sha256,
            hint=hint,
            found=versions.get(key),
            files={},
            device_id=item.device_id,
            user_agent=item.user_agent,
            received_at=item.received_at,
            client_ip=item.client_ip,
        )
    except Problem:
        return None


def _instance_ids_taken(prepared: list[_Ingest]) -> set[tuple[int, str]]:
    """(form pk, instanceID) of the batch already stored as a submission's version."""
    wanted: dict[int, set[str]] = {}
    for ingest in prepared:
        wanted.setdefault(ingest.form.pk, set()).add(ingest.doc.instance_id)
    taken: set[tuple[int, str]] = set()
    for form_pk, ids in wanted.items():
        taken.update(
            (form_pk, i)
            for i in SubmissionVersion.objects.filter(form_id=form_pk, instance_id__in=ids).values_list(
                "instance_id", flat=True
            )
        )
    return taken


def _run_store(run: list[tuple[int, _Ingest]], items, results) -> None:
    if not run:
        return
    try:
        stored = _store_together([ingest for _, ingest in run])
    except IntegrityError:
        # An instanceID taken since the look-up (a concurrent sender): each on its own decides.
        for index, _ in run:
            results[index] = _one(items[index])
        return
    for (index, _), result in zip(run, stored, strict=True):
        results[index] = result


@transaction.atomic
def _store_together(ingests: list[_Ingest]) -> list[ReceiveResult]:
    """The rows `_submission_insert_one_statement` writes for one submission, for all of them,
    then the subscribers in one signal. Raises IntegrityError when an instanceID is taken."""
    n = len(ingests)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')), nextval(pg_get_serial_sequence(%s, 'id')) "
            "FROM generate_series(1, %s)",
            [Submission._meta.db_table, SubmissionVersion._meta.db_table, n],
        )
        ids = cursor.fetchall()
    submissions, versions, audit, changes = [], [], [], []
    for ingest, (sid, vid) in zip(ingests, ids, strict=True):
        submission = submission_row(ingest, id=sid, current_version_id=vid)
        version = _version_row(ingest, submission)
        version.id = vid
        audit += audit_rows(actor=ingest.actor, ip=ingest.client_ip, events=_create_events(ingest, submission, []))
        changes += submission_change_rows(submission)
        submissions.append(submission)
        versions.append(version)
    rows_copy(submissions, with_pk=True)
    rows_copy(versions, with_pk=True)
    rows_copy(audit)
    changes_record(changes)
    results = []
    for submission, version in zip(submissions, versions, strict=True):
        submission.current_version = version
        for obj in (submission, version):
            obj._state.adding = False
            obj._state.db = connection.alias
        results.append(ReceiveResult(201, submission, "created"))
    submission_versions_stored.send(
        sender=Submission,
        items=[
            stored_arguments(ingest, submission, version, replace=False)
            for ingest, submission, version in zip(ingests, submissions, versions, strict=True)
        ],
    )
    return results
