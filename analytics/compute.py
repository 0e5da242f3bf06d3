"""Indicator rows for every hamlet and the commune, per round, from the units.

Row columns: indicator, hamlet (None = the commune), round, numerator, denominator, value,
ci_low, ci_high, target, target_year, met, target_op (">=" or ">"), reason / reason_en (why a
verdict is what it is, or what the figure leaves out), plus working columns the API does not
show: unit, n_units (surveyed units behind the cell), households (surveyed households, or
stalls, behind the cell: the suppression rule uses it), weight (a hamlet row's population of
units in the commune estimate, 0 when it is left out), coverage, gate_ok, applicable.

Verdicts: a §1.9 criterion is a standard a *hamlet* meets, so only hamlet rows of criteria
carry `met`; their commune rows are descriptive (`met` null). A commune verdict comes from the
plan targets (P…), which are commune targets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analytics.catalogue import (
    ADMINISTRATIVE,
    ADULT18,
    BINARY,
    CATALOGUE,
    COUNT,
    DRA_COUNT,
    HAMLET,
    HOUSEHOLD,
    MODEL,
    PERSON15,
    STALL,
    Indicator,
    commune_verdict,
    gate_reason,
)
from analytics.estimate import hamlet_proportions, stratified, wilson, with_intervals
from analytics.rounds import DEFAULT_ROUNDS, Round, tier_for_round
from analytics.units import Units

ROW_COLUMNS = [
    "indicator",
    "hamlet",
    "round",
    "numerator",
    "denominator",
    "value",
    "ci_low",
    "ci_high",
    "target",
    "target_year",
    "met",
    "target_op",
    "reason",
    "reason_en",
    "unit",
    "n_units",
    "households",
    "weight",
    "coverage",
    "gate_ok",
    "applicable",
]

NO_REGISTER = (
    "Ấp chưa có số hộ theo sổ: không tính vào số liệu toàn xã; khoảng tin cậy coi các hộ đã khảo sát là một mẫu.",
    "No register figure: left out of the commune estimate; the interval treats the surveyed households as a sample.",
)


@dataclass(frozen=True)
class AdministrativeFigure:
    indicator: str
    round: str
    numerator: float
    denominator: float


def coverage_table(units: Units, hamlets: pd.DataFrame) -> pd.DataFrame:
    """Per round and hamlet: households surveyed, persons 15+, adults 18+, registered, coverage."""
    surveyed = units.households.groupby(["round", "hamlet"]).size().rename("surveyed")
    persons = units.persons15.groupby(["round", "hamlet"]).size().rename("persons15")
    adults = units.adults18.groupby(["round", "hamlet"]).size().rename("adults18")
    table = pd.concat([surveyed, persons, adults], axis=1).fillna(0).reset_index()
    refused = units.refusals.set_index(["round", "hamlet"])["refused"] if len(units.refusals) else None
    table["refused"] = (
        table.set_index(["round", "hamlet"]).index.map(refused).fillna(0).astype(int) if refused is not None else 0
    )
    registered = hamlets.set_index("code")["registered_households"] if len(hamlets) else pd.Series(dtype=float)
    table["registered"] = table["hamlet"].map(registered).fillna(0).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["coverage"] = np.where(table["registered"] > 0, table["surveyed"] / table["registered"], np.nan)
    return table


@dataclass
class IndicatorParts:
    """What one set of hamlets contributes to the indicator rows, before any commune figure.

    Every commune figure is a function of hamlet rows (the stratified estimate is a sum over
    hamlets, an assessment figure a sum of hamlet facts), so the parts of disjoint sets of
    hamlets, computed apart (by separate workers), combine into exactly the figures of the
    whole (`indicators_combine`). Stall and administrative figures belong to the commune as
    one place: only the part that owns the commune-level inputs carries them."""

    survey: dict[str, pd.DataFrame]  # unit → hamlet rows, with `weight` and `registered`
    assessment: pd.DataFrame  # hamlet rows of the hamlet-assessment indicators
    commune_only: pd.DataFrame  # stall and administrative rows (commune-level)
    coverage: pd.DataFrame
    assessments: pd.DataFrame  # the assessment units themselves (the gates read them)
    round_names: set[str]
    # The rounds of the commune-level rows alone (stalls, administrative figures): what is
    # left of `round_names` when hamlets are taken out (`analytics.pipeline.partial_without`).
    commune_rounds: set[str] = field(default_factory=set)


def indicators_compute(
    units: Units,
    hamlets: pd.DataFrame,
    *,
    rounds: Sequence[Round] | None = None,
    administrative: Sequence[AdministrativeFigure] = (),
    registered_stalls: int = 0,
    tier: int | None = None,
    catalogue: Sequence[Indicator] = CATALOGUE,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows, coverage). `tier` forces the target year of criteria rows (2027 or 2030);
    by default each round is judged against its declared target year (`tier_for_round`).
    `rounds`: the declared rounds (None: the defaults); figures of any other round are ignored."""
    rounds = DEFAULT_ROUNDS if rounds is None else rounds
    parts = indicator_parts_compute(
        units,
        hamlets,
        rounds=rounds,
        administrative=administrative,
        registered_stalls=registered_stalls,
        catalogue=catalogue,
    )
    return indicators_combine([parts], hamlets, rounds=rounds, tier=tier, catalogue=catalogue)


