"""ap.csv is rendered from the hamlet table and pushed to the forms that use it."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from backend.places.ap_csv import HEADER, ap_csv_render
from backend.places.models import Hamlet
from backend.places.services import ap_csv_publish, commune_ensure
from backend.surveys.services import form_publish
from tests.helpers import with_media_form

pytestmark = pytest.mark.django_db


def test_the_rendered_header_matches_the_authored_ap_csv_of_the_forms():
    authored = Path(settings.BASE_DIR) / "forms_xlsform" / "ap.csv"
    if not authored.exists():
        pytest.skip("forms_xlsform/ap.csv not present")
    assert authored.read_text(encoding="utf-8").splitlines()[0].split(",") == list(HEADER)


def test_labels_get_the_hamlet_prefix_once_and_an_english_gloss():
    text = ap_csv_render([("AP01", "Phú Dũng", ""), ("AP07", "Ấp Phương Lâm", "Phuong Lam")]).decode()
    assert text.splitlines()[1:] == [
        "AP01,Ấp Phú Dũng,Phú Dũng hamlet",
        "AP07,Ấp Phương Lâm,Phuong Lam",
    ]


def test_renaming_a_hamlet_and_republishing_ap_csv_changes_the_manifest_hash():
    commune = commune_ensure()
    Hamlet.objects.create(commune=commune, code="AP01", name="Phú Dũng")
    form_publish(xlsform=with_media_form(), filename="withmedia.xlsx")
    ap_csv_publish()
    client = Client()
    from backend.accounts.models import Role
    from backend.accounts.services import user_create

    user_create(username="boss", password="pw-123456789", role=Role.ADMIN)
    client.login(username="boss", password="pw-123456789")

    def manifest_hash() -> str:
        response = client.get("/forms/withmedia/manifest", HTTP_X_OPENROSA_VERSION="1.0")
        assert response.status_code == 200, response.content
        body = response.content.decode()
        assert "ap.csv" in body
        return body.split("<hash>")[1].split("</hash>")[0]

    before = manifest_hash()
    Hamlet.objects.filter(code="AP01").update(name="Phú Dũng Mới")
    assert ap_csv_publish() == {"withmedia": True}
    after = manifest_hash()

    assert before != after
    assert ap_csv_publish() == {"withmedia": False}
