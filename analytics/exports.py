"""Outputs from result tables: CSV (UTF-8 with BOM), XLSX (one sheet per level, Vietnamese
headers), GeoPackage (QGIS), GeoJSON (web maps) and a choropleth PNG per indicator.

All functions take already-suppressed tables when the reader has no microdata access; they
never look at roles themselves.
"""

from __future__ import annotations

import io
import json
import math
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd

from analytics.catalogue import BY_ID, UNIT_LABELS
from analytics.sample import TOO_FEW_TEXT
from analytics.spreadsheet_safety import neutralise_formula

MAX_LABELLED_HAMLETS = 80
ROW_HEADERS = {
    "indicator": "Mã chỉ tiêu",
    "label_vi": "Chỉ tiêu",
    "label_en": "Indicator",
    "hamlet": "Mã ấp",
    "hamlet_name": "Tên ấp",
    "round": "Đợt khảo sát",
    "unit_vi": "Đơn vị tính",
    "numerator": "Tử số",
    "denominator": "Mẫu số",
    "value": "Giá trị",
    "ci_low": "Cận dưới KTC 95%",
    "ci_high": "Cận trên KTC 95%",
    "target": "Chỉ tiêu kế hoạch",
    "target_year": "Năm mục tiêu",
    "met": "Đạt",
    "suppressed": "Ẩn (ô nhỏ)",
    "coverage": "Độ phủ khảo sát",
    # Added by issue 17 at the end (the columns before them are relied on by position).
    "target_op": "So sánh với chỉ tiêu",
    "reason": "Ghi chú",
    "reason_en": "Note",
    # Added by issue 12 at the end.
    "n": "Số đơn vị khảo sát (n)",
    "too_few": "Không đủ mẫu / Too few",
}
SUMMARY_HEADERS = {
    "round": "Đợt khảo sát",
    "hamlet": "Mã ấp",
    "name": "Tên ấp",
    "pilot": "Ấp điểm",
    "tier": "Mức",
    "bb_met": "Số tiêu chí BB đạt",
    "bb_total": "Số tiêu chí BB",
    "tc_met": "Số tiêu chí TC đạt",
    "tc_required": "Số TC cần đạt",
    "status": "Kết quả",
    "failing": "Tiêu chí chưa đạt",
}
COVERAGE_HEADERS = {
    "round": "Đợt khảo sát",
    "hamlet": "Mã ấp",
    "surveyed": "Số hộ đã khảo sát",
    "registered": "Số hộ theo sổ",
    "coverage": "Độ phủ",
    "refused": "Số hộ từ chối",
    "persons15": "Số người 15+",
    "adults18": "Số người 18+",
    "flagged": "Số hộ cần kiểm tra vị trí",
}


def rows_readable(rows: pd.DataFrame, hamlet_names: dict[str, str] | None = None) -> pd.DataFrame:
    """Indicator rows with labels, rounded, in reading order."""
    names = hamlet_names or {}
    out = rows.copy()
    out["label_vi"] = out["indicator"].map(lambda i: BY_ID[i].label_vi if i in BY_ID else i)
    out["label_en"] = out["indicator"].map(lambda i: BY_ID[i].label_en if i in BY_ID else i)
    out["unit_vi"] = out["unit"].map(lambda u: UNIT_LABELS.get(u, (u, u))[0])
    out["hamlet_name"] = out["hamlet"].map(lambda h: names.get(h, "") if isinstance(h, str) else "Toàn xã")
    if "suppressed" not in out:
        out["suppressed"] = False
    for column in ("numerator", "denominator", "value", "ci_low", "ci_high"):
        out[column] = pd.to_numeric(out[column], errors="coerce").round(1)
    if "n" in out:
        out["n"] = pd.to_numeric(out["n"], errors="coerce").round().astype("Int64")
    if "too_few" in out:
        few = out["too_few"].astype(object).where(out["too_few"].notna(), False).astype(bool)
        out["too_few"] = few.map({True: TOO_FEW_TEXT, False: ""})
    out["met"] = out["met"].map(
        lambda m: "" if m is None or (isinstance(m, float) and math.isnan(m)) else ("Đạt" if m else "Chưa đạt")
    )
    order = list(BY_ID)
    out["_order"] = out["indicator"].map({i: n for n, i in enumerate(order)})
    out["_commune"] = out["hamlet"].notna()
    out = out.sort_values(["round", "_order", "_commune", "hamlet"], na_position="first")
    return out[[c for c in ROW_HEADERS if c in out.columns]]


