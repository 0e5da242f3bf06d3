import pytest

from backend.accounts.models import Role
from tests.helpers import api_client_for


@pytest.fixture
def leadership(db):
    return api_client_for(Role.LEADERSHIP, "lanhdao")


@pytest.fixture
def viewer(db):
    return api_client_for(Role.VIEWER, "nguoixem")
