"""The house-rule checker: each rule catches its own break, with the sheet and row, in a
workbook a designer could have saved from Excel; `publish_form` refuses such a workbook."""

from __future__ import annotations

import io
import unicodedata

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from backend.surveys.models import Form
from backend.surveys.xlsform_check import dictionary_markdown, readme_with_dictionaries, xlsform_check

VI, EN = "Tiếng Việt (vi)", "English (en)"
SURVEY_HEADER = [
    "type",
    "name",
    f"label::{VI}",
    f"label::{EN}",
    "required",
    f"required_message::{VI}",
    f"required_message::{EN}",
    "constraint",
    f"constraint_message::{VI}",
    f"constraint_message::{EN}",
    "indicator",
]


def good_survey() -> list[list[str]]:
    return [
        ["today", "today", "", "", "", "", "", "", "", "", "— (interview date)"],
        ["select_one co_khong", "dong_y", "Đồng ý?", "Consent?", "yes", "Trả lời.", "Answer.", "", "", "", "consent"],
        ["begin_group", "ho", "Hộ", "Household", "", "", "", "", "", "", ""],
        ["integer", "so_tv", "Số người", "Members", "", "", "", ". > 0", "Lớn hơn 0.", "More than 0.", "A4"],
        ["end_group", "", "", "", "", "", "", "", "", "", ""],
        ["begin_repeat", "tv", "Thành viên", "Member", "", "", "", "", "", "", ""],
        ["text", "tv_ten", "Tên gọi", "Nickname", "", "", "", "", "", "", "—"],
        ["end_repeat", "", "", "", "", "", "", "", "", "", ""],
    ]