def csv_bytes(rows: pd.DataFrame, hamlet_names: dict[str, str] | None = None) -> bytes:
    """UTF-8 with a byte-order mark: Excel on Windows then shows Vietnamese correctly."""
    readable = rows_readable(rows, hamlet_names).rename(columns=ROW_HEADERS)
    return text_cells_neutralised(readable).to_csv(index=False).encode("utf-8-sig")


def text_cells_neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula (=, +, -, @…) made inert.
    Hamlet names and labels come from imports and forms, so they are not trusted either.
    Only text columns are visited: numbers stay numbers."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = _column_neutralised(out[column])
    return out


def _column_neutralised(values: pd.Series) -> pd.Series:
    """`neutralise_formula` decided once per distinct value (a province's export has ~1M text
    cells but a few thousand distinct texts; per cell it took 1 s), and the column left
    untouched, dtype included, when none of its texts would run."""
    distinct = pd.unique(values)
    changed = {value: neutralise_formula(value) for value in distinct if neutralise_formula(value) is not value}
    if not changed:
        return values
    hit = values.isin(list(changed)).to_numpy()
    out = values.astype(object)
    out.iloc[hit] = [changed[value] for value in values.to_numpy()[hit]]
    return out


def xlsx_bytes(
    rows: pd.DataFrame,
    scorecard: pd.DataFrame,
    summary: pd.DataFrame,
    coverage: pd.DataFrame,
    hamlet_names: dict[str, str] | None = None,
) -> bytes:
    readable = rows_readable(rows, hamlet_names)
    commune = readable[readable["hamlet"].isna()].drop(columns=["hamlet", "hamlet_name"])
    hamlet = readable[readable["hamlet"].notna()]
    sheets = {
        "Toàn xã": commune.rename(columns=ROW_HEADERS),
        "Theo ấp": hamlet.rename(columns=ROW_HEADERS),
        "Tiêu chí KDC CĐS": scorecard_wide(scorecard),
        "Tổng hợp KDC CĐS": _pick(
            summary.assign(
                failing=summary.get("failing", pd.Series(dtype=object)).map(
                    lambda f: ", ".join(f) if isinstance(f, list) else ""
                )
            ),
            SUMMARY_HEADERS,
        ),
        "Độ phủ khảo sát": _pick(coverage, COVERAGE_HEADERS),
    }
    import rustpy_xlsxwriter

    cleaned = {name: _cells_plain(text_cells_neutralised(frame)) for name, frame in sheets.items()}
    buffer = io.BytesIO()
    # Written from the DataFrames by rust_xlsxwriter (the Rust port of xlsxwriter, same
    # author): a province's ~1M cells take under a second instead of ~4.5 s of per-cell
    # Python. Text is always written as text, never as a formula or a link.
    rustpy_xlsxwriter.write_worksheets(
        list(cleaned.items()),
        buffer,
        freeze_panes={"general": {"row": 1, "col": 0}},
        bold_headers=True,
        column_widths={name: _column_widths(frame) for name, frame in cleaned.items()},
        dedupe_strings={"general": True},
    )
    return buffer.getvalue()


def _cells_plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as ISO text and pandas' nullable types as plain values with None: the writer
    refuses NaT and pd.NA."""
    out = {}
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_datetime64_any_dtype(column):
            out[name] = column.dt.strftime("%Y-%m-%d").astype(object).where(column.notna(), None)
        elif isinstance(column.dtype, pd.api.extensions.ExtensionDtype) and not isinstance(
            column.dtype, pd.CategoricalDtype
        ):
            out[name] = column.astype(object).where(column.notna(), None)
        else:
            out[name] = column
    return pd.DataFrame(out, columns=frame.columns, index=frame.index)


def _column_widths(frame: pd.DataFrame) -> list[float]:
    """Wide enough for the header and the first rows' values, within 8–60 characters."""
    sample = frame.head(200)
    return [
        float(min(60, max(8, max([len(str(column))] + [len(str(v)) for v in sample[column].tolist()]) + 2)))
        for column in frame.columns
    ]


