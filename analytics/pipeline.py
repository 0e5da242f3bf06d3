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
from analytics.compute import AdministrativeFigure, indicators_compute, rows_with_dra_count
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
        table = pd.DataFrame(hamlets.drop(columns="geometry"))
        rows, coverage = indicators_compute(
            units,
            table,
            rounds=rounds,
            administrative=administrative,
            registered_stalls=registered_stalls,
        )
        # A household outside its hamlet still counts for the hamlet it declared; the
        # coverage table says how many are awaiting review.
        flagged = review.groupby(["round", "hamlet"]).size().rename("flagged")
        coverage = coverage.join(flagged, on=["round", "hamlet"])
        coverage["flagged"] = coverage["flagged"].fillna(0).astype(int)
        scorecard, summary = scorecard_compute(rows, units.assessments, table)
        for indicator in BY_ID.values():
            if indicator.kind == DRA_COUNT:
                rows = rows_with_dra_count(rows, summary, indicator)
    return Results(
        rows=rows,
        coverage=coverage,
        scorecard=scorecard,
        scorecard_summary=summary,
        review=review,
        hamlets=hamlets,
        timings=watch.timings,
        counts={
            "households": len(units.households),
            "persons15": len(units.persons15),
            "stalls": len(units.stalls),
            "assessments": len(units.assessments),
            "flagged": len(review),
            "unassigned_round": units.unassigned_round,
        },
    )
