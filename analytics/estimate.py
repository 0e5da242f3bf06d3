"""Proportions per hamlet, their uncertainty, and the commune figure.

Estimator (documented in analytics/README.md):

* Hamlet h: p_h = y_h / n_h over the surveyed units (households that consented, or their
  members 15+ / adults 18+). Coverage c_h = surveyed households / registered households.
  When c_h < 1 the hamlet is a sample and p_h carries a Wilson 95% score interval; at
  c_h >= 1 it is a census and the interval collapses to the value.
* Commune: a stratified estimate with hamlets as strata, p = Σ W_h p_h / Σ W_h, where W_h is
  the size of the hamlet's population of units: registered households for household
  indicators; for person indicators the estimated persons, W_h = registered households ×
  (persons surveyed / households surveyed). Not the mean of hamlet percentages: a hamlet of
  250 households does not weigh as much as one of 900. The interval is Wilson's with the
  effective sample size n_eff = p(1−p)/Var(p), Var(p) = Σ (W_h/W)² p_h(1−p_h)/n_h (1 − n_h/N_h).
  Only hamlets with data enter; the commune coverage says how much is missing.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

Z95 = 1.959963984540054


def wilson(successes: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion, as fractions in [0, 1]."""
    if n <= 0:
        return (math.nan, math.nan)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (max(0.0, centre - half), min(1.0, centre + half))


def wilson_arrays(successes: np.ndarray, n: np.ndarray, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised `wilson`; NaN where n <= 0."""
    successes = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = successes / n
        denominator = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denominator
        half = z / denominator * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        low = np.clip(centre - half, 0.0, 1.0)
        high = np.clip(centre + half, 0.0, 1.0)
    bad = ~(n > 0)
    low[bad] = np.nan
    high[bad] = np.nan
    return low, high


def hamlet_proportions(flags: pd.DataFrame, *, by: list[str], indicator_columns: list[str]) -> pd.DataFrame:
    """Long table: one row per group × indicator with numerator and denominator.

    `flags` holds one row per unit with 0/1/NaN indicator columns; NaN means "not in the
    denominator" (e.g. a question not asked).
    """
    grouped = flags.groupby(by, sort=False, observed=True)[indicator_columns]
    numerator = grouped.sum(min_count=0).melt(ignore_index=False, var_name="indicator", value_name="numerator")
    denominator = grouped.count().melt(ignore_index=False, var_name="indicator", value_name="denominator")
    numerator = numerator.reset_index()
    denominator = denominator.reset_index()
    return numerator.merge(denominator, on=by + ["indicator"])


def with_intervals(table: pd.DataFrame, *, census: pd.Series) -> pd.DataFrame:
    """Add value, ci_low, ci_high (percent). `census` is True where coverage >= 100%."""
    out = table.copy()
    n = out["denominator"].to_numpy(dtype=float)
    y = out["numerator"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(n > 0, y / n, np.nan)
    low, high = wilson_arrays(y, n)
    census_mask = census.reindex(out.index).fillna(False).to_numpy(dtype=bool)
    low = np.where(census_mask, value, low)
    high = np.where(census_mask, value, high)
    out["value"] = value * 100
    out["ci_low"] = low * 100
    out["ci_high"] = high * 100
    return out


def stratified(strata: pd.DataFrame, *, weight: str = "weight", z: float = Z95) -> dict[str, float]:
    """Commune figure from hamlet rows with columns numerator, denominator, `weight`.

    Returns value/ci in percent, the estimated numerator and denominator (population
    totals), and the surveyed unit count `n`.
    """
    rows = strata[(strata["denominator"] > 0) & (strata[weight] > 0)]
    if rows.empty:
        return {
            "value": math.nan,
            "ci_low": math.nan,
            "ci_high": math.nan,
            "numerator": math.nan,
            "denominator": math.nan,
            "n": 0,
        }
    n_h = rows["denominator"].to_numpy(dtype=float)
    p_h = rows["numerator"].to_numpy(dtype=float) / n_h
    big_n = rows[weight].to_numpy(dtype=float)
    total = big_n.sum()
    share = big_n / total
    p = float((share * p_h).sum())
    # Finite-population correction: a census hamlet (n_h >= N_h) adds no sampling variance.
    fpc = np.clip(1 - n_h / big_n, 0.0, 1.0)
    variance = float((share**2 * p_h * (1 - p_h) / n_h * fpc).sum())
    if variance <= 0:
        low = high = p
    else:
        # Wilson on the effective sample size keeps the interval inside [0, 1] near 0% and 100%.
        n_eff = p * (1 - p) / variance if 0 < p < 1 else float(n_h.sum())
        low, high = wilson(p * n_eff, n_eff, z)
    return {
        "value": p * 100,
        "ci_low": low * 100,
        "ci_high": high * 100,
        "numerator": p * total,
        "denominator": total,
        "n": int(n_h.sum()),
    }
