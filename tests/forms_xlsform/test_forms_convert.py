"""The Phú Lâm XLSForms convert, validate and keep the shape the analytics rely on.

The workbooks are the source (edited in Excel or KoboToolbox's form builder); these tests
read them as committed. Plain pytest; no Django. ODK Validate (bundled with pyxform) needs
Java on PATH: without it the validation test is skipped, while plain conversion is still
checked.
"""

from __future__ import annotations

import csv
import re
import shutil
import unicodedata
import xml.etree.ElementTree as ET
from datetime import datetime
from functools import cache
from pathlib import Path

import openpyxl
import pytest
from pyxform.xls2xform import convert

from backend.surveys.xlsform_check import readme_with_dictionaries, xlsform_check
from tests.helpers import odk_validate_many

REPO = Path(__file__).resolve().parents[2]
FORMS_DIR = REPO / "forms_xlsform"
STEMS = ("pl_ho", "pl_cho", "pl_kdc")

VI = "Tiếng Việt (vi)"
EN = "English (en)"
XF = "{http://www.w3.org/2002/xforms}"
XHTML = "{http://www.w3.org/1999/xhtml}"

# Paths the analytics read (README "How each indicator is computed"). Renaming or moving one
# of these is a breaking change for the backend, so it must fail here first.
ANALYTICS_PATHS = {
    "pl_ho": [
        "/pl_ho/dot_ks",
        "/pl_ho/today",
        "/pl_ho/tnv_ma",
        "/pl_ho/ap",
        "/pl_ho/ma_ho",
        "/pl_ho/ho_trong_ds",
        "/pl_ho/ho_chon",
        "/pl_ho/ten_goi",
        "/pl_ho/mo_ta",
        "/pl_ho/vi_tri",
        "/pl_ho/ket_qua",
        "/pl_ho/dong_y",
        "/pl_ho/ho/so_tv",
        "/pl_ho/ho/so_tv_15",
        "/pl_ho/ho/ho_kd",
        "/pl_ho/ho/ho_kd_cho",
        "/pl_ho/ho/ho_nn",
        "/pl_ho/ket_noi/internet_cd",
        "/pl_ho/ket_noi/song_dd",
        "/pl_ho/ket_noi/dia_chi_so_ho",
        "/pl_ho/thong_tin/tt_57",
        "/pl_ho/thong_tin/kenh_tt_30",
        "/pl_ho/thong_tin/zalo_ap",
        "/pl_ho/thong_tin/nghe_loa",
        "/pl_ho/tv/tv_nam_sinh",
        "/pl_ho/tv/tv_tuoi",
        "/pl_ho/tv/tv_dtdm",
        "/pl_ho/tv/tv_dt_dung",
        "/pl_ho/tv/tv_vneid",
        "/pl_ho/tv/tv_tk",
        "/pl_ho/tv/tv_ttkdtm_30",
        "/pl_ho/tv/tv_dvc_12",
        "/pl_ho/tv/tv_bdhvs",
        "/pl_ho/tv/tv_ttcs_30",
        "/pl_ho/tv/tv_ts",
        "/pl_ho/tv/tv_dv2",
        "/pl_ho/dich_vu/ho_hoa_don",
        "/pl_ho/nong_nghiep/nn_cn",
        "/pl_ho/n_tv_ts",
        "/pl_ho/ho_t1",
        "/pl_ho/ho_t3",
        "/pl_ho/ho_t7",
        "/pl_ho/n_ttkdtm",
        "/pl_ho/ho_c7",
    ],
    "pl_cho": [
        "/pl_cho/dot_ks",
        "/pl_cho/tnv_ma",
        "/pl_cho/cho",
        "/pl_cho/sap_so",
        "/pl_cho/dong_y",
        "/pl_cho/cu_tru_xa",
        "/pl_cho/ap_cu_tru",
        "/pl_cho/nhan_kdtm",
        "/pl_cho/ht_nhan",
        "/pl_cho/qr_hien_thi",
        "/pl_cho/gd_7ngay",
        "/pl_cho/t4_dat",
        "/pl_cho/t4_co_qr",
    ],
    "pl_kdc": [
        "/pl_kdc/ap",
        "/pl_kdc/ngay_dg",
        "/pl_kdc/dot_ks",
        "/pl_kdc/so_ho",
        "/pl_kdc/so_hkd",
        "/pl_kdc/so_hkd_kdtm",
        "/pl_kdc/to_cnscd",
        "/pl_kdc/to_co_qd",
        "/pl_kdc/to_so_tv",
        "/pl_kdc/to_co_doan",
        "/pl_kdc/to_hd_3t",
        "/pl_kdc/to_thang_hd",
        "/pl_kdc/zalo_ap",
        "/pl_kdc/loa",
        "/pl_kdc/loa_pham_vi",
        "/pl_kdc/wifi_nvh",
        "/pl_kdc/wifi_mbps",
        "/pl_kdc/phu_cap_quang",
        "/pl_kdc/so_diem_do",
        "/pl_kdc/diem_do/dd_vitri",
        "/pl_kdc/diem_do/dd_song",
        "/pl_kdc/diem_do/dd_mbps",
        "/pl_kdc/n_diem",
        "/pl_kdc/so_mh_nn",
        "/pl_kdc/mo_hinh_nn/mh_cn",
        "/pl_kdc/mo_hinh_nn/mh_xac_minh",
        "/pl_kdc/so_camera",
        "/pl_kdc/camera_ca",
        "/pl_kdc/dia_chi_so",
        "/pl_kdc/d1_tyle",
    ],
}
MEDIA = {"pl_ho": {"ap.csv", "households.csv"}, "pl_cho": {"ap.csv", "cho.csv"}, "pl_kdc": {"ap.csv"}}


