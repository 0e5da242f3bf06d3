"""Survey rounds: which declared round each submission belongs to, and the tier it is judged by.

Rounds are declared, never guessed. Precedence:
1. a manual assignment (`override`: a reviewer put the submission in a named round);
2. the declared round (name, target year, start, end) whose date window holds the survey date
   (windows must not overlap; if they do, the earliest-starting one wins).
Anything else is *unassigned* (round ""): it is kept, listed for review, and counted nowhere.
The form's own round field (`dot_ks`) and the calendar year are not used: a December-2026 test
interview must not create a "2026" round that nobody declared.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

UNASSIGNED = ""
# The targets of Resolution 57 are set for these years (analytics.catalogue targets).
TARGET_YEARS = (2025, 2027, 2030)
# The scorecard ("Khu dân cư chuyển đổi số") has criteria for two tiers only.
SCORECARD_TIERS = (2027, 2030)


@dataclass(frozen=True)
class Round:
    name: str
    start: date
    end: date  # inclusive
    target_year: int | None = None  # the tier its figures are judged against


# The rounds every database starts with (the reports migration creates the same rows): one per
# target year, the calendar year as its window, which leadership then edits.
DEFAULT_ROUNDS: tuple[Round, ...] = tuple(Round(str(y), date(y, 1, 1), date(y, 12, 31), y) for y in TARGET_YEARS)


def rounds_assign(
    survey_date: pd.Series, override: pd.Series | None, rounds: Sequence[Round] | None = None
) -> pd.Series:
    """The round name per row ("" = unassigned). `survey_date` is datetime64 (NaT allowed);
    `override` the manually assigned round name per row ("" or missing = none)."""
    rounds = DEFAULT_ROUNDS if rounds is None else rounds
    result = pd.Series(UNASSIGNED, index=survey_date.index, dtype=object)
    decided = pd.Series(False, index=survey_date.index)
    if override is not None:
        # Strip each distinct value once: a million rows carry a handful of round names.
        codes, uniques = pd.factorize(override, use_na_sentinel=True)
        stripped = np.array([str(u).strip() for u in uniques] + [""], dtype=object)  # code -1 (missing) → ""
        manual = pd.Series(stripped[codes], index=override.index)
        declared = {r.name for r in rounds}
        use = manual.isin(declared)
        result[use] = manual[use]
        decided |= use
    for round_ in sorted(rounds, key=lambda r: (r.start, r.name)):
        inside = ~decided & (survey_date >= pd.Timestamp(round_.start)) & (survey_date <= pd.Timestamp(round_.end))
        result[inside] = round_.name
        decided |= inside
    return result


def tier_for_round(name: str, rounds: Sequence[Round] | None = None) -> int | None:
    """The target year a declared round's figures are judged against (None: not declared).
    A round declared without a target year is judged by its window's end year."""
    for round_ in DEFAULT_ROUNDS if rounds is None else rounds:
        if round_.name == name:
            return round_.target_year if round_.target_year is not None else round_.end.year
    return None


def scorecard_tier(target_year: int | None) -> int:
    """The scorecard tier for a round's target year: the first tier not before it, else the last."""
    if target_year is None:
        return SCORECARD_TIERS[0]
    return next((tier for tier in SCORECARD_TIERS if tier >= target_year), SCORECARD_TIERS[-1])


def windows_overlapping(rounds: Sequence[Round]) -> list[tuple[str, str]]:
    """Pairs of round names whose date windows share at least one day."""
    ordered = sorted(rounds, key=lambda r: (r.start, r.name))
    clashes = []
    for i, first in enumerate(ordered):
        for second in ordered[i + 1 :]:
            if second.start <= first.end:
                clashes.append((first.name, second.name))
    return clashes
