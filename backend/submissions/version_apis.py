"""The versions of an edited submission (like Central's `…/submissions/{id}/versions`): the
list, each version's XML exactly as received, and each version's files. Same scope as the
read API: a submission the caller may not see is a 404."""

from __future__ import annotations

from django.http import FileResponse, HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.actors import actor_for_request
from backend.audit.http import audit_microdata_read
from backend.core.blobs import blob_open
from backend.submissions.apis import content_disposition
from backend.submissions.selectors import (
    form_for_submissions,
    submission_get,
    submission_version,
    submission_versions,
    version_attachment,
    version_attachments,
)
from backend.submissions.serializers import AttachmentOutput, VersionOutput


def _submission(request, form_id: str, instance_id: str):
    return submission_get(actor_for_request(request), form=form_for_submissions(form_id), instance_id=instance_id)


class SubmissionVersionListApi(APIView):
    @extend_schema(responses=VersionOutput(many=True))
    def get(self, request, form_id: str, instance_id: str):
        submission = _submission(request, form_id, instance_id)
        versions = list(submission_versions(submission))
        for version in versions:
            version.current = version.pk == submission.current_version_id
        audit_microdata_read(request=request, action="submission.versions", form_id=form_id, instance_id=instance_id)
        return Response(VersionOutput(versions, many=True).data)


class SubmissionVersionXmlApi(APIView):
    @extend_schema(responses={(200, "text/xml"): OpenApiResponse(description="This version's XML exactly as received")})
    def get(self, request, form_id: str, instance_id: str, version_id: str):
        version = submission_version(_submission(request, form_id, instance_id), instance_id=version_id)
        audit_microdata_read(
            request=request,
            action="submission.version_xml",
            form_id=form_id,
            instance_id=instance_id,
            version=version_id,
        )
        response = HttpResponse(bytes(version.xml), content_type="text/xml; charset=utf-8")
        response["ETag"] = f'"{version.sha256}"'
        return response


class SubmissionVersionAttachmentListApi(APIView):
    @extend_schema(responses=AttachmentOutput(many=True))
    def get(self, request, form_id: str, instance_id: str, version_id: str):
        version = submission_version(_submission(request, form_id, instance_id), instance_id=version_id)
        return Response(AttachmentOutput(version_attachments(version), many=True).data)


class SubmissionVersionAttachmentApi(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(description="The file")})
    def get(self, request, form_id: str, instance_id: str, version_id: str, name: str):
        version = submission_version(_submission(request, form_id, instance_id), instance_id=version_id)
        attachment = version_attachment(version, name=name)
        audit_microdata_read(
            request=request,
            action="submission.version_attachment",
            form_id=form_id,
            instance_id=instance_id,
            version=version_id,
            name=name,
        )
        response = FileResponse(
            blob_open(attachment.blob_id), content_type=attachment.content_type or "application/octet-stream"
        )
        response["Content-Length"] = str(attachment.blob.size)
        response["Content-Disposition"] = content_disposition(attachment.name)
        response["ETag"] = f'"{attachment.blob.md5}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response
