import pytest

from backend.accounts.actors import actor_for_device, actor_for_user
from backend.accounts.models import Role
from backend.accounts.services import user_create
from tests.submissions.factories import device_for, publish_household_form
from tests.webhooks.receiver import Receiver


@pytest.fixture(autouse=True)
def _webhook_settings(settings):
    # The test receiver listens on 127.0.0.1: allow private targets (a test below refuses them).
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOKS_TIMEOUT_S = 2.0
    settings.WEBHOOKS_RETRY_BASE_S = 60.0
    settings.WEBHOOKS_RETRY_MAX_S = 7200.0
    settings.WEBHOOKS_MAX_ATTEMPTS = 12


@pytest.fixture
def household_form(db):
    return publish_household_form()


@pytest.fixture
def device_actor(household_form):
    volunteer, _token = device_for(household_form)
    return actor_for_device(volunteer.tokens.get(), url_prefix="")


@pytest.fixture
def leader(db):
    return actor_for_user(user_create(username="lanhdao", password="lanh-dao-pass-1", role=Role.LEADERSHIP))


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.down()


class Clock:
    """Stands in for backend.webhooks.clock.now: time moves only when the test says so."""

    def __init__(self, start):
        self.at = start

    def __call__(self):
        return self.at

    def move(self, **delta):
        from datetime import timedelta

        self.at += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    from django.utils import timezone

    c = Clock(timezone.now())
    monkeypatch.setattr("backend.webhooks.clock.now", c)
    return c
