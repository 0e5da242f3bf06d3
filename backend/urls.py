"""URL configuration. OpenRosa routes live at the root (phones get `{base}/key/<token>` as
their server URL); the JSON API lives under /api/v1/."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from backend.core.health import healthz
from backend.review import urls as review_urls
from backend.web import site_views

admin.site.site_header = "Quản trị khảo sát xã Phú Lâm"
admin.site.site_title = "Quản trị Phú Lâm"
admin.site.index_title = "Dữ liệu và tài khoản / Data and accounts"
admin.site.site_url = "/"

handler403 = site_views.error_403
handler404 = site_views.error_404

api_v1 = [
    path("", include("backend.odata.urls")),  # first: "forms/<id>.svc" is not a form id
    path("", include("backend.surveys.urls")),
    path("", include("backend.accounts.urls")),
    path("", include("backend.reports.urls")),
    path("", include("backend.publication.urls")),
    path("", include("backend.review.urls")),  # before submissions: see review/urls.py
    path("", include("backend.submissions.urls")),
    path("", include("backend.audit.urls")),
    path("", include("backend.jobs.urls")),
    path("", include("backend.registers.urls")),
    path("", include("backend.webhooks.urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("backend.accounts.web_urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", site_views.api_docs, name="api-docs"),
    path("favicon.ico", site_views.favicon, name="favicon"),
    path("", include(review_urls.device_urlpatterns)),
    path("ket-qua/", include("backend.publication.web_urls")),
    path("", include("backend.web.urls")),
    path("", include("sync.urls")),
]
