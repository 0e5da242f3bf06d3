"""OpenRosa routes, without trailing slashes (Collect appends `/formList` and `/submission`
to the server URL; a redirect on POST would break uploads).

The same routes are mounted three times: for web users (Basic/Bearer), under a volunteer
device key (`/key/<token>`) and under a draft-testing link (`/test/<draft_token>`).
"""

from django.urls import include, path, re_path

from sync import batch_api, delivery, feed_api, qr_views, submission_views

openrosa_routes = [
    path("formList", delivery.form_list, name="form-list"),
    path("forms/<str:form_id>.xml", delivery.form_xml, name="form-xml"),
    path("forms/<str:form_id>/manifest", delivery.form_manifest, name="form-manifest"),
    path("forms/<str:form_id>/attachments/<str:name>", delivery.form_media, name="form-media"),
    path("submission", submission_views.submission, name="submission"),
    path("datasets/<str:dataset>/integrity", delivery.dataset_integrity, name="dataset-integrity"),
]

device_only_routes = [
    re_path(r"^qr\.(?P<kind>png|svg)$", qr_views.collect_qr, name="collect-qr"),
]

urlpatterns = [
    # The JSON sync API: batch push, with an API token or under a device key.
    path("api/v1/sync/submissions", batch_api.SubmissionBatchApi.as_view(), name="sync-submissions"),
    path(
        "key/<str:token>/api/v1/sync/submissions",
        batch_api.DeviceSubmissionBatchApi.as_view(),
        name="sync-submissions-key",
    ),
    # Pull: the change feed of the caller's scope, in commit order.
    path("api/v1/sync/changes", feed_api.SyncChangesApi.as_view(), name="sync-changes"),
    path("key/<str:token>/api/v1/sync/changes", feed_api.DeviceSyncChangesApi.as_view(), name="sync-changes-key"),
    path("", include((openrosa_routes, "openrosa"), namespace="openrosa")),
    path("key/<str:token>/", include((openrosa_routes + device_only_routes, "openrosa"), namespace="openrosa-key")),
    path("test/<str:draft_token>/", include((openrosa_routes, "openrosa"), namespace="openrosa-draft")),
]