def indicator_parts_compute(
    units: Units,
    hamlets: pd.DataFrame,
    *,
    rounds: Sequence[Round] | None = None,
    administrative: Sequence[AdministrativeFigure] = (),
    registered_stalls: int = 0,
    commune_level: bool = True,
    catalogue: Sequence[Indicator] = CATALOGUE,
) -> IndicatorParts:
    """The hamlet rows of `units` (which hold the data of some hamlets), and the commune-level
    rows when `commune_level` (exactly one part of a split computation owns them)."""
    rounds = DEFAULT_ROUNDS if rounds is None else rounds
    declared = {r.name for r in rounds}
    administrative = [f for f in administrative if f.round in declared] if commune_level else []
    coverage = coverage_table(units, hamlets)
    survey = {}
    for unit, frame in ((HOUSEHOLD, units.households), (PERSON15, units.persons15), (ADULT18, units.adults18)):
        indicators = [i for i in catalogue if i.unit == unit and i.flag is not None]
        if indicators:
            survey[unit] = _survey_hamlet_rows(frame, indicators, unit, coverage)
    assessment = _assessment_hamlet_rows(units.assessments, [i for i in catalogue if i.assess is not None])
    commune_only = []
    stall_indicators = [i for i in catalogue if i.unit == STALL and i.flag is not None]
    if commune_level and stall_indicators:
        commune_only.append(_stall_rows(units.stalls, stall_indicators, registered_stalls))
    commune_only.append(_administrative_rows([i for i in catalogue if i.kind == ADMINISTRATIVE], administrative))
    stalls = units.stalls if commune_level else units.stalls.iloc[:0]
    return IndicatorParts(
        survey=survey,
        assessment=assessment,
        commune_only=_concat(commune_only),
        coverage=coverage,
        assessments=units.assessments,
        round_names=set(coverage["round"])
        | set(units.assessments["round"])
        | set(stalls["round"])
        | {f.round for f in administrative},
        commune_rounds=set(stalls["round"]) | {f.round for f in administrative},
    )


def indicators_combine(
    parts: Sequence[IndicatorParts],
    hamlets: pd.DataFrame,
    *,
    rounds: Sequence[Round] | None = None,
    tier: int | None = None,
    catalogue: Sequence[Indicator] = CATALOGUE,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows, coverage) of the whole from the parts of disjoint sets of hamlets: their hamlet
    rows side by side, the commune rows computed from all of them, then every row judged."""
    rounds = DEFAULT_ROUNDS if rounds is None else rounds
    coverage = _concat([p.coverage for p in parts])
    assessments = _concat([p.assessments for p in parts])
    out = []
    for unit in (HOUSEHOLD, PERSON15, ADULT18):
        tables = [p.survey[unit] for p in parts if unit in p.survey and len(p.survey[unit])]
        if tables:
            table = _concat(tables)
            commune = [_commune_estimate(strata) for _, strata in table.groupby(["round", "indicator"], sort=False)]
            out.append(pd.concat([table.drop(columns="registered"), pd.DataFrame(commune)], ignore_index=True))
    out.append(_assessment_with_commune(_concat([p.assessment for p in parts]), catalogue))
    out.extend(p.commune_only for p in parts)
    round_names = sorted(set().union(*(p.round_names for p in parts)))
    hamlet_codes = list(hamlets["code"]) if len(hamlets) else []
    rows = pd.concat([p for p in out if len(p)], ignore_index=True) if any(len(p) for p in out) else _empty()
    rows = _complete(rows, [i for i in catalogue if i.kind != DRA_COUNT], hamlet_codes, round_names)
    rows = _judge(rows, catalogue, assessments, rounds, tier)
    return rows, coverage


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=ROW_COLUMNS)


def _concat(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Frames side by side; the first (empty, with its columns) when all are empty."""
    filled = [f for f in frames if len(f)]
    if not filled:
        return frames[0] if frames else _empty()
    return filled[0] if len(filled) == 1 else pd.concat(filled, ignore_index=True)


