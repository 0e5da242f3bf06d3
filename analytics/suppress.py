"""Small-cell suppression for roles without access to microdata.

A cell (one hamlet or the commune, one indicator, one round) built from fewer than
`min_cell` people-describing units (households, persons, stalls) shows no value, numerator,
interval or verdict, and says so with `suppressed: true`. Hamlet-level facts (does the hamlet
have free wifi?) describe no person and are never suppressed. The denominator stays: it is
the number of units, which the coverage table shows anyway.
"""

from __future__ import annotations

import pandas as pd

from analytics.catalogue import PEOPLE_UNITS

HIDDEN_VI = "Ẩn (dưới {n} đơn vị)"


def small_cells(frame: pd.DataFrame, min_cell: int) -> pd.Series:
    n_units = pd.to_numeric(frame["n_units"], errors="coerce").fillna(0)
    return frame["unit"].isin(PEOPLE_UNITS) & (n_units > 0) & (n_units < min_cell)


def rows_suppress(rows: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    small = small_cells(rows, min_cell)
    out = rows.copy()
    out["suppressed"] = small
    for column in ("numerator", "value", "ci_low", "ci_high", "met"):
        out[column] = out[column].astype(object).where(~small, None)
    return out


def scorecard_suppress(detail: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    if detail.empty:
        return detail.assign(suppressed=False)
    small = small_cells(detail, min_cell)
    out = detail.copy()
    out["suppressed"] = small
    for column in ("value", "met", "gap_pp", "gap"):
        out[column] = out[column].astype(object).where(~small, None)
    out["status"] = out["status"].where(~small, HIDDEN_VI.format(n=min_cell))
    out["status_en"] = out["status_en"].where(~small, f"Hidden (fewer than {min_cell} units)")
    return out