def xlsx_path(stem: str) -> Path:
    return FORMS_DIR / f"{stem}.xlsx"


@cache
def xform(stem: str) -> str:
    return convert(xlsform=str(xlsx_path(stem)), validate=False).xform


def primary_instance_root(stem: str) -> ET.Element:
    root = ET.fromstring(xform(stem))
    model = root.find(f"{XHTML}head/{XF}model")
    first_instance = model.find(f"{XF}instance")
    return list(first_instance)[0]


def sheet_rows(stem: str, sheet: str) -> list[dict]:
    ws = openpyxl.load_workbook(xlsx_path(stem), read_only=True)[sheet]
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, r, strict=False)) for r in rows[1:] if any(v not in (None, "") for v in r)]


@pytest.mark.parametrize("stem", STEMS)
def test_form_converts_with_no_pyxform_warning(stem):
    warnings: list[str] = []
    result = convert(xlsform=str(xlsx_path(stem)), validate=False, warnings=warnings)
    assert warnings == []
    assert f'id="{stem}"' in result.xform


def test_every_form_passes_odk_validate_with_no_error_and_no_warning(tmp_path):
    if shutil.which("java") is None:
        pytest.skip(
            "java is not on PATH: ODK Validate (JavaRosa) needs a Java runtime; "
            "plain conversion is covered by test_form_converts_with_no_pyxform_warning"
        )
    code, stdout, stderr = odk_validate_many({stem: xform(stem).encode() for stem in STEMS}, tmp_path)
    assert code == 0, stderr
    assert stderr.strip() == ""  # ODK Validate writes its warnings (and errors) to stderr
    assert stdout.count("Xform is valid!") == len(STEMS)


@pytest.mark.parametrize("stem", STEMS)
def test_the_workbook_follows_the_house_rules(stem):
    """NFC text, vi and en labels and messages, snake_case names unique in the form, a form_id
    and a yyyymmddNN version: the checker publish_form runs (backend/surveys/xlsform_check.py)."""
    report = xlsform_check(xlsx_path(stem).read_bytes())
    assert report.problems == []
    assert report.form_id == stem


@pytest.mark.parametrize("stem", STEMS)
def test_root_instance_element_and_id_equal_the_file_stem(stem):
    root = primary_instance_root(stem)
    assert root.tag == f"{XF}{stem}"
    assert root.get("id") == stem


