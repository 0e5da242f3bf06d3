"""Writes for submissions: `submission_receive`, the one ingest path for OpenRosa POSTs, the
synthetic-data generator and anything else that hands us an instance XML and its files.

The shape (after ODK Central `lib/resources/submissions.js`), one parse, few queries:

1. Read the XML (pure, before any query) and find the published form version it names.
2. Write every referenced file to content-addressed storage. This happens *before* any
   transaction: no file I/O while a row is locked, and a crash leaves at most orphan blobs.
3. One short transaction per branch:
   NEW SUBMISSION  — insert; the UNIQUE(form, instance_id) constraints decide who wins a race.
   SUBMISSION EDIT — lock the logical submission, add a version, carry files forward.
   ATTACHMENT UPSERT — a byte-identical replay (retry or Collect's split upload): lock the
   submission, fill the file slots that arrived. Different bytes under a known instanceID: 409.
   The same bytes of a copy an edit has since replaced: 202, nothing stored (`_superseded`).

A 201 is only returned after the transaction commits: Collect may delete its copy on 201.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from threading import Lock

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from backend.accounts import policy
from backend.accounts.actors import Actor
from backend.accounts.models import Volunteer
from backend.audit.services import audit_records, audit_rows
from backend.core import errors
from backend.core.blobs import blob_store, stream_sha256
from backend.core.locks import rows_lock
from backend.core.models import Blob
from backend.core.rows import Sql, rows_insert_sql
from backend.core.xform_schema import XFormSchema, xform_schema
from backend.submissions.changes import submission_changed, submission_created_sql
from backend.submissions.ingest_lookup import StoredCopy, ingest_lookup, root_hint
from backend.submissions.instance_xml import (
    InstanceDoc,
    InstanceXmlError,
    Projection,
    file_name_acceptable,
    instance_project,
    instance_read,
)
from backend.submissions.models import ReviewState, Submission, SubmissionAttachment, SubmissionVersion
from backend.submissions.signals import submission_version_stored
from backend.surveys.models import Form, FormState, FormVersion

SUCCESS_MESSAGE = "full submission upload was successful! / Đã gửi bản ghi thành công."
SUPERSEDED_MESSAGE = (
    "This copy was already received and has since been replaced by an edit ({current}); nothing was changed. / "
    "Bản này đã được nhận và sau đó đã được thay bằng bản sửa ({current}); không có gì thay đổi."
)
# instanceID, deprecatedID and file names are stored in 255-character columns.
MAX_ID_LENGTH = 255
# How many times an IntegrityError race is re-examined before giving up with a 409.
RACE_ATTEMPTS = 3


@dataclass
class ReceiveResult:
    status: int
    submission: Submission
    outcome: str  # "created" | "replayed" | "edited" | "superseded"
    message: str = SUCCESS_MESSAGE
    missing: tuple[str, ...] = ()  # referenced files not yet received


def submission_receive(
    *,
    actor: Actor,
    xml: bytes,
    files: dict,
    device_id: str = "",
    user_agent: str = "",
    received_at: datetime | None = None,
    client_ip: str | None = None,
) -> ReceiveResult:
    """Store one submission (new, replay or edit) and its files; raise a Problem to refuse.

    `files` maps multipart part names (= the file names the XML references) to Django
    File/UploadedFile objects; parts the XML does not reference are ignored.
    `received_at` lets a data generator backdate; phones always get "now".
    `client_ip` is the sender's address, kept in the audit log.
    """
    for name in files:
        if not file_name_acceptable(name):
            raise errors.upload_rejected(
                f"The file part name {name!r} is not a plain file name. / Tên tệp {name!r} không hợp lệ.",
                name=name,
            )
    sha256 = hashlib.sha256(xml).hexdigest()
    # One query before any parse: the copy stored under these bytes (a replay) and the
    # published version the root element names (a new submission or an edit).
    hint = root_hint(xml)
    volunteer = actor.volunteer
    stored, target = ingest_lookup(volunteer_id=volunteer.pk if volunteer else None, sha256=sha256, hint=hint)
    replayed = _replay_without_parse(actor=actor, stored=stored, files=files)
    if replayed is not None:
        return replayed
    ingest = submission_prepare(
        actor=actor,
        xml=xml,
        sha256=sha256,
        hint=hint,
        found=target,
        files=files,
        device_id=device_id,
        user_agent=user_agent,
        received_at=received_at,
        client_ip=client_ip,
    )
    return submission_store(ingest)


def submission_prepare(
    *,
    actor: Actor,
    xml: bytes,
    sha256: str,
    hint: tuple[str, str] | None,
    found,
    files: dict,
    device_id: str = "",
    user_agent: str = "",
    received_at: datetime | None = None,
    client_ip: str | None = None,
) -> _Ingest:
    """Everything before the transaction: parse, the published version (with the right to
    submit), the projection and the files' blobs; raise a Problem to refuse. `found` is the
    version looked up for `hint` (`version_lookup`, or `ingest_lookup`'s); when the parse
    names another one it is looked up here. The batch path (`backend/submissions/bulk.py`)
    shares it, so both refuse alike."""
    try:
        doc = instance_read(xml)
    except InstanceXmlError as exc:
        raise errors.missing_form_id(exc.reason) if exc.missing_form_id else errors.invalid_xml(exc.reason)
    if not doc.instance_id:
        raise errors.missing_instance_id()
    if doc.deprecated_id and doc.deprecated_id == doc.instance_id:
        raise errors.edit_keeps_instance_id(doc.instance_id)
    for label, value in (("instanceID", doc.instance_id), ("deprecatedID", doc.deprecated_id)):
        if len(value) > MAX_ID_LENGTH:
            raise errors.bad_request(
                f"The submission's {label} is {len(value)} characters long; at most {MAX_ID_LENGTH} are accepted. / "
                f"Mã {label} dài {len(value)} ký tự, tối đa {MAX_ID_LENGTH}.",
                field=label,
            )

    version = _form_version_for(actor, doc, found=found if hint == (doc.form_id, doc.version) else _UNREAD)
    try:
        projection = instance_project(doc, _schema_of(version))
    except InstanceXmlError as exc:
        raise errors.invalid_xml(exc.reason)

    too_long = [name for name in projection.attachments if len(name) > MAX_ID_LENGTH]
    if too_long:
        raise errors.upload_rejected(
            f"A file name in the submission is longer than {MAX_ID_LENGTH} characters. / Tên tệp dài quá "
            f"{MAX_ID_LENGTH} ký tự.",
            name=too_long[0][:80] + "…",
        )

    # Files first, outside any transaction (see module docstring).
    blobs: dict[str, Blob] = {}
    content_types: dict[str, str] = {}
    for name in projection.attachments:
        upload = files.get(name)
        if upload is not None:
            blobs[name] = blob_store(upload)
            content_types[name] = _content_type(name, getattr(upload, "content_type", ""))

    now = received_at or timezone.now()
    return _Ingest(
        actor=actor,
        doc=doc,
        xml=bytes(xml),
        sha256=sha256,
        version=version,
        projection=projection,
        blobs=blobs,
        content_types=content_types,
        device_id=(device_id or "")[:255],
        user_agent=(user_agent or "")[:500],
        now=now,
        client_ip=client_ip,
    )


def submission_store(ingest: _Ingest) -> ReceiveResult:
    """The store step of `submission_receive`: one short transaction per branch."""
    if ingest.doc.deprecated_id:
        return _edit(ingest)
    for _attempt in range(RACE_ATTEMPTS):
        try:
            return _create(ingest)
        except IntegrityError:
            # Someone holds this instanceID already (maybe a concurrent copy of this very
            # request, committed a moment ago): answer from what is stored.
            result = _replay(ingest)
            if result is not None:
                return result
    raise errors.submission_xml_conflict()


@dataclass
class _Ingest:
    actor: Actor
    doc: InstanceDoc
    xml: bytes
    sha256: str
    version: FormVersion
    projection: Projection
    blobs: dict[str, Blob]
    content_types: dict[str, str]
    device_id: str
    user_agent: str
    now: datetime
    client_ip: str | None = None

    @property
    def form(self) -> Form:
        return self.version.form


# `found` of `_form_version_for` when `ingest_lookup` did not look for the version the parse read.
_UNREAD = object()


def _form_version_for(actor: Actor, doc: InstanceDoc, *, found=_UNREAD) -> FormVersion:
    """The published version the XML names, with the actor's right to submit checked.
    `found` is what `ingest_lookup` read for it (None: no such published version); otherwise
    one query here. A second only to tell an unknown form from an unknown version."""
    if found is _UNREAD:
        found = version_lookup(actor, doc.form_id, doc.version)
    version = found
    if version is None:
        if Form.objects.filter(form_id=doc.form_id).exists():
            raise errors.form_version_not_found(doc.version)
        raise errors.not_found(f"form {doc.form_id}", f"biểu mẫu {doc.form_id}", form_id=doc.form_id)
    if not _may_submit(actor, version):
        raise errors.forbidden(
            f"You may not send submissions to the form {doc.form_id}. / Bạn không được gửi bản ghi cho biểu mẫu này."
        )
    if version.form.state == FormState.CLOSED:
        raise errors.form_not_accepting(doc.form_id)
    return version


def version_lookup(actor: Actor, form_id: str, version: str) -> FormVersion | None:
    """The published version (form id, version), annotated with whether the actor's volunteer
    is assigned its form (`_with_assignment`); None when there is no such published version."""
    versions = (
        FormVersion.objects.select_related("form")
        .only(
            "id",
            "version",
            "md5",
            "form__id",
            "form__form_id",
            "form__state",
            "form__title",
            "form__webhooks_active",
        )
        .filter(form__form_id=form_id, version=version, published=True)
    )
    return _with_assignment(versions, actor).first()


def _with_assignment(rows, actor: Actor):
    """`rows` (with a `form_id` column) annotated with `assigned`: whether the actor's
    volunteer is assigned that form, in the same query. Read by `_may_submit`."""
    volunteer = actor.volunteer
    if volunteer is None:
        return rows
    assignments = Volunteer.forms.through.objects.filter(volunteer_id=volunteer.pk, form_id=OuterRef("form_id"))
    return rows.annotate(assigned=Exists(assignments))


def _may_submit(actor: Actor, version: FormVersion) -> bool:
    if policy.can_submit_any_form(actor):
        return True
    if policy.submits_assigned_forms(actor):
        return bool(getattr(version, "assigned", False))
    # Draft-link (test) submissions are not stored yet; other roles only read.
    return False


# XForm schemas by (version pk, md5): a version's XForm never changes, and reading it again
# for every submission would move ~100 KB per request for nothing.
_SCHEMAS: OrderedDict[tuple[int, str], XFormSchema] = OrderedDict()
_SCHEMAS_LOCK = Lock()
_SCHEMAS_MAX = 256


def _schema_of(version: FormVersion) -> XFormSchema:
    key = (version.pk, version.md5)
    with _SCHEMAS_LOCK:
        schema = _SCHEMAS.get(key)
        if schema is not None:
            _SCHEMAS.move_to_end(key)
            return schema
    xform = FormVersion.objects.filter(pk=version.pk).values_list("xform", flat=True).first()
    schema = xform_schema(bytes(xform)) if xform is not None else XFormSchema.empty()
    with _SCHEMAS_LOCK:
        _SCHEMAS[key] = schema
        while len(_SCHEMAS) > _SCHEMAS_MAX:
            _SCHEMAS.popitem(last=False)
    return schema


def _content_type(name: str, sent: str) -> str:
    if sent and sent != "application/octet-stream":
        return sent[:100]
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _typed_columns(ingest: _Ingest) -> dict:
    p = ingest.projection
    lat, lon, altitude, accuracy = p.geopoint
    return {
        "hamlet_code": p.hamlet_code[:20],
        "lat": lat,
        "lon": lon,
        "altitude": altitude,
        "accuracy": accuracy,
        "survey_date": p.survey_date or timezone.localdate(ingest.now),
        "survey_round": p.survey_round[:50],
    }


def _submitter(ingest: _Ingest) -> dict:
    actor = ingest.actor
    return {
        "submitter_device": actor.device if actor.kind == "device" else None,
        "submitter_user": actor.user if actor.kind == "user" else None,
    }


def _new_version(ingest: _Ingest, submission: Submission) -> SubmissionVersion:
    version = _version_row(ingest, submission)
    version.save(force_insert=True)
    return version


def _version_row(ingest: _Ingest, submission: Submission) -> SubmissionVersion:
    """The version this request stores, not yet saved."""
    return SubmissionVersion(
        submission=submission,
        form=ingest.form,
        instance_id=ingest.doc.instance_id,
        deprecated_id=ingest.doc.deprecated_id,
        instance_name=ingest.doc.instance_name[:500],
        xml=ingest.xml,
        sha256=ingest.sha256,
        parsed=ingest.projection.parsed,
        form_version=ingest.version,
        device_id=ingest.device_id,
        user_agent=ingest.user_agent,
        created_at=ingest.now,
        **_submitter(ingest),
    )


def _answers_store(ingest: _Ingest, submission: Submission, version: SubmissionVersion, *, replace: bool) -> None:
    """Tell the subscribers (the reports' answers projection, backend/reports/answers.py; the
    household register, backend/registers/ingest.py), in this transaction."""
    submission_version_stored.send(sender=Submission, **stored_arguments(ingest, submission, version, replace=replace))


def stored_arguments(ingest: _Ingest, submission: Submission, version: SubmissionVersion, *, replace: bool) -> dict:
    """The arguments of `submission_version_stored` for one stored version (the batch signal
    `submission_versions_stored` carries a list of them)."""
    return dict(
        submission_id=submission.pk,
        version_id=version.pk,
        form_id=ingest.form.form_id,
        form=ingest.form,
        parsed=ingest.projection.parsed,
        replace=replace,
        form_version_id=ingest.version.pk,
        entities=ingest.projection.entities,
        volunteer_id=submission.volunteer_id,
        survey_date=ingest.projection.survey_date or submission.survey_date,
        received_at=submission.received_at,
        hamlet_code=ingest.projection.hamlet_code,
        actor=ingest.actor,
        client_ip=ingest.client_ip,
    )


def _attachment_rows(ingest: _Ingest, version: SubmissionVersion, carried: dict[str, SubmissionAttachment]):
    rows = []
    for name in ingest.projection.attachments:
        blob = ingest.blobs.get(name)
        previous = carried.get(name)
        rows.append(
            SubmissionAttachment(
                version=version,
                name=name,
                blob=blob if blob is not None else (previous.blob if previous else None),
                content_type=ingest.content_types.get(name)
                or (previous.content_type if previous else "")
                or _content_type(name, ""),
                is_client_audit=name == ingest.projection.client_audit,
                updated_at=ingest.now if blob is not None else (previous.updated_at if previous else None),
            )
        )
    return rows


def _missing(ingest: _Ingest, rows: list[SubmissionAttachment]) -> tuple[str, ...]:
    return tuple(r.name for r in rows if r.blob_id is None)


# NEW SUBMISSION ---------------------------------------------------------------------------
@transaction.atomic
def _create(ingest: _Ingest) -> ReceiveResult:
    """Raises IntegrityError when the instanceID is taken (by a submission or an edit's version)."""
    submission, version, rows = _submission_insert(ingest)
    _answers_store(ingest, submission, version, replace=False)
    return ReceiveResult(201, submission, "created", missing=_missing(ingest, rows))


def _submission_insert(ingest: _Ingest) -> tuple[Submission, SubmissionVersion, list[SubmissionAttachment]]:
    """The submission, its first version, its file slots and their audit rows. Raises
    IntegrityError when the instanceID is taken, like the ORM's INSERT."""
    submission = submission_row(ingest)
    if connection.vendor != "postgresql":
        return _submission_insert_portable(ingest, submission)
    return _submission_insert_one_statement(ingest, submission)


def submission_row(ingest: _Ingest, **ids) -> Submission:
    """The unsaved row of a new submission (with `ids`, e.g. drawn ahead by the batch path)."""
    return Submission(
        form=ingest.form,
        instance_id=ingest.doc.instance_id,
        form_version=ingest.version,
        volunteer=ingest.actor.volunteer,
        device_id=ingest.device_id,
        user_agent=ingest.user_agent,
        received_at=ingest.now,
        updated_at=ingest.now,
        **ids,
        **_submitter(ingest),
        **_typed_columns(ingest),
    )


def _create_events(ingest: _Ingest, submission: Submission, rows: list[SubmissionAttachment]) -> list[tuple]:
    return [
        ("submission.create", submission, {"form_id": ingest.form.form_id, "instance_id": ingest.doc.instance_id}),
        *_file_events(ingest, submission, [r.name for r in rows if r.blob_id is not None and r.name in ingest.blobs]),
    ]


def _submission_insert_portable(
    ingest: _Ingest, submission: Submission
) -> tuple[Submission, SubmissionVersion, list[SubmissionAttachment]]:
    """The same rows through the ORM, for databases other than PostgreSQL (the SQLite
    quickstart): an INSERT, an INSERT, an UPDATE, the file slots and the audit rows."""
    submission.save(force_insert=True)
    version = _version_row(ingest, submission)
    version.save(force_insert=True)
    submission.current_version = version
    Submission.objects.filter(pk=submission.pk).update(current_version=version)
    rows = _attachment_rows(ingest, version, {})
    if rows:
        SubmissionAttachment.objects.bulk_create(rows)
    audit_records(actor=ingest.actor, ip=ingest.client_ip, events=_create_events(ingest, submission, rows))
    submission_changed(submission)  # the change feed
    return submission, version, rows


def _submission_insert_one_statement(
    ingest: _Ingest, submission: Submission
) -> tuple[Submission, SubmissionVersion, list[SubmissionAttachment]]:
    """PostgreSQL, in one statement (issue 18): both ids are drawn from their sequences inside
    it, so the submission is inserted already pointing at its current version (the foreign
    keys are checked at commit, DEFERRABLE INITIALLY DEFERRED) instead of an INSERT, an
    INSERT, an UPDATE, the file slots, the audit rows and the change-feed row."""
    sid, vid = Sql("(SELECT sid FROM ids)"), Sql("(SELECT vid FROM ids)")
    version = _version_row(ingest, submission)
    rows = _attachment_rows(ingest, version, {})
    audit = audit_rows(actor=ingest.actor, ip=ingest.client_ip, events=_create_events(ingest, submission, rows))
    submission.id, submission.current_version_id = sid, vid
    version.id, version.submission_id = vid, sid
    for row in rows:
        row.version_id = vid
    for event in audit:
        event.object_id = Sql(f"{sid}::text")
    writes = [rows_insert_sql([submission], with_pk=True), rows_insert_sql([version], with_pk=True)]
    if rows:
        writes.append(rows_insert_sql(rows))
    writes.append(rows_insert_sql(audit))
    writes.append(submission_created_sql(submission, key_sql="(SELECT sid FROM ids)"))  # the change feed
    ctes = ", ".join(f"w{n} AS ({sql})" for n, (sql, _) in enumerate(writes))
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH ids AS MATERIALIZED (SELECT nextval(pg_get_serial_sequence(%s, 'id')) AS sid, "
            f"nextval(pg_get_serial_sequence(%s, 'id')) AS vid), {ctes} SELECT sid, vid FROM ids",
            [Submission._meta.db_table, SubmissionVersion._meta.db_table, *(p for _, ps in writes for p in ps)],
        )
        submission_id, version_id = cursor.fetchone()
    submission.id, version.id = submission_id, version_id
    version.submission = submission
    submission.current_version = version
    for obj in (submission, version, *rows):
        obj._state.adding = False
        obj._state.db = connection.alias
    for row in rows:
        row.version = version
    return submission, version, rows


def _file_events(ingest: _Ingest, submission: Submission, names: list[str]) -> list[tuple]:
    """One `submission.attachment.update` audit event per file stored by this request (Central)."""
    return [
        (
            "submission.attachment.update",
            submission,
            {
                "form_id": ingest.form.form_id,
                "instance_id": ingest.doc.instance_id,
                "name": name,
                "sha256": ingest.blobs[name].sha256,
            },
        )
        for name in names
    ]


def _locked_version(ingest: _Ingest, instance_id: str) -> SubmissionVersion | None:
    """The version stored under `instance_id`, its submission row locked. Call inside a transaction."""
    locked = rows_lock(
        SubmissionVersion.objects.select_related("submission")
        .defer("xml", "parsed", "submission__user_agent")
        .filter(form=ingest.form, instance_id=instance_id),
        of=("submission",),
    )
    return locked[0] if locked else None


# BYTE-IDENTICAL REPLAY, DECIDED BEFORE ANY PARSE -----------------------------------------
def _replay_without_parse(*, actor: Actor, stored: StoredCopy | None, files: dict) -> ReceiveResult | None:
    """Answer a byte-identical resend — what every phone on a flaky network sends — from the
    hash of its bytes: no XML parse, no row lock, no query beyond `ingest_lookup` (issue 18).

    Only what the full path would answer with a plain 201 "replayed" and no write is answered
    here: the current version of a live submission, on a published version of an open form the
    sender may submit to, every file sent already in its slot with the same bytes. Anything else
    (a file that fills or replaces a slot, an edit since, a deletion, a closed form, a sender who
    may not submit) returns None, and the full path decides and words the answer. No lock is
    needed: the bytes answered for are committed, and a concurrent edit or delete is ordered
    after this read, as if the resend had arrived a moment earlier."""
    if stored is None:
        return None
    submission = stored.submission
    if submission.deleted_at is not None or submission.current_version_id != stored.version_id:
        return None
    if not stored.published or stored.form_state == FormState.CLOSED:
        return None
    if not _may_submit(actor, _Assigned(stored.assigned)):
        return None
    slots = stored.slots
    for name, upload in files.items():
        if name in slots and (slots[name] is None or stream_sha256(upload) != slots[name]):
            return None
    missing = tuple(name for name, blob in slots.items() if blob is None)
    return ReceiveResult(201, submission, "replayed", missing=missing)


@dataclass(frozen=True)
class _Assigned:
    """What `_may_submit` reads of a version, for a copy found by its hash."""

    assigned: bool


# ATTACHMENT UPSERT (byte-identical replay) -------------------------------------------------
@transaction.atomic
def _replay(ingest: _Ingest) -> ReceiveResult | None:
    stored = _locked_version(ingest, ingest.doc.instance_id)
    if stored is None:
        return None  # the holder rolled back or was purged between our insert and this read
    submission = stored.submission
    if submission.deleted_at is not None:
        raise errors.submission_deleted()
    if stored.sha256 != ingest.sha256:
        raise errors.submission_xml_conflict()
    if submission.current_version_id != stored.pk:
        return _superseded(submission)
    missing = _attachments_upsert(ingest, stored, submission)
    return ReceiveResult(201, submission, "replayed", missing=missing)


def _superseded(submission: Submission) -> ReceiveResult:
    """A byte-identical resend of a copy that an edit has since replaced (the phone lost our
    201, or the volunteer pressed send again on the old copy after editing it elsewhere).

    Central answers 409.9 here (`lib/resources/submissions.js`: an extant, non-current def →
    `deprecatingOldSubmission`). Collect and Enketo treat every answer but 201/202 as a
    failure and retry it for days, and our web outbox would keep the copy as refused
    forever, although the server has exactly those bytes. So we answer 202 Accepted (the
    OpenRosa "received, nothing to do" answer; KoboToolbox gives 202 to exact duplicates):
    the phone marks it sent, nothing is stored, and the current version stays. Different
    bytes under that instanceID remain a 409.1 conflict, and a stale *edit* remains 409.9."""
    current = SubmissionVersion.objects.only("instance_id").get(pk=submission.current_version_id)
    return ReceiveResult(202, submission, "superseded", message=SUPERSEDED_MESSAGE.format(current=current.instance_id))


def _attachments_upsert(ingest: _Ingest, version: SubmissionVersion, submission: Submission) -> tuple[str, ...]:
    """Fill or replace the slots of `version` with the files of this request. Call under the
    submission lock. The phone's copy wins when a name arrives with different bytes (Central)."""
    slots = list(SubmissionAttachment.objects.filter(version=version))
    changed = []
    for slot in slots:
        blob = ingest.blobs.get(slot.name)
        if blob is not None and slot.blob_id != blob.sha256:
            slot.blob = blob
            slot.content_type = ingest.content_types.get(slot.name) or slot.content_type
            slot.updated_at = ingest.now
            changed.append(slot)
    if changed:
        SubmissionAttachment.objects.bulk_update(changed, ["blob", "content_type", "updated_at"])
        Submission.objects.filter(pk=version.submission_id).update(updated_at=ingest.now)
        audit_records(
            actor=ingest.actor, ip=ingest.client_ip, events=_file_events(ingest, submission, [s.name for s in changed])
        )
    return tuple(s.name for s in slots if s.blob_id is None)


# SUBMISSION EDIT -------------------------------------------------------------------------
@transaction.atomic
def _edit(ingest: _Ingest) -> ReceiveResult:
    doc = ingest.doc
    deprecated = _locked_version(ingest, doc.deprecated_id)
    if deprecated is None:
        raise errors.deprecated_submission_not_found(doc.deprecated_id)
    submission = deprecated.submission
    if submission.deleted_at is not None:
        raise errors.submission_deleted()
    if submission.current_version_id != deprecated.pk:
        # The edit was already applied (a retry) or someone edited in between.
        current = SubmissionVersion.objects.only("id", "instance_id", "sha256", "submission_id").get(
            pk=submission.current_version_id
        )
        if current.instance_id == doc.instance_id and current.sha256 == ingest.sha256:
            missing = _attachments_upsert(ingest, current, submission)
            return ReceiveResult(201, submission, "replayed", missing=missing)
        resent = SubmissionVersion.objects.filter(
            submission=submission, instance_id=doc.instance_id, sha256=ingest.sha256
        ).exists()
        if resent:
            return _superseded(submission)  # an intermediate edit resent after a later one
        raise errors.submission_edit_stale(doc.deprecated_id)
    try:
        with transaction.atomic():
            version = _new_version(ingest, submission)
    except IntegrityError:
        raise errors.instance_id_taken(doc.instance_id)
    carried = {a.name: a for a in SubmissionAttachment.objects.filter(version=deprecated).select_related("blob")}
    rows = _attachment_rows(ingest, version, carried)
    if rows:
        SubmissionAttachment.objects.bulk_create(rows)
    columns = _typed_columns(ingest)
    if ingest.projection.survey_date is None:
        columns["survey_date"] = submission.survey_date  # keep the first received day
    Submission.objects.filter(pk=submission.pk).update(
        current_version=version,
        form_version=ingest.version,
        review_state=ReviewState.EDITED,
        updated_at=ingest.now,
        **columns,
    )
    _answers_store(ingest, submission, version, replace=True)
    previous_hamlet = submission.hamlet_code
    submission.refresh_from_db()
    submission_changed(submission, previous_hamlet=previous_hamlet)
    audit_records(
        actor=ingest.actor,
        ip=ingest.client_ip,
        events=[
            (
                "submission.edit",
                submission,
                {"form_id": ingest.form.form_id, "instance_id": doc.instance_id, "deprecated_id": doc.deprecated_id},
            ),
            *_file_events(ingest, submission, [r.name for r in rows if r.name in ingest.blobs]),
        ],
    )
    return ReceiveResult(201, submission, "edited", missing=_missing(ingest, rows))