def _survey_hamlet_rows(
    frame: pd.DataFrame, indicators: list[Indicator], unit: str, coverage: pd.DataFrame
) -> pd.DataFrame:
    if frame.empty:
        return _empty()
    flags = pd.DataFrame({i.id: i.flag(frame).to_numpy(dtype=float) for i in indicators})
    flags["round"] = frame["round"].array
    flags["hamlet"] = frame["hamlet"].array
    table = hamlet_proportions(flags, by=["round", "hamlet"], indicator_columns=[i.id for i in indicators])
    cov = coverage.set_index(["round", "hamlet"])
    key = pd.MultiIndex.from_frame(table[["round", "hamlet"]])
    table["coverage"] = cov["coverage"].reindex(key).to_numpy()
    census = pd.Series(table["coverage"].ge(1.0).to_numpy(), index=table.index)
    table = with_intervals(table, census=census)
    table["unit"] = unit
    table["n_units"] = table["denominator"]
    surveyed = cov["surveyed"].reindex(key).to_numpy(dtype=float)
    table["households"] = surveyed

    # Commune: stratified estimate, weights = population of units per hamlet. A hamlet
    # without a register figure has no known population: it is left out of the commune
    # estimate (weight 0) and its row says so, rather than being weighted by how many
    # households happened to be surveyed and taken for a census.
    registered = cov["registered"].reindex(key).to_numpy(dtype=float)
    units_per_household = np.where(surveyed > 0, table["denominator"].to_numpy() / np.maximum(surveyed, 1), 0)
    no_register = ~(registered > 0) & (table["denominator"].to_numpy() > 0)
    table["weight"] = np.where(registered > 0, registered * units_per_household, 0.0)
    table["reason"] = np.where(no_register, NO_REGISTER[0], None)
    table["reason_en"] = np.where(no_register, NO_REGISTER[1], None)
    table["registered"] = registered
    return table


def _commune_estimate(strata: pd.DataFrame) -> dict:
    """The commune row of one indicator and round from its hamlet rows: the stratified
    estimate over the hamlets whose population (weight) is known; its coverage is theirs."""
    first = strata.iloc[0]
    estimate = stratified(strata)
    has_data = strata["denominator"] > 0
    entered = strata[has_data & (strata["weight"] > 0)]
    left_out = int((has_data & ~(strata["weight"] > 0)).sum())
    surveyed_total = float(entered["households"].sum())
    registered_total = float(entered["registered"].sum())
    reason = reason_en = None
    if left_out:
        reason = f"Không gồm {left_out} ấp chưa có số hộ theo sổ."
        reason_en = f"Leaves out {left_out} hamlet(s) without a register figure."
    return {
        "indicator": first["indicator"],
        "hamlet": None,
        "round": first["round"],
        "numerator": estimate["numerator"],
        "denominator": estimate["denominator"],
        "value": estimate["value"],
        "ci_low": estimate["ci_low"],
        "ci_high": estimate["ci_high"],
        "unit": first["unit"],
        "n_units": estimate["n"],
        "households": surveyed_total,
        "coverage": surveyed_total / registered_total if registered_total > 0 else np.nan,
        "reason": reason,
        "reason_en": reason_en,
    }


