"""Review routes. Included in /api/v1/ BEFORE the submissions routes: "review-bulk" would
otherwise be taken for an instanceID by the detail route."""

from django.urls import path

from backend.review import apis

urlpatterns = [
    path(
        "forms/<str:form_id>/submissions/review-bulk",
        apis.SubmissionReviewBulkApi.as_view(),
        name="api-submissions-review-bulk",
    ),
    path(
        "forms/<str:form_id>/submissions/<str:instance_id>/review",
        apis.SubmissionReviewApi.as_view(),
        name="api-submission-review",
    ),
    path(
        "forms/<str:form_id>/submissions/<str:instance_id>/comments",
        apis.SubmissionCommentsApi.as_view(),
        name="api-submission-comments",
    ),
    path(
        "forms/<str:form_id>/submissions/<str:instance_id>/delete-request",
        apis.SubmissionDeleteRequestApi.as_view(),
        name="api-submission-delete-request",
    ),
    path("submissions", apis.ReviewQueueApi.as_view(), name="api-review-queue"),
    path("my/submissions", apis.MySubmissionsApi.as_view(), name="api-my-submissions"),
]

device_urlpatterns = [
    path("key/<str:token>/api/my-submissions", apis.MySubmissionsForDeviceApi.as_view(), name="device-my-submissions"),
]
