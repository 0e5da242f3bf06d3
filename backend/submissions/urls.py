from django.urls import path

from backend.submissions import apis, trash_apis, version_apis

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
    path("forms/<str:form_id>/trash", trash_apis.SubmissionTrashApi.as_view(), name="api-submissions-trash"),
    path(
        "forms/<str:form_id>/submissions/<str:instance_id>/restore",
        trash_apis.SubmissionRestoreApi.as_view(),
        name="api-submission-restore",
    ),
    path(
        "forms/<str:form_id>/submissions/<str:instance_id>/purge",
        trash_apis.SubmissionPurgeApi.as_view(),
        name="api-submission-purge",
    ),
    path(
        "forms/<str:form_id>/submissions/<str:instance_id>/versions",
        version_apis.SubmissionVersionListApi.as_view(),
        name="api-submission-versions",
    ),
    path(
        "forms/<str:form_id>/submissions/<str:instance_id>/versions/<str:version_id>.xml",
        version_apis.SubmissionVersionXmlApi.as_view(),
        name="api-submission-version-xml",
    ),
    path(
        "forms/<str:form_id>/submissions/<str:instance_id>/versions/<str:version_id>/attachments",
        version_apis.SubmissionVersionAttachmentListApi.as_view(),
        name="api-submission-version-attachments",
    ),
    path(
        "forms/<str:form_id>/submissions/<str:instance_id>/versions/<str:version_id>/attachments/<str:name>",
        version_apis.SubmissionVersionAttachmentApi.as_view(),
        name="api-submission-version-attachment",
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
