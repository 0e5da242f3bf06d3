"""Everything from typed frames to results: units, geo join, indicators, scorecard.

`hamlet_indicators_compute` is the one entry point the Django edge calls; it times its
stages so the management command and the benchmark can show where the time goes.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from analytics.catalogue import BY_ID, DRA_COUNT
from analytics.compute import (
    AdministrativeFigure,
    IndicatorParts,
    indicator_parts_compute,
    indicators_combine,
    rows_with_dra_count,
)
from analytics.frames import Frames
from analytics.geo import households_locate
from analytics.rounds import Round
from analytics.scorecard import scorecard_compute
from analytics.units import hamlet_sizes, rows_where, units_build

# The per-hamlet counts a partial keeps (`PartialResults.hamlet_counts`): every count but the
# stalls', which belong to the commune as one place.
HAMLET_COUNTS = ("households", "persons15", "assessments", "flagged", "unassigned_round")


@dataclass
class Results:
    rows: pd.DataFrame
    coverage: pd.DataFrame
    scorecard: pd.DataFrame
    scorecard_summary: pd.DataFrame
    review: pd.DataFrame  # households flagged for review (outside their hamlet / poor GPS)
    hamlets: gpd.GeoDataFrame
    timings: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


class Stopwatch:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start


def hamlet_indicators_compute(
    frames: Frames,
    hamlets: gpd.GeoDataFrame,
    *,
    rounds: Sequence[Round] | None = None,
    administrative: Sequence[AdministrativeFigure] = (),
    registered_stalls: int = 0,
    tolerance_m: float = 100.0,
    max_accuracy_m: float = 50.0,
    only_round: str | None = None,
    stopwatch: Stopwatch | None = None,
) -> Results:
    watch = stopwatch or Stopwatch()
    partial = partial_results_compute(
        frames,
        hamlets,
        rounds=rounds,
        administrative=administrative,
        registered_stalls=registered_stalls,
        tolerance_m=tolerance_m,
        max_accuracy_m=max_accuracy_m,
        only_round=only_round,
        stopwatch=watch,
    )
    return results_combine([partial], hamlets, rounds=rounds, stopwatch=watch)


@dataclass
class PartialResults:
    """The results of some hamlets' data (`analytics.compute.IndicatorParts` and the households
    flagged for review), to be combined with the other parts' (`results_combine`)."""

    parts: IndicatorParts
    review: pd.DataFrame
    counts: dict[str, int]
    # `counts` per hamlet (HAMLET_COUNTS; index: hamlet code), so that a hamlet can be taken
    # out again (`partial_without`).
    hamlet_counts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(HAMLET_COUNTS)))
    # Hamlets that some unit reached through its `ap` answer alone (a submission without a
    # hamlet code): such units come from the commune-level part's reading, so these hamlets
    # cannot be recomputed by reading their hamlet codes.
    hamlets_by_answer: frozenset[str] = frozenset()


