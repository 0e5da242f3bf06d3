"""The figures of one round, read from the stored results the dashboard and the API read.

The periodic report, the public page and the loudspeaker text are all built from
`round_figures`: it unpacks the same `ComputedResult` tables as `/api/v1/indicators` and
`/api/v1/scorecard` and applies the same suppression (`analytics.suppress`) for readers
without microdata access, so no output can show a figure the others do not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
from django.conf import settings

from analytics import exports
from analytics.catalogue import BY_ID, COUNT, DRA_COUNT, PLAN_TARGETS, UNIT_LABELS
from analytics.scorecard import scorecard_labelled
from analytics.suppress import rows_suppress, scorecard_suppress
from backend.core.errors import not_found
from backend.places.models import Commune, Hamlet
from backend.reports.models import AdministrativeFigure
from backend.reports.selectors import round_scorecard_tier
from backend.reports.services import indicator_results_current

TARGET_YEARS = (2025, 2027, 2030)


@dataclass
class TargetFigure:
    indicator: str
    label_vi: str
    label_en: str
    unit: str
    percent: bool  # value in percent (else a count: models, hamlets)
    administrative: bool
    target_year: int | None
    op: str  # ">=" or ">"
    target: float | None
    value: float | None
    ci_low: float | None
    ci_high: float | None
    n: int | None  # units behind the value (households, persons, stalls…)
    met: bool | None
    suppressed: bool
    previous_value: float | None
    change: float | None  # value − previous value (percentage points for percents)
    reason: str = ""
    reason_en: str = ""

    @property
    def unit_vi(self) -> str:
        return UNIT_LABELS.get(self.unit, (self.unit, self.unit))[0]


@dataclass
class CoverageFigure:
    hamlet: str
    name: str
    registered: int | None
    surveyed: int
    coverage: float | None  # percent
    refused: int
    flagged: int


@dataclass
class Lack:
    criterion: str
    label_vi: str
    label_en: str
    role: str  # BB / TC
    gap_pp: float | None
    reason: str
    reason_en: str


@dataclass
class HamletStanding:
    hamlet: str
    name: str
    pilot: bool
    dat: bool
    status: str
    status_en: str
    bb_met: int
    bb_total: int
    tc_met: int
    tc_required: int
    lacking: list[Lack] = field(default_factory=list)
    # Some criterion of this hamlet is hidden (small cell): its counts and verdict would let a
    # reader infer the hidden cell, so outputs for the public show none of them.
    hidden: bool = False


@dataclass
class AdministrativeEntry:
    indicator: str
    label_vi: str
    numerator: int
    denominator: int
    value: float
    source: str
    note: str
    entered_by: str
    updated_at: datetime


@dataclass
class RoundFigures:
    round: str
    previous_round: str | None
    rounds: list[str]
    computed_at: datetime | None
    stale: bool
    suppressed: bool  # built for a reader without microdata access
    min_cell: int
    tier: int
    commune: str
    province: str
    targets: list[TargetFigure]
    coverage: list[CoverageFigure]
    hamlets: list[HamletStanding]
    administrative: list[AdministrativeEntry]
    rows: pd.DataFrame  # the (suppressed when needed) indicator rows of every round, for charts

    def targets_for(self, year: int) -> list[TargetFigure]:
        return [t for t in self.targets if t.target_year == year]


def scorecard_tier(round_name: str) -> int:
    """The DRA tier a round is judged against: the same rule as GET /api/v1/scorecard."""
    return round_scorecard_tier(round_name)


def _number(value) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _flag(value) -> bool | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return bool(value)


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def round_figures(round_name: str | None, *, microdata: bool) -> RoundFigures:
    """Everything the report and the public page say about `round_name` (default: the
    latest stored round). `microdata=False` gives the suppressed figures a viewer gets."""
    stored, stale = indicator_results_current()
    by_round = {r.round: r for r in stored}
    rounds = sorted(by_round)
    if not round_name:
        if not rounds:
            raise not_found("survey round (no computed results yet)")
        round_name = rounds[-1]
    if round_name not in by_round:
        raise not_found(f"survey round '{round_name}'")
    previous = rounds[rounds.index(round_name) - 1] if rounds.index(round_name) > 0 else None
    min_cell = settings.ANALYTICS_MIN_CELL
    tables = {name: exports.tables_unpack(by_round[name].tables) for name in rounds}

    def table(name: str, round_: str) -> pd.DataFrame:
        return tables[round_].get(name, pd.DataFrame())

    parts = [table("rows", r) for r in rounds]
    rows = pd.concat([p for p in parts if len(p.columns)], ignore_index=True) if any(len(p) for p in parts) else None
    rows = rows if rows is not None else pd.DataFrame(columns=["indicator", "hamlet", "round"])
    if not microdata and not rows.empty:
        rows = rows_suppress(rows, min_cell)
    if "suppressed" not in rows:
        rows["suppressed"] = False

    names = dict(Hamlet.objects.values_list("code", "name"))
    commune = Commune.objects.order_by("code").first()
    tier = scorecard_tier(round_name)
    return RoundFigures(
        round=round_name,
        previous_round=previous,
        rounds=rounds,
        computed_at=by_round[round_name].computed_at,
        stale=stale,
        suppressed=not microdata,
        min_cell=min_cell,
        tier=tier,
        commune=commune.name if commune else "Xã Phú Lâm",
        province=commune.province if commune else "Đồng Nai",
        targets=_targets(rows, round_name, previous),
        coverage=_coverage(table("coverage", round_name), names),
        hamlets=_standing(
            table("summary", round_name), table("scorecard", round_name), rows, tier, microdata, min_cell
        ),
        administrative=_administrative(round_name),
        rows=rows,
    )


def _targets(rows: pd.DataFrame, round_name: str, previous: str | None) -> list[TargetFigure]:
    commune = rows[rows["hamlet"].isna()] if not rows.empty else rows
    by_key = {(r["indicator"], r["round"]): r for r in commune.to_dict("records")}
    figures = []
    for indicator in PLAN_TARGETS:
        row = by_key.get((indicator.id, round_name))
        if row is None:
            continue
        before = by_key.get((indicator.id, previous)) if previous else None
        value = _number(row.get("value"))
        previous_value = _number(before.get("value")) if before else None
        target_year = _number(row.get("target_year"))
        n = _number(row.get("n_units"))
        figures.append(
            TargetFigure(
                indicator=indicator.id,
                label_vi=indicator.label_vi,
                label_en=indicator.label_en,
                unit=indicator.unit,
                percent=indicator.kind not in (COUNT, DRA_COUNT),
                administrative=indicator.administrative,
                target_year=int(target_year) if target_year is not None else None,
                op=_text(row.get("target_op")) or ">=",
                target=_number(row.get("target")),
                value=value,
                ci_low=_number(row.get("ci_low")),
                ci_high=_number(row.get("ci_high")),
                n=int(n) if n else None,
                met=_flag(row.get("met")),
                suppressed=bool(row.get("suppressed")),
                previous_value=previous_value,
                change=value - previous_value if value is not None and previous_value is not None else None,
                reason=_text(row.get("reason")),
                reason_en=_text(row.get("reason_en")),
            )
        )
    return sorted(figures, key=lambda f: (f.target_year or 9999, [i.id for i in PLAN_TARGETS].index(f.indicator)))


def _coverage(coverage: pd.DataFrame, names: dict[str, str]) -> list[CoverageFigure]:
    if coverage.empty:
        return []
    out = []
    for r in coverage.sort_values("hamlet").to_dict("records"):
        share = _number(r.get("coverage"))
        registered = _number(r.get("registered"))
        out.append(
            CoverageFigure(
                hamlet=r["hamlet"],
                name=names.get(r["hamlet"], r["hamlet"]),
                registered=int(registered) if registered is not None else None,
                surveyed=int(_number(r.get("surveyed")) or 0),
                coverage=share * 100 if share is not None else None,
                refused=int(_number(r.get("refused")) or 0),
                flagged=int(_number(r.get("flagged")) or 0),
            )
        )
    return out


def _standing(
    summary: pd.DataFrame, detail: pd.DataFrame, rows: pd.DataFrame, tier: int, microdata: bool, min_cell: int
) -> list[HamletStanding]:
    """The scorecard summary of the round's tier, the two pilot hamlets first (as on the
    dashboard), each with the criteria it still lacks."""
    if summary.empty:
        return []
    summary = summary[summary["tier"] == tier]
    detail = scorecard_labelled(detail[detail["tier"] == tier]) if not detail.empty else detail
    if not microdata and not detail.empty:
        # The same cells hidden as in `rows` (complements included); a verdict resting on one
        # is hidden and the failing lists keep only criteria that are shown.
        detail, summary = scorecard_suppress(detail, summary, rows, min_cell)
    criteria = {(r["hamlet"], r["criterion"]): r for r in detail.to_dict("records")} if not detail.empty else {}
    hidden = {h for (h, _), r in criteria.items() if r.get("suppressed") is True}
    if "suppressed" in summary:
        hidden |= set(summary.loc[summary["suppressed"].astype(bool), "hamlet"])
    out = []
    for r in summary.to_dict("records"):
        lacking = []
        for criterion in r.get("failing") or []:
            c = criteria.get((r["hamlet"], criterion), {})
            lacking.append(
                Lack(
                    criterion=criterion,
                    label_vi=BY_ID[criterion].label_vi if criterion in BY_ID else criterion,
                    label_en=BY_ID[criterion].label_en if criterion in BY_ID else criterion,
                    role=_text(c.get("role")),
                    gap_pp=_number(c.get("gap_pp")),
                    reason=_text(c.get("reason")),
                    reason_en=_text(c.get("reason_en")),
                )
            )
        out.append(
            HamletStanding(
                hamlet=r["hamlet"],
                name=_text(r.get("name")) or r["hamlet"],
                pilot=bool(r.get("pilot")),
                dat=bool(r.get("dat")),
                status=_text(r.get("status")),
                status_en=_text(r.get("status_en")),
                bb_met=int(r.get("bb_met") or 0),
                bb_total=int(r.get("bb_total") or 0),
                tc_met=int(r.get("tc_met") or 0),
                tc_required=int(r.get("tc_required") or 0),
                lacking=lacking,
                hidden=r["hamlet"] in hidden,
            )
        )
    return sorted(out, key=lambda h: (not h.pilot, h.hamlet))


def _administrative(round_name: str) -> list[AdministrativeEntry]:
    entries = []
    for figure in AdministrativeFigure.objects.filter(round=round_name).select_related("entered_by"):
        user = figure.entered_by
        entries.append(
            AdministrativeEntry(
                indicator=figure.indicator,
                label_vi=BY_ID[figure.indicator].label_vi if figure.indicator in BY_ID else figure.indicator,
                numerator=figure.numerator,
                denominator=figure.denominator,
                value=100.0 * figure.numerator / figure.denominator,
                source=figure.source,
                note=figure.note,
                entered_by=(user.get_full_name() or user.get_username()) if user else "—",
                updated_at=figure.updated_at,
            )
        )
    return entries
