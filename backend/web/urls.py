"""The pages: the volunteer's under their device key, the hamlet head's and the
leadership's behind a session login. Mounted at the root before the OpenRosa routes."""

from django.urls import include, path

from backend.web import (
    dashboard_views,
    exports_views,
    hamlet_views,
    home_views,
    register_views,
    volunteer_views,
    volunteers_views,
    webhooks_views,
)

volunteer_routes = [
    path("", volunteer_views.app_home, name="volunteer-home"),
    path("sw.js", volunteer_views.app_service_worker, name="volunteer-sw"),
    path("forms/<str:form_id>", volunteer_views.app_form, name="volunteer-form"),
    path("qr", volunteer_views.app_qr, name="volunteer-qr"),
    path("mine", volunteer_views.app_mine, name="volunteer-mine"),
    path("mine/<str:form_id>/<str:instance_id>.xml", volunteer_views.app_mine_instance, name="volunteer-mine-xml"),
    path(
        "mine/<str:form_id>/<str:instance_id>/files/<str:name>",
        volunteer_views.app_mine_file,
        name="volunteer-mine-file",
    ),
]

hamlet_routes = [
    path("", hamlet_views.hamlet_map, name="hamlet-map"),
    path("coverage", hamlet_views.hamlet_coverage, name="hamlet-coverage"),
    path("register", register_views.hamlet_register, name="hamlet-register"),
    path(
        "register/conflicts/<int:conflict_id>/resolve",
        register_views.hamlet_register_resolve,
        name="hamlet-register-resolve",
    ),
    path(
        "register/households/<uuid:household_id>/settle",
        register_views.hamlet_register_settle,
        name="hamlet-register-settle",
    ),
    path("review/bulk-approve", hamlet_views.bulk_approve, name="hamlet-bulk-approve"),
    path("submissions/<str:form_id>/<str:instance_id>", hamlet_views.submission_detail, name="hamlet-submission"),
    path(
        "submissions/<str:form_id>/<str:instance_id>/review",
        hamlet_views.submission_review,
        name="hamlet-submission-review",
    ),
    path(
        "submissions/<str:form_id>/<str:instance_id>/files/<str:name>",
        hamlet_views.submission_file,
        name="hamlet-submission-file",
    ),
]

urlpatterns = [
    path("", home_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("hamlet/", include(hamlet_routes)),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("staff/volunteers/", volunteers_views.volunteers, name="staff-volunteers"),
    path("staff/volunteers/sheet", volunteers_views.hamlet_sheet, name="staff-volunteers-sheet"),
    path(
        "staff/volunteers/<int:volunteer_id>/<str:action>",
        volunteers_views.volunteer_action,
        name="staff-volunteer-action",
    ),
    path("staff/exports/", exports_views.exports, name="staff-exports"),
    path("staff/webhooks/", webhooks_views.webhooks, name="staff-webhooks"),
    path("staff/webhooks/<int:webhook_id>", webhooks_views.webhook_detail, name="staff-webhook"),
    path(
        "staff/webhooks/deliveries/<uuid:delivery_id>/retry",
        webhooks_views.delivery_retry,
        name="staff-webhook-delivery-retry",
    ),
    path("key/<str:token>/app/", include(volunteer_routes)),
]
