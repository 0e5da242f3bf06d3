"""The analytics endpoints answer what the OpenAPI schema documents: their response
serializers (backend/reports/serializers.py) checked against real, non-empty bodies, for a
reader who sees microdata and for one who gets suppressed cells."""

import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from backend.accounts.models import Role
from backend.accounts.services import api_token_create, user_create
from backend.wsgi import application
from tests.analytics.builders import household
from tests.reports.factories import LAT0, LON0, small_commune, store

schema = schemathesis.openapi.from_wsgi("/api/schema", application)
ENDPOINTS = [
    ("/api/v1/indicators", {"round": "2025"}),
    ("/api/v1/indicators/catalogue", {}),
    ("/api/v1/hamlets.geojson", {"indicator": "P2027_SMARTPHONE_HH"}),
    ("/api/v1/scorecard", {"round": "2025"}),
    ("/api/v1/indicators/review", {}),
]


@pytest.fixture
def _connections_kept():
    """The WSGI handler closes database connections after each request, which would close
    the test's transaction (as in tests/core/test_openapi_schemathesis.py)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def commune(db, no_background, _connections_kept):
    forms = small_commune()
    # One point far outside its hamlet and one with a poor fix: the location review has rows.
    store(forms, household("AP01", lat=LAT0 + 0.05, lon=LON0 + 0.005, accuracy=5))
    store(forms, household("AP01", lat=LAT0 + 0.005, lon=LON0 + 0.005, accuracy=300))


@pytest.mark.parametrize("role", [Role.ADMIN, Role.VIEWER])
@pytest.mark.parametrize(("path", "query"), ENDPOINTS)
def test_each_analytics_endpoint_answers_as_its_schema_documents(commune, role, path, query):
    token = api_token_create(user=user_create(username=f"u-{role}", password="s3cret-pass-123", role=role))
    case = schema[path]["GET"].Case(query=query)

    response = case.call(headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"})
    if role == Role.VIEWER and path == "/api/v1/indicators/review":
        assert response.status_code == 403  # household locations are microdata
        return
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

    body = response.json()
    items = body["features"] if path.endswith(".geojson") else body["hamlets"] if "scorecard" in path else body
    assert items, "a non-empty body, so every field of its items is checked"
    if "scorecard" in path:
        assert body["hamlets"][0]["criteria"] and body["commune_targets"]
        assert (body["suppression"] is None) == (role == Role.ADMIN)


def test_the_schema_describes_the_analytics_bodies_field_by_field():
    components = schema.raw_schema["components"]["schemas"]
    assert {"criteria", "hamlets", "commune_targets", "suppression"} <= set(components["ScorecardOutput"]["properties"])
    assert "failing_mandatory" in components["ScorecardHamletOutput"]["properties"]
    assert {"value", "ci_low", "target_op", "suppressed"} <= set(components["IndicatorRowOutput"]["properties"])
    assert {"distance_m", "reason"} <= set(components["LocationReviewOutput"]["properties"])