def scorecard_wide(scorecard: pd.DataFrame) -> pd.DataFrame:
    """One row per hamlet, round and tier; for each criterion its value and its result.

    Easier to read in Excel than one row per criterion, and 10× fewer cells for a province."""
    if scorecard is None or scorecard.empty:
        return pd.DataFrame(columns=["Đợt khảo sát", "Mã ấp", "Mức"])
    keys = ["round", "hamlet", "tier"]
    frame = scorecard.assign(value=pd.to_numeric(scorecard["value"], errors="coerce").round(1))
    values = frame.pivot_table(index=keys, columns="criterion", values="value", aggfunc="first", dropna=False)
    status = frame.pivot_table(index=keys, columns="criterion", values="status", aggfunc="first")
    order = [c for c in BY_ID if c in values.columns]
    columns = {}
    for criterion in order:
        columns[f"{criterion} giá trị"] = values[criterion]
        columns[f"{criterion} kết quả"] = status[criterion].reindex(values.index) if criterion in status else None
    wide = pd.DataFrame(columns, index=values.index).reset_index()
    return wide.rename(columns={"round": "Đợt khảo sát", "hamlet": "Mã ấp", "tier": "Mức"})


def _pick(frame: pd.DataFrame, headers: dict[str, str]) -> pd.DataFrame:
    if frame is None or frame.empty:
        return pd.DataFrame(columns=list(headers.values()))
    return frame[[c for c in headers if c in frame.columns]].rename(columns=headers)


def hamlet_values(hamlets: gpd.GeoDataFrame, rows: pd.DataFrame, indicator: str, round_name: str) -> gpd.GeoDataFrame:
    """Hamlets with the indicator's row for one round merged in (NaN where no data)."""
    selected = rows[(rows["indicator"] == indicator) & (rows["round"] == round_name) & rows["hamlet"].notna()]
    columns = ["hamlet", "numerator", "denominator", "value", "ci_low", "ci_high", "target", "target_year", "met"]
    columns += [c for c in ("target_op", "reason", "reason_en", "suppressed", "n", "too_few") if c in selected]
    merged = hamlets.merge(selected[columns], left_on="code", right_on="hamlet", how="left")
    return merged.drop(columns="hamlet")


