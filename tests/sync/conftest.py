import pytest

from backend.accounts.models import Role
from backend.accounts.services import user_create, volunteer_create
from backend.surveys.models import Form
from backend.surveys.services import form_publish
from tests.helpers import with_media_form, xlsform_bytes
from tests.sync.household_http import pl_ho  # noqa: F401 — a fixture (issue 18's ingest-cost tests)

AP_CSV = "name,label\nAP01,Ấp Phú Dũng\nAP02,Ấp Phú Tân\n".encode()


@pytest.fixture
def published_forms(db):
    """Two forms: one plain, one expecting ap.csv (uploaded)."""
    form_publish(xlsform=xlsform_bytes(form_id="simple", title="Simple & Co"), filename="simple.xlsx")
    form_publish(xlsform=with_media_form(), filename="withmedia.xlsx", attachments={"ap.csv": AP_CSV})
    return {f.form_id: f for f in Form.objects.all()}


@pytest.fixture
def device(published_forms):
    """A volunteer device assigned only the form with media; returns (volunteer, token)."""
    return volunteer_create(name="Nguyễn Văn A", forms=[published_forms["withmedia"]])


@pytest.fixture
def admin_user(db):
    return user_create(username="admin", password="s3cret-pass", role=Role.ADMIN)
