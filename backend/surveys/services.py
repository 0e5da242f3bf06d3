"""Writes for forms: publishing XLSForms, drafts and media files."""

from __future__ import annotations

import mimetypes
import posixpath
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backend.audit.services import audit_record
from backend.core import errors
from backend.core.blobs import blob_store_bytes
from backend.core.changes import change_record
from backend.core.locks import row_lock, row_lock_or_create
from backend.core.models import Blob
from backend.core.xform_schema import xform_schema
from backend.surveys.models import Form, FormAttachment, FormState, FormVersion
from backend.surveys.selectors import entity_lists_served
from backend.surveys.spreadsheet_check import SpreadsheetRejected, spreadsheet_check
from backend.surveys.xlsform_convert import FROM_FILE_NAME, FROM_SETTINGS, XLSFormError, xlsform_convert

ITEMSETS = "itemsets.csv"


@dataclass
class PublishResult:
    form: Form
    version: FormVersion
    status: str  # created | unchanged | media_updated | draft_created | draft_published
    warnings: list[str] = field(default_factory=list)
    missing_media: list[str] = field(default_factory=list)
    form_id_source: str = FROM_SETTINGS  # "settings" | "file_name"

    @property
    def form_id_note(self) -> str | None:
        """Says which id a workbook without a form_id got, so the designer is not surprised."""
        if self.form_id_source != FROM_FILE_NAME:
            return None
        form_id, filename = self.form.form_id, self.version.xlsform_filename
        return (
            f"The workbook has no form_id in a settings sheet: the form id {form_id} was taken from the file name "
            f"{filename}. / Bảng tính không có form_id trong trang settings: mã biểu mẫu {form_id} được lấy từ "
            f"tên tệp {filename}."
        )

    def as_json(self) -> dict:
        version = self.version
        entity_lists = set(entity_lists_served(version))
        return {
            "form_id": self.form.form_id,
            "form_id_source": self.form_id_source,
            "form_id_note": self.form_id_note,
            "title": version.title,
            "version": version.version,
            "status": self.status,
            "published": version.published,
            "hash": f"md5:{version.md5}",
            "warnings": self.warnings,
            "validation": {"ran": version.validated, "message": version.validation_note},
            "media": [
                {
                    "name": a.name,
                    "present": a.blob_id is not None,
                    "md5": a.blob.md5 if a.blob_id else None,
                    "entity_list": a.name in entity_lists,  # served from the register, not uploaded
                }
                for a in version.attachments.select_related("blob")
            ],
            "missing_media": self.missing_media,
            "draft_token": version.draft_token or None,
        }


def form_publish(
    *,
    xlsform: bytes,
    filename: str,
    attachments: dict[str, bytes] | None = None,
    user=None,
    publish: bool = True,
    ip: str | None = None,
) -> PublishResult:
    """Convert an XLSForm and store it as a published version (or a draft).

    Identical content republished is a no-op (its media may still be updated); changed
    content needs a new version string (409 otherwise). Nothing is stored on any error.
    """
    attachments = {posixpath.basename(name): data for name, data in (attachments or {}).items()}
    try:
        checked = spreadsheet_check(xlsform, filename=filename, max_bytes=settings.XLSFORM_MAX_BYTES)
    except SpreadsheetRejected as exc:
        raise errors.upload_rejected(str(exc), filename=filename) from exc
    for name, data in attachments.items():
        if len(data) > settings.FORM_MEDIA_MAX_BYTES:
            raise errors.upload_rejected(
                f"The media file {name} is {len(data)} bytes; the limit is {settings.FORM_MEDIA_MAX_BYTES}.",
                filename=name,
            )
    try:
        conversion = xlsform_convert(xlsform, file_type=checked.file_type, filename=filename)
    except XLSFormError as exc:
        raise errors.xlsform_invalid(exc.message, stage=exc.stage, filename=filename) from exc
    schema = xform_schema(conversion.xform)
    if not schema.form_id:
        raise errors.xlsform_invalid("The XLSForm has no form_id (settings sheet).", filename=filename)
    _entities_in_repeats_refuse(schema, filename)
    expected = list(schema.media_names)
    if conversion.itemsets_csv is not None:
        expected.append(ITEMSETS)
        attachments.setdefault(ITEMSETS, conversion.itemsets_csv)
    unexpected = sorted(set(attachments) - set(expected))
    if unexpected:
        raise errors.upload_rejected(
            f"The form does not reference {', '.join(unexpected)}; it expects: "
            f"{', '.join(expected) if expected else 'no media files'}.",
            unexpected=unexpected,
            expected=expected,
        )
    # Files are written (content-addressed) before any row points to them.
    xlsform_blob = blob_store_bytes(xlsform)
    media_blobs = {name: blob_store_bytes(data) for name, data in attachments.items()}
    result = _form_version_save(
        schema=schema,
        conversion=conversion,
        expected=expected,
        xlsform_blob=xlsform_blob,
        filename=filename,
        media_blobs=media_blobs,
        user=user,
        publish=publish,
        ip=ip,
    )
    result.form_id_source = conversion.form_id_source
    return result


