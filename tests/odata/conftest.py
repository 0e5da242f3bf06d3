import pytest

from tests.odata.world import world_build


@pytest.fixture
def world(db):
    return world_build()
