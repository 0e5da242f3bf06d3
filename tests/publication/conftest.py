import pytest

from backend.accounts.models import Role
from backend.accounts.services import user_create
from tests.helpers import api_client_for

OUTPUT = __import__("pathlib").Path(__file__).resolve().parents[2] / "test-output" / "reports"


@pytest.fixture
def commune(db, postgres_only, monkeypatch):
    """A small synthetic Phú Lâm (30 hamlets, two rounds) through the real ingest, computed.

    The commune's forms are published without ODK Validate (tests/surveys validates them):
    a Java start per form is most of this fixture's time otherwise."""
    monkeypatch.setattr("backend.surveys.xlsform_convert.java_available", lambda: False)
    from backend.demo.generator import DemoSpec
    from backend.demo.loader import demo_commune_load
    from backend.reports.services import administrative_figure_set, indicator_results_compute

    demo_commune_load(spec=DemoSpec(households=120, stalls=20, rounds=(2025, 2027)))
    clerk = user_create(username="vanphong", password=None, role=Role.ADMIN, name="Trần Văn Bình")
    administrative_figure_set(
        indicator="P2025_DOSSIERS_ONLINE",
        round_name="2027",
        numerator=912,
        denominator=1000,
        user=clerk,
        source="Hệ thống thông tin giải quyết TTHC",
    )
    indicator_results_compute()


@pytest.fixture
def leadership(db):
    return api_client_for(Role.LEADERSHIP, "lanhdao", name="Người dùng lanhdao")


@pytest.fixture
def viewer(db):
    return api_client_for(Role.VIEWER, "nguoixem", name="Người dùng nguoixem")


@pytest.fixture
def output_dir():
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return OUTPUT