def partial_results_compute(
    frames: Frames,
    hamlets: gpd.GeoDataFrame,
    *,
    rounds: Sequence[Round] | None = None,
    administrative: Sequence[AdministrativeFigure] = (),
    registered_stalls: int = 0,
    tolerance_m: float = 100.0,
    max_accuracy_m: float = 50.0,
    only_round: str | None = None,
    commune_level: bool = True,
    stopwatch: Stopwatch | None = None,
) -> PartialResults:
    """`frames` hold the data of some hamlets; `hamlets` are all of them (a point is located
    against every polygon). `commune_level`: this part owns the market and the administrative
    figures (exactly one part of a split computation does)."""
    watch = stopwatch or Stopwatch()
    with watch.stage("compute"):
        units = units_build(frames, rounds)
        if only_round is not None:
            for name in ("households", "persons15", "adults18", "stalls", "assessments"):
                frame = getattr(units, name)
                setattr(units, name, rows_where(frame, frame["round"] == only_round))
            administrative = [a for a in administrative if a.round == only_round]
    with watch.stage("join"):
        located = households_locate(units.households, hamlets, tolerance_m=tolerance_m, max_accuracy_m=max_accuracy_m)
        review = located[located["review"]].merge(
            units.households[["submission_id", "round", "ma_ho"]], on="submission_id", how="left"
        )
    with watch.stage("compute"):
        parts = indicator_parts_compute(
            units,
            pd.DataFrame(hamlets.drop(columns="geometry")),
            rounds=rounds,
            administrative=administrative,
            registered_stalls=registered_stalls,
            commune_level=commune_level,
        )
    hamlet_counts = pd.concat(
        {
            "households": hamlet_sizes(units.households["hamlet"]),
            "persons15": hamlet_sizes(units.persons15["hamlet"]),
            "assessments": hamlet_sizes(units.assessments["hamlet"]),
            "flagged": hamlet_sizes(review["hamlet"]),
            "unassigned_round": units.unassigned_hamlets,
        },
        axis=1,
    )
    hamlet_counts = hamlet_counts.reindex(columns=list(HAMLET_COUNTS)).fillna(0).astype("int64")
    return PartialResults(
        parts=parts,
        review=review,
        hamlet_counts=hamlet_counts,
        hamlets_by_answer=_hamlets_by_answer(frames),
        counts={
            "households": len(units.households),
            "persons15": len(units.persons15),
            "stalls": len(units.stalls) if commune_level else 0,
            "assessments": len(units.assessments),
            "flagged": len(review),
            "unassigned_round": units.unassigned_round,
        },
    )


def _hamlets_by_answer(frames: Frames) -> frozenset[str]:
    """The `ap` answers of households and assessments without a hamlet code (the units'
    hamlet then comes from the answer: `analytics.units`)."""
    found: set[str] = set()
    for frame in (frames.households, frames.assessments):
        if frame.empty:
            continue
        code = frame["hamlet_code"].astype(object)
        empty = (code.isna() | code.eq("")).to_numpy()
        if empty.any():
            found |= {str(v) for v in frame["ap"].astype(object)[empty].dropna().unique()}
    return frozenset(found)


def _not_in(frame: pd.DataFrame, hamlets: frozenset[str], column: str = "hamlet") -> pd.DataFrame:
    if frame is None or not len(frame) or column not in frame:
        return frame
    keep = ~frame[column].astype(object).isin(hamlets).to_numpy()
    return frame if keep.all() else rows_where(frame, keep).reset_index(drop=True)


def partial_without(partial: PartialResults, hamlets) -> PartialResults:
    """`partial` with everything of `hamlets` taken out: their hamlet rows, coverage,
    assessment units, flagged households and counts. With the part of those hamlets computed
    again (`partials_merge`), the whole is what one computation over the new data gives: no
    hamlet row depends on another hamlet's data, and every commune row is computed from the
    hamlet rows in `results_combine`. The commune-level rows (stalls, administrative figures)
    stay. The caller makes sure no unit of these hamlets came from elsewhere
    (`hamlets_by_answer`)."""
    hamlets = frozenset(hamlets)
    old = partial.parts
    survey = {unit: _not_in(frame, hamlets) for unit, frame in old.survey.items()}
    coverage = _not_in(old.coverage, hamlets)
    assessments = _not_in(old.assessments, hamlets)
    parts = IndicatorParts(
        survey=survey,
        assessment=_not_in(old.assessment, hamlets),
        commune_only=old.commune_only,
        coverage=coverage,
        assessments=assessments,
        round_names=set(coverage["round"]) | set(assessments["round"]) | set(old.commune_rounds),
        commune_rounds=set(old.commune_rounds),
    )
    counts = partial.hamlet_counts
    gone = counts[counts.index.isin(list(hamlets))]
    totals = dict(partial.counts)
    for key in HAMLET_COUNTS:
        if key in gone:
            totals[key] = totals.get(key, 0) - int(gone[key].sum())
    return PartialResults(
        parts=parts,
        review=_not_in(partial.review, hamlets),
        counts=totals,
        hamlet_counts=counts[~counts.index.isin(list(hamlets))],
        hamlets_by_answer=partial.hamlets_by_answer,
    )


