"""The periodic report as a Word document, in the layout of Nghị định 30/2020/NĐ-CP.

Layout (Phụ lục I of the decree): the issuing body and the number/symbol top left, the
national motto top right with the place and date under it, the document type and its
summary centred, numbered sections, "Nơi nhận" bottom left and the signature block bottom
right. Times New Roman 13–14 pt on A4 with margins 20/20/30/15 mm.

The styles come from a template .docx (`PERIODIC_REPORT_TEMPLATE`, default the one shipped
in this app): the commune can open it in Word, restyle "Normal", "Heading 1/2", "Caption",
"Table Grid" or add a page header, save it, and every report follows. `template_build`
writes the shipped one.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from analytics.catalogue import BY_ID
from analytics.scorecard import OPTIONAL_REQUIRED
from backend.publication import charts
from backend.publication.figures import TARGET_YEARS, RoundFigures, TargetFigure
from backend.publication.narrative import subject_vi, target_sentence_vi, verdict_vi
from backend.publication.vietnamese import date_line_vi, date_vi, number_vi, signed_vi

TEMPLATE = Path(__file__).resolve().parent / "templates" / "publication" / "bao_cao_dinh_ky.docx"
FONT = "Times New Roman"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class Letterhead:
    """Who issues the report and to whom; settings override each (REPORT_*)."""

    issuer: str
    place: str
    number: str
    plan: str
    recipients: tuple[str, ...]
    signer_capacity: str
    signer_title: str
    signer_name: str


def letterhead_for(commune: str, province: str) -> Letterhead:
    short = commune.removeprefix("Xã ").removeprefix("xã ")
    province = (province or "Đồng Nai").removeprefix("Tỉnh ").removeprefix("tỉnh ")
    return Letterhead(
        issuer=getattr(settings, "REPORT_ISSUER", f"ỦY BAN NHÂN DÂN\nXÃ {short.upper()}"),
        place=getattr(settings, "REPORT_PLACE", short),
        number=getattr(settings, "REPORT_NUMBER", "Số:       /BC-UBND"),
        plan=getattr(
            settings,
            "REPORT_PLAN",
            f"thực hiện Nghị quyết số 57-NQ/TW về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo "
            f"và chuyển đổi số trên địa bàn xã {short}",
        ),
        recipients=tuple(
            getattr(
                settings,
                "REPORT_RECIPIENTS",
                (
                    f"Sở Khoa học và Công nghệ tỉnh {province};",
                    "Thường trực Đảng ủy xã;",
                    "Thường trực HĐND xã;",
                    "Chủ tịch, các Phó Chủ tịch UBND xã;",
                    "Ban Chỉ đạo chuyển đổi số xã;",
                    "Lưu: VT.",
                ),
            )
        ),
        signer_capacity=getattr(settings, "REPORT_SIGNER_CAPACITY", "TM. ỦY BAN NHÂN DÂN"),
        signer_title=getattr(settings, "REPORT_SIGNER_TITLE", "CHỦ TỊCH"),
        signer_name=getattr(settings, "REPORT_SIGNER_NAME", ""),
    )


# --- the template -------------------------------------------------------------------------


def template_build(path: Path = TEMPLATE) -> Path:
    """Write the default template: A4, the decree's margins, Times New Roman everywhere."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    for name, size, bold in (
        ("Normal", 13, False),
        ("Heading 1", 13, True),
        ("Heading 2", 13, True),
        ("Caption", 12, False),
        ("Title", 14, True),
    ):
        style = document.styles[name]
        style.font.name = FONT
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.color.rgb = RGBColor(0, 0, 0)
        # East-Asian and complex-script slots too, or Word picks another font for Vietnamese.
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(slot), FONT)
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme), None)  # a theme font would win over the named one
        style.paragraph_format.space_after = Pt(6)
    document.styles["Normal"].paragraph_format.first_line_indent = Cm(1)
    document.styles["Normal"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    document.styles["Caption"].font.italic = True
    for name in ("Heading 1", "Heading 2", "Title", "Caption"):
        document.styles[name].paragraph_format.first_line_indent = Cm(0)
        document.styles[name].paragraph_format.keep_with_next = True
    document.styles["Caption"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.core_properties.title = "Báo cáo kết quả thực hiện Kế hoạch"
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)
    return path


def _template() -> Document:
    configured = getattr(settings, "PERIODIC_REPORT_TEMPLATE", "") or ""
    path = Path(configured) if configured else TEMPLATE
    document = Document(str(path))
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):  # keep the page setup, drop any sample text
            body.remove(child)
    return document


