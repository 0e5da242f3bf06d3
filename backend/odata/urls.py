"""OData routes. Included before the other form routes: `forms/<id>` would otherwise take
"pl_ho.svc" for a form id."""

from django.urls import path

from backend.odata import apis

urlpatterns = [
    path("forms/<str:form_id>.svc", apis.ServiceDocumentApi.as_view(), name="odata-service"),
    path("forms/<str:form_id>.svc/", apis.ServiceDocumentApi.as_view(), name="odata-service-slash"),
    path("forms/<str:form_id>.svc/$metadata", apis.MetadataApi.as_view(), name="odata-metadata"),
    path("forms/<str:form_id>.svc/<str:entity_set>/$count", apis.EntityCountApi.as_view(), name="odata-count"),
    path("forms/<str:form_id>.svc/<str:entity_set>", apis.EntitySetApi.as_view(), name="odata-entity-set"),
]
