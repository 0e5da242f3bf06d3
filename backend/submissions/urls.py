from django.urls import path

from backend.submissions import apis

urlpatterns = [
    path("forms/<str:form_id>/submissions", apis.SubmissionListApi.as_view(), name="api-submissions"),
    # The .xml route comes before the detail route: "uuid:….xml" would match both.
    path(
        "forms/<str:form_id>/submissions/<str:instance_id>.xml",
        apis.SubmissionXmlApi.as_view(),
        name="api-submission-xml",
    ),
    path(
        "forms/<str:form_id>/submissions/<str:instance_id>", apis.SubmissionDetailApi.as_view(), name="api-submission"
    ),
    path(
        "forms/<str:form_id>/submissions/<str:instance_id>/attachments",
        apis.SubmissionAttachmentListApi.as_view(),
        name="api-submission-attachments",
    ),
    path(
        "forms/<str:form_id>/submissions/<str:instance_id>/attachments/<str:name>",
        apis.SubmissionAttachmentApi.as_view(),
        name="api-submission-attachment",
    ),
]
