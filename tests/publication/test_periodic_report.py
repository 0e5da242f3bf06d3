"""The periodic report: a Word document in the Nghị định 30 layout whose figures are the
indicators API's, and the same as PDF."""

import io
import re
import subprocess

import pytest
from docx import Document

from backend.publication.pdf import soffice_path
from backend.publication.vietnamese import number_vi

pytestmark = pytest.mark.postgres

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _percent(value) -> str:
    return "—" if value is None else f"{number_vi(value)} %"


def _targets_in(document) -> dict[str, list[str]]:
    """Rows of the three target tables, by label."""
    rows = {}
    for table in document.tables:
        header = [c.text for c in table.rows[0].cells]
        if header[:3] == ["TT", "Chỉ tiêu", "Mục tiêu"]:
            for row in table.rows[1:]:
                cells = [c.text for c in row.cells]
                rows[cells[1]] = cells
    return rows


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_the_report_opens_as_a_decree_30_report_with_the_apis_figures(commune, leadership, output_dir):
    response = leadership.get("/api/v1/reports/periodic.docx?round=2027")
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX_TYPE
    assert 'filename="bao_cao_ket_qua_cds_2027.docx"' in response["Content-Disposition"]
    (output_dir / "bao_cao_2027.docx").write_bytes(response.content)
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    # The layout of an administrative report (Nghị định 30/2020/NĐ-CP, Phụ lục I).
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in cells
    assert "Độc lập - Tự do - Hạnh phúc" in cells
    assert "ỦY BAN NHÂN DÂN\nXÃ PHÚ LÂM" in cells
    assert re.search(r"Số: +/BC-UBND", cells)
    assert re.search(r"Phú Lâm, ngày \d\d tháng (0[12]|1[0-2]|[3-9]) năm 20\d\d", cells)
    assert "Báo cáo kết quả thực hiện Kế hoạch" in text
    assert "Nơi nhận:" in cells and "Sở Khoa học và Công nghệ tỉnh Đồng Nai;" in cells
    assert "TM. ỦY BAN NHÂN DÂN" in cells and "CHỦ TỊCH" in cells
    assert len(document.inline_shapes) == 2, "the choropleth and the trend chart"

    # Every plan target row carries the API's value, interval, target with its operator, verdict.
    api = leadership.get("/api/v1/indicators?round=2027&hamlet=commune").json()
    plan = [r for r in api if r["indicator"].startswith("P")]
    rows = _targets_in(document)
    from analytics.catalogue import BY_ID

    assert len(rows) == len(plan) == 11
    for expected in plan:
        definition = BY_ID[expected["indicator"]]
        row = rows[definition.label_vi]
        percent = definition.kind not in ("count", "dra_count")
        op = {">=": "≥", ">": ">"}[expected["target_op"]]
        assert row[2] == f"{op} {number_vi(expected['target'], 1, trim=True)}{' %' if percent else ''}"
        if expected["value"] is None:
            assert row[3] == "—"
        else:
            assert row[3] == (_percent(expected["value"]) if percent else number_vi(expected["value"], 0))
        if percent and expected["ci_low"] is not None and not definition.administrative:
            assert row[4] == f"{number_vi(expected['ci_low'])}–{number_vi(expected['ci_high'])}"
        assert row[6] == {True: "Đạt", False: "Chưa đạt", None: "Chưa có số liệu"}[expected["met"]]

    # The change since the previous round is the difference of the API's two values.
    before = {r["indicator"]: r for r in leadership.get("/api/v1/indicators?round=2025&hamlet=commune").json()}
    smartphone = next(r for r in plan if r["indicator"] == "P2027_SMARTPHONE_HH")
    change = smartphone["value"] - before["P2027_SMARTPHONE_HH"]["value"]
    assert rows[BY_ID["P2027_SMARTPHONE_HH"].label_vi][7] == f"{'+' if change > 0 else ''}{number_vi(change)} điểm %"
    direction = "tăng" if change > 0 else "giảm"
    assert f"{direction} {number_vi(abs(change))} điểm % so với đợt 2025" in text

    # The scorecard: pilots first, with the API's counts.
    card = leadership.get("/api/v1/scorecard?round=2027").json()
    scorecard = next(t for t in document.tables if [c.text for c in t.rows[0].cells][:3] == ["TT", "Ấp", "Kết quả"])
    listed = [[c.text for c in row.cells] for row in scorecard.rows[1:]]
    assert len(listed) == len(card["hamlets"])
    assert all("(ấp điểm)" in row[1] for row in listed[:2])
    by_name = {h["name"]: h for h in card["hamlets"]}
    for row in listed:
        hamlet = by_name[row[1].removesuffix(" (ấp điểm)")]
        assert row[3] == f"{hamlet['bb_met']}/{hamlet['bb_total']}"
        assert row[5] == (", ".join(hamlet["failing"]) or "—")
    for pilot in (h for h in card["hamlets"] if h["pilot"]):
        assert f"Ấp điểm {pilot['name']}" in text

    # Administrative figures say who entered them.
    admin = next(t for t in document.tables if "Người nhập" in [c.text for c in t.rows[0].cells])
    assert [c.text for c in admin.rows[1].cells][2:6] == [
        "912/1.000",
        "91,2 %",
        "Hệ thống thông tin giải quyết TTHC",
        "Trần Văn Bình",
    ]

    # The generated paragraph of each target is there.
    assert "Tỷ lệ hộ có thành viên dùng điện thoại thông minh" in text
    assert "(KTC 95 %: " in text


