from django.urls import path

from backend.registers import apis

urlpatterns = [
    path("registers/households", apis.HouseholdListApi.as_view(), name="api-households"),
    path("registers/households/import", apis.HouseholdImportApi.as_view(), name="api-households-import"),
    path("registers/households/conflicts", apis.ConflictListApi.as_view(), name="api-household-conflicts"),
    path(
        "registers/households/conflicts/<int:conflict_id>/resolve",
        apis.ConflictResolveApi.as_view(),
        name="api-household-conflict-resolve",
    ),
    path("registers/households/<uuid:household_id>", apis.HouseholdDetailApi.as_view(), name="api-household"),
    path("registers/households/visits/duplicates", apis.DuplicateVisitsApi.as_view(), name="api-household-duplicates"),
]
