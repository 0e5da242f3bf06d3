"""The pages: the volunteer's under their device key, the hamlet head's and the
leadership's behind a session login. Mounted at the root before the OpenRosa routes."""
from django.urls import include, path

from backend.web import volunteer_views

volunteer_routes = [
    path("", volunteer_views.app_home, name="volunteer-home"),
    path("sw.js", volunteer_views.app_service_worker, name="volunteer-sw"),
    path("forms/<str:form_id>", volunteer_views.app_form, name="volunteer-form"),
    path("qr", volunteer_views.app_qr, name="volunteer-qr"),
]

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("key/<str:token>/app/", include(volunteer_routes)),
]
