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
)
from analytics.compute import _gates

OPTIONAL_REQUIRED = 3
MET = "Đạt"
NOT_MET = "Chưa đạt"
NOT_APPLICABLE = "Không áp dụng"
NO_DATA = "Chưa có số liệu"
STATUS_EN = {MET: "Met", NOT_MET: "Not met", NOT_APPLICABLE: "Not applicable", NO_DATA: "No data"}


def scorecard_compute(
    rows: pd.DataFrame,
    assessments: pd.DataFrame,
    hamlets: pd.DataFrame,
    *,
    tiers: Sequence[int] = TIERS,
    criteria: Sequence[Indicator] = CRITERIA,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(criteria, summary). `rows` are the indicator rows of `compute.indicators_compute`."""
    ids = [c.id for c in criteria]
    hamlet_rows = rows[rows["hamlet"].notna() & rows["indicator"].isin(ids)]
    gates = _gates(criteria, assessments)
    by_id = {c.id: c for c in criteria}
    records = []
    for row in hamlet_rows.itertuples(index=False):
        criterion = by_id[row.indicator]
        for tier in tiers:
            target = criterion.targets[tier]
            value = None if pd.isna(row.value) else float(row.value)
            gate = gates.get((criterion.id, tier, row.hamlet, row.round)) if criterion.gate else None
            if not row.applicable:
                status, met = NOT_APPLICABLE, None
            elif value is None:
                status, met = NO_DATA, False
            else:
                met = bool(target.met(value)) and gate is not False
                status = MET if met else NOT_MET
            gap = None
            if met is False and value is not None and criterion.kind not in (BINARY,):
                # How far from the threshold, in percentage points (or units for counts).
                gap = max(0.0, target.value - value)
            records.append({
                "round": row.round, "hamlet": row.hamlet, "tier": tier, "criterion": criterion.id,
                "group": criterion.group, "label_vi": criterion.label_vi, "label_en": criterion.label_en,
                "role": target.role, "value": value, "op": target.op, "threshold": target.value,
                "unit": row.unit, "kind": criterion.kind,
                "status": status, "status_en": STATUS_EN[status], "met": met, "gate_ok": gate,
                "condition": criterion.gate_text,
                "gap_pp": gap if criterion.kind != COUNT else None,
                "gap": gap,
                "source": criterion.source, "n_units": row.n_units,
            })
    detail = pd.DataFrame(records)
    if detail.empty:
        return detail, pd.DataFrame(columns=["round", "hamlet", "tier", "dat", "status"])
    summary = _summary(detail, hamlets)
    order = summary[["round", "hamlet", "tier", "order"]]
    detail = detail.merge(order, on=["round", "hamlet", "tier"]).sort_values(
        ["round", "tier", "order", "criterion"]).drop(columns="order").reset_index(drop=True)
    return detail, summary.drop(columns="order")


def _summary(detail: pd.DataFrame, hamlets: pd.DataFrame) -> pd.DataFrame:
    mandatory = detail["role"] == MANDATORY
    optional = detail["role"] == OPTIONAL
    # Not applicable counts as passing a mandatory criterion.
    passes = detail["met"].fillna(detail["status"] == NOT_APPLICABLE).astype(bool)
    detail = detail.assign(bb=mandatory, tc=optional, bb_ok=mandatory & passes, tc_ok=optional & passes)
    keys = ["round", "hamlet", "tier"]
    summary = detail.groupby(keys, as_index=False).agg(
        bb_total=("bb", "sum"), bb_met=("bb_ok", "sum"), tc_total=("tc", "sum"), tc_met=("tc_ok", "sum"),
    )
    failing = (
        detail[(detail["bb"] & ~detail["bb_ok"]) | (detail["tc"] & ~detail["tc_ok"])]
        .groupby(keys)["criterion"].agg(lambda s: sorted(s))
    )
    failing_bb = detail[detail["bb"] & ~detail["bb_ok"]].groupby(keys)["criterion"].agg(lambda s: sorted(s))
    index = pd.MultiIndex.from_frame(summary[keys])
    summary["failing"] = [x if isinstance(x, list) else [] for x in failing.reindex(index).to_numpy()]
    summary["failing_mandatory"] = [x if isinstance(x, list) else [] for x in failing_bb.reindex(index).to_numpy()]
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
