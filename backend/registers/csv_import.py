"""The commune's own household list, from CSV (pure: no Django).

Columns (header names, any order; `ap` and `ma_ho` required):
  name     the household's UUID (optional: a row without one is matched by ap + ma_ho, or new)
  ap       hamlet code            ma_ho    household code (unique in its hamlet)
  label    what volunteers see (optional: built from ap, ma_ho and ten_goi or mo_ta)
  ten_goi  head's given name      mo_ta    house description
  lat, lon or geometry ("lat lon [alt acc]", as ODK writes a geopoint)
Every bad row is reported with its line number (the header is line 1); the caller imports
nothing while one is wrong. Text is NFC-normalised; a UTF-8 BOM (Excel) is accepted.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import uuid
from dataclasses import dataclass

REQUIRED = ("ap", "ma_ho")
KNOWN = ("name", "label", "ap", "ma_ho", "ten_goi", "mo_ta", "lat", "lon", "geometry", "__version")
MAX_ROWS = 200_000
LIMITS = {"label": 300, "ap": 32, "ma_ho": 32, "ten_goi": 100, "mo_ta": 300}


@dataclass(frozen=True)
class ImportRow:
    line: int
    name: uuid.UUID | None
    ap: str
    ma_ho: str
    label: str
    ten_goi: str
    mo_ta: str
    geometry: str  # "lat lon 0 0" or ""

    @property
    def properties(self) -> dict[str, str]:
        return {
            "ap": self.ap,
            "ma_ho": self.ma_ho,
            "ten_goi": self.ten_goi,
            "mo_ta": self.mo_ta,
            "geometry": self.geometry,
        }


@dataclass(frozen=True)
class RowProblem:
    line: int
    message: str  # bilingual, Vietnamese first

    def as_dict(self) -> dict:
        return {"line": self.line, "message": self.message}


class HouseholdListError(ValueError):
    def __init__(self, problems: list[RowProblem]):
        self.problems = problems
        super().__init__("; ".join(f"line {p.line}: {p.message}" for p in problems))


def households_parse(data: bytes) -> list[ImportRow]:
    """The rows of a household list; raises HouseholdListError naming every bad line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HouseholdListError(
            [
                RowProblem(
                    0,
                    f"Tệp không phải UTF-8 (byte {exc.start}); lưu dạng CSV UTF-8. / "
                    "The file is not UTF-8 text; save it as CSV UTF-8.",
                )
            ]
        )
    reader = csv.DictReader(io.StringIO(unicodedata.normalize("NFC", text), newline=""))
    header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise HouseholdListError(
            [RowProblem(1, f"Thiếu cột {', '.join(missing)} / missing column(s) {', '.join(missing)}")]
        )
    unknown = [h for h in header if h and h not in KNOWN]
    problems: list[RowProblem] = []
    if unknown:
        problems.append(RowProblem(1, f"Cột không rõ: {', '.join(unknown)} / unknown column(s): {', '.join(unknown)}"))
    rows: list[ImportRow] = []
    seen_codes: dict[tuple[str, str], int] = {}
    seen_names: dict[uuid.UUID, int] = {}
    for record in reader:
        line = reader.line_num
        if len(rows) >= MAX_ROWS:
            problems.append(RowProblem(line, f"Quá {MAX_ROWS} dòng / more than {MAX_ROWS} rows"))
            break
        if None in record:
            problems.append(RowProblem(line, "Dòng có nhiều ô hơn tiêu đề / more cells than header columns"))
            continue
        values = {k: (v or "").strip() for k, v in record.items() if k}
        if not any(values.values()):
            continue  # a blank line
        row, row_problems = _row(line, values)
        problems += row_problems
        if row is None:
            continue
        key = (row.ap, row.ma_ho)
        if key in seen_codes:
            problems.append(
                RowProblem(
                    line,
                    f"Mã hộ {row.ma_ho} của ấp {row.ap} trùng dòng {seen_codes[key]} / "
                    f"household code {row.ma_ho} in {row.ap} repeats line {seen_codes[key]}",
                )
            )
            continue
        seen_codes[key] = line
        if row.name is not None:
            if row.name in seen_names:
                problems.append(
                    RowProblem(
                        line, f"name trùng dòng {seen_names[row.name]} / name repeats line {seen_names[row.name]}"
                    )
                )
                continue
            seen_names[row.name] = line
        rows.append(row)
    if problems:
        raise HouseholdListError(problems)
    return rows


def _row(line: int, values: dict[str, str]) -> tuple[ImportRow | None, list[RowProblem]]:
    problems = []
    for column in REQUIRED:
        if not values.get(column):
            problems.append(RowProblem(line, f"Thiếu {column} / {column} is empty"))
    for column, limit in LIMITS.items():
        if len(values.get(column, "")) > limit:
            problems.append(RowProblem(line, f"{column} dài quá {limit} ký tự / {column} longer than {limit}"))
    name = None
    if values.get("name"):
        try:
            name = uuid.UUID(values["name"].removeprefix("uuid:"))
        except ValueError:
            problems.append(RowProblem(line, f"name không phải UUID: {values['name']!r} / name is not a UUID"))
    geometry, geo_problem = _geometry(values)
    if geo_problem:
        problems.append(RowProblem(line, geo_problem))
    if problems:
        return None, problems
    ap, ma_ho = values["ap"], values["ma_ho"]
    label = values.get("label") or " · ".join(
        p for p in (ap, ma_ho, values.get("ten_goi") or values.get("mo_ta", "")) if p
    )
    return ImportRow(line, name, ap, ma_ho, label, values.get("ten_goi", ""), values.get("mo_ta", ""), geometry), []


def _geometry(values: dict[str, str]) -> tuple[str, str]:
    if values.get("geometry"):
        parts = values["geometry"].split()
        lat_text, lon_text = (parts + ["", ""])[:2]
    else:
        lat_text, lon_text = values.get("lat", ""), values.get("lon", "")
    if not lat_text and not lon_text:
        return "", ""
    try:
        lat, lon = float(lat_text.replace(",", ".")), float(lon_text.replace(",", "."))
    except ValueError:
        return "", f"Toạ độ không phải số: {lat_text!r} {lon_text!r} / coordinates are not numbers"
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return "", f"Toạ độ ngoài phạm vi: {lat} {lon} / coordinates out of range"
    return f"{lat} {lon} 0 0", ""