@pytest.mark.parametrize("stem", STEMS)
def test_version_is_yyyymmddnn_and_reaches_the_instance(stem):
    (settings,) = sheet_rows(stem, "settings")
    version = str(settings["version"])
    assert re.fullmatch(r"\d{10}", version)
    datetime.strptime(version[:8], "%Y%m%d")  # a real date
    assert primary_instance_root(stem).get("version") == version
    assert settings["form_id"] == stem
    assert settings["default_language"] == VI


@pytest.mark.parametrize("stem", STEMS)
def test_xform_references_the_hamlet_list_and_only_known_media(stem):
    x = xform(stem)
    assert 'src="jr://file-csv/ap.csv"' in x
    assert set(re.findall(r'jr://file-csv/([^"]+)"', x)) == MEDIA[stem]
    assert "jr://images/" not in x and "jr://audio/" not in x


def test_household_form_creates_a_household_on_a_first_visit_and_updates_it_on_a_follow_up():
    """The entities sheet: one `households` entity per submission; picked from the list it is
    updated (id = the picked row, baseVersion from the list), not in the list it is created with a
    new UUID frozen at first load; the properties are the agreed register columns."""
    x = xform("pl_ho")
    root = ET.fromstring(x)
    entity = root.find(f".//{XF}instance/{XF}pl_ho/{XF}meta/{XF}entity")
    assert entity is not None and entity.get("dataset") == "households"
    assert {"create", "update", "baseVersion", "trunkVersion", "branchId", "id"} <= set(entity.attrib)
    binds = {b.get("nodeset"): b.attrib for b in root.iter(f"{XF}bind")}
    assert binds["/pl_ho/meta/entity/@create"]["calculate"].strip() == "/pl_ho/ho_trong_ds  = 'khong'"
    assert binds["/pl_ho/meta/entity/@update"]["calculate"].strip() == "/pl_ho/ho_trong_ds  = 'co'"
    entity_id = binds["/pl_ho/meta/entity/@id"]["calculate"]
    assert "/pl_ho/ho_chon" in entity_id and "/pl_ho/ho_uuid_moi" in entity_id
    assert binds["/pl_ho/ho_uuid_moi"]["calculate"] == "once(uuid())"
    assert "instance('households')/root/item[name=" in binds["/pl_ho/meta/entity/@baseVersion"]["calculate"]
    saveto = {
        b["{http://www.opendatakit.org/xforms/entities}saveto"]: n
        for n, b in binds.items()
        if "{http://www.opendatakit.org/xforms/entities}saveto" in b
    }
    assert saveto == {
        "ap": "/pl_ho/ap",
        "ma_ho": "/pl_ho/ma_ho",
        "ten_goi": "/pl_ho/ten_goi",
        "mo_ta": "/pl_ho/mo_ta",
        "geometry": "/pl_ho/vi_tri",
    }


def test_the_household_is_picked_from_its_hamlet_and_known_values_are_prefilled():
    x = xform("pl_ho")
    root = ET.fromstring(x)
    assert '<instance id="households" src="jr://file-csv/households.csv"/>' in x
    pick = next(s for s in root.iter(f"{XF}select1") if s.get("ref") == "/pl_ho/ho_chon")
    assert pick.find(f"{XF}itemset").get("nodeset").replace(" ", "") == "instance('households')/root/item[ap=/pl_ho/ap]"
    prefilled = {s.get("ref"): s.get("value") for s in pick.iter(f"{XF}setvalue")}
    assert set(prefilled) == {"/pl_ho/ma_ho", "/pl_ho/ten_goi", "/pl_ho/mo_ta", "/pl_ho/vi_tri"}
    binds = {b.get("nodeset"): b.attrib for b in root.iter(f"{XF}bind")}
    assert binds["/pl_ho/ho_chon"]["relevant"].strip() == "/pl_ho/ho_trong_ds  = 'co'"
    # ma_ho keeps its path and its rule: the listed household's code, or the one typed for a new one
    assert binds["/pl_ho/ma_ho"]["required"] == "true()" and "regex" in binds["/pl_ho/ma_ho"]["constraint"]