# --- small writing helpers ------------------------------------------------------------------


def _paragraph(container, text: str = "", *, bold=False, italic=False, size=None, align=None, indent=True, style=None):
    paragraph = container.add_paragraph(style=style)
    if align is not None:
        paragraph.alignment = align
    if not indent:
        paragraph.paragraph_format.first_line_indent = Cm(0)
    lines = text.split("\n")
    for index, line in enumerate(lines):
        run = paragraph.add_run(line)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
        if index < len(lines) - 1:
            run.add_break()
    return paragraph


def _cell_text(cell, text: str, *, bold=False, italic=False, size=11, align=WD_ALIGN_PARAGRAPH.LEFT):
    cell.text = ""
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.first_line_indent = Cm(0)
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.alignment = align
    run = paragraph.add_run(text)
    run.bold, run.italic = bold, italic
    run.font.size = Pt(size)


# Children of w:tblPr that the schema puts after w:tblBorders: Word refuses ("unreadable
# content") a table whose properties are out of order.
AFTER_TABLE_BORDERS = ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription")


def _no_borders(table) -> None:
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    following = [child for child in properties if child.tag in {qn(tag) for tag in AFTER_TABLE_BORDERS}]
    if following:
        following[0].addprevious(borders)
    else:
        properties.append(borders)


def _shade(cell, fill: str = "E7EFE9") -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _widths(table, widths_cm: list[float]) -> None:
    """Fixed column widths, in the grid (LibreOffice reads it) and on every cell (Word)."""
    table.autofit = False
    for index, width in enumerate(widths_cm):
        table.columns[index].width = Cm(width)
        for cell in table.columns[index].cells:
            cell.width = Cm(width)


def _data_table(document, headers: list[str], rows: list[list[str]], widths_cm: list[float], numeric: set[int]):
    """A bordered table whose header row repeats on every page."""
    table = document.add_table(rows=1, cols=len(headers))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = table.rows[0]
    header_properties = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header_properties.append(repeat)
    for index, text in enumerate(headers):
        _cell_text(header.cells[index], text, bold=True, size=10.5, align=WD_ALIGN_PARAGRAPH.CENTER)
        _shade(header.cells[index])
    for values in rows:
        cells = table.add_row().cells
        for index, text in enumerate(values):
            align = WD_ALIGN_PARAGRAPH.RIGHT if index in numeric else WD_ALIGN_PARAGRAPH.LEFT
            _cell_text(cells[index], text, size=10.5, align=align)
    _widths(table, widths_cm)
    document.add_paragraph().paragraph_format.space_after = Pt(0)
    return table


# --- the report -----------------------------------------------------------------------------


def periodic_report_docx(figures: RoundFigures, *, on: date | None = None) -> bytes:
    """The report of `figures.round` as .docx bytes."""
    on = on or timezone.localdate()
    head = letterhead_for(figures.commune, figures.province)
    document = _template()
    document.core_properties.title = f"Báo cáo kết quả thực hiện Kế hoạch – đợt {figures.round}"
    document.core_properties.author = head.issuer.replace("\n", " ")
    _letterhead(document, head, on)
    _title(document, head, figures)
    sections = [
        ("KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU CỦA KẾ HOẠCH", _targets_section),
        ("ĐỘ PHỦ KHẢO SÁT THEO ẤP", _coverage_section),
        ('MÔ HÌNH "KHU DÂN CƯ CHUYỂN ĐỔI SỐ"', _scorecard_section),
        ("BẢN ĐỒ VÀ XU HƯỚNG", _charts_section),
        ("SỐ LIỆU HÀNH CHÍNH", _administrative_section),
        ("ĐÁNH GIÁ CHUNG VÀ KIẾN NGHỊ", _assessment_section),
    ]
    for number, (heading, write) in enumerate(sections, start=1):
        document.add_paragraph(f"{_roman(number)}. {heading}", style="Heading 1")
        write(document, figures)
    _closing(document, head)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _roman(number: int) -> str:
    return ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"][number - 1]