def _entities_in_repeats_refuse(schema, filename: str) -> None:
    """The ODK entities spec (2025.1) lets a repeat declare one entity per repeat instance,
    but the register counts one household visit per submission (the household form visits
    one household): such a form is refused at upload, not half read at ingest."""
    nested = [d for d in schema.entities if d.repeat]
    if nested:
        where = ", ".join(sorted({f"{d.dataset} ({d.repeat})" for d in nested}))
        raise errors.xlsform_invalid(
            f"Biểu mẫu tạo entity trong nhóm lặp (repeat): {where}. Máy chủ này chỉ nhận một entity cho "
            "mỗi phiếu; hãy đặt các trường save_to ngoài repeat. / The form declares entities inside a "
            f"repeat: {where}. This server takes one entity per submission; put the save_to fields "
            "outside the repeat.",
            stage="entities",
            filename=filename,
        )


def _publish_audited(result: PublishResult, *, user, ip: str | None, filename: str) -> PublishResult:
    """One audit row per publish attempt that stored or changed something (README: every write)."""
    if result.status != "unchanged":
        audit_record(
            actor=user,
            action="form.publish",
            obj=result.form,
            ip=ip,
            form_id=result.form.form_id,
            version=result.version.version,
            status=result.status,
            published=result.version.published,
            filename=filename,
        )
    return result


@transaction.atomic
def _form_version_save(*, schema, conversion, expected, xlsform_blob, filename, media_blobs, user, publish, ip=None):
    form, _ = row_lock_or_create(
        Form.objects, form_id=schema.form_id, defaults={"title": schema.title or schema.form_id}
    )
    form = row_lock(Form.objects, pk=form.pk)
    md5 = _md5(conversion.xform)
    existing = FormVersion.objects.filter(form=form, version=schema.version).first()
    if existing is not None:
        if existing.md5 != md5:
            raise errors.form_version_exists(schema.form_id, schema.version)
        changed = _attachments_set(existing, media_blobs)
        if changed:
            change_record(kind="form", key=str(form.pk), form_id=form.pk)
        status = "media_updated" if changed else "unchanged"
        if publish and not existing.published:
            _version_publish(form, existing, user)
            status = "draft_published"
        return _publish_audited(
            PublishResult(form, existing, status, list(existing.warnings), _missing(existing)),
            user=user,
            ip=ip,
            filename=filename,
        )

    if not publish:
        # One draft per form: a new draft replaces the previous one.
        FormVersion.objects.filter(form=form, published=False).delete()
    version = FormVersion.objects.create(
        form=form,
        version=schema.version,
        title=schema.title or schema.form_id,
        xlsform=xlsform_blob,
        xlsform_filename=posixpath.basename(filename),
        xform=conversion.xform,
        md5=md5,
        expected_media=expected,
        warnings=conversion.warnings,
        validated=conversion.validated,
        validation_note=conversion.validation_note,
        draft_token="" if publish else secrets.token_urlsafe(48),
    )
    previous = form.current_version
    carried = {}
    if previous is not None:
        carried = {a.name: a.blob for a in previous.attachments.select_related("blob") if a.blob_id}
    FormAttachment.objects.bulk_create(
        [
            FormAttachment(
                form_version=version,
                name=name,
                blob=media_blobs.get(name) or carried.get(name),
                content_type=_content_type(name),
            )
            for name in expected
        ]
    )
    if publish:
        _version_publish(form, version, user)
        status = "created"
    else:
        status = "draft_created"
    return _publish_audited(
        PublishResult(form, version, status, list(version.warnings), _missing(version)),
        user=user,
        ip=ip,
        filename=filename,
    )