def test_a_household_moved_or_not_found_skips_the_interview():
    x = xform("pl_ho")
    root = ET.fromstring(x)
    binds = {b.get("nodeset"): b.attrib for b in root.iter(f"{XF}bind")}
    assert binds["/pl_ho/dong_y"]["relevant"].strip() == "/pl_ho/ket_qua  = 'gap'"
    refs = [e.get("ref") for e in root.iter() if e.get("ref", "").startswith("/pl_ho/")]
    assert refs.index("/pl_ho/ket_qua") < refs.index("/pl_ho/dong_y")
    choices = root.find(f".//{XF}instance[@id='ket_qua']")
    assert [i.findtext(f"{XF}name") for i in choices.iter(f"{XF}item")] == ["gap", "chuyen_di", "khong_tim_thay"]


@pytest.mark.parametrize("stem", STEMS)
def test_fields_the_analytics_read_exist_at_their_documented_paths(stem):
    x = xform(stem)
    bound = set(re.findall(r'<bind nodeset="([^"]+)"', x))
    repeats = set(re.findall(r'<repeat nodeset="([^"]+)"', x))
    missing = [p for p in ANALYTICS_PATHS[stem] if p not in bound and p not in repeats]
    assert missing == []


def test_household_roster_is_a_repeat_counted_by_members_aged_15_plus():
    assert '<repeat nodeset="/pl_ho/tv" jr:count=" /pl_ho/ho/so_tv_15 ">' in xform("pl_ho")


def test_geopoints_ask_for_ten_metre_accuracy():
    assert '<input ref="/pl_ho/vi_tri" accuracyThreshold="10">' in xform("pl_ho")
    assert '<input ref="/pl_kdc/diem_do/dd_vitri" accuracyThreshold="10">' in xform("pl_kdc")


def test_every_image_is_downscaled_on_the_phone():
    for stem in STEMS:
        binaries = re.findall(r'<bind nodeset="[^"]+" type="binary"[^>]*>', xform(stem))
        assert binaries and all('orx:max-pixels="1024"' in b for b in binaries), stem


def test_media_csvs_have_name_label_and_english_label_columns_that_web_forms_can_load():
    # No "label::<language>" columns: ODK Web Forms fails on column names that are not XML names.
    expected = ["name", "label", "label_en"]
    for filename, pattern, count in (("ap.csv", r"AP\d{2}", 30), ("cho.csv", r"CHO_[A-Z0-9_]+", 1)):
        text = (FORMS_DIR / filename).read_text(encoding="utf-8")
        assert unicodedata.is_normalized("NFC", text)
        rows = list(csv.reader(text.splitlines()))
        assert rows[0] == expected
        body = rows[1:]
        assert len(body) == count
        assert all(re.fullmatch(pattern, r[0]) and all(r) for r in body)
        assert len({r[0] for r in body}) == count


def test_hamlet_list_starts_with_the_names_found_in_domain_md():
    rows = list(csv.DictReader((FORMS_DIR / "ap.csv").open(encoding="utf-8")))
    real = ["Phú Dũng", "Phú Tân", "Phú Thành", "Phú Cường", "Phú Hợp A", "Phú Hợp B", "Phương Lâm", "Phú Yên"]
    assert [r["label"] for r in rows[:8]] == [f"Ấp {n}" for n in real]


def test_readme_data_dictionary_is_current():
    """The README tables are generated from the workbooks' `indicator` column:
    python -m backend.surveys.xlsform_check --readme forms_xlsform/README.md forms_xlsform/*.xlsx"""
    readme = (FORMS_DIR / "README.md").read_text(encoding="utf-8")
    dictionaries = {stem: xlsform_check(xlsx_path(stem).read_bytes()).dictionary for stem in STEMS}
    assert readme_with_dictionaries(readme, dictionaries) == readme, "README dictionary is stale: rerun the command"
    for stem, rows in dictionaries.items():
        documented = [r.name for r in rows if r.indicator]
        assert len(documented) >= len(rows) * 0.9, f"{stem}: fill the indicator column of the survey sheet"
