import pytest

from backend.accounts.models import Role
from backend.jobs.models import Job, JobState
from backend.reports import services
from tests.helpers import api_client_for
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


@pytest.fixture
def leadership(db):
    return api_client_for(Role.LEADERSHIP, "lanhdao")


@pytest.fixture
def viewer(db):
    return api_client_for(Role.VIEWER, "nguoixem")


@pytest.fixture
def admin(db):
    return api_client_for(Role.ADMIN, "quantri")


@pytest.fixture
def client_for(db):
    return lambda role, username, hamlets=(): api_client_for(role, username, hamlets=hamlets)