def geojson_dict(hamlets: gpd.GeoDataFrame, rows: pd.DataFrame, indicator: str, round_name: str) -> dict:
    merged = hamlet_values(hamlets, rows, indicator, round_name)
    features = []
    for record in merged.to_dict("records"):
        geometry = record.pop("geometry")
        properties = {k: _json_value(v) for k, v in record.items()}
        properties.update({"indicator": indicator, "round": round_name})
        features.append(
            {
                "type": "Feature",
                "geometry": None if geometry is None or geometry.is_empty else geometry.__geo_interface__,
                "properties": properties,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _json_value(value):
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def gpkg_bytes(hamlets: gpd.GeoDataFrame, rows: pd.DataFrame) -> bytes:
    """A GeoPackage with one layer: a feature per hamlet and round, one column per indicator
    value (and `<id>_dat` for met), in EPSG:4326. Opens in QGIS as is."""
    hamlet_rows = rows[rows["hamlet"].notna()]
    values = hamlet_rows.pivot_table(
        index=["hamlet", "round"], columns="indicator", values="value", aggfunc="first", dropna=False
    )
    met = hamlet_rows.assign(met=hamlet_rows["met"].map(lambda m: None if m is None else int(bool(m)))).pivot_table(
        index=["hamlet", "round"], columns="indicator", values="met", aggfunc="first"
    )
    met.columns = [f"{c}_dat" for c in met.columns]
    wide = values.join(met).reset_index()
    layer = hamlets[hamlets.geometry.notna()].merge(wide, left_on="code", right_on="hamlet", how="inner")
    layer = layer.drop(columns=["hamlet"])
    for column in layer.columns:
        if layer[column].dtype == object and column != "geometry":
            layer[column] = layer[column].map(lambda v: None if v is None else str(v))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "chi_so_ap.gpkg"
        layer.to_file(path, layer="chi_so_ap", driver="GPKG", engine="pyogrio")
        return path.read_bytes()


# The two sizes of the map. "screen": 8×8 in at 100 dpi, trimmed to its content (quick, for a
# page or an e-mail). "a4": a whole A4 portrait sheet at 300 dpi (2480×3508 px) for printing
# and pinning up at the commune office; not trimmed, so the sheet stays exactly A4.
MAP_SIZES = {"screen": {"figsize": (8, 8), "dpi": 100}, "a4": {"figsize": (8.27, 11.69), "dpi": 300}}
# On the sheet the colour bar lies under the map, and the map stays centred on the page.
PRINTED_LEGEND = {"orientation": "horizontal", "pad": 0.02, "fraction": 0.04, "panchor": (0.5, 0.5)}
TOO_FEW_COLOUR = "#bdbdbd"
NO_DATA_LABEL = "Không có số liệu / ẩn"


def choropleth_png(
    hamlets: gpd.GeoDataFrame,
    rows: pd.DataFrame,
    indicator: str,
    round_name: str,
    *,
    size: str = "screen",
    min_sample: int | None = None,
) -> bytes:
    """A static map: hamlets coloured by value, labelled, with a legend and a Vietnamese title.
    A hamlet whose value comes from fewer households than the minimum sample (`too_few`, the
    rule of analytics/sample.py; rows without the column are marked here with `min_sample`)
    is drawn grey and cross-hatched, labelled and listed in the legend as "không đủ mẫu /
    too few" — never coloured as if its percentage could be read."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure = choropleth_figure(hamlets, rows, indicator, round_name, size=size, min_sample=min_sample)
    try:
        buffer = io.BytesIO()
        printed = size == "a4"
        # dpi is written into the PNG (pHYs), so a print dialog sizes the sheet as A4.
        dpi = MAP_SIZES[size]["dpi"]
        figure.savefig(buffer, format="png", dpi=dpi, **({} if printed else {"bbox_inches": "tight"}))
        return buffer.getvalue()
    finally:
        plt.close(figure)


def choropleth_figure(
    hamlets: gpd.GeoDataFrame,
    rows: pd.DataFrame,
    indicator: str,
    round_name: str,
    *,
    size: str = "screen",
    min_sample: int | None = None,
):
    """The matplotlib figure `choropleth_png` saves (the caller closes it)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    if "too_few" not in rows and min_sample is not None and not rows.empty:
        from analytics.sample import rows_sample_marked

        rows = rows_sample_marked(rows, min_sample)
    merged = hamlet_values(hamlets, rows, indicator, round_name)
    merged = merged[merged.geometry.notna()]
    definition = BY_ID[indicator]
    page = MAP_SIZES[size]
    printed = size == "a4"
    figure, axes = plt.subplots(figsize=page["figsize"], dpi=page["dpi"])
    if printed:  # margins of a printed sheet; the legend goes under the map
        figure.subplots_adjust(left=0.06, right=0.94, top=0.9, bottom=0.08)
    if merged.empty:
        axes.text(0.5, 0.5, "Chưa có ranh giới ấp / no hamlet boundaries", ha="center", va="center")
    else:
        merged = merged.assign(value=pd.to_numeric(merged["value"], errors="coerce"))
        few = merged["too_few"].fillna(False).astype(bool) if "too_few" in merged else pd.Series(False, merged.index)
        # Hamlet figures of yes/no kinds are 100/0 (the DRA standard too): a percent scale.
        percent = definition.kind in ("proportion", "binary", "dra_count")
        if (~few).any():
            merged[~few].plot(
                column="value",
                ax=axes,
                legend=True,
                cmap="YlGn",
                edgecolor="#555555",
                linewidth=0.6,
                vmin=0,
                vmax=100 if percent else None,
                missing_kwds={"color": "#dddddd", "hatch": "///", "label": NO_DATA_LABEL},
                legend_kwds={
                    "label": "%" if percent else "số lượng",
                    "shrink": 0.6,
                    **(PRINTED_LEGEND if printed else {}),
                },
            )
        if few.any():
            merged[few].plot(
                ax=axes, color=TOO_FEW_COLOUR, hatch="xxx", edgecolor="#555555", linewidth=0.6, gid="too_few"
            )
            axes.legend(
                handles=[
                    Patch(facecolor=TOO_FEW_COLOUR, hatch="xxx", edgecolor="#555555", label=_too_few_label(min_sample))
                ],
                loc="lower left",
                fontsize=10 if printed else 8,
                frameon=True,
            )
        # Labels stay readable up to a commune's few dozen hamlets; a province map shows
        # colours only.
        labelled = merged.itertuples() if len(merged) <= MAX_LABELLED_HAMLETS else ()
        for record, is_few in zip(labelled, few, strict=False):
            point = record.geometry.representative_point()
            text = record.name if isinstance(record.name, str) else record.code
            n = getattr(record, "n", None)
            carries_n = n is not None and not pd.isna(n)  # every figure carries its n
            if is_few:
                text = f"{text}\n{TOO_FEW_TEXT}" + (f" (n = {int(n)})" if carries_n else "")
            elif not pd.isna(record.value):
                text = f"{text}\n{record.value:.0f}" + (f" (n = {int(n)})" if carries_n else "")
            axes.annotate(text, (point.x, point.y), ha="center", va="center", fontsize=9 if printed else 7)
    title = f"{definition.id} – {definition.label_vi}\nĐợt khảo sát {round_name}"
    if printed:
        figure.suptitle(title, fontsize=14, wrap=True)
        figure.text(0.06, 0.02, "Nguồn: khảo sát hộ gia đình xã Phú Lâm", fontsize=8, color="#555555")
    else:
        axes.set_title(title, fontsize=10, wrap=True)
    axes.set_axis_off()
    return figure


def _too_few_label(min_sample: int | None) -> str:
    return TOO_FEW_TEXT[0].upper() + TOO_FEW_TEXT[1:] + (f" (n < {min_sample})" if min_sample else "")


def json_safe(frame: pd.DataFrame) -> list[dict]:
    """Records with NaN → None and numpy scalars → Python, ready for JSON."""
    if frame is None or frame.empty:
        return []
    records = json.loads(frame.to_json(orient="records", force_ascii=False, date_format="iso"))
    return records


def frame_from_split(value) -> pd.DataFrame:
    """A table stored as {"columns": [...], "data": [[...], ...]} (a list of records is
    accepted too)."""
    if isinstance(value, dict):
        return pd.DataFrame(value.get("data", []), columns=value.get("columns", []))
    return pd.DataFrame(value or [])


def tables_pack(tables: dict[str, pd.DataFrame | None]) -> bytes:
    """Several tables as gzip-compressed JSON ({name: {"columns", "data"}}), serialised by
    pandas in C: storing a province's results as JSON rows through an ORM JSON field took
    seconds; this takes a fraction of one."""
    import gzip

    parts = []
    for name, frame in tables.items():
        if frame is None or frame.empty:
            body = json.dumps({"columns": [] if frame is None else list(frame.columns), "data": []})
        else:
            # orient="values" is serialised in C; pandas 3 builds orient="split" row by row
            # in Python (4× slower: 1.1 s against 0.3 s for a province's scorecard).
            values = frame.to_json(orient="values", force_ascii=False, date_format="iso")
            body = f'{{"columns": {json.dumps(list(frame.columns), ensure_ascii=False)}, "data": {values}}}'
        parts.append(f"{json.dumps(name)}: {body}")
    return gzip.compress(("{" + ", ".join(parts) + "}").encode("utf-8"), compresslevel=1)


def tables_unpack(blob: bytes | memoryview | None) -> dict[str, pd.DataFrame]:
    import gzip

    if not blob:
        return {}
    data = json.loads(gzip.decompress(bytes(blob)))
    return {name: frame_from_split(value) for name, value in data.items()}


def table_unpack(text: str, name: str) -> pd.DataFrame | None:
    """One table of `tables_pack`'s decompressed text (`tables_text`), without parsing the
    others: a reader of the indicator rows alone skips the scorecard and the review (two
    thirds of a province's second of parsing). None when the table is not there.

    The table starts where its key is followed by the body `tables_pack` writes: inside the
    data every quote of a string is escaped, so that sequence occurs only at the top level.
    The value is parsed by the decoder `json.loads` uses: the same objects as `tables_unpack`."""
    start = text.find(f'{json.dumps(name)}: {{"columns": ')
    if start < 0:
        return None
    value, _end = _DECODER.raw_decode(text, start + len(json.dumps(name)) + 2)
    return frame_from_split(value)


def tables_text(blob: bytes | memoryview | None) -> str:
    import gzip

    return gzip.decompress(bytes(blob)).decode("utf-8") if blob else ""


_DECODER = json.JSONDecoder()
