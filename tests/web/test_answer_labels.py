"""Answers shown as the form asked them: labels and choice names from the form's schema."""

from pyxform.xls2xform import convert

from backend.web.xform_labels import answer_rows, form_labels
from tests.helpers import xlsform_bytes


def xform(**kwargs) -> bytes:
    return convert(xlsform=xlsform_bytes(**kwargs), file_type=".xlsx").xform.encode()


def test_a_ranking_is_shown_with_its_choice_labels_in_the_order_given():
    labels = form_labels(
        xform(
            survey=[["rank uu_tien", "uu_tien", "Ưu tiên"], ["select_multiple uu_tien", "chon", "Chọn"]],
            choices=[["uu_tien", "dien", "Điện"], ["uu_tien", "nuoc", "Nước"]],
        )
    )
    rows = answer_rows({"uu_tien": "nuoc dien", "chon": "dien"}, labels)
    assert [(r.label, r.value) for r in rows] == [("Ưu tiên", "Nước, Điện"), ("Chọn", "Điện")]


def test_repeat_instances_are_numbered_and_their_questions_indented():
    labels = form_labels(
        xform(survey=[["begin_repeat", "tv", "Thành viên"], ["text", "ten", "Tên"], ["end_repeat", "", ""]])
    )
    rows = answer_rows({"tv": [{"ten": "An"}, {"ten": "Bình"}]}, labels)
    assert [(r.label, r.value, r.depth) for r in rows] == [
        ("Thành viên #1", "", 0),
        ("Tên", "An", 1),
        ("Thành viên #2", "", 0),
        ("Tên", "Bình", 1),
    ]
