import pytest

from backend.accounts.models import Role
from tests.analytics.builders import assessment, household, member, square, stall
from tests.helpers import api_client_for
from tests.reports.factories import places, publish_commune_forms, store

LAT0, LON0 = 10.90, 107.30


def small_commune() -> dict:
    """Two hamlets, a market and a few households: enough for every indicator to have rows."""
    forms = publish_commune_forms()
    places(("AP01", 10, square(LON0, LAT0, 0.01), True), ("AP02", 3, square(LON0 + 0.01, LAT0, 0.01), False), stalls=4)
    for n in range(6):
        store(forms, household("AP01", tt_57="co" if n < 4 else "khong", lat=LAT0 + 0.005, lon=LON0 + 0.005))
    for _ in range(3):
        store(forms, household("AP02", members=[member(), member(smartphone="khong")]))
    store(forms, stall())
    store(forms, assessment("AP01"))
    store(forms, assessment("AP02", team=False))
    return forms


@pytest.fixture
def leadership(db):
    return api_client_for(Role.LEADERSHIP, "lanhdao")


@pytest.fixture
def viewer(db):
    return api_client_for(Role.VIEWER, "nguoixem")
