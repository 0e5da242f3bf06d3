"""The one XForm reader: what it reports for the commune's forms and for every shape pyxform
writes (plain pytest, no database)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import openpyxl
import pytest
from pyxform.xls2xform import convert

from backend.core.xform_schema import ATTRIBUTE, FIELD, GROUP, REPEAT, XFormSchemaError, xform_schema
from tests.helpers import xlsform_bytes

FORMS = Path(__file__).resolve().parents[2] / "forms_xlsform"


@cache
def commune(stem: str):
    return xform_schema(convert(xlsform=str(FORMS / f"{stem}.xlsx")).xform.encode())


def workbook_version(stem: str) -> str:
    """The version the designer wrote in the workbook's settings sheet (bumped with each edit)."""
    sheet = openpyxl.load_workbook(FORMS / f"{stem}.xlsx", read_only=True)["settings"]
    header, values = list(sheet.iter_rows(max_row=2, values_only=True))
    return str(values[header.index("version")])


def schema_of(**kwargs):
    return xform_schema(convert(xlsform=xlsform_bytes(**kwargs), file_type=".xlsx").xform.encode())


def test_the_household_form_reads_as_groups_a_roster_repeat_a_photo_and_a_house_point():
    schema = commune("pl_ho")
    assert (schema.form_id, schema.root, schema.version) == ("pl_ho", "pl_ho", workbook_version("pl_ho"))
    assert schema.repeats == {"tv"}
    assert schema.binaries == {"anh"}
    assert schema.geopoints == ("vi_tri",)
    assert schema.node("ho").kind == GROUP and schema.node("ho/so_tv").data_type == "int"
    assert schema.node("tv/tv_dtdm").repeat == "tv" and schema.node("tv").repeat_count.strip() == "/pl_ho/ho/so_tv_15"
    assert schema.node("meta/instanceID").bind["jr:preload"] == "uid"
    assert schema.named("so_tv_15").path == "ho/so_tv_15"


def test_labels_are_read_per_language_and_the_language_is_found_by_its_code():
    schema = commune("pl_ho")
    assert schema.languages == ("Tiếng Việt (vi)", "English (en)")
    assert schema.default_language == "Tiếng Việt (vi)"
    assert schema.language("en") == "English (en)" and schema.language("fr") == "Tiếng Việt (vi)"
    so_tv = schema.node("ho/so_tv")
    assert so_tv.label("Tiếng Việt (vi)") == "Tổng số nhân khẩu thực tế thường trú trong hộ"
    assert so_tv.label("English (en)").startswith("Number of")
    choices = schema.node("dong_y").choices
    assert [c.value for c in choices.choices] == ["co", "khong"]
    assert choices.choices[0].label("English (en)") == "Yes" and choices.choices[0].label("Tiếng Việt (vi)") == "Có"


def test_a_choice_list_in_a_media_file_is_external_and_listed_as_media():
    schema = commune("pl_cho")
    source = schema.node("cho").choices
    assert source.external and source.src == "jr://file-csv/cho.csv" and source.choices == ()
    assert schema.media_names == ("ap.csv", "cho.csv")
    assert {m.kind for m in schema.media} == {"file-csv"}


def test_nested_repeats_and_the_commune_assessment_test_points():
    schema = commune("pl_kdc")
    assert schema.repeats == {"diem_do", "mo_hinh_nn"}
    assert schema.node("diem_do/dd_vitri").data_type == "geopoint"
    nested = schema_of(
        survey=[
            ["begin_repeat", "ho", "Household"],
            ["begin_group", "g", "G"],
            ["begin_repeat", "nguoi", "Person"],
            ["image", "anh", "Photo"],
            ["end_repeat", "", ""],
            ["end_group", "", ""],
            ["end_repeat", "", ""],
        ]
    )
    assert nested.repeats == {"ho", "ho/g/nguoi"}
    assert nested.node("ho/g").kind == GROUP and nested.node("ho/g").repeat == "ho"
    assert nested.node("ho/g/nguoi/anh").repeat == "ho/g/nguoi"
    assert nested.binaries == {"ho/g/nguoi/anh"}
    # The default repeat instance pyxform writes beside the jr:template is not a second node.
    assert [n.path for n in nested.nodes].count("ho/g/nguoi/anh") == 1


def test_bind_types_are_prefixed_strings_never_qnames():
    schema = schema_of(
        survey=[["rank fruit", "xep_hang", "Rank"], ["select_one fruit", "mot", "One"]],
        choices=[["fruit", "tao", "Táo"], ["fruit", "le", "Lê"]],
    )
    rank = schema.node("xep_hang")
    assert (rank.type, rank.data_type, rank.control, rank.multiple) == ("odk:rank", "odk:rank", "rank", True)
    assert [c.value for c in rank.choices.choices] == ["tao", "le"]
    assert schema.node("mot").control == "select1" and not schema.node("mot").multiple


