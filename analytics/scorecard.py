"""The digital-residential-area scorecard ("Ấp đạt mô hình Khu dân cư chuyển đổi số", §1.9).

A hamlet meets the standard at a tier (2027 or 2030) when it meets every mandatory (BB)
criterion and at least 3 optional (TC) criteria. A criterion without data is not met: the
standard has to be shown, not assumed. D1 in a hamlet without business households is "not
applicable" and does not block the hamlet.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analytics.catalogue import (
    BINARY,
    COUNT,
    CRITERIA,
    MANDATORY,
    OPTIONAL,
    TIERS,
    Indicator,
    gate_reason,
)

OPTIONAL_REQUIRED = 3
MET = "Đạt"
NOT_MET = "Chưa đạt"
NOT_APPLICABLE = "Không áp dụng"
NO_DATA = "Chưa có số liệu"
STATUS_EN = {MET: "Met", NOT_MET: "Not met", NOT_APPLICABLE: "Not applicable", NO_DATA: "No data"}


# Catalogue text repeated on every criterion row: left out of stored results, added back
# for display by `scorecard_labelled` (a province scorecard has 70,000+ rows).
LABEL_COLUMNS = ["group", "label_vi", "label_en", "condition", "source", "status_en", "reason", "reason_en"]


def scorecard_compute(
    rows: pd.DataFrame,
    assessments: pd.DataFrame,
    hamlets: pd.DataFrame,
    *,
    tiers: Sequence[int] = TIERS,
    criteria: Sequence[Indicator] = CRITERIA,
    labelled: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(criteria, summary). `rows` are the indicator rows of `compute.indicators_compute`.
    `labelled=False`: without the catalogue text (`LABEL_COLUMNS`), as results are stored.

    A criterion with a hamlet-level condition (A2's official group, A3's loudspeaker, B1's
    test points) is not met when the hamlet has no assessment for the round."""
    ids = [c.id for c in criteria]
    hamlet_rows = rows[rows["hamlet"].notna() & rows["indicator"].isin(ids)]
    columns = ["round", "hamlet", "indicator", "value", "applicable", "unit", "n_units", "households"]
    hamlet_rows = hamlet_rows.reindex(columns=columns)
    thresholds = pd.DataFrame(
        [
            {
                "criterion": c.id,
                "tier": tier,
                "role": c.targets[tier].role,
                "op": c.targets[tier].op,
                "threshold": c.targets[tier].value,
                "kind": c.kind,
                "gated": c.gate is not None,
            }
            for c in criteria
            for tier in tiers
        ]
    )
    detail = (
        hamlet_rows.astype({"round": object, "hamlet": object})
        .merge(thresholds, left_on="indicator", right_on="criterion")
        .drop(columns="indicator")
    )
    if detail.empty:
        return detail, pd.DataFrame(columns=["round", "hamlet", "tier", "dat", "status"])
    gates = _gate_table(criteria, assessments, tiers)
    detail = detail.merge(gates, on=["criterion", "tier", "hamlet", "round"], how="left")
    # Whether the hamlet has an assessment this round: a gate fails either way without one,
    # and the row says which.
    detail["assessed"] = np.where(detail["gated"], detail["gate_ok"].notna(), None)
    detail["gate_ok"] = np.where(detail["gated"], detail["gate_ok"].fillna(False).astype(bool), None)

    value = pd.to_numeric(detail["value"], errors="coerce").to_numpy(dtype=float)
    threshold = detail["threshold"].to_numpy(dtype=float)
    strict = detail["op"].to_numpy() == ">"
    # Percentages come out of divisions: 19/20 must meet "≥ 95" exactly.
    with np.errstate(invalid="ignore"):
        passes = np.where(strict, value > threshold + 1e-9, value >= threshold - 1e-9)
    passes &= detail["gate_ok"].to_numpy() != False  # noqa: E712 (object array of True/False/None)
    applicable = detail["applicable"].fillna(True).astype(bool).to_numpy()
    has_value = ~np.isnan(value)
    status = np.select([~applicable, ~has_value, passes], [NOT_APPLICABLE, NO_DATA, MET], NOT_MET).astype(object)
    met = np.where(applicable, has_value & passes, None).astype(object)
    failing_measured = applicable & has_value & ~passes
    gap = np.where(failing_measured & (detail["kind"].to_numpy() != BINARY), np.maximum(0.0, threshold - value), np.nan)
    detail["value"] = np.where(has_value, value, np.nan)
    detail["status"] = status
    detail["met"] = met
    detail["gap"] = gap
    detail["gap_pp"] = np.where(detail["kind"].to_numpy() == COUNT, np.nan, gap)
    detail = detail.drop(columns=["gated"])
    summary = _summary(detail, hamlets)
    order = summary[["round", "hamlet", "tier", "order"]]
    detail = (
        detail.merge(order, on=["round", "hamlet", "tier"])
        .sort_values(["round", "tier", "order", "criterion"])
        .drop(columns="order")
        .reset_index(drop=True)
    )
    return (scorecard_labelled(detail, criteria) if labelled else detail), summary.drop(columns="order")


