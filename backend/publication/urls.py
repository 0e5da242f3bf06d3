from django.urls import path, re_path

from backend.publication import apis

urlpatterns = [
    re_path(r"^reports/periodic\.(?P<fmt>docx|pdf)$", apis.PeriodicReportApi.as_view(), name="periodic-report"),
    path("reports/published", apis.PublishApi.as_view(), name="results-publish"),
]
