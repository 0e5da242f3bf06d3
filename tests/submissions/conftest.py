import pytest

from backend.accounts.actors import actor_for_device, actor_for_user
from backend.accounts.models import Role
from backend.accounts.services import user_create
from tests.submissions.factories import device_for, publish_household_form


@pytest.fixture
def household_form(db):
    return publish_household_form()


@pytest.fixture
def device(household_form):
    """(volunteer, raw device token) of a volunteer assigned the household form."""
    return device_for(household_form)


@pytest.fixture
def device_actor(device):
    volunteer, _token = device
    return actor_for_device(volunteer.tokens.get(), url_prefix="")


@pytest.fixture
def admin_actor(db):
    return actor_for_user(user_create(username="admin", password="s3cret-pass", role=Role.ADMIN))