def _version_publish(form: Form, version: FormVersion, user) -> None:
    version.published = True
    version.published_at = timezone.now()
    version.published_by = user if getattr(user, "is_authenticated", False) else None
    version.draft_token = ""
    version.save(update_fields=["published", "published_at", "published_by", "draft_token"])
    form.current_version = version
    form.title = version.title
    form.save(update_fields=["current_version", "title"])
    change_record(kind="form", key=str(form.pk), form_id=form.pk)


def _attachments_set(version: FormVersion, media_blobs: dict[str, Blob]) -> bool:
    changed = False
    for name, blob in media_blobs.items():
        updated = (
            FormAttachment.objects.filter(form_version=version, name=name)
            .exclude(blob_id=blob.sha256)
            .update(blob=blob, updated_at=timezone.now())
        )
        changed = changed or bool(updated)
    return changed


@transaction.atomic
def form_media_update(*, form: Form, name: str, data: bytes, actor=None, ip: str | None = None) -> bool:
    """Replace one media file of the form's current version (e.g. a regenerated ap.csv).
    Returns True when the content changed, so the manifest hash changed (and one audit row
    says who changed it)."""
    version = form.current_version
    if version is None or name not in version.expected_media:
        raise errors.upload_rejected(f"Form {form.form_id} does not expect a media file named {name}.", filename=name)
    blob = blob_store_bytes(data)  # the file first, outside the transaction (as form_publish)
    with transaction.atomic():
        changed = _attachments_set(version, {name: blob})
        if changed:
            change_record(kind="form", key=str(form.pk), form_id=form.pk)  # the manifest hash moved
            audit_record(
                actor=actor,
                action="form.media_update",
                obj=form,
                ip=ip,
                form_id=form.form_id,
                version=version.version,
                name=name,
                sha256=blob.sha256,
            )
    return changed


@transaction.atomic
def form_state_set(*, form: Form, state: str, actor=None, ip: str | None = None) -> Form:
    if state not in FormState.values:
        raise errors.bad_request(f"Unknown form state {state!r}; use one of {', '.join(FormState.values)}.")
    previous = form.state
    form.state = state
    form.save(update_fields=["state"])
    if previous != state:
        change_record(kind="form", key=str(form.pk), form_id=form.pk)
        audit_record(
            actor=actor, action="form.state_set", obj=form, ip=ip, form_id=form.form_id, state=[previous, state]
        )
    return form


def _missing(version: FormVersion) -> list[str]:
    """Media still to upload. An entity list the form fills itself (pl_ho's households.csv) is
    served from the register (manifest entityList), so it is never missing."""
    served = set(entity_lists_served(version))
    return [n for n in version.attachments.filter(blob__isnull=True).values_list("name", flat=True) if n not in served]


def _md5(data: bytes) -> str:
    import hashlib

    return hashlib.md5(data).hexdigest()


def _content_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"
