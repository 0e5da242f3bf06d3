"""The commune's household form (pl_ho) over HTTP, for the ingest-cost tests (issue 18)."""

import re
from pathlib import Path

import pytest

from backend.accounts.services import volunteer_create
from backend.surveys.services import form_publish
from tests.bench.bench_submissions import HouseholdWriter
from tests.helpers import COLLECT_HEADERS
from tests.submissions.factories import multipart

FORMS = Path(__file__).resolve().parents[2] / "forms_xlsform"


@pytest.fixture
def pl_ho(db):
    """pl_ho published, a volunteer assigned to it, and instances written from its schema."""
    result = form_publish(
        xlsform=(FORMS / "pl_ho.xlsx").read_bytes(),
        filename="pl_ho.xlsx",
        attachments={"ap.csv": (FORMS / "ap.csv").read_bytes()},
    )
    _volunteer, token = volunteer_create(name="Nguyễn Thị Thu", forms=[result.form])
    return f"/key/{token}/submission", HouseholdWriter(bytes(result.version.xform))


def post(client, url, xml, files=None):
    body, content_type = multipart(xml, files)
    return client.generic("POST", url, body, content_type=content_type, **COLLECT_HEADERS)


def without_entity_block(xml: bytes) -> bytes:
    return re.sub(rb"<entity\b.*?</entity>", b"", xml, flags=re.S)
