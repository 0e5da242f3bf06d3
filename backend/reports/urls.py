from django.urls import path, re_path

from backend.reports import apis, export_apis

urlpatterns = [
    path("indicators", apis.IndicatorListApi.as_view(), name="indicators"),
    path("indicators/catalogue", apis.IndicatorCatalogueApi.as_view(), name="indicator-catalogue"),
    path("indicators/review", apis.LocationReviewApi.as_view(), name="indicator-review"),
    path("hamlets.geojson", apis.HamletGeoJsonApi.as_view(), name="hamlets-geojson"),
    path("scorecard", apis.ScorecardApi.as_view(), name="scorecard"),
    path("coverage", apis.CoverageApi.as_view(), name="coverage"),
    re_path(r"^exports/indicators\.(?P<fmt>csv|xlsx|gpkg)$", apis.ExportApi.as_view(), name="indicator-export"),
    re_path(r"^maps/(?P<indicator>[A-Za-z0-9_]+)\.png$", apis.MapPngApi.as_view(), name="indicator-map"),
    path("survey-rounds", apis.SurveyRoundApi.as_view(), name="survey-rounds"),
    path("survey-rounds/unassigned", apis.UnassignedSubmissionsApi.as_view(), name="survey-rounds-unassigned"),
    path("survey-rounds/unassigned/assign", apis.UnassignedAssignApi.as_view(), name="survey-rounds-assign"),
    path("survey-rounds/<int:round_id>", apis.SurveyRoundDetailApi.as_view(), name="survey-round"),
    # Submission exports (the .csv route is issue 3's contract: same path and name).
    path(
        "forms/<str:form_id>/submissions.csv", export_apis.SubmissionExportApi.as_view(), name="api-submissions-export"
    ),
    path(
        "forms/<str:form_id>/submissions.csv.zip",
        export_apis.SubmissionCsvZipApi.as_view(),
        name="api-submissions-csv-zip",
    ),
    path("forms/<str:form_id>/submissions.xlsx", export_apis.SubmissionXlsxApi.as_view(), name="api-submissions-xlsx"),
    path(
        "forms/<str:form_id>/submissions.geojson",
        export_apis.SubmissionGeoJsonApi.as_view(),
        name="api-submissions-geojson",
    ),
    path("forms/<str:form_id>/attachments.zip", export_apis.AttachmentsZipApi.as_view(), name="api-attachments-zip"),
    path("administrative-figures", apis.AdministrativeFigureApi.as_view(), name="administrative-figures"),
]
