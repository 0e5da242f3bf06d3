"""The `meta/entity` attributes read exactly as ODK Central reads them (`create`/`update` are
yes only when "1" or "true"), and a form declaring entities inside a repeat is refused at
upload with a message saying why."""

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from backend.registers.models import EntityProblem, Household
from backend.surveys.models import Form
from tests.registers.conftest import household_instance, send


def _with_flags(xml: bytes, create: str, update: str) -> bytes:
    text = xml.decode()
    text = text.replace('create="0"', f'create="{create}"').replace('create="1"', f'create="{create}"')
    text = text.replace('update="0"', f'update="{update}"').replace('update="1"', f'update="{update}"')
    return text.encode()


@pytest.mark.parametrize("yes", ["1", "true"])
def test_create_and_update_take_both_of_centrals_spellings_of_yes(client, devices, yes):
    _, token = devices["AP01"]
    entity = str(uuid.uuid4())
    created = household_instance(entity_id=entity, create=True, label="Lan", ma_ho="H101", ten_goi="Lan")
    assert send(client, token, _with_flags(created, yes, "0" if yes == "1" else "false")).status_code == 201
    assert Household.objects.get(pk=entity).version == 1
    updated = household_instance(
        entity_id=entity, update=True, base_version="1", label="Lan", ma_ho="H101", ten_goi="Thị Lan"
    )
    assert send(client, token, _with_flags(updated, "0" if yes == "1" else "false", yes)).status_code == 201
    household = Household.objects.get(pk=entity)
    assert (household.version, household.ten_goi) == (2, "Thị Lan")
    assert not EntityProblem.objects.exists()


@pytest.mark.parametrize("not_yes", ["True", "TRUE", "yes", " 1", "0", "false", ""])
def test_anything_else_is_not_a_create_and_the_submission_is_kept_with_a_problem(client, devices, not_yes):
    _, token = devices["AP01"]
    entity = str(uuid.uuid4())
    xml = _with_flags(household_instance(entity_id=entity, create=True, label="Lan", ma_ho="H102"), not_yes, "0")
    assert send(client, token, xml).status_code == 201
    assert not Household.objects.filter(pk=entity).exists()
    problem = EntityProblem.objects.get()
    assert "neither creates nor updates" in problem.reason and problem.block["create"] == not_yes


def _repeat_entities_xlsform() -> bytes:
    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    survey.append(["type", "name", "label", "save_to"])
    survey.append(["begin_repeat", "thanh_vien", "Thành viên / Member", ""])
    survey.append(["text", "ten", "Tên / Name", "ten"])
    survey.append(["end_repeat", "", "", ""])
    entities = workbook.create_sheet("entities")
    entities.append(["list_name", "label"])
    entities.append(["people", "${ten}"])
    settings = workbook.create_sheet("settings")
    settings.append(["form_id", "version"])
    settings.append(["nguoi_lap", "1"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_form_with_entities_inside_a_repeat_is_refused_with_the_reason(client, admin):
    client.force_login(admin)
    upload = SimpleUploadedFile("nguoi_lap.xlsx", _repeat_entities_xlsform())
    response = client.post("/api/v1/forms", {"xlsform": upload})
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "400.20"
    assert "repeat" in body["message"] and "nhóm lặp" in body["message"] and "people" in body["message"]
    assert not Form.objects.filter(form_id="nguoi_lap").exists()
