"""Hamlet registers (household counts) from CSV (pure, no Django).

Columns: code, registered_households, population and optionally pilot_dra (1/0, yes/no,
có/không). Every bad row is reported with its line number; nothing is partially accepted.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass

REQUIRED = ("code", "registered_households", "population")
TRUE = {"1", "true", "yes", "y", "co", "có", "x"}
FALSE = {"0", "false", "no", "n", "khong", "không", ""}


class RegisterError(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class RegisterRow:
    code: str
    registered_households: int
    population: int
    pilot_dra: bool | None  # None when the column is absent: leave the flag as it is


def registers_parse(data: bytes) -> list[RegisterRow]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RegisterError(["The file is not UTF-8 text; save it as CSV UTF-8 / Lưu tệp dạng CSV UTF-8."])
    reader = csv.DictReader(io.StringIO(unicodedata.normalize("NFC", text)))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        shown = ", ".join(header) or "(empty)"
        raise RegisterError([f"Missing column(s) {', '.join(missing)}; the header is: {shown}"])
    has_pilot = "pilot_dra" in header
    rows, problems, seen = [], [], {}
    for line, raw in enumerate(reader, start=2):
        code = (raw.get("code") or "").strip()
        if not code:
            problems.append(f"line {line}: empty code")
            continue
        if code in seen:
            problems.append(f"line {line}: code {code} already on line {seen[code]}")
            continue
        seen[code] = line
        numbers = {}
        for column in ("registered_households", "population"):
            value = (raw.get(column) or "").strip().replace(",", "").replace(".", "")
            if not value.isdigit():
                problems.append(f"line {line} ({code}): {column} must be a whole number ≥ 0, got {raw.get(column)!r}")
                break
            numbers[column] = int(value)
        else:
            if numbers["population"] < numbers["registered_households"]:
                problems.append(f"line {line} ({code}): population is smaller than registered_households")
                continue
            pilot = None
            if has_pilot:
                flag = (raw.get("pilot_dra") or "").strip().lower()
                if flag not in TRUE | FALSE:
                    problems.append(f"line {line} ({code}): pilot_dra must be 1/0 (yes/no), got {flag!r}")
                    continue
                pilot = flag in TRUE
            rows.append(RegisterRow(code, numbers["registered_households"], numbers["population"], pilot))
    if problems:
        raise RegisterError(problems)
    if not rows:
        raise RegisterError(["The file has no data rows."])
    return rows