def partials_merge(partials: Sequence[PartialResults]) -> PartialResults:
    """One partial of the union of disjoint parts (what the next incremental recomputation
    starts from): `results_combine([partials_merge(ps)])` is `results_combine(ps)`."""
    if len(partials) == 1:
        return partials[0]

    def concat(frames):
        filled = [f for f in frames if f is not None and len(f)]
        if not filled:
            return frames[0]
        return filled[0] if len(filled) == 1 else pd.concat(filled, ignore_index=True)

    units = sorted({u for p in partials for u in p.parts.survey})
    parts = IndicatorParts(
        survey={u: concat([p.parts.survey[u] for p in partials if u in p.parts.survey]) for u in units},
        assessment=concat([p.parts.assessment for p in partials]),
        commune_only=concat([p.parts.commune_only for p in partials]),
        coverage=concat([p.parts.coverage for p in partials]),
        assessments=concat([p.parts.assessments for p in partials]),
        round_names=set().union(*(p.parts.round_names for p in partials)),
        commune_rounds=set().union(*(p.parts.commune_rounds for p in partials)),
    )
    counts: dict[str, int] = {}
    for partial in partials:
        for key, value in partial.counts.items():
            counts[key] = counts.get(key, 0) + value
    hamlet_counts = pd.concat([p.hamlet_counts for p in partials])
    hamlet_counts = hamlet_counts.groupby(level=0, dropna=False).sum() if len(hamlet_counts) else hamlet_counts
    return PartialResults(
        parts=parts,
        review=concat([p.review for p in partials]),
        counts=counts,
        hamlet_counts=hamlet_counts,
        hamlets_by_answer=frozenset().union(*(p.hamlets_by_answer for p in partials)),
    )


def results_combine(
    partials: Sequence[PartialResults],
    hamlets: gpd.GeoDataFrame,
    *,
    rounds: Sequence[Round] | None = None,
    stopwatch: Stopwatch | None = None,
    labelled: bool = True,
) -> Results:
    """The results of the whole from the parts of disjoint sets of hamlets: exactly what one
    computation over all the data gives (the commune figures are functions of hamlet rows).
    `labelled=False`: the scorecard without its catalogue text, as it is stored (the readers
    add it back: `scorecard_labelled`)."""
    watch = stopwatch or Stopwatch()
    with watch.stage("compute"):
        table = pd.DataFrame(hamlets.drop(columns="geometry"))
        rows, coverage = indicators_combine([p.parts for p in partials], table, rounds=rounds)
        reviews = [p.review for p in partials if len(p.review)]
        review = pd.concat(reviews, ignore_index=True) if len(reviews) > 1 else (reviews or [partials[0].review])[0]
        # A household outside its hamlet still counts for the hamlet it declared; the
        # coverage table says how many are awaiting review.
        flagged = review.groupby(["round", "hamlet"]).size().rename("flagged")
        coverage = coverage.join(flagged, on=["round", "hamlet"])
        coverage["flagged"] = coverage["flagged"].fillna(0).astype(int)
        assessments = pd.concat([p.parts.assessments for p in partials], ignore_index=True)
        scorecard, summary = scorecard_compute(rows, assessments, table, labelled=labelled)
        for indicator in BY_ID.values():
            if indicator.kind == DRA_COUNT:
                rows = rows_with_dra_count(rows, summary, indicator)
    counts: dict[str, int] = {}
    for partial in partials:
        for key, value in partial.counts.items():
            counts[key] = counts.get(key, 0) + value
    return Results(
        rows=rows,
        coverage=coverage,
        scorecard=scorecard,
        scorecard_summary=summary,
        review=review,
        hamlets=hamlets,
        timings=watch.timings,
        counts=counts,
    )
