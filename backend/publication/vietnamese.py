"""Numbers and sentences the way a Vietnamese office writes and reads them.

* `number_vi(87.4)` → "87,4": comma decimal, dot thousands (TCVN / Nghị định 30 practice).
* `number_words_vi(87.4)` → "tám mươi bảy phẩy bốn": for the loudspeaker text, which an
  announcer reads aloud (or a text-to-speech engine speaks) without guessing at digits.
* `date_line_vi` → "Phú Lâm, ngày 03 tháng 12 năm 2026": Nghị định 30/2020/NĐ-CP writes days
  below 10 and the months January and February with a leading zero.
"""

from __future__ import annotations

import math
from datetime import date

DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
GROUPS = ["", "nghìn", "triệu", "tỷ"]


def is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number_vi(value, digits: int = 1, *, trim: bool = False) -> str:
    """87.44 → "87,4"; 12345 → "12.345"; None → "—". `trim`: 95.0 → "95" (targets, counts)."""
    if is_missing(value):
        return "—"
    number = round(float(value), digits)
    whole = number == int(number)
    text = f"{number:,.0f}" if not digits or (whole and (trim or abs(number) >= 1000)) else f"{number:,.{digits}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def signed_vi(value, digits: int = 1) -> str:
    if is_missing(value):
        return "—"
    prefix = "+" if round(float(value), digits) > 0 else ""
    return prefix + number_vi(value, digits)


def _below_thousand(n: int, *, full: bool) -> list[str]:
    """Words for 0 < n < 1000. `full`: a group after a higher one ("một nghìn không trăm
    lẻ năm"), which reads its hundreds and its zero tens aloud."""
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    words: list[str] = []
    if hundreds or full:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if ones and words:
            words += ["lẻ", DIGITS[ones]]  # Southern usage ("lẻ"), as the hamlet loudspeakers speak
        elif ones:
            words.append(DIGITS[ones])
        return words
    if tens == 1:
        words.append("mười")
    else:
        words += [DIGITS[tens], "mươi"]
    if ones == 1 and tens > 1:
        words.append("mốt")
    elif ones == 4 and tens > 1:
        words.append("tư")
    elif ones == 5:
        words.append("lăm")
    elif ones:
        words.append(DIGITS[ones])
    return words


def integer_words_vi(n: int) -> str:
    if n == 0:
        return "không"
    if n < 0:
        return "âm " + integer_words_vi(-n)
    groups = []
    while n:
        n, group = divmod(n, 1000)
        groups.append(group)
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            continue
        name = GROUPS[min(index, 3)]  # beyond "tỷ" is not a commune's number
        words += _below_thousand(group, full=bool(words))
        if name:
            words.append(name)
    return " ".join(words)


def number_words_vi(value, digits: int = 1) -> str:
    """87.4 → "tám mươi bảy phẩy bốn"; 0.5 → "không phẩy năm"; 12 → "mười hai"."""
    if is_missing(value):
        return "chưa có số liệu"
    number = round(float(value), digits)
    sign = "âm " if number < 0 else ""
    whole, _, fraction = f"{abs(number):.{digits}f}".partition(".")
    fraction = fraction.rstrip("0")
    text = integer_words_vi(int(whole))
    if fraction:
        # Read the decimals as a number ("phẩy bốn mươi lăm"), keeping a leading zero ("phẩy không năm").
        leading = len(fraction) - len(fraction.lstrip("0"))
        text += " phẩy " + " ".join(["không"] * leading + [integer_words_vi(int(fraction))])
    return sign + text


def percent_words_vi(value, digits: int = 1) -> str:
    if is_missing(value):
        return "chưa có số liệu"
    return f"{number_words_vi(value, digits)} phần trăm"


def date_vi(day: date) -> str:
    """ "ngày 03 tháng 12 năm 2026" (leading zeros for days < 10 and months 1–2)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def date_line_vi(place: str, day: date) -> str:
    return f"{place}, {date_vi(day)}"


def date_words_vi(day: date) -> str:
    """ "ngày bốn tháng mười hai năm hai nghìn không trăm hai mươi sáu" (read aloud)."""
    return f"ngày {integer_words_vi(day.day)} tháng {integer_words_vi(day.month)} năm {integer_words_vi(day.year)}"
