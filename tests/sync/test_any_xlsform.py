"""Any valid XLSForm works: a form that publishes never makes its submissions fail.

One form per pyxform question type (every entry of pyxform's type dictionary, aliases
folded) and per XLSForm feature (selects from the form, from CSV/XML/GeoJSON files and from
an external_choices sheet, or_other, choice filters, nested groups and repeats, entities,
translations with media, odd names, XML escapes, a big form, a workbook without settings).
Each is published through the real publish path (pyxform, ODK Validate when Java is
installed), then a Collect-shaped instance is POSTed over OpenRosa as a real multipart body
to a volunteer's device URL; it must be stored (201, an OpenRosaResponse), its XML kept
byte for byte, its files kept, its answers stored as sent, and readable through the API and
the answer rows the pages show.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field

import pytest
from lxml import etree
from openpyxl import Workbook
from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

from backend.accounts.models import Role
from backend.accounts.services import api_token_create, user_create, volunteer_create
from backend.core.blobs import blob_read
from backend.submissions.models import SubmissionAttachment, SubmissionVersion
from backend.surveys.services import form_publish
from backend.surveys.xlsform_convert import java_available, xlsform_convert
from backend.web.xform_labels import answer_rows, form_labels
from tests.helpers import COLLECT_HEADERS, odk_validate_many
from tests.submissions.factories import multipart
from tests.sync.collect_instance import ODD_TEXT, collect_instance

OPENROSA = "{http://openrosa.org/http/response}"
VI, EN = "Tiếng Việt (vi)", "English (en)"

CSV_TREES = "name,label\nxoai,Xoài\nsau_rieng,Sầu riêng & <mít>\n".encode()
XML_PLACES = (
    "<root><item><name>p1</name><label>Đình làng</label></item>"
    "<item><name>p2</name><label>Chợ &amp; bến</label></item></root>"
).encode()
GEOJSON_SITES = json.dumps(
    {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [106.8123, 10.9012]},
                "properties": {"id": "s1", "title": "Trạm bơm"},
            },
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [106.8130, 10.9020]},
                "properties": {"id": "s2", "title": "Cầu"},
            },
        ],
    },
    ensure_ascii=False,
).encode()
CSV_HOUSEHOLDS = "name,label,so_tv\nHO01,Hộ 1,4\nHO02,Hộ 2,6\n".encode()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@dataclass
class Case:
    id: str
    survey: list[list]  # first row is the header
    choices: list[list] | None = None
    sheets: dict[str, list[list]] = field(default_factory=dict)  # other sheets (entities, external_choices…)
    settings: list[list] | None = None  # None → a settings sheet with form_id = id
    media: dict[str, bytes] = field(default_factory=dict)
    external: dict[str, list[str]] = field(default_factory=dict)
    repeat_times: int = 2
    filename: str = ""

    @property
    def form_id(self) -> str:
        return self.id


def workbook(case: Case) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in case.survey:
        sheet.append(row)
    if case.choices:
        choices = book.create_sheet("choices")
        for row in case.choices:
            choices.append(row)
    settings = case.settings if case.settings is not None else [["form_id", "version"], [case.id, "2026120301"]]
    if settings:
        sheet = book.create_sheet("settings")
        for row in settings:
            sheet.append(row)
    for name, rows in case.sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- one form per question type -----------------------------------------------------------

SELECT_TYPES = {"select one", "add select multiple prompt using", "rank"}  # the select cases below
INSTANCE_TYPES = {"xml-external"}  # secondary instances, not questions: a case below


def question_types() -> list[str]:
    """One name per distinct entry of pyxform's type dictionary (aliases folded), the
    XLSForm spec's name where it has one."""
    groups: dict[str, list[str]] = {}
    for name, definition in QUESTION_TYPE_DICT.items():
        groups.setdefault(json.dumps(definition, sort_keys=True), []).append(name)
    chosen = []
    for names in groups.values():
        if set(names) & (SELECT_TYPES | INSTANCE_TYPES):
            continue
        plain = [n for n in names if " " not in n and not n.startswith("q ")]
        chosen.append(sorted(plain or names, key=len)[0])
    return sorted(chosen)


