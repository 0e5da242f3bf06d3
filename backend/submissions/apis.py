"""Read API for submissions (Bearer API token): list, XML verbatim, attachments.

`{instance_id}` is the instanceID a submission was first received under; an edit's
instanceID resolves to the same logical submission.
"""

from __future__ import annotations

from urllib.parse import quote

from django.http import FileResponse, HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.actors import actor_for_request
from backend.audit.http import audit_microdata_read
from backend.core.blobs import blob_open
from backend.core.compression import not_modified
from backend.core.schema import cursor_page_of
from backend.submissions.filters import submissions_filter
from backend.submissions.selectors import (
    form_for_submissions,
    submission_attachment,
    submission_attachments,
    submission_get,
    submission_list,
)
from backend.submissions.serializers import AttachmentOutput, SubmissionDetailOutput, SubmissionOutput, TrashOutput
from backend.submissions.trash_apis import trash_delete


class SubmissionCursor(CursorPagination):
    ordering = "-id"  # newest first; id is unique and never changes, so cursors stay valid
    page_size = 100
    page_size_query_param = "limit"
    max_page_size = 1000


class SubmissionListApi(APIView):
    @extend_schema(responses=cursor_page_of(SubmissionOutput))
    def get(self, request, form_id: str):
        submissions = submission_list(actor_for_request(request), form=form_for_submissions(form_id))
        submissions = submissions_filter(submissions, request.query_params)
        paginator = SubmissionCursor()
        page = paginator.paginate_queryset(submissions, request, view=self)
        audit_microdata_read(
            request=request,
            action="submission.list",
            form_id=form_id,
            query=request.query_params.dict(),
            returned=len(page),
        )
        return paginator.get_paginated_response(SubmissionOutput(page, many=True).data)


class SubmissionDetailApi(APIView):
    @extend_schema(responses=SubmissionDetailOutput)
    def get(self, request, form_id: str, instance_id: str):
        submission = _visible_submission(request, form_id, instance_id)
        audit_microdata_read(request=request, action="submission.read", form_id=form_id, instance_id=instance_id)
        return Response(SubmissionDetailOutput(submission).data)

    @extend_schema(request=None, responses=TrashOutput)
    def delete(self, request, form_id: str, instance_id: str):
        """Move the submission to the trash (admins; restorable for 30 days)."""
        return trash_delete(request, form_id, instance_id)


class SubmissionXmlApi(APIView):
    @extend_schema(responses={(200, "text/xml"): OpenApiResponse(description="The XML exactly as received")})
    def get(self, request, form_id: str, instance_id: str):
        submission = _visible_submission(request, form_id, instance_id)
        audit_microdata_read(request=request, action="submission.xml", form_id=form_id, instance_id=instance_id)
        response = HttpResponse(bytes(submission.current_version.xml), content_type="text/xml; charset=utf-8")
        response["ETag"] = f'"{submission.current_version.sha256}"'
        return response


class SubmissionAttachmentListApi(APIView):
    @extend_schema(responses=AttachmentOutput(many=True))
    def get(self, request, form_id: str, instance_id: str):
        submission = _visible_submission(request, form_id, instance_id)
        audit_microdata_read(request=request, action="submission.attachments", form_id=form_id, instance_id=instance_id)
        return Response(AttachmentOutput(submission_attachments(submission), many=True).data)


class SubmissionAttachmentApi(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(description="The file")})
    def get(self, request, form_id: str, instance_id: str, name: str):
        submission = _visible_submission(request, form_id, instance_id)
        attachment = submission_attachment(submission, name=name)
        audit_microdata_read(
            request=request, action="submission.attachment", form_id=form_id, instance_id=instance_id, name=name
        )
        etag = f'"{attachment.blob.md5}"'
        if (unchanged := not_modified(request, etag)) is not None:
            return unchanged
        response = FileResponse(
            blob_open(attachment.blob_id), content_type=attachment.content_type or "application/octet-stream"
        )
        response["Content-Length"] = str(attachment.blob.size)
        response["Content-Disposition"] = content_disposition(attachment.name)
        response["ETag"] = etag
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-cache"
        return response


def content_disposition(name: str) -> str:
    """Both forms, as Central sends them: an ASCII fallback and the exact UTF-8 name (RFC 6266).
    Django's `content_disposition_header` sends only `filename*` for a non-ASCII name, which
    older clients show as a nameless download; the other downloads use it."""
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _visible_submission(request, form_id: str, instance_id: str):
    """The submission behind a detail URL, through the caller's scope (else 404)."""
    return submission_get(actor_for_request(request), form=form_for_submissions(form_id), instance_id=instance_id)