def workbook(survey=None, choices=None, settings=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(SURVEY_HEADER)
    for row in survey if survey is not None else good_survey():
        sheet.append([v or None for v in row])
    sheet = book.create_sheet("choices")
    sheet.append(["list_name", "name", f"label::{VI}", f"label::{EN}"])
    for row in (
        choices if choices is not None else [["co_khong", "co", "Có", "Yes"], ["co_khong", "khong", "Không", "No"]]
    ):
        sheet.append([v or None for v in row])
    sheet = book.create_sheet("settings")
    for row in (
        settings
        if settings is not None
        else [
            ["form_id", "version", "default_language", "name"],
            ["pl_thu", "2026120301", VI, "pl_thu"],
        ]
    ):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def problems(**kwargs) -> list[str]:
    return xlsform_check(workbook(**kwargs)).problems


def test_a_bilingual_workbook_that_follows_the_rules_has_no_problem():
    report = xlsform_check(workbook())
    assert report.problems == [] and report.ok and report.form_id == "pl_thu"


def test_decomposed_vietnamese_is_found_with_its_row_and_column():
    survey = good_survey()
    survey[1][2] = unicodedata.normalize("NFD", "Đồng ý?")
    (problem,) = problems(survey=survey)
    assert problem.startswith(f"survey row 3, column label::{VI}: the text is not NFC")


def test_a_label_or_message_missing_in_one_language_is_found():
    survey = good_survey()
    survey[3][3] = ""  # so_tv has no English label
    survey[3][9] = ""  # …and its constraint no English message
    survey[1][5] = ""  # dong_y's required message has no Vietnamese
    found = problems(survey=survey)
    assert "survey row 5 (so_tv): label has no text in language (en)." in found
    assert "survey row 5 (so_tv): the constraint has no constraint_message in language (en)." in found
    assert "survey row 3 (dong_y): required_message has no text in language (vi)." in found
    assert "survey row 3 (dong_y): the required question has no required_message in language (vi)." in found


def test_a_workbook_with_one_language_only_is_found():
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label"])
    sheet.append(["text", "ten", "Tên"])
    settings = book.create_sheet("settings")
    settings.append(["form_id", "version"])
    settings.append(["mot_ngu", "2026120301"])
    out = io.BytesIO()
    book.save(out)
    found = xlsform_check(out.getvalue()).problems
    assert "survey: there is no label column in language (vi), e.g. label::… (vi)." in found
    assert "survey: there is no label column in language (en), e.g. label::… (en)." in found


def test_a_choice_without_its_english_label_is_found():
    found = problems(choices=[["co_khong", "co", "Có", "Yes"], ["co_khong", "khong", "Không", ""]])
    assert found == ["choices row 3 (co_khong khong): the choice has no label in language (en)."]


@pytest.mark.parametrize("name", ["SoTV", "so-tv", "1so", "số_tv", "so__tv"])
def test_a_name_that_is_not_ascii_snake_case_is_found(name):
    survey = good_survey()
    survey[3][1] = name
    assert any(
        p.startswith(f"survey row 5: the name {name!r} is not ASCII snake_case") for p in problems(survey=survey)
    )


def test_a_name_used_twice_in_different_groups_is_found():
    survey = good_survey()
    survey[6][1] = "so_tv"  # the repeat's field takes the group's field name: pyxform allows it
    assert problems(survey=survey) == [
        "survey row 8: the name 'so_tv' is already used in row 5; names are unique in the whole form, across "
        "groups and repeats."
    ]


def test_settings_without_form_id_a_dated_version_or_the_vietnamese_default_are_found():
    found = problems(settings=[["version", "default_language"], ["2026-12-03", EN]])
    assert "settings: there is no form_id." in found
    assert "settings: the version '2026-12-03' is not yyyymmddNN (e.g. 2026120301)." in found
    assert f"settings: default_language must be '{VI}', the Vietnamese label columns." in found


def test_the_data_dictionary_comes_from_the_indicator_column_with_instance_paths():
    rows = xlsform_check(workbook()).dictionary
    assert [(r.name, r.path, r.indicator) for r in rows] == [
        ("today", "/pl_thu/today", "— (interview date)"),
        ("dong_y", "/pl_thu/dong_y", "consent"),
        ("ho", "/pl_thu/ho", ""),
        ("so_tv", "/pl_thu/ho/so_tv", "A4"),
        ("tv", "/pl_thu/tv", ""),
        ("tv_ten", "/pl_thu/tv/tv_ten", "—"),
    ]
    table = dictionary_markdown(rows)
    assert "| `so_tv` | integer | Số người | `/pl_thu/ho/so_tv` | A4 |" in table
    assert "| `ho` | begin_group | Hộ | `/pl_thu/ho` | — |" in table
    readme = "intro\n<!-- BEGIN GENERATED DICTIONARY pl_thu -->\nold\n<!-- END GENERATED DICTIONARY pl_thu -->\nend"
    assert readme_with_dictionaries(readme, {"pl_thu": rows}) == (
        f"intro\n<!-- BEGIN GENERATED DICTIONARY pl_thu -->\n{table}\n<!-- END GENERATED DICTIONARY pl_thu -->\nend"
    )


def test_publish_form_refuses_a_workbook_that_breaks_a_rule_and_publishes_it_when_told(db, tmp_path):
    survey = good_survey()
    survey[3][3] = ""
    path = tmp_path / "pl_thu.xlsx"
    path.write_bytes(workbook(survey=survey))
    with pytest.raises(CommandError, match=r"survey row 5 \(so_tv\): label has no text in language \(en\)"):
        call_command("publish_form", str(path), stdout=io.StringIO())
    assert not Form.objects.exists()
    out = io.StringIO()
    call_command("publish_form", str(path), "--no-house-checks", stdout=out)
    assert out.getvalue().splitlines()[-1] == "pl_thu 2026120301"


def test_publish_form_checks_the_communes_form_and_publishes_it(db, tmp_path):
    from pathlib import Path

    forms = Path(__file__).resolve().parents[2] / "forms_xlsform"
    out = io.StringIO()
    call_command("publish_form", str(forms / "pl_kdc.xlsx"), "--attach", str(forms / "ap.csv"), stdout=out)
    lines = out.getvalue().splitlines()
    assert "checks: pl_kdc.xlsx follows the house rules" in lines
    assert lines[-1] == "pl_kdc 2026112701"