def type_case(kind: str) -> Case:
    header = ["type", "name", "label", "trigger", "parameters"]
    name = "audit" if kind == "audit" else "q_" + kind.replace(" ", "_").replace(":", "_").replace("-", "_")
    rows = [header, ["text", "before", "Trước", "", ""]]
    if kind == "background-geopoint":
        rows.append([kind, name, "", "${before}", ""])
    elif kind == "range":
        rows.append([kind, name, "Mức độ", "", "start=1 end=10 step=1"])
    elif kind in ("audit", "start-geopoint", "background-audio") or kind.startswith("uri:"):
        rows.append([kind, name, "", "", ""])
    elif QUESTION_TYPE_DICT[kind].get("control") is None and kind not in ("calculate", "hidden"):
        rows.append([kind, name, "", "", ""])  # metadata: start, end, today, deviceid, username…
    elif kind == "calculate":
        rows.append([kind, name, "", "", ""])
        rows[-1] = [kind, name, "", "", ""]
        header.append("calculation")
        rows[-1].append("concat(${before}, '!')")
    else:
        rows.append([kind, name, f"Câu hỏi {kind} <&>", "", ""])
    rows.append(["integer", "after", "Sau", "", ""])
    safe = name.lower()
    return Case(id=f"t_{safe}"[:60], survey=rows)


TYPE_CASES = [type_case(kind) for kind in question_types()]


# --- one form per feature -------------------------------------------------------------------

CHOICES = [
    ["list_name", "name", "label", "image"],
    ["yn", "co", "Có", ""],
    ["yn", "khong", "Không & <không>", ""],
    ["fruit", "xoai", "Xoài", "xoai.png"],
    ["fruit", "mit", "Mít", ""],
    ["fruit", "chuoi", "Chuối", ""],
]

