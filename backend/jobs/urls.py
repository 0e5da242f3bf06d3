from django.urls import path

from backend.jobs import apis

urlpatterns = [
    path("jobs/<uuid:job_id>", apis.JobDetailApi.as_view(), name="job-detail"),
    path("jobs/<uuid:job_id>/result", apis.JobResultApi.as_view(), name="job-result"),
]
