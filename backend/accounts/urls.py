from django.urls import path

from backend.accounts import apis

urlpatterns = [
    path("volunteers", apis.VolunteerListApi.as_view(), name="api-volunteers"),
    path("volunteers/<int:volunteer_id>/revoke", apis.VolunteerRevokeApi.as_view(), name="api-volunteer-revoke"),
]