def _assessment_hamlet_rows(assessments: pd.DataFrame, indicators: list[Indicator]) -> pd.DataFrame:
    if assessments.empty or not indicators:
        return _empty()
    parts = []
    for indicator in indicators:
        numerator, denominator = indicator.assess(assessments)
        rows = pd.DataFrame(
            {
                "indicator": indicator.id,
                "hamlet": assessments["hamlet"].to_numpy(),
                "round": assessments["round"].to_numpy(),
                "numerator": numerator.to_numpy(dtype=float),
                "denominator": denominator.to_numpy(dtype=float),
            }
        )
        if indicator.kind == COUNT:
            rows["value"] = rows["numerator"]
        elif indicator.kind == BINARY:
            rows["value"] = rows["numerator"] * 100
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                rows["value"] = np.where(rows["denominator"] > 0, rows["numerator"] / rows["denominator"] * 100, np.nan)
        rows["n_units"] = 1
        parts.append(rows)
    return pd.concat(parts, ignore_index=True)


def _assessment_with_commune(hamlet_rows: pd.DataFrame, catalogue: Sequence[Indicator]) -> pd.DataFrame:
    """Each assessment indicator's hamlet rows followed by its commune rows (sums over hamlets)."""
    if hamlet_rows.empty:
        return _empty()
    parts = []
    for indicator in [i for i in catalogue if i.assess is not None]:
        rows = hamlet_rows[hamlet_rows["indicator"] == indicator.id]
        if rows.empty:
            continue
        commune = rows.groupby("round", as_index=False).agg(
            numerator=("numerator", "sum"), denominator=("denominator", "sum"), hamlets=("hamlet", "size")
        )
        if indicator.kind == COUNT:
            commune["value"] = commune["numerator"]
            commune["denominator"] = np.nan
        elif indicator.kind == BINARY:
            # The commune figure of a yes/no criterion is the share of assessed hamlets meeting it.
            commune["denominator"] = commune["hamlets"]
            commune["value"] = commune["numerator"] / commune["denominator"] * 100
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                commune["value"] = np.where(
                    commune["denominator"] > 0, commune["numerator"] / commune["denominator"] * 100, np.nan
                )
        commune["indicator"] = indicator.id
        commune["hamlet"] = None
        commune["n_units"] = commune.pop("hamlets")
        # Hamlet assessments are a census of their hamlet: no sampling interval.
        parts.append(
            pd.concat([rows, commune], ignore_index=True).assign(
                ci_low=lambda d: d["value"],
                ci_high=lambda d: d["value"],
                unit=MODEL if indicator.unit == MODEL else HAMLET,
                households=0.0,  # a hamlet's own facts: no surveyed household behind them
                coverage=np.nan,
            )
        )
    return pd.concat(parts, ignore_index=True) if parts else _empty()


def _stall_rows(stalls: pd.DataFrame, indicators: list[Indicator], registered_stalls: int) -> pd.DataFrame:
    """Commune-only: the market is one place.

    With a register (`Market.registered_stalls`) the plan's definition applies (DOMAIN §4.2):
    every register stall is in the denominator and one not interviewed (or refusing) counts
    as not meeting. That figure is fully determined by the interviews, a census of the
    register by definition, so it has no sampling interval (ci = value); the row's coverage
    says how much of it rests on the "not interviewed = not meeting" rule. Without a
    register the population is unknown: the share of interviewed stalls with a Wilson
    interval over them. Either way the value lies inside its interval."""
    rows = []
    for indicator in indicators:
        flags = indicator.flag(stalls).fillna(0.0)
        for round_name, values in flags.groupby(stalls["round"]):
            interviewed = len(values)
            numerator = float(values.sum())
            if registered_stalls > 0:
                denominator = max(interviewed, registered_stalls)
                low = high = numerator / denominator
                reason = (
                    f"{denominator} sạp theo sổ, {interviewed} sạp được phỏng vấn; "
                    "sạp chưa phỏng vấn tính là chưa đạt.",
                    f"{denominator} stalls on the register, {interviewed} interviewed; "
                    "stalls not interviewed count as not meeting.",
                )
            else:
                denominator = interviewed
                low, high = wilson(numerator, interviewed)
                reason = (
                    "Chưa có số sạp theo sổ: tỷ lệ trên các sạp được phỏng vấn.",
                    "No market register: the share of the stalls interviewed.",
                )
            rows.append(
                {
                    "indicator": indicator.id,
                    "hamlet": None,
                    "round": round_name,
                    "numerator": numerator,
                    "denominator": float(denominator),
                    "value": numerator / denominator * 100,
                    "ci_low": low * 100,
                    "ci_high": high * 100,
                    "unit": STALL,
                    "n_units": interviewed,
                    "households": float(interviewed),
                    "coverage": interviewed / registered_stalls if registered_stalls else np.nan,
                    "reason": reason[0],
                    "reason_en": reason[1],
                }
            )
    return pd.DataFrame(rows)


