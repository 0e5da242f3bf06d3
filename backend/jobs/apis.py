"""Follow a background job: its state, progress, error and, when it made a file, the file."""

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.core.blobs import blob_chunks
from backend.core.errors import not_found
from backend.core.middleware import personal_data_mark
from backend.jobs.selectors import job_visible_to
from backend.jobs.serializers import JobOutput


def _job_or_404(request, job_id):
    job = job_visible_to(request.user, job_id)
    if job is None:
        raise not_found(f"job {job_id}", f"việc {job_id}")
    return job


class JobDetailApi(APIView):
    @extend_schema(responses=JobOutput)
    def get(self, request, job_id):
        return Response(JobOutput(_job_or_404(request, job_id)).data)


class JobResultApi(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, job_id):
        job = _job_or_404(request, job_id)
        if job.state != "done" or not job.result_blob_id:
            raise not_found(f"file of job {job_id}", f"tệp kết quả của việc {job_id}")
        if job.kind.startswith("submissions."):
            personal_data_mark(request)  # household answers: never kept by a cache
        response = StreamingHttpResponse(blob_chunks(job.result_blob_id), content_type=job.result_type)
        response["Content-Length"] = str(job.result_blob.size)
        response["Content-Disposition"] = content_disposition_header(True, job.result_name)
        return response
