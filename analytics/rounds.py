"""Survey rounds: which round each submission belongs to.

Precedence, most deliberate first:
1. a round defined by the commune (name, start, end) whose date range holds the survey date;
2. the round field sent by the form (`dot_ks`, the interview year) or stored on the submission;
3. the calendar year of the survey date.
A submission without any of these goes to round "" (unknown) and is reported, not dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Round:
    name: str
    start: date
    end: date  # inclusive


def rounds_assign(survey_date: pd.Series, round_field: pd.Series, rounds: Sequence[Round]) -> pd.Series:
    """The round name per row. `survey_date` is datetime64 (NaT allowed), `round_field` text."""
    result = pd.Series("", index=survey_date.index, dtype=object)
    decided = pd.Series(False, index=survey_date.index)
    # Later definitions do not override earlier ones: ranges should not overlap, and if they
    # do the first (ordered by start) wins, which is what a reader of the list expects.
    for round_ in sorted(rounds, key=lambda r: (r.start, r.name)):
        inside = ~decided & (survey_date >= pd.Timestamp(round_.start)) & (survey_date <= pd.Timestamp(round_.end))
        result[inside] = round_.name
        decided |= inside
    # Strip each distinct value once: a million rows carry a handful of round names.
    codes, uniques = pd.factorize(round_field, use_na_sentinel=True)
    stripped = np.array([str(u).strip() for u in uniques] + [""], dtype=object)  # code -1 (missing) → ""
    field = pd.Series(stripped[codes], index=round_field.index)
    use_field = ~decided & (field != "")
    result[use_field] = field[use_field]
    decided |= use_field
    year = survey_date.dt.year
    use_year = ~decided & year.notna()
    result[use_year] = year[use_year].astype("Int64").astype(str)
    return result


def round_year(name: str, rounds: Sequence[Round] = ()) -> int | None:
    """The calendar year a round speaks for: its end date's year, or a year-named round."""
    for round_ in rounds:
        if round_.name == name:
            return round_.end.year
    digits = name.strip()[:4]
    return int(digits) if digits.isdigit() else None
