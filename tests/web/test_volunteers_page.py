"""The volunteers page: admin and leadership create volunteers, assign them, revoke and reissue
links, and print a hamlet's QR codes on A4 — the codes decode to the volunteers' live links."""

import io
from urllib.parse import urlsplit

import pytest
import zxingcpp
from django.test import Client
from pypdf import PdfReader

from backend.accounts.models import Role, Volunteer
from backend.accounts.services import user_create, volunteer_create
from backend.audit.models import AuditEvent
from backend.places.models import Commune, Hamlet
from backend.surveys.services import form_publish
from tests.helpers import xlsform_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def commune():
    commune = Commune.objects.create(code="PL", name="Phú Lâm")
    return {
        "AP01": Hamlet.objects.create(commune=commune, code="AP01", name="Phú Dũng"),
        "AP02": Hamlet.objects.create(commune=commune, code="AP02", name="Phú Tân"),
    }


@pytest.fixture
def form():
    return form_publish(xlsform=xlsform_bytes(form_id="ho_thu", title="Hộ (thử)"), filename="ho_thu.xlsx").form


def signed_in(role: str, **extra) -> Client:
    client = Client()
    client.force_login(user_create(username=f"u_{role}", password="Mat-Khau-2026!", role=role, **extra))
    return client


def path_of(url: str) -> str:
    return urlsplit(url).path


def test_leadership_creates_a_volunteer_whose_link_opens_their_forms(commune, form):
    client = signed_in(Role.LEADERSHIP)
    page = client.get("/staff/volunteers/")
    assert page.status_code == 200 and "Thêm tình nguyện viên" in page.content.decode()
    response = client.post(
        "/staff/volunteers/", {"name": "Trần Văn Bình", "code": "tnv044", "hamlets": ["AP01"], "forms": ["ho_thu"]}
    )
    assert response.status_code == 200
    volunteer = Volunteer.objects.get(name="Trần Văn Bình")
    assert volunteer.code == "TNV044"
    assert {h.code for h in volunteer.hamlets.all()} == {"AP01"}
    app_url = response.context["issued"]["app_url"]
    assert app_url.endswith("/app/") and "Đường dẫn mới cho Trần Văn Bình" in response.content.decode()
    home = Client().get(path_of(app_url))
    assert home.status_code == 200 and "Hộ (thử)" in home.content.decode()
    assert AuditEvent.objects.filter(action="volunteer.create").exists()


def test_bad_input_changes_nothing_and_says_why(commune, form):
    client = signed_in(Role.ADMIN)
    assert client.post("/staff/volunteers/", {"name": "  "}).status_code == 400
    unknown = client.post("/staff/volunteers/", {"name": "Lê Thị Hoa", "hamlets": ["AP99"]})
    assert unknown.status_code == 400 and "AP99" in unknown.content.decode()
    assert not Volunteer.objects.exists()


def test_reissue_kills_the_old_link_and_revoke_kills_every_link(commune, form):
    volunteer, token = volunteer_create(name="Lê Thị Hoa", forms=[form], hamlets=[commune["AP01"]])
    client = signed_in(Role.ADMIN)
    response = client.post(f"/staff/volunteers/{volunteer.pk}/reissue")
    new_url = response.context["issued"]["app_url"]
    assert Client().get(f"/key/{token}/app/").status_code == 403
    assert Client().get(path_of(new_url)).status_code == 200
    client.post(f"/staff/volunteers/{volunteer.pk}/revoke")
    assert Client().get(path_of(new_url)).status_code == 403


def test_assignment_is_saved_from_the_page(commune, form):
    volunteer, _token = volunteer_create(name="Lê Thị Hoa", forms=[], hamlets=[commune["AP01"]])
    client = signed_in(Role.ADMIN)
    client.post(f"/staff/volunteers/{volunteer.pk}/assign", {"hamlets": ["AP02"], "forms": ["ho_thu"]})
    assert {h.code for h in volunteer.hamlets.all()} == {"AP02"}
    assert [f.form_id for f in volunteer.forms.all()] == ["ho_thu"]


def test_a_hamlet_head_and_a_stranger_may_not_open_the_page(commune):
    head = signed_in(Role.HAMLET_HEAD, hamlets=[commune["AP01"]])
    assert head.get("/staff/volunteers/").status_code == 403
    assert head.post("/staff/volunteers/", {"name": "X"}).status_code == 403
    assert not Volunteer.objects.exists()
    anonymous = Client().get("/staff/volunteers/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_the_hamlet_qr_sheet_is_one_a4_page_whose_codes_decode_to_the_volunteers_new_links(commune, form):
    names = ["Nguyễn Thị Lan", "Trần Văn Bình", "Lê Thị Hoa", "Phạm Văn Đức"]
    old = [volunteer_create(name=n, forms=[form], hamlets=[commune["AP01"]])[1] for n in names]
    volunteer_create(name="Người ấp khác", forms=[form], hamlets=[commune["AP02"]])
    response = signed_in(Role.ADMIN).post("/staff/volunteers/sheet", {"hamlet": "AP01"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(response.content))
    assert len(pdf.pages) == 1
    box = pdf.pages[0].mediabox
    assert abs(float(box.width) / 72 * 25.4 - 210) < 1 and abs(float(box.height) / 72 * 25.4 - 297) < 1  # A4
    image = pdf.pages[0].images[0].image
    decoded = sorted(r.text for r in zxingcpp.read_barcodes(image))
    assert len(decoded) == 4
    for url in decoded:
        assert url.endswith("/app/")
        assert Client().get(path_of(url)).status_code == 200  # each QR opens a live volunteer link
    for token in old:
        assert Client().get(f"/key/{token}/app/").status_code == 403  # the sheet's links replace them