FEATURE_CASES = [
    Case(
        "f_selects",
        [
            ["type", "name", "label", "choice_filter", "appearance"],
            ["select_one yn", "s1", "Một lựa chọn", "", ""],
            ["select_multiple fruit", "sm", "Nhiều lựa chọn", "", ""],
            ["rank fruit", "rk", "Xếp hạng", "", ""],
            ["select_one fruit", "sf", "Lọc", "name != 'mit'", ""],
            ["select_one yn", "s_or", "Có khác", "", ""],
            ["select_one fruit", "s_min", "Rút gọn", "", "minimal"],
            ["select_one fruit", "s_like", "Đánh giá", "", "likert"],
        ],
        CHOICES,
        media={"xoai.png": PNG},
    ),
    Case(
        "f_or_other",
        [["type", "name", "label"], ["select_one yn or_other", "s_other", "Khác?"], ["text", "t", "T"]],
        [["list_name", "name", "label"], ["yn", "co", "Có"], ["yn", "khong", "Không"]],
    ),
    Case(
        "f_from_files",
        [
            ["type", "name", "label", "calculation"],
            ["select_one_from_file trees.csv", "tree", "Cây (CSV)"],
            ["select_multiple_from_file trees.csv", "trees", "Các cây (CSV)"],
            ["select_one_from_file places.xml", "place", "Nơi (XML)"],
            ["select_one_from_file sites.geojson", "site", "Điểm (GeoJSON)"],
            ["csv-external", "households", ""],
            ["calculate", "hh_size", "", "pulldata('households', 'so_tv', 'name', ${tree})"],
            ["xml-external", "catalogue", ""],
            ["calculate", "cat_label", "", "instance('catalogue')/root/item[name = ${place}]/label"],
        ],
        media={
            "trees.csv": CSV_TREES,
            "places.xml": XML_PLACES,
            "sites.geojson": GEOJSON_SITES,
            "households.csv": CSV_HOUSEHOLDS,
            "catalogue.xml": XML_PLACES,
        },
        external={"trees.csv": ["xoai", "sau_rieng"], "places.xml": ["p1", "p2"], "sites.geojson": ["s1", "s2"]},
    ),
    Case(
        "f_external_choices",
        [
            ["type", "name", "label", "choice_filter"],
            ["select_one province", "province", "Tỉnh", ""],
            ["select_one_external commune", "commune", "Xã", "province=${province}"],
        ],
        [["list_name", "name", "label"], ["province", "dn", "Đồng Nai"], ["province", "bd", "Bình Dương"]],
        sheets={
            "external_choices": [
                ["list_name", "name", "label", "province"],
                ["commune", "phu_lam", "Phú Lâm", "dn"],
                ["commune", "tan_phu", "Tân Phú", "dn"],
            ]
        },
        external={"itemsets.csv": ["phu_lam"]},
    ),
    Case(
        "f_nesting",
        [
            ["type", "name", "label", "appearance", "repeat_count"],
            ["begin_group", "g1", "Nhóm 1", "field-list", ""],
            ["text", "g1_t", "T", "", ""],
            ["begin_group", "g2", "Nhóm 2", "", ""],
            ["integer", "g2_i", "I", "", ""],
            ["begin_repeat", "r1", "Lặp 1", "", ""],
            ["text", "r1_t", "T", "", ""],
            ["begin_group", "r1_g", "Nhóm trong lặp", "", ""],
            ["image", "r1_photo", "Ảnh", "", ""],
            ["begin_repeat", "r2", "Lặp 2", "", "2"],
            ["geopoint", "r2_p", "Điểm", "", ""],
            ["select_multiple yn", "r2_s", "Chọn", "", ""],
            ["end_repeat", "", "", "", ""],
            ["end_group", "", "", "", ""],
            ["end_repeat", "", "", "", ""],
            ["end_group", "", "", "", ""],
            ["end_group", "", "", "", ""],
            ["begin_group", "tbl", "Bảng", "table-list", ""],
            ["select_one yn", "tbl_a", "A", "", ""],
            ["select_one yn", "tbl_b", "B", "", ""],
            ["end_group", "", "", "", ""],
            ["begin repeat", "legacy", "Lặp kiểu cũ", "", ""],
            ["text", "legacy_t", "T", "", ""],
            ["end repeat", "", "", "", ""],
        ],
        [["list_name", "name", "label"], ["yn", "co", "Có"], ["yn", "khong", "Không"]],
    ),
    Case(
        "f_entity_create",
        [
            ["type", "name", "label", "save_to"],
            ["text", "tree_name", "Tên cây", "ten"],
            ["geopoint", "tree_at", "Vị trí", "geometry"],
            ["integer", "tree_age", "Tuổi cây", "tuoi"],
        ],
        sheets={"entities": [["dataset", "label"], ["trees", "concat(${tree_name}, ' ', ${tree_age})"]]},
    ),
    Case(
        "f_entity_update",
        [
            ["type", "name", "label", "save_to"],
            ["select_one_from_file trees.csv", "tree", "Cây", ""],
            ["integer", "tree_age", "Tuổi cây", "tuoi"],
        ],
        sheets={"entities": [["dataset", "entity_id", "update_if"], ["trees", "${tree}", "${tree_age} > 0"]]},
        media={"trees.csv": CSV_TREES},
        external={"trees.csv": ["xoai"]},
    ),
    Case(
        "f_entity_in_repeat",
        [
            ["type", "name", "label", "save_to"],
            ["begin_repeat", "plots", "Thửa", ""],
            ["text", "plot_name", "Tên thửa", "ten"],
            ["end_repeat", "", "", ""],
        ],
        sheets={"entities": [["list_name", "label", "repeat"], ["plots", "${plot_name}", "${plots}"]]},
    ),
    Case(
        "f_translations",
        [
            ["type", "name", f"label::{VI}", f"label::{EN}", f"hint::{VI}", f"hint::{EN}", f"image::{VI}"],
            ["select_one yn", "q1", "Câu 1", "Question 1", "Gợi ý", "Hint", "ban_do.png"],
            ["text", "q2", "Câu 2 <b>đậm</b>", "Question **2**", "", "", ""],
            ["note", "n1", "Ghi chú ${q2}", "Note ${q2}", "", "", ""],
            ["audio", "q3", "Ghi âm", "Record", "", "", ""],
        ],
        [["list_name", "name", f"label::{VI}", f"label::{EN}"], ["yn", "co", "Có", "Yes"], ["yn", "kh", "Không", "No"]],
        settings=[["form_id", "version", "default_language"], ["f_translations", "2026120301", VI]],
        media={"ban_do.png": PNG},
    ),
    Case(
        "f_odd_names",
        [
            ["type", "name", "label", "default", "constraint", "constraint_message", "relevant"],
            ["text", "tên_hộ", "Tên có dấu", "", "", "", ""],
            ["text", "_leading", "Gạch dưới", "mặc định & <x>", "", "", ""],
            ["text", "a.b-c", "Chấm và gạch", "", "string-length(.) < 500", 'Quá dài < 500 & "x"', ""],
            ["begin_group", "meta_like", "Nhóm", "", "", "", ""],
            ["text", "instanceID_like", "Giống meta", "", "", "", ""],
            ["end_group", "", "", "", "", "", ""],
            ["integer", "A1", "Chữ hoa", "", ". >= 0", "≥ 0", ""],
            ["text", "rel", "Relevant", "", "", "", "${A1} > 0 and ${tên_hộ} != ''"],
        ],
        settings=[
            ["form_id", "version", "form_title", "name", "instance_name"],
            [
                "f_odd_names",
                'v 1.0 <beta> & "x"',
                'Tiêu đề & <lạ> "x"',
                "hộ_gia_đình",
                "concat(${tên_hộ}, '-', ${A1})",
            ],
        ],
    ),
    Case(
        "f_settings_edge",
        [
            ["type", "name", "label", "bind::esri:fieldType", "body::accuracyThreshold", "parameters"],
            ["text", "t", "T", "esriFieldTypeString", "", ""],
            ["geopoint", "p", "P", "", "5", ""],
            ["image", "img", "Ảnh", "", "", "max-pixels=1024"],
        ],
        settings=[
            ["form_id", "namespaces", "allow_choice_duplicates", "clean_text_values"],
            ["f_settings_edge", 'esri="http://esri.com/xforms"', "yes", "no"],
        ],
    ),
    Case(
        "f_big",
        [["type", "name", "label"]]
        + [
            row
            for g in range(12)
            for row in (
                [["begin_group", f"g{g}", f"Nhóm {g}"]]
                + [["text" if i % 3 else "integer", f"g{g}_q{i}", f"Câu {g}.{i}"] for i in range(50)]
                + [["end_group", "", ""]]
            )
        ]
        + [["begin_repeat", "rows", "Dòng"]]
        + [["decimal", f"row_v{i}", f"Giá trị {i}"] for i in range(20)]
        + [["end_repeat", "", ""]],
        repeat_times=60,
    ),
    Case(
        "no_settings_sheet",
        [["type", "name", "label"], ["text", "t", "T"], ["date", "d", "Ngày"]],
        settings=[],
        filename="Phiếu thử (không settings).xlsx",
    ),
]
FEATURE_CASES[-1].id = "Phieu_thu_khong_settings"