def test_xsd_prefixed_types_and_inline_items_of_a_hand_written_xform():
    xform = """<?xml version="1.0"?>
<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml"
        xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:orx="http://openrosa.org/xforms">
  <h:head><h:title>Tay</h:title>
    <model><instance><d id="tay" orx:version="7"><n/><s/><meta><instanceID/></meta></d></instance>
      <bind nodeset="/d/n" type="xsd:int"/><bind nodeset="/d/s" type="xsd:string"/>
    </model></h:head>
  <h:body><input ref="/d/n"><label>N</label></input>
    <select1 ref="/d/s"><label>S</label><item><label>Một</label><value>1</value></item></select1></h:body>
</h:html>""".encode()
    schema = xform_schema(xform)
    assert (schema.form_id, schema.version, schema.title) == ("tay", "7", "Tay")
    assert schema.node("n").type == "xsd:int" and schema.node("n").data_type == "int"
    assert schema.node("n").label() == "N"
    assert [(c.value, c.label()) for c in schema.node("s").choices.choices] == [("1", "Một")]


def test_an_entities_sheet_is_read_as_a_declaration_with_its_saveto_properties():
    schema = xform_schema(
        convert(
            xlsform={
                "survey": [
                    {"type": "text", "name": "ma_ho", "label": "Mã hộ"},
                    {"type": "text", "name": "chu_ho", "label": "Chủ hộ", "save_to": "ten"},
                    {"type": "integer", "name": "so_tv", "label": "Số thành viên", "save_to": "so_tv"},
                ],
                "entities": [
                    {
                        "dataset": "ho",
                        "label": "${chu_ho}",
                        "entity_id": "${ma_ho}",
                        "create_if": "${ma_ho} = ''",
                        "update_if": "${ma_ho} != ''",
                    }
                ],
                "settings": [{"form_id": "dang_ky", "version": "1"}],
            }
        ).xform.encode()
    )
    (entity,) = schema.entities
    assert (entity.path, entity.dataset, entity.repeat) == ("meta/entity", "ho", "")
    assert entity.label.strip() == "/data/chu_ho" and entity.entity_id.strip() == "/data/ma_ho"
    assert "/data/ma_ho" in entity.create and entity.update
    assert [(p.name, p.path) for p in entity.properties] == [("ten", "chu_ho"), ("so_tv", "so_tv")]
    assert schema.node("meta/entity/@id").kind == ATTRIBUTE
    assert schema.entities_version


def test_an_entity_per_repeat_instance_keeps_its_repeat_scope_and_a_generated_id():
    schema = xform_schema(
        convert(
            xlsform={
                "survey": [
                    {"type": "begin_repeat", "name": "cay", "label": "Cây"},
                    {"type": "text", "name": "loai", "label": "Loại", "save_to": "loai"},
                    {"type": "end_repeat"},
                ],
                "entities": [{"dataset": "cay", "label": "${loai}", "repeat": "${cay}"}],
                "settings": [{"form_id": "vuon", "version": "1"}],
            }
        ).xform.encode()
    )
    (entity,) = schema.entities
    assert (entity.path, entity.repeat, entity.create, entity.entity_id) == ("cay/meta/entity", "cay", "1", "uuid()")
    assert [(p.name, p.path) for p in entity.properties] == [("loai", "cay/loai")]


def test_itext_images_are_media():
    schema = xform_schema(
        convert(
            xlsform={
                "survey": [{"type": "select_one qua", "name": "qua", "label": "Quả", "image": "cau_hoi.png"}],
                "choices": [{"list_name": "qua", "name": "tao", "label": "Táo", "image": "tao.jpg"}],
                "settings": [{"form_id": "anh", "version": "1"}],
            }
        ).xform.encode()
    )
    assert schema.media_names == ("cau_hoi.png", "tao.jpg")
    assert schema.node("qua").choices.choices[0].media == {"image": "jr://images/tao.jpg"}


@pytest.mark.parametrize(
    "data", [b"", b"<not xml", b"<html/>", b'<h:html xmlns:h="http://www.w3.org/1999/xhtml"><h:head/></h:html>']
)
def test_what_is_not_an_xform_is_refused_with_a_reason(data):
    with pytest.raises(XFormSchemaError):
        xform_schema(data)


def test_fields_are_the_leaves_and_groups_are_not():
    schema = commune("pl_cho")
    kinds = {n.path: n.kind for n in schema.nodes}
    assert kinds["meta"] == GROUP and kinds["sap_so"] == FIELD
    assert all(n.kind == FIELD for n in schema.fields())
    assert REPEAT not in kinds.values()