def scorecard_labelled(detail: pd.DataFrame, criteria: Sequence[Indicator] = CRITERIA) -> pd.DataFrame:
    """Add the catalogue's text columns (labels, group, source, condition, English status)."""
    if detail.empty:
        return detail
    by_id = {c.id: c for c in criteria}
    out = detail.drop(columns=[c for c in LABEL_COLUMNS if c in detail.columns])
    ids = out["criterion"]
    out["group"] = ids.map(lambda i: by_id[i].group)
    out["label_vi"] = ids.map(lambda i: by_id[i].label_vi)
    out["label_en"] = ids.map(lambda i: by_id[i].label_en)
    out["condition"] = ids.map(lambda i: by_id[i].gate_text)
    out["source"] = ids.map(lambda i: by_id[i].source)
    out["status_en"] = out["status"].map(lambda s: STATUS_EN.get(s, s))
    reasons = [
        _reason(by_id[c], gate_ok, assessed, status)
        for c, gate_ok, assessed, status in zip(
            ids,
            out.get("gate_ok", [None] * len(out)),
            out.get("assessed", [None] * len(out)),
            out["status"],
            strict=True,
        )
    ]
    out["reason"] = [r[0] for r in reasons]
    out["reason_en"] = [r[1] for r in reasons]
    return out


def _reason(criterion: Indicator, gate_ok, assessed, status: str) -> tuple[str | None, str | None]:
    """Why a criterion reads as it does beyond its value: a failed gate, or not applicable."""
    if status == NOT_APPLICABLE:
        return criterion.notes or None, criterion.notes_en or None
    if criterion.gate is not None and gate_ok is False:
        return gate_reason(criterion, assessed=bool(assessed))
    return None, None


def _gate_table(criteria: Sequence[Indicator], assessments: pd.DataFrame, tiers: Sequence[int]) -> pd.DataFrame:
    parts = []
    if not assessments.empty:
        for criterion in criteria:
            if criterion.gate is None:
                continue
            for tier in tiers:
                parts.append(
                    pd.DataFrame(
                        {
                            "criterion": criterion.id,
                            "tier": tier,
                            "hamlet": assessments["hamlet"].astype(object).to_numpy(),
                            "round": assessments["round"].astype(object).to_numpy(),
                            "gate_ok": criterion.gate(assessments, tier).fillna(False).astype(bool).to_numpy(),
                        }
                    )
                )
    if not parts:
        return pd.DataFrame(columns=["criterion", "tier", "hamlet", "round", "gate_ok"])
    return pd.concat(parts, ignore_index=True)


def _sorted_lists(detail: pd.DataFrame, keys: list[str]) -> dict[tuple, list[str]]:
    """The sorted criteria of each group of `keys`, by key tuple: sorted once, then sliced per
    group (a Python sort per hamlet and tier cost a quarter of a second at province scale)."""
    if detail.empty:
        return {}
    ordered = detail.sort_values("criterion", kind="stable")
    criteria = ordered["criterion"].tolist()
    # `indices` keeps each group's positions in order: the criteria stay sorted.
    return {key: [criteria[i] for i in positions] for key, positions in ordered.groupby(keys).indices.items()}


def _summary(detail: pd.DataFrame, hamlets: pd.DataFrame) -> pd.DataFrame:
    mandatory = detail["role"] == MANDATORY
    optional = detail["role"] == OPTIONAL
    # Not applicable counts as passing a mandatory criterion.
    passes = detail["met"].fillna(detail["status"] == NOT_APPLICABLE).astype(bool)
    detail = detail.assign(bb=mandatory, tc=optional, bb_ok=mandatory & passes, tc_ok=optional & passes)
    keys = ["round", "hamlet", "tier"]
    summary = detail.groupby(keys, as_index=False).agg(
        bb_total=("bb", "sum"),
        bb_met=("bb_ok", "sum"),
        tc_total=("tc", "sum"),
        tc_met=("tc_ok", "sum"),
        # Surveyed households behind the verdict: the suppression rule reads it.
        households=("households", "max"),
    )
    summary["households"] = summary["households"].fillna(0.0)
    failing = _sorted_lists(detail[(detail["bb"] & ~detail["bb_ok"]) | (detail["tc"] & ~detail["tc_ok"])], keys)
    failing_bb = _sorted_lists(detail[detail["bb"] & ~detail["bb_ok"]], keys)
    index = list(zip(*(summary[k].tolist() for k in keys), strict=True))
    summary["failing"] = [failing.get(key, []) for key in index]
    summary["failing_mandatory"] = [failing_bb.get(key, []) for key in index]
    summary["tc_required"] = OPTIONAL_REQUIRED
    summary["tc_missing"] = np.maximum(0, OPTIONAL_REQUIRED - summary["tc_met"])
    summary["dat"] = (summary["bb_met"] == summary["bb_total"]) & (summary["tc_met"] >= OPTIONAL_REQUIRED)
    summary["status"] = np.where(summary["dat"], MET, NOT_MET)
    summary["status_en"] = summary["status"].map(STATUS_EN)
    info = hamlets.set_index("code") if len(hamlets) else pd.DataFrame(columns=["name", "pilot_dra"])
    summary["name"] = summary["hamlet"].map(info["name"]) if "name" in info else None
    pilot = summary["hamlet"].map(info["pilot_dra"]) if "pilot_dra" in info else pd.Series(False, index=summary.index)
    summary["pilot"] = pilot.fillna(False).astype(bool)
    # The two pilot hamlets first, then by code.
    summary = summary.sort_values(["round", "tier", "pilot", "hamlet"], ascending=[True, True, False, True])
    summary["order"] = range(len(summary))
    return summary.reset_index(drop=True)