def _letterhead(document, head: Letterhead, on: date) -> None:
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, [6.0, 10.5])
    left, right = table.rows[0].cells
    _cell_text(left, head.issuer, bold=True, size=13, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(left, "———", size=10, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False).paragraph_format.space_after = Pt(0)
    _paragraph(left, head.number, size=13, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _cell_text(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12, align=WD_ALIGN_PARAGRAPH.CENTER)
    motto = _paragraph(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=13, align=WD_ALIGN_PARAGRAPH.CENTER)
    motto.paragraph_format.first_line_indent = Cm(0)
    motto.paragraph_format.space_after = Pt(0)
    _paragraph(right, "———————————", size=10, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _paragraph(right, date_line_vi(head.place, on), italic=True, size=13, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)


def _title(document, head: Letterhead, figures: RoundFigures) -> None:
    kind = _paragraph(document, "BÁO CÁO", bold=True, size=14, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    kind.paragraph_format.space_before = Pt(12)
    _paragraph(
        document,
        f"Báo cáo kết quả thực hiện Kế hoạch {head.plan}\n(đợt khảo sát {figures.round})",
        bold=True,
        size=14,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=False,
    )
    _paragraph(document, "————————", size=10, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    computed = "—"
    if figures.computed_at:
        local = timezone.localtime(figures.computed_at)
        computed = f"{local:%H:%M} {date_vi(local.date())}"
    _paragraph(
        document,
        f"Thực hiện Kế hoạch {head.plan}, Ủy ban nhân dân xã {head.place} báo cáo "
        f"kết quả đo lường đợt khảo sát {figures.round} như sau. Số liệu được tổng hợp tự động từ hệ thống khảo "
        f"sát chuyển đổi số của xã (kết quả tính lúc {computed}); tỷ lệ của toàn xã là ước lượng phân tầng theo "
        f"ấp, kèm khoảng tin cậy 95 % (KTC 95 %).",
    )
    if figures.suppressed:
        _paragraph(
            document,
            f"Bản này được lập cho người dùng không có quyền xem số liệu chi tiết: các ô có dưới "
            f"{figures.min_cell} đơn vị khảo sát được ẩn.",
            italic=True,
        )
    if figures.stale:
        _paragraph(
            document, "Lưu ý: dữ liệu đã thay đổi sau lần tính gần nhất; số liệu đang được tính lại.", italic=True
        )


def _change_text(t: TargetFigure) -> str:
    if t.change is None:
        return "—"
    return signed_vi(t.change, 1 if t.percent else 0) + (" điểm %" if t.percent else "")


def _target_cells(t: TargetFigure) -> list[str]:
    op = {">=": "≥", ">": ">"}.get(t.op, t.op)
    unit = " %" if t.percent else ""
    interval = (
        f"{number_vi(t.ci_low)}–{number_vi(t.ci_high)}"
        if t.percent and not t.administrative and t.ci_low is not None and t.ci_high is not None
        else "—"
    )
    value = "Ẩn" if t.suppressed else (number_vi(t.value, 1 if t.percent else 0) + unit if t.value is not None else "—")
    return [
        t.label_vi,
        f"{op} {number_vi(t.target, 1, trim=True)}{unit}" if t.target is not None else "—",
        value,
        interval,
        number_vi(t.n, 0) if t.n else "—",
        verdict_vi(t.met) if not t.suppressed else "Ẩn",
        _change_text(t),
    ]


def _targets_section(document, figures: RoundFigures) -> None:
    previous = figures.previous_round or "—"
    for index, year in enumerate(TARGET_YEARS, start=1):
        targets = figures.targets_for(year)
        document.add_paragraph(f"{index}. Các chỉ tiêu đến năm {year}", style="Heading 2")
        if not targets:
            _paragraph(document, "Không có chỉ tiêu.")
            continue
        rows = [[str(n)] + _target_cells(t) for n, t in enumerate(targets, start=1)]
        _data_table(
            document,
            ["TT", "Chỉ tiêu", "Mục tiêu", "Kết quả", "KTC 95 %", "n", "Đánh giá", f"So với đợt {previous}"],
            rows,
            [1.0, 5.4, 1.6, 1.7, 2.0, 1.3, 1.5, 1.9],
            numeric={3, 4, 5, 7},
        )
        for t in targets:
            _paragraph(document, "- " + target_sentence_vi(t, figures.round, figures.previous_round, figures.min_cell))


def _coverage_section(document, figures: RoundFigures) -> None:
    if not figures.coverage:
        _paragraph(document, "Chưa có phiếu hộ gia đình trong đợt này.")
        return
    rows = [
        [
            str(n),
            c.name,
            c.hamlet,
            number_vi(c.registered, 0) if c.registered is not None else "—",
            number_vi(c.surveyed, 0),
            number_vi(c.coverage) + " %" if c.coverage is not None else "—",
            number_vi(c.refused, 0),
            number_vi(c.flagged, 0),
        ]
        for n, c in enumerate(figures.coverage, start=1)
    ]
    registered = sum(c.registered or 0 for c in figures.coverage)
    surveyed = sum(c.surveyed for c in figures.coverage)
    total = 100.0 * surveyed / registered if registered else None
    rows.append(
        [
            "",
            "Toàn xã",
            "",
            number_vi(registered, 0),
            number_vi(surveyed, 0),
            number_vi(total) + " %" if total is not None else "—",
            number_vi(sum(c.refused for c in figures.coverage), 0),
            number_vi(sum(c.flagged for c in figures.coverage), 0),
        ]
    )
    _paragraph(
        document,
        f"Đợt {figures.round} đã khảo sát {number_vi(surveyed, 0)} trên {number_vi(registered, 0)} hộ theo sổ hộ "
        f"của các ấp (độ phủ {number_vi(total)} %).",
    )
    table = _data_table(
        document,
        ["TT", "Ấp", "Mã ấp", "Số hộ theo sổ", "Số hộ đã khảo sát", "Độ phủ", "Từ chối", "Cần kiểm tra vị trí"],
        rows,
        [1.0, 3.4, 1.5, 2.0, 2.2, 1.8, 1.5, 2.3],
        numeric={3, 4, 5, 6, 7},
    )
    for cell in table.rows[-1].cells:
        for run in cell.paragraphs[0].runs:
            run.bold = True


def _scorecard_section(document, figures: RoundFigures) -> None:
    _paragraph(
        document,
        f"Đánh giá theo bộ tiêu chí mức {figures.tier}: ấp đạt khi đạt tất cả tiêu chí bắt buộc (BB) và ít nhất "
        f"{OPTIONAL_REQUIRED} tiêu chí tự chọn (TC). Hai ấp điểm được trình bày trước.",
    )
    if not figures.hamlets:
        _paragraph(document, "Chưa có kết quả đánh giá ấp trong đợt này.")
        return
    met = sum(1 for h in figures.hamlets if h.dat)
    _paragraph(document, f"Có {met}/{len(figures.hamlets)} ấp đạt mô hình ở mức {figures.tier}.")
    rows = [
        [
            str(n),
            h.name + (" (ấp điểm)" if h.pilot else ""),
            h.status,
            f"{h.bb_met}/{h.bb_total}",
            f"{h.tc_met}/{h.tc_required}",
            ", ".join(lack.criterion for lack in h.lacking) or "—",
        ]
        for n, h in enumerate(figures.hamlets, start=1)
    ]
    _data_table(
        document,
        ["TT", "Ấp", "Kết quả", "BB đạt", "TC đạt / cần", "Tiêu chí chưa đạt"],
        rows,
        [1.0, 3.8, 2.0, 1.5, 1.9, 5.8],
        numeric={3, 4},
    )
    for h in (h for h in figures.hamlets if h.pilot):
        document.add_paragraph(f"Ấp điểm {h.name}: {h.status.lower()}", style="Heading 2")
        if not h.lacking:
            _paragraph(document, "Ấp đã đạt đủ các tiêu chí của mức này.")
            continue
        _paragraph(document, "Các tiêu chí còn thiếu:")
        for lack in h.lacking:
            gap = f", còn thiếu {number_vi(lack.gap_pp)} điểm %" if lack.gap_pp else ""
            why = f" ({lack.reason})" if lack.reason else ""
            role = f" [{lack.role}]" if lack.role else ""
            _paragraph(document, f"- {lack.criterion}{role}: {lack.label_vi}{gap}{why}.")


def _charts_section(document, figures: RoundFigures) -> None:
    indicator = charts.map_indicator(figures)
    document.add_picture(io.BytesIO(charts.choropleth_png(figures, indicator)), width=Cm(14))
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(
        document,
        f"Hình 1. {BY_ID[indicator].label_vi} theo ấp, đợt {figures.round}",
        style="Caption",
        indent=False,
    )
    document.add_picture(io.BytesIO(charts.trend_png(figures)), width=Cm(16))
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(
        document,
        f"Hình 2. Xu hướng các chỉ tiêu tỷ lệ của toàn xã qua các đợt ({', '.join(figures.rounds)})",
        style="Caption",
        indent=False,
    )


def _administrative_section(document, figures: RoundFigures) -> None:
    if not figures.administrative:
        _paragraph(
            document,
            f"Chưa có số liệu hành chính (hồ sơ trực tuyến, cán bộ, công chức) của đợt {figures.round} được nhập "
            "vào hệ thống.",
        )
        return
    _paragraph(document, "Các số liệu không đo được bằng khảo sát, do bộ phận chuyên môn của xã nhập:")
    rows = [
        [
            str(n),
            a.label_vi,
            f"{number_vi(a.numerator, 0)}/{number_vi(a.denominator, 0)}",
            number_vi(a.value) + " %",
            a.source or "—",
            a.entered_by,
            f"{timezone.localtime(a.updated_at):%H:%M %d/%m/%Y}",
        ]
        for n, a in enumerate(figures.administrative, start=1)
    ]
    _data_table(
        document,
        ["TT", "Chỉ tiêu", "Tử số/Mẫu số", "Tỷ lệ", "Nguồn", "Người nhập", "Cập nhật lúc"],
        rows,
        [1.0, 4.8, 2.2, 1.6, 2.8, 2.2, 2.2],
        numeric={2, 3},
    )


def _assessment_section(document, figures: RoundFigures) -> None:
    judged = [t for t in figures.targets if t.met is not None]
    met = [t for t in judged if t.met]
    missing = len(figures.targets) - len(judged)
    _paragraph(
        document,
        f"Đợt {figures.round} có {len(met)}/{len(judged)} chỉ tiêu có số liệu đã đạt mục tiêu của Kế hoạch"
        + (f"; {missing} chỉ tiêu chưa có số liệu." if missing else "."),
    )
    lagging = [t for t in judged if not t.met]
    if lagging:
        _paragraph(document, "Các chỉ tiêu cần tập trung: " + "; ".join(subject_vi(t) for t in lagging) + ".")
    _paragraph(document, "Khó khăn, vướng mắc: …")
    _paragraph(document, "Kiến nghị, đề xuất: …")


def _closing(document, head: Letterhead) -> None:
    document.add_paragraph()
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, [8.0, 8.5])
    left, right = table.rows[0].cells
    _cell_text(left, "Nơi nhận:", bold=True, italic=True, size=12)
    for line in head.recipients:
        _paragraph(left, f"- {line}", size=11, indent=False).paragraph_format.space_after = Pt(0)
    _cell_text(right, head.signer_capacity, bold=True, size=13, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(right, head.signer_title, bold=True, size=13, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _paragraph(right, "\n\n\n", indent=False)
    _paragraph(right, head.signer_name or "…", bold=True, size=13, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
