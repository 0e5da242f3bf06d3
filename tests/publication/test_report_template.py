"""The commune restyles the report in Word: the template's styles and page setup carry over."""

import io

import pandas as pd
from docx import Document
from docx.shared import Cm, Pt

from backend.publication.docx_report import TEMPLATE, periodic_report_docx
from backend.publication.figures import RoundFigures
from tests.publication.builders import target_figure

ROW_COLUMNS = [
    "indicator", "hamlet", "round", "numerator", "denominator", "value", "ci_low", "ci_high",
    "target", "target_year", "met", "suppressed",
]  # fmt: skip


def _figures() -> RoundFigures:
    target = target_figure(label_vi="Hộ có thành viên dùng điện thoại thông minh để tiếp cận dịch vụ công, tiện ích số")
    return RoundFigures(
        round="2027",
        previous_round="2025",
        rounds=["2025", "2027"],
        computed_at=None,
        stale=False,
        suppressed=False,
        min_cell=5,
        tier=2027,
        commune="Xã Phú Lâm",
        province="Tỉnh Đồng Nai",
        targets=[target],
        coverage=[],
        hamlets=[],
        administrative=[],
        rows=pd.DataFrame(columns=ROW_COLUMNS),
    )


def test_the_shipped_template_is_a4_in_times_new_roman(db):
    document = Document(io.BytesIO(periodic_report_docx(_figures())))
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert round(section.left_margin.cm, 1) == 3.0 and round(section.right_margin.cm, 1) == 1.5
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert document.styles["Normal"].font.size == Pt(13)


def test_a_template_restyled_by_the_commune_is_used(db, settings, tmp_path):
    restyled = Document(str(TEMPLATE))
    restyled.styles["Normal"].font.name = "Arial"
    restyled.sections[0].left_margin = Cm(2.5)
    restyled.add_paragraph("Văn bản mẫu sẽ bị bỏ qua")  # sample body text is not copied
    path = tmp_path / "mau_cua_xa.docx"
    restyled.save(path)
    settings.PERIODIC_REPORT_TEMPLATE = str(path)
    document = Document(io.BytesIO(periodic_report_docx(_figures())))
    assert document.styles["Normal"].font.name == "Arial"
    assert round(document.sections[0].left_margin.cm, 1) == 2.5
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Văn bản mẫu sẽ bị bỏ qua" not in text
    assert "đạt 87,4 % (KTC 95 %: 85,1–89,5 %), chưa đạt chỉ tiêu từ 95 % trở lên năm 2027" in text