CASES = TYPE_CASES + FEATURE_CASES


@pytest.fixture
def admin(db):
    return user_create(username="quan_tri", password=None, role=Role.ADMIN)  # no hashing: only a token is used


def post(client, url, xml: bytes, files: dict[str, bytes]):
    body, content_type = multipart(xml, files)
    return client.generic("POST", url, body, content_type=content_type, **COLLECT_HEADERS)


@pytest.fixture
def without_odk_validate(monkeypatch):
    """ODK Validate starts a JVM per form (seconds each): the publishing test converts with
    pyxform only, and test_every_case_passes_odk_validate checks all the XForms in one run."""
    monkeypatch.setattr("backend.surveys.xlsform_convert.java_available", lambda: False)


# A form declaring entities inside a repeat is valid XLSForm but refused here at upload (one
# household per submission): tests/registers/test_entity_attributes.py checks the refusal.
PUBLISHED = [c for c in CASES if c.id != "f_entity_in_repeat"]


@pytest.mark.parametrize("case", PUBLISHED, ids=[c.id for c in PUBLISHED])
def test_the_form_publishes_and_a_collect_submission_to_it_is_stored_as_sent(client, admin, case, without_odk_validate):
    result = form_publish(xlsform=workbook(case), filename=case.filename or f"{case.id}.xlsx", attachments=case.media)
    assert result.form.form_id == case.form_id
    _volunteer, token = volunteer_create(name="Lê Văn Tám", forms=[result.form])
    xform = bytes(result.version.xform)
    filled = collect_instance(xform, repeat_times=case.repeat_times, external_values=case.external)

    response = post(client, f"/key/{token}/submission", filled.xml, filled.files)

    assert response.status_code == 201, response.content.decode()
    envelope = etree.fromstring(response.content)
    assert envelope.tag == f"{OPENROSA}OpenRosaResponse"
    version = SubmissionVersion.objects.get(instance_id=filled.instance_id)
    assert bytes(version.xml) == filled.xml
    stored = {k: v for k, v in version.parsed.items() if not k.startswith("__")}
    assert stored == filled.answers
    assert version.parsed["__id"] == case.form_id
    attachments = {a.name: a for a in SubmissionAttachment.objects.filter(version=version).select_related("blob")}
    assert set(attachments) == set(filled.files)
    for name, data in filled.files.items():
        assert attachments[name].blob is not None and blob_read(attachments[name].blob_id) == data, name

    # The stored submission reads back through the API and the pages' answer rows.
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=admin)}"}
    base = f"/api/v1/forms/{case.form_id}/submissions/{filled.instance_id}"
    detail = client.get(base, **auth)
    assert detail.status_code == 200, detail.content[:500]
    assert client.get(f"{base}.xml", **auth).content == filled.xml
    rows = answer_rows(version.parsed, form_labels(xform))
    assert all(isinstance(r.value, str) for r in rows)


