from django.urls import path

from backend.accounts import apis

urlpatterns = [
    path("volunteers", apis.VolunteerListApi.as_view(), name="api-volunteers"),
    path("volunteers/<int:volunteer_id>", apis.VolunteerDetailApi.as_view(), name="api-volunteer-detail"),
    path("volunteers/<int:volunteer_id>/revoke", apis.VolunteerRevokeApi.as_view(), name="api-volunteer-revoke"),
    path("users", apis.UserListApi.as_view(), name="api-users"),
    path("users/<int:user_id>", apis.UserDetailApi.as_view(), name="api-user-detail"),
    path("tokens", apis.ApiTokenListApi.as_view(), name="api-tokens"),
    path("tokens/<int:token_id>/revoke", apis.ApiTokenRevokeApi.as_view(), name="api-token-revoke"),
    path("auth/token", apis.ApiTokenLoginApi.as_view(), name="api-auth-token"),
]