def _administrative_rows(indicators: list[Indicator], figures: Sequence[AdministrativeFigure]) -> pd.DataFrame:
    known = {i.id: i for i in indicators}
    rows = []
    for figure in figures:
        if figure.indicator not in known or not figure.denominator:
            continue
        value = figure.numerator / figure.denominator * 100
        rows.append(
            {
                "indicator": figure.indicator,
                "hamlet": None,
                "round": figure.round,
                "numerator": float(figure.numerator),
                "denominator": float(figure.denominator),
                "value": value,
                "ci_low": value,
                "ci_high": value,
                "unit": known[figure.indicator].unit,
                "n_units": figure.denominator,
                "households": 0.0,
                "coverage": 1.0,
            }
        )
    return pd.DataFrame(rows)


def _complete(rows: pd.DataFrame, indicators: list[Indicator], hamlets: list[str], rounds: list[str]) -> pd.DataFrame:
    """Every indicator has a commune row per round and every hamlet a row per round, with
    nulls where there is no data: a missing figure is shown as missing, not left out."""
    wanted = []
    for indicator in indicators:
        hamlet_level = indicator.kind not in (ADMINISTRATIVE,) and indicator.unit != STALL
        for round_name in rounds:
            wanted.append((indicator.id, None, round_name))
            if hamlet_level:
                wanted.extend((indicator.id, code, round_name) for code in hamlets)
    skeleton = pd.DataFrame(wanted, columns=["indicator", "hamlet", "round"]).astype(object)
    rows = rows.astype({"hamlet": object})
    key = ["indicator", "hamlet", "round"]
    commune = "\0commune"
    present = rows[key].astype(object).fillna(commune).drop_duplicates()
    marked = skeleton.fillna(commune).merge(present, on=key, how="left", indicator=True)
    missing = skeleton[(marked["_merge"] == "left_only").to_numpy()]
    by_id = {i.id: i for i in indicators}
    missing = missing.assign(
        unit=missing["indicator"].map(lambda x: by_id[x].unit), n_units=0, households=0.0, denominator=np.nan
    )
    out = pd.concat([rows, missing], ignore_index=True)
    return out.reindex(columns=ROW_COLUMNS)


def _judge(
    rows: pd.DataFrame,
    catalogue: Sequence[Indicator],
    assessments: pd.DataFrame,
    rounds: Sequence[Round],
    tier: int | None,
) -> pd.DataFrame:
    """Each row's target, verdict, gate and applicability. Worked out per (indicator, round),
    the unit a target belongs to, on arrays: a loop over rows cost 0.3 s at province scale
    (50,000 rows), and every recomputation pays it."""
    by_id = {i.id: i for i in catalogue}
    gates = _gates(catalogue, assessments)
    n = len(rows)
    targets, years, ops, met, gate_ok = (np.full(n, None, dtype=object) for _ in range(5))
    applicable = np.ones(n, dtype=bool)
    reasons = rows["reason"].astype(object).to_numpy(copy=True)
    reasons_en = rows["reason_en"].astype(object).to_numpy(copy=True)
    hamlets = rows["hamlet"].astype(object).to_numpy()
    is_hamlet = np.array([h is not None for h in hamlets], dtype=bool)
    values = rows["value"].astype(float).to_numpy()
    denominators = rows["denominator"].astype(float).to_numpy()
    groups = rows.groupby(["indicator", "round"], sort=False, dropna=False).indices if n else {}
    for (indicator_id, round_name), positions in groups.items():
        indicator = by_id[indicator_id]
        year = tier if (tier and indicator.criterion) else tier_for_round(round_name, rounds)
        target_year, target = indicator.target_for(year)
        hamlet = is_hamlet[positions]
        years[positions] = target_year
        verdict = np.full(len(positions), None, dtype=object)
        if target is not None:
            targets[positions] = target.value
            ops[positions] = target.op
            value = values[positions]
            measured = ~np.isnan(value)
            with np.errstate(invalid="ignore"):
                # As Target.met: percentages come out of divisions; 19/20 must meet "≥ 95" exactly.
                passes = value > target.value + 1e-9 if target.op == ">" else value >= target.value - 1e-9
            verdict[measured] = passes[measured]
        if not commune_verdict(indicator):
            verdict[~hamlet] = None  # a §1.9 criterion is met by a hamlet; the commune's are the plan targets
        if indicator.gate is not None:
            for k in np.flatnonzero(hamlet).tolist():
                row = positions[k]
                gate = gates.get((indicator.id, target_year, hamlets[row], round_name))
                if gate is not True:
                    why = gate_reason(indicator, assessed=gate is not None)
                    reasons[row] = _joined(why[0], reasons[row])
                    reasons_en[row] = _joined(why[1], reasons_en[row])
                    if verdict[k] is not None:
                        verdict[k] = False
                gate_ok[row] = bool(gate)
        if indicator.not_applicable_when_empty:
            empty = hamlet & (denominators[positions] == 0)
            if empty.any():
                rows_empty = positions[empty]
                reasons[rows_empty] = indicator.notes or None
                reasons_en[rows_empty] = indicator.notes_en or None
                applicable[rows_empty] = False
                verdict[empty] = None
        met[positions] = verdict
    # Lists, as the row loop this replaces built them: pandas infers the same column types.
    targets, years, ops, met, gate_ok = (a.tolist() for a in (targets, years, ops, met, gate_ok))
    applicable, reasons, reasons_en = applicable.tolist(), reasons.tolist(), reasons_en.tolist()
    return rows.assign(
        target=targets,
        target_year=years,
        target_op=ops,
        met=met,
        gate_ok=gate_ok,
        applicable=applicable,
        reason=reasons,
        reason_en=reasons_en,
    )


