"""Generated sentences about a target, in the words the report and the loudspeakers use.

    "Tỷ lệ hộ có thành viên dùng điện thoại thông minh … đạt 87,4 % (KTC 95 %: 85,1–89,5 %),
     chưa đạt chỉ tiêu từ 95 % trở lên năm 2027; tăng 6,2 điểm % so với đợt 2025."

The comparison is part of the target: "trên 70 %" (>) is not met at exactly 70.
"""

from __future__ import annotations

from backend.publication.figures import TargetFigure
from backend.publication.vietnamese import number_vi, number_words_vi, percent_words_vi

COUNT_UNITS_VI = {"model": "mô hình", "hamlet": "ấp"}
COUNT_UNITS_EN = {"model": "models", "hamlet": "hamlets"}


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def subject_vi(t: TargetFigure) -> str:
    """ "Tỷ lệ hộ …" for a proportion, the label itself for a count ("Số ấp đạt …")."""
    label = t.label_vi
    if label.startswith(("Tỷ lệ", "Số ")):
        return label
    return f"{'Tỷ lệ' if t.percent else 'Số'} {_lower_first(label)}"


def target_text_vi(t: TargetFigure, *, words: bool = False) -> str:
    """ "trên 70 %", "từ 95 % trở lên", "ít nhất 2 ấp" (spelled out with `words`)."""
    if t.target is None:
        return "—"
    if t.percent:
        amount = percent_words_vi(t.target, 0) if words else f"{number_vi(t.target, 1, trim=True)} %"
        return f"trên {amount}" if t.op == ">" else f"từ {amount} trở lên"
    amount = number_words_vi(t.target, 0) if words else number_vi(t.target, 0)
    unit = COUNT_UNITS_VI.get(t.unit, "")
    return f"{'hơn' if t.op == '>' else 'ít nhất'} {amount} {unit}".strip()


def target_text_en(t: TargetFigure) -> str:
    if t.target is None:
        return "—"
    unit = COUNT_UNITS_EN.get(t.unit, "")
    if t.target == 1:
        unit = unit.removesuffix("s")
    amount = f"{t.target:g} %" if t.percent else f"{t.target:g} {unit}".strip()
    return f"{'more than' if t.op == '>' else 'at least'} {amount}"


def value_text_vi(t: TargetFigure, *, words: bool = False) -> str:
    if t.percent:
        return percent_words_vi(t.value) if words else f"{number_vi(t.value)} %"
    unit = COUNT_UNITS_VI.get(t.unit, "")
    return f"{number_words_vi(t.value, 0) if words else number_vi(t.value, 0)} {unit}".strip()


def verdict_vi(met: bool | None) -> str:
    return {True: "Đạt", False: "Chưa đạt", None: "Chưa có số liệu"}[met]


def verdict_en(met: bool | None) -> str:
    return {True: "Met", False: "Not met", None: "No data"}[met]


def change_text_vi(t: TargetFigure, previous_round: str | None, *, words: bool = False) -> str:
    if t.change is None or previous_round is None:
        return ""
    unit = "điểm phần trăm" if words else "điểm %"
    if not t.percent:
        unit = COUNT_UNITS_VI.get(t.unit, "")
    size = abs(t.change)
    amount = number_words_vi(size, 1 if t.percent else 0) if words else number_vi(size, 1 if t.percent else 0)
    if round(size, 1) == 0:
        return f"không đổi so với đợt {previous_round}"
    direction = "tăng" if t.change > 0 else "giảm"
    return f"{direction} {amount} {unit} so với đợt {previous_round}".replace("  ", " ")


def target_sentence_vi(t: TargetFigure, round_name: str, previous_round: str | None, min_cell: int = 5) -> str:
    """One plain sentence per target for the report (figures in digits, comma decimals)."""
    subject = subject_vi(t)
    year = f" năm {t.target_year}" if t.target_year else ""
    if t.suppressed:
        return f"{subject}: số liệu đợt {round_name} được ẩn vì có dưới {min_cell} đơn vị khảo sát."
    if t.value is None:
        missing = "số liệu hành chính chưa được nhập" if t.administrative else "chưa có số liệu khảo sát"
        return f"{subject}: đợt {round_name} {missing}; chỉ tiêu {target_text_vi(t)}{year}."
    interval = ""
    if t.percent and t.ci_low is not None and t.ci_high is not None and not t.administrative:
        interval = f" (KTC 95 %: {number_vi(t.ci_low)}–{number_vi(t.ci_high)} %)"
    verdict = {True: "đạt", False: "chưa đạt", None: "chưa đánh giá được"}[t.met]
    verb = "đạt" if t.percent else "là"
    sentence = f"{subject} {verb} {value_text_vi(t)}{interval}, {verdict} chỉ tiêu {target_text_vi(t)}{year}"
    change = change_text_vi(t, previous_round)
    return f"{sentence}; {change}." if change else f"{sentence}."


def target_sentence_spoken_vi(t: TargetFigure, round_name: str, previous_round: str | None) -> str:
    """The same sentence for the loudspeaker: numbers written out, no symbols, no interval
    (an announcer reads it aloud once; listeners keep the figure and the verdict)."""
    subject = spoken_vi(subject_vi(t))
    year = f" năm {number_words_vi(t.target_year, 0)}" if t.target_year else ""
    if t.suppressed or t.value is None:
        return f"{subject}: chưa có số liệu công bố."
    verdict = {True: "đạt", False: "chưa đạt", None: "chưa đánh giá được"}[t.met]
    verb = "đạt" if t.percent else "là"
    value, target = value_text_vi(t, words=True), target_text_vi(t, words=True)
    sentence = f"{subject} {verb} {value}, {verdict} chỉ tiêu {target}{year}"
    change = change_text_vi(t, previous_round, words=True)
    if change:
        change = change.replace(f"đợt {previous_round}", f"đợt {_round_words(previous_round)}")
    return f"{sentence}; {change}." if change else f"{sentence}."


# Abbreviations an announcer would otherwise have to expand on the fly.
SPOKEN = {
    "KH, CN, ĐMST và CĐS": "khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số",
    "TTHC": "thủ tục hành chính",
    "(15+)": "từ mười lăm tuổi trở lên",
    "(30 ngày)": "trong ba mươi ngày qua",
    "(mức 2030)": "mức năm hai nghìn không trăm ba mươi",
    "(đã xác minh)": "đã được xác minh",
    " / ": " hoặc ",
    '"': "",
}


def spoken_vi(text: str) -> str:
    for written, said in SPOKEN.items():
        text = text.replace(written, said)
    return text


def _round_words(name: str) -> str:
    return number_words_vi(int(name), 0) if name.isdigit() else name


def target_sentence_en(t: TargetFigure, round_name: str, previous_round: str | None, min_cell: int = 5) -> str:
    if t.suppressed:
        return f"{t.label_en}: hidden in round {round_name} (fewer than {min_cell} units)."
    if t.value is None:
        return f"{t.label_en}: no data for round {round_name}; target {target_text_en(t)} by {t.target_year}."
    value = f"{t.value:.1f} %" if t.percent else f"{t.value:g}"
    verdict = {True: "meets", False: "does not yet meet", None: "cannot be judged against"}[t.met]
    sentence = f"{t.label_en}: {value}, {verdict} the {t.target_year} target of {target_text_en(t)}"
    if t.change is not None and previous_round:
        unit = " points" if t.percent else ""
        change = f"{t.change:+.1f}" if t.percent else f"{t.change:+g}"
        sentence += f"; {change}{unit} since round {previous_round}"
    return sentence + "."
