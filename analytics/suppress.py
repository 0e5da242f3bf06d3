"""Small-cell suppression for readers without access to microdata.

Three rules, in this order (issue 17):

1. **Primary.** A cell (one hamlet or the commune, one indicator, one round) that describes
   people (households, persons, stalls) is hidden when fewer than `min_cell` *households*
   stand behind it, or fewer than `min_cell` of its own units: the person rows of a
   4-household hamlet are hidden with its household rows, even when it has 6 persons 15+.
   A hamlet's verdict that rests on such cells (P2030_DRA_MODELS' hamlet row) is as small a
   cell as they are.

2. **Complementary.** The commune row of an indicator is Σ Wₕ p̂ₕ over the hamlets with a
   register figure, and Wₕ is public (registered households, persons surveyed). With one
   hidden hamlet, the commune numerator minus the published hamlets' p̂ₕ·Wₕ gives back the
   hidden one exactly (issue 17: eleven values of a 4-household hamlet recovered to within
   0.06 pp). So whenever a hidden cell enters a commune estimate, at least
   `COMPLEMENT_CELLS` (3) of that estimate's hamlet cells are hidden: the smallest other
   hamlets (fewest surveyed households, then code) are hidden with it. Three and not two,
   because a hamlet head sees their own hamlet unsuppressed (rule 3): the head of one
   complement knows their own cell, and two unknowns must still remain. When the estimate
   has fewer hamlets than that, its commune row is hidden instead. Hamlets left out of the
   commune estimate (no register figure, weight 0) give no equation and need no complement.

3. **Derived outputs.** A hamlet's scorecard verdict (đạt / chưa đạt, `bb_met`, `tc_met`,
   `failing*`) is hidden when any of its criteria cells is hidden, the failing lists keep
   only the criteria that are shown, and the commune count of hamlets meeting the standard
   (P2030_DRA_MODELS) is hidden when any hamlet verdict in it is hidden: a sum of 0/1
   verdicts would give the hidden ones back.

Hamlet-level facts (does the hamlet have free wifi?) describe no person and are never
hidden. The denominator stays: it is the number of units, which the coverage table shows
anyway. `own_hamlets` (a hamlet head's hamlets, whose households they review one by one)
are shown unsuppressed to that reader; the pattern of everything else does not depend on
who reads, so two readers comparing outputs learn nothing more than either alone.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from analytics.catalogue import BY_ID, DRA_COUNT, PEOPLE_UNITS

HIDDEN_VI = "Ẩn (dưới {n} đơn vị)"
HIDDEN_EN = "Hidden (fewer than {n} units)"
COMPLEMENT_CELLS = 3
COMPLEMENT_REASON = (
    "Ẩn bổ sung: để không suy ra được ô nhỏ của ấp khác từ số liệu toàn xã.",
    "Complementary suppression: hidden so that another hamlet's small cell cannot be derived from the commune figure.",
)
COMMUNE_REASON = (
    "Ẩn: quá ít ấp để số liệu toàn xã không làm lộ một ô nhỏ.",
    "Hidden: too few hamlets for the commune figure not to reveal a small cell.",
)
VERDICT_REASON = (
    "Ẩn: kết quả dựa trên một tiêu chí bị ẩn.",
    "Hidden: the verdict rests on a hidden criterion.",
)
VERDICTS_REASON = (
    "Ẩn: có ấp bị ẩn kết quả (ô nhỏ).",
    "Hidden: a hamlet's verdict in it is hidden (small cell).",
)

PRIMARY, COMPLEMENT, COMMUNE, VERDICT, VERDICTS = "primary", "complement", "commune", "verdict", "verdicts"
_DRA_IDS = {i.id for i in BY_ID.values() if i.kind == DRA_COUNT}


def _number(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series(0.0, index=frame.index)
    return pd.to_numeric(frame[column], errors="coerce").fillna(0.0)


def small_cells(frame: pd.DataFrame, min_cell: int) -> pd.Series:
    """Rule 1 on rows or scorecard criteria: people cells with too few households or units."""
    households = _number(frame, "households")
    units = _number(frame, "n_units")
    people = frame["unit"].isin(PEOPLE_UNITS)
    few_households = (households > 0) & (households < min_cell)
    few_units = (units > 0) & (units < min_cell)
    small = people & (few_households | few_units)
    if _DRA_IDS and "indicator" in frame:
        small |= frame["indicator"].isin(_DRA_IDS) & frame["hamlet"].notna() & few_households
    return small


def cells_hidden(rows: pd.DataFrame, min_cell: int) -> pd.Series:
    """Why each indicator row is hidden (PRIMARY, COMPLEMENT, COMMUNE, VERDICT, VERDICTS) or None.

    Vectorised: a province's ~60,000 rows are read on every request of a reader without
    microdata."""
    primary = small_cells(rows, min_cell).to_numpy()
    why = np.where(primary, PRIMARY, None).astype(object)
    if rows.empty:
        return pd.Series(why, index=rows.index, dtype=object)
    is_commune = rows["hamlet"].isna().to_numpy()
    people = rows["unit"].isin(PEOPLE_UNITS).to_numpy()
    entered = (
        ~is_commune & people & (_number(rows, "weight").to_numpy() > 0) & (_number(rows, "denominator").to_numpy() > 0)
    )
    group = rows.groupby(["round", "indicator"], sort=False, dropna=False).ngroup().to_numpy()
    n_groups = int(group.max()) + 1

    def per_group(mask: np.ndarray) -> np.ndarray:
        return np.bincount(group[mask], minlength=n_groups)

    commune_shown = per_group(is_commune & people & ~primary) > 0
    n_entered = per_group(entered)
    n_hidden = per_group(entered & primary)
    acting = commune_shown & (n_hidden > 0)
    # Too few hamlets to hide three: hide the commune row instead.
    too_few = acting & (n_entered < COMPLEMENT_CELLS)
    why[is_commune & people & ~primary & too_few[group]] = COMMUNE
    # Otherwise the other hamlets with the fewest surveyed households, then by code.
    need = np.where(acting & ~too_few, np.maximum(0, COMPLEMENT_CELLS - n_hidden), 0)
    candidates = np.flatnonzero(entered & ~primary & (need[group] > 0))
    if len(candidates):
        households = _number(rows, "households").to_numpy()[candidates]
        codes = rows["hamlet"].to_numpy()[candidates].astype(str)
        order = candidates[np.lexsort((codes, households, group[candidates]))]
        ordered_groups = group[order]
        starts = np.r_[0, np.flatnonzero(np.diff(ordered_groups)) + 1]
        rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
        why[order[rank < need[ordered_groups]]] = COMPLEMENT
    return _verdicts_hidden(rows, pd.Series(why, index=rows.index, dtype=object))


def _pairs(frame: pd.DataFrame) -> pd.MultiIndex:
    return pd.MultiIndex.from_arrays([frame["round"].astype(object), frame["hamlet"].astype(object)])


def _verdicts_hidden(rows: pd.DataFrame, why: pd.Series) -> pd.Series:
    """Rule 3 on the rows: a hamlet verdict row is hidden when any criterion behind it is,
    and the commune count of verdicts when any verdict in it is."""
    dra = rows["indicator"].isin(_DRA_IDS)
    if not dra.any():
        return why
    criteria = {i.id for i in BY_ID.values() if i.criterion} | _DRA_IDS
    behind = rows[why.notna().to_numpy() & rows["hamlet"].notna().to_numpy() & rows["indicator"].isin(criteria)]
    hamlet_row = dra & rows["hamlet"].notna()
    verdict = hamlet_row & _pairs(rows).isin(_pairs(behind)) & why.isna()
    why = why.where(~verdict, VERDICT)
    rounds_hidden = set(rows.loc[hamlet_row & why.notna(), "round"])
    commune_row = dra & rows["hamlet"].isna() & rows["round"].isin(rounds_hidden)
    return why.where(~(commune_row & why.isna()), VERDICTS)


def _shown_to_insider(rows: pd.DataFrame, why: pd.Series, own_hamlets: Collection[str]) -> pd.Series:
    if not own_hamlets:
        return why
    return why.where(~rows["hamlet"].isin(list(own_hamlets)), None)


def rows_suppress(
    rows: pd.DataFrame, min_cell: int, *, own_hamlets: Collection[str] = (), hidden: pd.Series | None = None
) -> pd.DataFrame:
    """Indicator rows as a reader without microdata gets them. `hidden` is `cells_hidden(rows,
    min_cell)` when the caller keeps it (it does not depend on the reader)."""
    why = cells_hidden(rows, min_cell) if hidden is None else hidden
    why = _shown_to_insider(rows, why, own_hamlets)
    hidden = why.notna()
    out = rows.copy()
    out["suppressed"] = hidden
    for column in ("numerator", "value", "ci_low", "ci_high", "met"):
        out[column] = out[column].astype(object).where(~hidden, None)
    for column in ("reason", "reason_en"):
        out[column] = out[column].astype(object) if column in out else None
    for kind, (vi, en) in (
        (COMPLEMENT, COMPLEMENT_REASON),
        (COMMUNE, COMMUNE_REASON),
        (VERDICT, VERDICT_REASON),
        (VERDICTS, VERDICTS_REASON),
    ):
        mark = (why == kind).to_numpy()
        out.loc[mark, "reason"] = vi
        out.loc[mark, "reason_en"] = en
    return out


def scorecard_suppress(
    detail: pd.DataFrame,
    summary: pd.DataFrame,
    shown_rows: pd.DataFrame,
    min_cell: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(criteria, summary) as a reader without microdata gets them, from the indicator rows
    that reader gets (`rows_suppress`): a criterion is hidden exactly when its indicator cell
    is, and a verdict when any of its criteria is (or its own households are too few)."""
    hidden_cells = set()
    if len(shown_rows) and "suppressed" in shown_rows:
        marked = shown_rows[shown_rows["suppressed"].astype(bool) & shown_rows["hamlet"].notna()]
        hidden_cells = set(zip(marked["round"], marked["hamlet"], marked["indicator"], strict=True))
    hidden_verdicts = {(r, h) for r, h, _ in hidden_cells}
    if not detail.empty:
        keys = zip(detail["round"], detail["hamlet"], detail["criterion"], strict=True)
        small = pd.Series([k in hidden_cells for k in keys], index=detail.index, dtype=bool)
        out = detail.copy()
        out["suppressed"] = small
        for column in ("value", "met", "gap_pp", "gap"):
            if column in out:
                out[column] = out[column].astype(object).where(~small, None)
        out["status"] = out["status"].where(~small, HIDDEN_VI.format(n=min_cell))
        if "status_en" in out:
            out["status_en"] = out["status_en"].where(~small, HIDDEN_EN.format(n=min_cell))
        for column in ("reason", "reason_en"):
            if column in out:
                out[column] = out[column].astype(object).where(~small, None)
        detail = out
    else:
        detail = detail.assign(suppressed=False)
    return detail, _summary_suppress(summary, hidden_verdicts, hidden_cells, min_cell)


def _summary_suppress(summary: pd.DataFrame, hidden_verdicts: set, hidden_cells: set, min_cell: int) -> pd.DataFrame:
    if summary.empty:
        return summary.assign(suppressed=False)
    out = summary.copy()
    hidden = pd.Series(
        [(r, h) in hidden_verdicts for r, h in zip(out["round"], out["hamlet"], strict=True)],
        index=out.index,
        dtype=bool,
    )
    out["suppressed"] = hidden
    for column in ("dat", "bb_met", "tc_met", "tc_missing"):
        if column in out:
            out[column] = out[column].astype(object).where(~hidden, None)
    out["status"] = out["status"].where(~hidden, HIDDEN_VI.format(n=min_cell))
    if "status_en" in out:
        out["status_en"] = out["status_en"].where(~hidden, HIDDEN_EN.format(n=min_cell))
    for column in ("failing", "failing_mandatory"):
        if column in out:
            out[column] = [
                [c for c in criteria if (r, h, c) not in hidden_cells]
                for r, h, criteria in zip(out["round"], out["hamlet"], out[column], strict=True)
            ]
    return out
