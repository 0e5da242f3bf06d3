"""A household follow-up form with an `entities` sheet (dataset `households`), two hamlets,
a volunteer device in each, and Collect-shaped instances of that form."""

from __future__ import annotations

import io
import uuid
from xml.sax.saxutils import escape

import pytest
from openpyxl import Workbook

from backend.accounts.models import Role
from backend.accounts.services import user_create, volunteer_create
from backend.places.models import Commune, Hamlet
from backend.surveys.services import form_publish
from tests.helpers import COLLECT_HEADERS
from tests.submissions.factories import multipart

FORM_ID = "ho_theo_doi"
VERSION = "2026120401"


def follow_up_xlsform(*, version: str = VERSION) -> bytes:
    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    survey.append(["type", "name", "label", "save_to", "calculation"])
    for row in [
        ["select_one_from_file households.csv", "ho_cu", "Hộ / Household", "", ""],
        ["text", "ap", "Ấp / Hamlet", "ap", ""],
        ["text", "ma_ho", "Mã hộ / Household code", "ma_ho", ""],
        ["text", "ten_goi", "Tên chủ hộ / Head's given name", "ten_goi", ""],
        ["text", "mo_ta", "Mô tả nhà / House", "mo_ta", ""],
        ["geopoint", "vi_tri", "Vị trí / Location", "geometry", ""],
        ["select_one kq", "ket_qua", "Kết quả / Outcome", "", ""],
        ["select_one yn", "dong_y", "Đồng ý / Consent", "", ""],
        ["calculate", "nhan", "", "", "concat(${ap}, ' ', ${ma_ho})"],
    ]:
        survey.append(row)
    choices = workbook.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    for row in [
        ["kq", "gap", "Gặp / Met"],
        ["kq", "chuyen_di", "Chuyển đi / Moved"],
        ["kq", "khong_tim_thay", "Không tìm thấy / Not found"],
        ["yn", "co", "Có / Yes"],
        ["yn", "khong", "Không / No"],
    ]:
        choices.append(row)
    entities = workbook.create_sheet("entities")
    entities.append(["list_name", "label", "entity_id", "create_if", "update_if"])
    entities.append(["households", "${nhan}", "${ho_cu}", "${ho_cu} = ''", "${ho_cu} != ''"])
    settings = workbook.create_sheet("settings")
    settings.append(["form_id", "version", "form_title"])
    settings.append([FORM_ID, version, "Theo dõi hộ"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def household_instance(
    *,
    instance_id: str | None = None,
    entity_id: str,
    create: bool = False,
    update: bool = False,
    base_version: str = "",
    trunk_version: str = "",
    branch_id: str = "",
    label: str = "",
    ap: str = "AP01",
    ma_ho: str = "",
    ten_goi: str = "",
    mo_ta: str = "",
    geometry: str = "",
    ket_qua: str = "gap",
    dong_y: str = "co",
    deprecated_id: str = "",
    today: str = "2026-12-03",
) -> bytes:
    """An instance as Collect writes it: no namespace on the data, `meta/entity` attributes."""
    instance_id = instance_id or f"uuid:{uuid.uuid4()}"
    deprecated = f"<deprecatedID>{deprecated_id}</deprecatedID>" if deprecated_id else ""
    entity_attrs = (
        f'dataset="households" id="{entity_id}" create="{"1" if create else "0"}" '
        f'update="{"1" if update else "0"}" baseVersion="{base_version}" trunkVersion="{trunk_version}" '
        f'branchId="{branch_id}"'
    )
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?>'
        f'<data xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms" '
        f'id="{FORM_ID}" version="{VERSION}">'
        f"<ho_cu>{'' if create else entity_id}</ho_cu><ap>{escape(ap)}</ap><ma_ho>{escape(ma_ho)}</ma_ho>"
        f"<ten_goi>{escape(ten_goi)}</ten_goi><mo_ta>{escape(mo_ta)}</mo_ta><vi_tri>{geometry}</vi_tri>"
        f"<ket_qua>{ket_qua}</ket_qua><dong_y>{dong_y}</dong_y><nhan>{escape(label)}</nhan>"
        f"<today>{today}</today>"
        f"<meta><instanceID>{instance_id}</instanceID>{deprecated}"
        f"<entity {entity_attrs}><label>{escape(label)}</label></entity></meta></data>"
    )
    return xml.encode("utf-8")


def send(client, token: str, xml: bytes):
    body, content_type = multipart(xml)
    return client.generic("POST", f"/key/{token}/submission", body, content_type=content_type, **COLLECT_HEADERS)


@pytest.fixture
def hamlets(db):
    commune = Commune.objects.create(code="PL", name="Phú Lâm")
    return {
        code: Hamlet.objects.create(commune=commune, code=code, name=name)
        for code, name in (("AP01", "Phú Dũng"), ("AP02", "Phú Tân"))
    }


@pytest.fixture
def follow_up_form(hamlets):
    return form_publish(xlsform=follow_up_xlsform(), filename="ho_theo_doi.xlsx").form


@pytest.fixture
def devices(follow_up_form, hamlets):
    """{hamlet code: (volunteer, token)}: one volunteer device per hamlet."""
    return {
        code: volunteer_create(name=f"Tình nguyện viên {code}", forms=[follow_up_form], hamlets=[hamlet])
        for code, hamlet in hamlets.items()
    }


@pytest.fixture
def hamlet_head(hamlets):
    return user_create(username="truong_ap1", password="s3cret-pass", role=Role.HAMLET_HEAD, hamlets=[hamlets["AP01"]])


@pytest.fixture
def admin(db):
    return user_create(username="admin", password="s3cret-pass", role=Role.ADMIN)
