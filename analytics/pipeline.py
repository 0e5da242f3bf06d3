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
from analytics.units import rows_where, units_build


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
    return PartialResults(
        parts=parts,
        review=review,
        counts={
            "households": len(units.households),
            "persons15": len(units.persons15),
            "stalls": len(units.stalls) if commune_level else 0,
            "assessments": len(units.assessments),
            "flagged": len(review),
            "unassigned_round": units.unassigned_round,
        },
    )


def results_combine(
    partials: Sequence[PartialResults],
    hamlets: gpd.GeoDataFrame,
    *,
    rounds: Sequence[Round] | None = None,
    stopwatch: Stopwatch | None = None,
) -> Results:
    """The results of the whole from the parts of disjoint sets of hamlets: exactly what one
    computation over all the data gives (the commune figures are functions of hamlet rows)."""
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
        scorecard, summary = scorecard_compute(rows, assessments, table)
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
