"""The hamlet map's filters and the API's are one filterset: `from`/`to` on the page and
`date_from`/`date_to` in the API select by survey date, and give the same submissions."""

from datetime import date

import pytest
from django.test import Client
from rest_framework.test import APIClient

from backend.accounts.models import Role
from backend.accounts.services import api_token_create, user_create
from tests.analytics.builders import household
from tests.reports.factories import places, publish_commune_forms, store

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored():
    forms = publish_commune_forms()
    places(("AP01", 10, None, False))
    # All received today; surveyed on three different days (phones send days later).
    return {
        day: store(forms, household("AP01", day=day, lat=10.9, lon=106.9, accuracy=5), review_state=state)
        for day, state in (
            (date(2025, 9, 1), "received"),
            (date(2025, 10, 1), "approved"),
            (date(2025, 11, 1), "received"),
        )
    }


def _clients():
    user = user_create(username="qt", password="Quan-tri-2026!", role=Role.ADMIN)
    page = Client()
    page.login(username="qt", password="Quan-tri-2026!")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user)}")
    return page, api


def _on_page(page, query: str) -> set[str]:
    response = page.get(f"/hamlet/?form=pl_ho&{query}")
    assert response.status_code == 200
    return {row["s"].instance_id for row in response.context["rows"]}


def _in_api(api, query: str) -> set[str]:
    response = api.get(f"/api/v1/submissions?form=pl_ho&{query}")
    assert response.status_code == 200
    return {item["instance_id"] for item in response.json()["results"]}


def test_the_page_and_the_api_filter_by_survey_date_and_state_alike(stored):
    page, api = _clients()
    ids = {day: s.instance_id for day, s in stored.items()}

    assert _on_page(page, "from=2025-09-15&to=2025-10-15") == {ids[date(2025, 10, 1)]}
    assert _in_api(api, "date_from=2025-09-15&date_to=2025-10-15") == {ids[date(2025, 10, 1)]}
    assert (
        _on_page(page, "from=2025-09-15")
        == _in_api(api, "date_from=2025-09-15")
        == {
            ids[date(2025, 10, 1)],
            ids[date(2025, 11, 1)],
        }
    )
    assert (
        _on_page(page, "state=received")
        == _in_api(api, "state=received")
        == {
            ids[date(2025, 9, 1)],
            ids[date(2025, 11, 1)],
        }
    )


def test_a_malformed_filter_is_ignored_on_the_page_and_refused_by_the_api(stored):
    page, api = _clients()

    assert _on_page(page, "from=2025-13-45&state=bogus") == {s.instance_id for s in stored.values()}
    assert api.get("/api/v1/submissions?date_from=2025-13-45").status_code == 400