def _joined(first: str, then) -> str:
    """A row can have two reasons (a failed gate in a hamlet without a register): say both."""
    return f"{first}; {then}" if isinstance(then, str) and then else first


def _gates(catalogue: Sequence[Indicator], assessments: pd.DataFrame) -> Mapping[tuple, bool]:
    gates = {}
    if assessments.empty:
        return gates
    for indicator in catalogue:
        if indicator.gate is None:
            continue
        for target_year in indicator.targets:
            passed = indicator.gate(assessments, target_year)
            for hamlet, round_name, ok in zip(assessments["hamlet"], assessments["round"], passed, strict=True):
                gates[(indicator.id, target_year, hamlet, round_name)] = bool(ok)
    return gates


def rows_with_dra_count(rows: pd.DataFrame, scorecard_summary: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """Add P2030_DRA_MODELS: per hamlet 100/0 like every yes/no hamlet figure (meets the 2030
    standard or not), commune = the number of hamlets meeting it, judged against the plan."""
    summary = scorecard_summary[scorecard_summary["tier"] == 2030]
    if summary.empty:
        return rows
    dat = summary["dat"].astype(float).to_numpy()
    hamlet_rows = pd.DataFrame(
        {
            "indicator": indicator.id,
            "hamlet": summary["hamlet"].to_numpy(),
            "round": summary["round"].to_numpy(),
            "numerator": dat,
            "denominator": 1.0,
            "value": dat * 100,
            "unit": HAMLET,
            "n_units": 1,
            # The verdict rests on the hamlet's household criteria: it is as small a cell as they are.
            "households": summary["households"].to_numpy(dtype=float) if "households" in summary else 0.0,
        }
    )
    commune = hamlet_rows.groupby("round", as_index=False).agg(
        numerator=("numerator", "sum"), n_units=("hamlet", "size"), households=("households", "sum")
    )
    commune = commune.assign(
        indicator=indicator.id,
        hamlet=None,
        value=commune["numerator"],
        unit=HAMLET,
        denominator=commune["n_units"].astype(float),
    )
    target_year, target = indicator.target_for(2030)
    added = pd.concat([hamlet_rows, commune], ignore_index=True)
    added["ci_low"] = added["value"]
    added["ci_high"] = added["value"]
    commune_row = added["hamlet"].isna().to_numpy()
    added["target"] = np.where(commune_row, target.value, 100.0)
    added["target_op"] = np.where(commune_row, target.op, ">=")
    added["target_year"] = target_year
    added["met"] = [target.met(v) if c else bool(v >= 100) for v, c in zip(added["value"], commune_row, strict=True)]
    added["applicable"] = True
    return pd.concat([rows, added.reindex(columns=ROW_COLUMNS)], ignore_index=True)
