"""Submission exports over REST: `GET /api/v1/forms/<id>/submissions.{csv,csv.zip,xlsx,geojson}`
and `…/attachments.zip` stream the file during the request (any size, constant memory);
POST on the same URL has a background job build it and answers 202 with the job to follow
(`/api/v1/jobs/<id>`, then its `result_url`). Same filters as the submission list plus
`round`; scoped by the one selector; one audit row per export, with the row count.
"""

from __future__ import annotations

import tempfile

from django.http import FileResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.actors import actor_for_request
from backend.accounts.permissions import SeesMicrodata
from backend.audit.http import audit_microdata_read
from backend.jobs.serializers import JobOutput
from backend.reports.export_formats import CONTENT_TYPES, export_stream, export_to_file, file_name
from backend.reports.services import submission_export_enqueue
from backend.reports.submission_export import ExportSpec, export_submissions
from backend.submissions.filters import SubmissionFilter
from backend.submissions.selectors import form_for_submissions

ROUND = OpenApiParameter("round", str, description="declared survey round, e.g. 2025 (its window or manual assignment)")


def _spec(request, form_id: str) -> ExportSpec:
    return ExportSpec(actor=actor_for_request(request), form=form_for_submissions(form_id), params=request.query_params)


class _ExportApi(APIView):
    permission_classes = [SeesMicrodata]
    fmt = "csv"

    def get(self, request, form_id: str):
        spec = _spec(request, form_id)
        rows = export_submissions(spec).count()  # also checks the filters: a 400 before any byte
        audit_microdata_read(
            request=request,
            action="submission.export",
            form_id=form_id,
            query=request.query_params.dict(),
            rows=rows,
            format=self.fmt,
        )
        if self.fmt == "xlsx":
            # A workbook's zip directory comes last: built in a temporary file (rows on disk,
            # not in memory), then sent from it; the file is gone once closed.
            target = tempfile.TemporaryFile()
            export_to_file(spec, self.fmt, target)
            size = target.tell()
            target.seek(0)
            response = FileResponse(target, content_type=CONTENT_TYPES[self.fmt])
            response["Content-Length"] = str(size)
        else:
            response = StreamingHttpResponse(export_stream(spec, self.fmt), content_type=CONTENT_TYPES[self.fmt])
        response["Content-Disposition"] = content_disposition_header(True, file_name(form_id, self.fmt))
        response["X-Content-Type-Options"] = "nosniff"
        response["X-Export-Rows"] = str(rows)
        return response

    def post(self, request, form_id: str):
        spec = _spec(request, form_id)
        rows = export_submissions(spec).count()
        query = {key: request.query_params.getlist(key) for key in request.query_params}
        job = submission_export_enqueue(user=request.user, form_id=form_id, fmt=self.fmt, query=query)
        audit_microdata_read(
            request=request,
            action="submission.export",
            form_id=form_id,
            query=request.query_params.dict(),
            rows=rows,
            format=self.fmt,
            job=str(job.id),
        )
        response = Response(JobOutput(job).data, status=status.HTTP_202_ACCEPTED)
        response["Location"] = response.data["url"]
        return response


def _export_api(fmt: str, doc: str):
    media = CONTENT_TYPES[fmt].split(";")[0]

    class Api(_ExportApi):
        __doc__ = doc

        @extend_schema(parameters=[SubmissionFilter, ROUND], responses={(200, media): bytes})
        def get(self, request, form_id: str):
            return super().get(request, form_id)

        @extend_schema(parameters=[SubmissionFilter, ROUND], request=None, responses={202: JobOutput})
        def post(self, request, form_id: str):
            return super().post(request, form_id)

    Api.fmt = fmt
    Api.__name__ = Api.__qualname__ = "SubmissionExport" + "".join(p.title() for p in fmt.split(".")) + "Api"
    return Api


SubmissionExportApi = _export_api(
    "csv", "The form's submissions as one CSV (repeats as counts; no cap). POST: built by a job."
)
SubmissionCsvZipApi = _export_api(
    "csv.zip", "One CSV per table in a zip, repeats joined by KEY/PARENT_KEY (ODK Central's layout)."
)
SubmissionXlsxApi = _export_api("xlsx", "The same tables as sheets of one workbook.")
SubmissionGeoJsonApi = _export_api("geojson", "The submissions that have a point, as a GeoJSON FeatureCollection.")
AttachmentsZipApi = _export_api("attachments.zip", "Every file of the submissions, media/<instanceID>/<name>.")
