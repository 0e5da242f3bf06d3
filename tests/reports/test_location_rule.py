"""One outside-hamlet rule: the hamlet head's map and the dashboard's location review flag the
same households, and both follow the settings."""

import pytest
from django.test import Client
from django.test.utils import override_settings

from backend.accounts.models import Role
from backend.accounts.services import user_create
from tests.analytics.builders import household, square
from tests.reports.factories import places, store

# AP01 is a square of 0.01° from (106.9, 10.9); one metre of longitude there is ~1/109 300 °.
INSIDE = (106.905, 10.905)
OUT_150_M = (106.91 + 150 / 109_300, 10.905)


@pytest.fixture
def households(forms, leadership):
    places(("AP01", 10, square(106.9, 10.9, 0.01), False))
    inside = store(forms, household("AP01", lon=INSIDE[0], lat=INSIDE[1], accuracy=5))
    outside = store(forms, household("AP01", lon=OUT_150_M[0], lat=OUT_150_M[1], accuracy=5))
    return inside, outside


def _map_flags(client: Client) -> dict[str, bool]:
    response = client.get("/hamlet/?form=pl_ho")
    assert response.status_code == 200
    return {p["id"]: p["outside"] for p in response.context["map_data"]["points"]}


def _review_flags(api) -> set[str]:
    response = api.get("/api/v1/indicators/review")
    assert response.status_code == 200
    return {row["submission_id"] for row in response.json() if row["reason"] == "outside_declared_hamlet"}


@pytest.mark.parametrize(("tolerance", "flagged"), [(100, True), (200, False)])
def test_the_hamlet_map_and_the_location_review_flag_the_same_households_by_the_setting(
    households, leadership, tolerance, flagged
):
    inside, outside = households
    user_create(username="qt", password="Quan-tri-2026!", role=Role.ADMIN)
    page = Client()
    page.login(username="qt", password="Quan-tri-2026!")

    with override_settings(ANALYTICS_OUTSIDE_TOLERANCE_M=tolerance):
        on_map = _map_flags(page)
        in_review = _review_flags(leadership)

    assert on_map == {inside.instance_id: False, outside.instance_id: flagged}
    assert in_review == ({outside.pk} if flagged else set())
