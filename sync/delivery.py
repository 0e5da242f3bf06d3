"""OpenRosa form delivery: formList, form XML, manifest and media (OPENROSA.md §1–§2)."""

from __future__ import annotations

from xml.sax.saxutils import escape

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseNotModified
from django.views.decorators.http import require_http_methods

from backend.core import errors
from backend.core.blobs import blob_open
from backend.core.compression import etag_matches
from backend.core.openrosa import apply_openrosa_headers, openrosa_xml_response
from backend.core.urlbuild import form_attachment_path, form_download_path, form_manifest_path, phone_url
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
    if etag_matches(request, etag):
        return apply_openrosa_headers(HttpResponseNotModified())
    response = openrosa_xml_response(bytes(version.xform))
    response["ETag"] = etag
    return response


@require_http_methods(["GET", "HEAD"])
@openrosa_view()
def form_manifest(request: HttpRequest, form_id: str) -> HttpResponse:
    version = _version_or_refuse(request, form_id)
    actor = request.actor
    files = "".join(
        "<mediaFile>"
        f"<filename>{escape(a.name)}</filename>"
        f"<hash>md5:{a.blob.md5}</hash>"
        f"<downloadUrl>{escape(phone_url(actor, form_attachment_path(form_id, a.name)))}</downloadUrl>"
        "</mediaFile>"
        for a in attachments_present(version)
    )
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<manifest xmlns="{MANIFEST_NS}">{files}</manifest>'
    return openrosa_xml_response(body.encode("utf-8"))


@require_http_methods(["GET", "HEAD"])
@openrosa_view(require_header=False)
def form_media(request: HttpRequest, form_id: str, name: str) -> HttpResponse:
    version = _version_or_refuse(request, form_id)
    attachment = attachment_for_download(version, name=name)
    if attachment is None:
        raise errors.not_found(f"media file {name} of form {form_id}")
    etag = f'"{attachment.blob.md5}"'
    if etag_matches(request, etag):
        response = HttpResponseNotModified()
        response["ETag"] = etag
        return response
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


def _version_or_refuse(request: HttpRequest, form_id: str):
    version = form_version_for_download(request.actor, form_id=form_id)
    if version is None:
        # Devices learn only that the form is not theirs (403); others get 404.
        if request.actor.kind == "device":
            raise errors.forbidden("This form is not available to this device (closed or not assigned).")
        raise errors.not_found(f"form {form_id}")
    return version