def test_every_case_passes_odk_validate(tmp_path):
    if not java_available():
        pytest.skip("java is not on PATH: ODK Validate needs a Java runtime")
    xforms = {
        case.id: xlsform_convert(
            workbook(case), file_type=".xlsx", validate=False, filename=case.filename or f"{case.id}.xlsx"
        ).xform
        for case in CASES
    }
    code, stdout, stderr = odk_validate_many(xforms, tmp_path)
    assert code == 0, stderr[-4000:]
    assert stdout.count("Xform is valid!") == len(CASES)


def test_every_question_type_of_pyxform_has_a_case():
    covered = {c.id for c in TYPE_CASES}
    assert len(covered) == len(TYPE_CASES) >= 40
    assert ODD_TEXT  # the text every string field receives carries XML's special characters


PUBLIC_KEY = (
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtr8A2DLz20ycWy0ssG/fNAfnbA1ZysOla6SsF0pzbucHrJMtCpbBmQMurKUL"
    "fN6oH3jCOF2NE5wRrmx6kU8/ZVWnMBDsqpNnJD+YbO3cmJyR6O8E4raz13pQivxsLsQ/wclptDSKTbDuGxJULm+PG1j9I0a+WyiVUcLN"
    "z7dsMIRXJ1PDrcWyGOeeHZNUzc+sanzWxWINT8i4dIuR/lwANiTZavTTcm6uK9/AZUydTKPSXZ0z2AdxBhQWfhcXfCtqYQrY+omZrUFm"
    "uVfrRIuhBncm4OagRaH1239mHfJH8QILTQC41OARSHALDYcLbbaaDwSeLE6ug690o23Mt9q91QIDAQAB"
)


def test_an_encrypted_form_keeps_the_encrypted_instance_and_files_collect_sends(db, client, without_odk_validate):
    """With a public_key Collect sends an envelope: the answers are in submission.xml.enc and
    each photo in its own .enc part. Those parts are kept, not dropped behind a 201."""
    case = Case(
        "f_encrypted",
        [["type", "name", "label"], ["text", "t", "T"], ["image", "anh", "Ảnh"]],
        settings=[["form_id", "version", "public_key"], ["f_encrypted", "2026120301", PUBLIC_KEY]],
    )
    result = form_publish(xlsform=workbook(case), filename="f_encrypted.xlsx")
    assert "base64RsaPublicKey" in bytes(result.version.xform).decode()
    _volunteer, token = volunteer_create(name="Lê Văn Tám", forms=[result.form])
    iid = "uuid:6f1c0b7e-5d4e-4a8b-9a51-2f0e7c3d1a99"
    envelope = (
        '<?xml version="1.0" ?><data id="f_encrypted" version="2026120301" encrypted="yes" '
        'xmlns="http://opendatakit.org/submissions" xmlns:orx="http://openrosa.org/xforms">'
        "<base64EncryptedKey>AAECAwQ=</base64EncryptedKey>"
        f"<orx:meta><orx:instanceID>{iid}</orx:instanceID></orx:meta>"
        "<media><file>1764201234567.jpg.enc</file></media>"
        "<encryptedXmlFile>submission.xml.enc</encryptedXmlFile>"
        "<base64EncryptedElementSignature>BQYHCAk=</base64EncryptedElementSignature></data>"
    ).encode()
    files = {"1764201234567.jpg.enc": b"\x8f" * 900, "submission.xml.enc": b"\x17" * 300}

    response = post(client, f"/key/{token}/submission", envelope, files)

    assert response.status_code == 201, response.content.decode()
    version = SubmissionVersion.objects.get(instance_id=iid)
    stored = {a.name: blob_read(a.blob_id) for a in SubmissionAttachment.objects.filter(version=version)}
    assert stored == files
