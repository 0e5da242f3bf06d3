import pytest
from rest_framework.test import APIClient

from backend.accounts.models import Role
from backend.accounts.services import api_token_create, user_create
from backend.jobs.models import Job, JobState
from backend.reports import services
from tests.reports.factories import publish_commune_forms


@pytest.fixture
def no_background(monkeypatch):
    """Stale results are not recomputed by a job during the test (as if the job were still
    queued for a worker); the requests are counted."""
    calls = []

    def request(**kwargs):
        calls.append(1)
        return Job(kind=services.RECOMPUTE_JOB, state=JobState.QUEUED)

    monkeypatch.setattr(services, "indicator_recompute_request", request)
    return calls


@pytest.fixture
def forms(db):
    return publish_commune_forms()


def _client_for(role: str, username: str, hamlets=()):
    user = user_create(username=username, password="s3cret-pass-123", role=role, hamlets=hamlets)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user)}")
    return client


@pytest.fixture
def leadership(db):
    return _client_for(Role.LEADERSHIP, "lanhdao")


@pytest.fixture
def viewer(db):
    return _client_for(Role.VIEWER, "nguoixem")


@pytest.fixture
def admin(db):
    return _client_for(Role.ADMIN, "quantri")


@pytest.fixture
def client_for(db):
    return _client_for
