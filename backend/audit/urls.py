from django.urls import path

from backend.audit import apis

urlpatterns = [
    path("audit", apis.AuditListApi.as_view(), name="api-audit"),
]