@pytest.mark.skipif(soffice_path() is None, reason="PDF needs LibreOffice (apt-get install libreoffice-writer-nogui)")
def test_the_pdf_of_the_report_shows_the_same_figures_as_the_api(commune, leadership, output_dir):
    from pypdf import PdfReader

    response = leadership.get("/api/v1/reports/periodic.pdf?round=2027")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    path = output_dir / "bao_cao_2027.pdf"
    path.write_bytes(response.content)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(path), str(output_dir / "bao_cao_2027")], check=False)
    text = _flat(" ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(response.content)).pages))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "Nơi nhận:" in text
    api = leadership.get("/api/v1/indicators?round=2027&hamlet=commune").json()
    for row in api:
        if not row["indicator"].startswith("P") or row["value"] is None:
            continue
        if row["ci_low"] is not None and row["ci_high"] > row["ci_low"]:
            assert f"{number_vi(row['ci_low'])}–{number_vi(row['ci_high'])}" in text, row["indicator"]
        assert number_vi(row["value"], 1 if row["denominator"] else 0) in text, row["indicator"]
    coverage = leadership.get("/api/v1/scorecard?round=2027").json()
    for hamlet in coverage["hamlets"]:
        assert hamlet["name"] in text


def test_a_viewer_gets_the_suppressed_report_and_the_command_writes_the_full_one(commune, viewer, settings, tmp_path):
    settings.ANALYTICS_MIN_CELL = 100_000  # every cell of people is "small"
    response = viewer.get("/api/v1/reports/periodic.docx?round=2027")
    assert response.status_code == 200
    assert response["X-Report-Suppressed"] == "true"
    document = Document(io.BytesIO(response.content))
    rows = _targets_in(document)
    from analytics.catalogue import BY_ID

    assert rows[BY_ID["P2027_SMARTPHONE_HH"].label_vi][3] == "Ẩn"
    assert "được ẩn vì có dưới 100000 đơn vị" in "\n".join(p.text for p in document.paragraphs)
    missing = viewer.get("/api/v1/reports/periodic.docx?round=1999")
    assert missing.status_code == 404 and missing.json()["code"] == "404.1"

    # A scheduled run writes the commune's own (unsuppressed) report; the last line is the path.
    from django.core.management import call_command

    out = io.StringIO()
    call_command("periodic_report", "--round", "2027", "--output", str(tmp_path / "bc.docx"), stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == str(tmp_path / "bc.docx")
    rows = _targets_in(Document(tmp_path / "bc.docx"))
    assert rows[BY_ID["P2027_SMARTPHONE_HH"].label_vi][3].endswith(" %")
