"""OpenRosa form delivery: formList, form XML, manifest and media (OPENROSA.md §1–§2), and
the household register as an entity list (`households.csv`, §2.1–§2.3, checklist 41–42)."""

from __future__ import annotations

from xml.sax.saxutils import escape

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods

from backend.core import errors
from backend.core.blobs import blob_open
from backend.core.compression import not_modified
from backend.core.openrosa import apply_openrosa_headers, openrosa_xml_response
from backend.core.urlbuild import (
    dataset_integrity_path,
    form_attachment_path,
    form_download_path,
    form_manifest_path,
    phone_url,
)
from backend.registers.models import CSV_NAME, DATASET
from backend.registers.selectors import (
    entities_integrity,
    entity_list_csv,
    entity_list_hash,
    form_consumes_register,
)
from backend.surveys.selectors import (
    attachment_for_download,
    attachments_present,
    draft_version_for_actor,
    form_version_for_download,
    forms_for_form_list,
)
from sync.openrosa_auth import openrosa_view

XFORMS_LIST_NS = "http://openrosa.org/xforms/xformsList"
MANIFEST_NS = "http://openrosa.org/xforms/xformsManifest"


@require_http_methods(["GET", "HEAD"])
@openrosa_view()
def form_list(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    if actor.kind == "draft":
        draft = draft_version_for_actor(actor)
        listed = [(draft.form.form_id, draft)] if draft is not None else []
    else:
        forms = forms_for_form_list(actor, form_id=request.GET.get("formID"))
        listed = [(form.form_id, form.current_version) for form in forms]
    items = []
    for form_id, version in listed:
        manifest = ""
        if version.expected_media:
            manifest = f"<manifestUrl>{escape(phone_url(actor, form_manifest_path(form_id)))}</manifestUrl>"
        items.append(
            "<xform>"
            f"<formID>{escape(form_id)}</formID>"
            f"<name>{escape(version.title or form_id)}</name>"
            f"<version>{escape(version.version)}</version>"
            f"<hash>md5:{version.md5}</hash>"
            f"<downloadUrl>{escape(phone_url(actor, form_download_path(form_id)))}</downloadUrl>"
            f"{manifest}"
            "</xform>"
        )
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<xforms xmlns="{XFORMS_LIST_NS}">{"".join(items)}</xforms>'
    return openrosa_xml_response(body.encode("utf-8"))


@require_http_methods(["GET", "HEAD"])
@openrosa_view(require_header=False)
def form_xml(request: HttpRequest, form_id: str) -> HttpResponse:
    version = _version_or_refuse(request, form_id)
    etag = f'"{version.md5}"'
    if (unchanged := not_modified(request, etag)) is not None:
        return apply_openrosa_headers(unchanged)
    response = openrosa_xml_response(bytes(version.xform))
    response["ETag"] = etag
    return response


@require_http_methods(["GET", "HEAD"])
@openrosa_view()
def form_manifest(request: HttpRequest, form_id: str) -> HttpResponse:
    version = _version_or_refuse(request, form_id)
    actor = request.actor
    consumes = form_consumes_register(version.expected_media)
    files = "".join(
        "<mediaFile>"
        f"<filename>{escape(a.name)}</filename>"
        f"<hash>md5:{a.blob.md5}</hash>"
        f"<downloadUrl>{escape(phone_url(actor, form_attachment_path(form_id, a.name)))}</downloadUrl>"
        "</mediaFile>"
        for a in attachments_present(version)
        if not (consumes and a.name == CSV_NAME)  # the register, not an uploaded file, is households.csv
    )
    if consumes:
        # Collect compares this hash with the one it stored for its local entity list
        # (not with the file's md5) and then calls integrityUrl for its offline entities.
        files += (
            '<mediaFile type="entityList">'
            f"<filename>{CSV_NAME}</filename>"
            f"<hash>md5:{entity_list_hash(actor)}</hash>"
            f"<downloadUrl>{escape(phone_url(actor, form_attachment_path(form_id, CSV_NAME)))}</downloadUrl>"
            f"<integrityUrl>{escape(phone_url(actor, dataset_integrity_path(DATASET)))}</integrityUrl>"
            "</mediaFile>"
        )
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<manifest xmlns="{MANIFEST_NS}">{files}</manifest>'
    return openrosa_xml_response(body.encode("utf-8"))


@require_http_methods(["GET", "HEAD"])
@openrosa_view(require_header=False)
def form_media(request: HttpRequest, form_id: str, name: str) -> HttpResponse:
    version = _version_or_refuse(request, form_id)
    if name == CSV_NAME and form_consumes_register(version.expected_media):
        return _entity_list(request)
    attachment = attachment_for_download(version, name=name)
    if attachment is None:
        raise errors.not_found(f"media file {name} of form {form_id}")
    etag = f'"{attachment.blob.md5}"'
    if (unchanged := not_modified(request, etag)) is not None:
        return unchanged
    response = FileResponse(
        blob_open(attachment.blob_id),
        content_type=attachment.content_type or "application/octet-stream",
        as_attachment=True,
        filename=attachment.name,
    )
    response["ETag"] = etag
    response["Content-Length"] = str(attachment.blob.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    return response


def _entity_list(request: HttpRequest) -> HttpResponse:
    """The register as the CSV phones and the web form page load (`jr://file-csv/households.csv`),
    ETag = the manifest hash, 304 while it has not changed."""
    etag = f'"{entity_list_hash(request.actor)}"'
    if (unchanged := not_modified(request, etag)) is not None:
        return unchanged
    response = HttpResponse(entity_list_csv(request.actor), content_type="text/csv; charset=utf-8")
    response["ETag"] = etag
    response["Content-Disposition"] = content_disposition_header(True, CSV_NAME)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    return response


@require_http_methods(["GET", "HEAD"])
@openrosa_view()
def dataset_integrity(request: HttpRequest, dataset: str) -> HttpResponse:
    """`?id=a,b`: for each offline-created entity the phone asks about, whether the server
    deleted it (§2.3). Only for actors with an open form that consumes the list."""
    if dataset != DATASET:
        raise errors.not_found(f"entity list {dataset}", f"danh sách {dataset}")
    actor = request.actor
    if actor.kind == "draft":
        draft = draft_version_for_actor(actor)
        consuming = draft is not None and form_consumes_register(draft.expected_media)
    else:
        consuming = any(form_consumes_register(f.current_version.expected_media) for f in forms_for_form_list(actor))
    if not consuming:
        raise errors.forbidden(
            "No open form of yours uses this list. / Không có biểu mẫu đang mở nào của bạn dùng danh sách này."
        )
    ids = ",".join(request.GET.getlist("id")).split(",")
    entities = "".join(
        f'<entity id="{escape(pk)}"><deleted>{"true" if deleted else "false"}</deleted></entity>'
        for pk, deleted in entities_integrity(actor, ids)
    )
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<data><entities>{entities}</entities></data>'
    return openrosa_xml_response(body.encode("utf-8"))


def _version_or_refuse(request: HttpRequest, form_id: str):
    version = form_version_for_download(request.actor, form_id=form_id)
    if version is None:
        # Devices learn only that the form is not theirs (403); others get 404.
        if request.actor.kind == "device":
            raise errors.forbidden("This form is not available to this device (closed or not assigned).")
        raise errors.not_found(f"form {form_id}")
    return version
