from django.urls import path

from backend.surveys import apis

urlpatterns = [
    path("forms", apis.FormListApi.as_view(), name="api-forms"),
    path("forms/<str:form_id>", apis.FormDetailApi.as_view(), name="api-form-detail"),
    path("forms/<str:form_id>/media/<str:name>", apis.FormMediaApi.as_view(), name="api-form-media"),
]
