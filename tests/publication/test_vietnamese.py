"""Numbers as a Vietnamese office writes them and as an announcer reads them."""

from datetime import date

import pytest

from backend.publication.narrative import target_sentence_spoken_vi, target_sentence_vi
from backend.publication.vietnamese import date_line_vi, number_vi, number_words_vi, percent_words_vi
from tests.publication.builders import target_figure


@pytest.mark.parametrize(
    ("value", "text"),
    [(87.44, "87,4"), (95.0, "95,0"), (1500, "1.500"), (12345.67, "12.345,7"), (None, "—"), (0.05, "0,1")],
)
def test_figures_use_a_decimal_comma_and_a_thousands_dot(value, text):
    assert number_vi(value) == text


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (87.4, "tám mươi bảy phẩy bốn"),
        (0.5, "không phẩy năm"),
        (10, "mười"),
        (15, "mười lăm"),
        (21, "hai mươi mốt"),
        (24, "hai mươi tư"),
        (25, "hai mươi lăm"),
        (105, "một trăm lẻ năm"),
        (110, "một trăm mười"),
        (1005, "một nghìn không trăm lẻ năm"),
        (2027, "hai nghìn không trăm hai mươi bảy"),
        (1_234_567, "một triệu hai trăm ba mươi tư nghìn năm trăm sáu mươi bảy"),
    ],
)
def test_numbers_are_written_out_the_way_they_are_read_aloud(value, words):
    assert number_words_vi(value) == words


def test_a_percentage_is_read_with_its_unit():
    assert percent_words_vi(87.4) == "tám mươi bảy phẩy bốn phần trăm"


def test_the_date_line_follows_decree_30_leading_zeros():
    assert date_line_vi("Phú Lâm", date(2026, 2, 3)) == "Phú Lâm, ngày 03 tháng 02 năm 2026"
    assert date_line_vi("Phú Lâm", date(2026, 12, 14)) == "Phú Lâm, ngày 14 tháng 12 năm 2026"


def test_the_target_sentence_reads_like_the_commune_writes_it():
    assert target_sentence_vi(target_figure(), "2027", "2025") == (
        "Tỷ lệ hộ có thành viên dùng điện thoại thông minh đạt 87,4 % (KTC 95 %: 85,1–89,5 %), chưa đạt chỉ "
        "tiêu từ 95 % trở lên năm 2027; tăng 6,2 điểm % so với đợt 2025."
    )


def test_a_strict_target_says_more_than_and_a_fall_says_so():
    sentence = target_sentence_vi(target_figure(op=">", target=70.0, value=71.0, met=True, change=-1.5), "2027", "2025")
    assert "đạt chỉ tiêu trên 70 % năm 2027; giảm 1,5 điểm % so với đợt 2025." in sentence


def test_the_spoken_sentence_has_no_digit_left():
    spoken = target_sentence_spoken_vi(target_figure(), "2027", "2025")
    assert "tám mươi bảy phẩy bốn phần trăm" in spoken
    assert "tăng sáu phẩy hai điểm phần trăm so với đợt hai nghìn không trăm hai mươi lăm" in spoken
    assert not any(c.isdigit() for c in spoken)


def test_a_hidden_cell_says_why_instead_of_a_figure():
    sentence = target_sentence_vi(target_figure(suppressed=True, value=None), "2027", "2025", min_cell=5)
    assert "được ẩn vì có dưới 5 đơn vị khảo sát" in sentence
    assert "%" not in sentence.split(":")[1]
