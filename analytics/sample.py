"""The minimum sample: a value from fewer units than this is not a figure anyone should read.

Every indicator row carries its n (the surveyed households, or stalls, behind it; persons-based
rows count the households too, as the suppression rule does). A survey value from fewer than
`min_sample` (setting ANALYTICS_MIN_SAMPLE, default 30 households for a hamlet value) is marked
`too_few`: the pages show "không đủ mẫu / too few" instead of a percentage whose interval is
degenerate. This is separate from small-cell suppression (ANALYTICS_MIN_CELL, 5), which hides
values from readers without microdata access to protect households; too_few hides nothing.
Rows that do not come from a sample (hamlet assessments, administrative figures) have no n.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DEFAULT_MIN_SAMPLE = 30
TOO_FEW_TEXT = "không đủ mẫu / too few"
SAMPLED_UNITS = {"household", "person15", "adult18", "stall"}


def rows_sample_marked(rows: pd.DataFrame, min_sample: int = DEFAULT_MIN_SAMPLE) -> pd.DataFrame:
    """`rows` with `n` (units behind the value, None where the row is no sample) and
    `too_few` (a sampled value from fewer than `min_sample` units)."""
    out = rows.copy()
    if out.empty:
        out["n"] = pd.Series(dtype=object)
        out["too_few"] = pd.Series(dtype=bool)
        return out
    units = out["unit"] if "unit" in out else pd.Series("", index=out.index)
    behind = pd.to_numeric(out["households"], errors="coerce") if "households" in out else None
    if behind is None:
        behind = pd.Series(np.nan, index=out.index)
    sampled = units.isin(SAMPLED_UNITS).to_numpy() & behind.notna().to_numpy()
    counts = behind.fillna(0).astype(int).to_numpy()
    out["n"] = pd.Series(np.where(sampled, counts, None), index=out.index, dtype=object)
    has_value = pd.to_numeric(out["value"], errors="coerce").notna().to_numpy() if "value" in out else sampled
    out["too_few"] = sampled & (counts < min_sample) & (has_value | (counts > 0))
    return out
