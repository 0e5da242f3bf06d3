"""The stored indicator results as one reader sees them, and the bodies built from them.

The API (`backend/reports/apis.py`, HTTP only) and the background jobs
(`backend/reports/jobs.py`: exports and maps a province takes too long to build in a
request) both read results here, so a file built by a job is the file the API would send.

Freshness is `services.indicator_results_current`: the stored results at once, and a
recomputation job when the data changed since. Readers without microdata access
(`backend.accounts.policy.sees_microdata`) get their small cells suppressed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

import pandas as pd
from django.conf import settings

from analytics import exports
from analytics.catalogue import BY_ID, CRITERIA
from analytics.geo import hamlets_frame
from analytics.sample import rows_sample_marked
from analytics.scorecard import OPTIONAL_REQUIRED, scorecard_labelled
from analytics.suppress import cells_hidden, rows_suppress, scorecard_suppress
from backend.accounts import policy
from backend.accounts.actors import Actor
from backend.core.errors import bad_request, not_found
from backend.places.models import Hamlet
from backend.reports.body_cache import body_key
from backend.reports.models import ComputedResult
from backend.reports.selectors import hamlets_seen_unsuppressed
from backend.reports.serializers import indicator_row
from backend.reports.services import indicator_results_current

RULE = {
    "vi": f"Ấp đạt khi đạt tất cả tiêu chí bắt buộc (BB) và ít nhất {OPTIONAL_REQUIRED} tiêu chí tự chọn (TC).",
    "en": f"A hamlet meets the standard with every mandatory (BB) criterion and at least {OPTIONAL_REQUIRED} "
    "optional (TC) criteria.",
}
ROW_COLUMNS = [  # of an export or a map before anything was computed
    "indicator",
    "hamlet",
    "round",
    "unit",
    "numerator",
    "denominator",
    "value",
    "ci_low",
    "ci_high",
    "target",
    "target_year",
    "met",
    "suppressed",
]
CRITERION_KEYS = [
    "criterion",
    "group",
    "label_vi",
    "label_en",
    "role",
    "value",
    "op",
    "threshold",
    "status",
    "status_en",
    "met",
    "gap_pp",
    "source",
    "condition",
    "suppressed",
    "reason",
    "reason_en",
    # Extended by issue 12: the households behind the value, and the minimum-sample mark.
    "n",
    "too_few",
]
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "gpkg": "application/geopackage+sqlite3",
}
EXPORT_NAME = "chi_so_phu_lam.{fmt}"
CACHED_RESULTS = 16  # stored results (round × computation) kept unpacked per process


@dataclass(frozen=True)
class _Computation:
    """One stored result, identified by its round and computation: the cache key. The packed
    tables ride along (not compared, not hashed) so the first reader can unpack them."""

    round: str
    fingerprint: str
    computed_at: datetime
    tables: bytes | memoryview = field(compare=False, hash=False, repr=False)

    @classmethod
    def of(cls, result: ComputedResult) -> _Computation:
        return cls(result.round, result.fingerprint, result.computed_at, result.tables)


TABLES = ("rows", "scorecard", "summary", "coverage", "review")  # what `services.results_store` packs


@lru_cache(maxsize=2)
def _tables_text(computation: _Computation) -> str:
    # Decompressed once for the tables a call reads one after the other.
    return exports.tables_text(computation.tables)


@lru_cache(maxsize=CACHED_RESULTS * len(TABLES))
def _table_unpacked(computation: _Computation, name: str) -> pd.DataFrame | None:
    # A province's tables take most of a second to unpack; every map and export reads them,
    # and the indicator calls read the rows alone: each table is unpacked when first read.
    return exports.table_unpack(_tables_text(computation), name)


def _tables_unpacked(computation: _Computation) -> dict[str, pd.DataFrame]:
    tables = {name: _table_unpacked(computation, name) for name in TABLES}
    return {name: frame for name, frame in tables.items() if frame is not None}


@lru_cache(maxsize=CACHED_RESULTS)
def _cells_hidden(computation: _Computation, min_cell: int) -> pd.Series:
    # Which rows readers without microdata do not see: about a second for a province, and the
    # same for every reader (the pattern does not depend on who reads).
    return cells_hidden(_table_unpacked(computation, "rows"), min_cell)


class _Tables:
    """One stored result's tables, each unpacked when first asked for. Callers filter and add
    columns: they get copies, the cache stays pristine."""

    def __init__(self, result: ComputedResult):
        self._computation = _Computation.of(result)
        self._copies: dict[str, pd.DataFrame | None] = {}

    def get(self, name: str, default=None):
        if name not in self._copies:
            frame = _table_unpacked(self._computation, name)
            self._copies[name] = None if frame is None else frame.copy()
        found = self._copies[name]
        return default if found is None else found


def _tables(result: ComputedResult) -> _Tables:
    return _Tables(result)


def results_hamlets() -> pd.DataFrame:
    return hamlets_frame(
        Hamlet.objects.values("code", "name", "name_en", "boundary", "registered_households", "pilot_dra")
    )


class ResultsReader:
    """What a reader's call needs before any table is unpacked: the stored computations
    (without their tables), whether they are stale (which asks for a recomputation), and the
    reader's suppression. Enough to find a cached body (`body_cache`)."""

    def __init__(self, actor: Actor):
        self.actor = actor
        self.stored, self.stale = indicator_results_current(user=actor.user)
        self.rounds = sorted(r.round for r in self.stored)
        self.microdata = policy.sees_microdata(actor)
        self.own_hamlets = frozenset() if self.microdata else hamlets_seen_unsuppressed(actor)

    def computed_at(self, round_name: str | None) -> datetime | None:
        """`StoredResults.computed_at` of the same round filter."""
        return max((r.computed_at for r in self.stored if not round_name or r.round == round_name), default=None)

    def body_key(self, name: str, round_name: str | None, params: dict) -> str:
        stored = [r for r in self.stored if not round_name or r.round == round_name]
        return body_key(name, stored, microdata=self.microdata, own_hamlets=self.own_hamlets, params=params)


class StoredResults:
    """The stored results as frames, suppressed for this reader when needed."""

    def __init__(self, actor: Actor, round_name: str | None, *, current: ResultsReader | None = None):
        """`current`: the reader's freshness check already made (a cached body missed)."""
        current = current or ResultsReader(actor)
        stored, self.stale = current.stored, current.stale
        self.microdata = current.microdata
        self.min_cell = settings.ANALYTICS_MIN_CELL
        self.rounds = sorted(r.round for r in stored)
        if round_name:
            stored = [r for r in stored if r.round == round_name]
        self.stored = stored
        self._tables: dict[str, _Tables] | None = None
        self.computed_at = max((r.computed_at for r in stored), default=None)
        self.own_hamlets = current.own_hamlets
        self.rows = self.frame("rows") if self.microdata else self._rows_suppressed()
        if "suppressed" not in self.rows and not self.rows.empty:
            self.rows["suppressed"] = False
        self.min_sample = settings.ANALYTICS_MIN_SAMPLE
        self.rows = rows_sample_marked(self.rows, self.min_sample)

    def latest_round(self, requested: str | None) -> str | None:
        """The round asked for, or the latest stored one."""
        if requested:
            return requested
        return self.rounds[-1] if self.rounds else None

    def _all_tables(self) -> dict[str, _Tables]:
        if self._tables is None:
            self._tables = {r.round: _tables(r) for r in self.stored}
        return self._tables

    def _rows_suppressed(self) -> pd.DataFrame:
        """Each round's rows with its small cells hidden (the pattern is kept per stored result:
        it does not depend on the reader), then the reader's own hamlets shown."""
        parts = []
        for result in self.stored:
            rows = self._all_tables()[result.round].get("rows", pd.DataFrame())
            if len(rows.columns) and len(rows):
                hidden = _cells_hidden(_Computation.of(result), self.min_cell)
                parts.append(rows_suppress(rows, self.min_cell, own_hamlets=self.own_hamlets, hidden=hidden))
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()

    def rows_or_empty(self) -> pd.DataFrame:
        return self.rows if not self.rows.empty else pd.DataFrame(columns=ROW_COLUMNS)

    def scorecard(self, rounds: list[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(criteria, summary) with the same cells hidden as in `self.rows`: a verdict or a
        failing list derived from a hidden cell is hidden too."""
        detail = scorecard_labelled(self.frame("scorecard", rounds))
        summary = self.frame("summary", rounds)
        if not self.microdata:
            detail, summary = scorecard_suppress(detail, summary, self.rows, self.min_cell)
        # Each criterion carries its n and too_few by the rows' own rule (analytics/sample.py).
        if not detail.empty:
            detail = rows_sample_marked(detail, self.min_sample)
        return detail, summary

    def frame(self, name: str, rounds: list[str] | None = None) -> pd.DataFrame:
        parts = [
            tables.get(name, pd.DataFrame())
            for round_name, tables in self._all_tables().items()
            if rounds is None or round_name in rounds
        ]
        parts = [p for p in parts if len(p.columns)]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def indicator_rows(results: StoredResults, *, hamlet: str | None, indicator: str | None) -> list[dict]:
    """The indicator rows in the contract shape; `hamlet` a code or "commune"."""
    rows = results.rows
    if rows.empty:
        return []
    if hamlet == "commune":
        rows = rows[rows["hamlet"].isna()]
    elif hamlet:
        rows = rows[rows["hamlet"] == hamlet]
    if indicator:
        rows = rows[rows["indicator"] == indicator]
    return [indicator_row(r) for r in rows.to_dict("records")]


def hamlets_geojson(results: StoredResults, *, indicator: str, round_name: str | None) -> dict:
    collection = exports.geojson_dict(results_hamlets(), results.rows_or_empty(), indicator, round_name or "")
    for feature in collection["features"]:
        feature["properties"]["label_vi"] = BY_ID[indicator].label_vi
        feature["properties"]["suppressed"] = bool(feature["properties"].get("suppressed") or False)
        feature["properties"]["too_few"] = bool(feature["properties"].get("too_few") or False)
    return collection


def scorecard_body(results: StoredResults, *, round_name: str, tier: int) -> dict:
    """The scorecard of one round and tier: each hamlet (in the scorecard's order: the pilot
    hamlets first, then by code) with its criteria, and the commune's plan targets."""
    detail, summary = results.scorecard([round_name])
    hamlets = []
    if not summary.empty:
        summary = summary[summary["tier"] == tier]
        detail = detail[detail["tier"] == tier]
        # One conversion of the whole table, then records grouped by hamlet: per-hamlet frame
        # work cost ~20 ms a hamlet, 40 s for a province's 1,800 hamlets.
        keyed = detail.reindex(columns=CRITERION_KEYS)
        records = keyed.astype(object).where(keyed.notna(), None).to_dict("records")
        by_hamlet: dict[str, list[dict]] = defaultdict(list)
        for hamlet, record in zip(detail["hamlet"].to_numpy(), records, strict=True):
            by_hamlet[hamlet].append(record)
        for item in summary.to_dict("records"):
            hamlets.append(
                {
                    "hamlet": item["hamlet"],
                    "name": item.get("name"),
                    "pilot": bool(item.get("pilot")),
                    "tier": tier,
                    "status": item["status"],
                    "status_en": item["status_en"],
                    "dat": None if item.get("suppressed") else bool(item["dat"]),
                    "suppressed": bool(item.get("suppressed", False)),
                    "bb_met": item["bb_met"],
                    "bb_total": item["bb_total"],
                    "tc_met": item["tc_met"],
                    "tc_required": item["tc_required"],
                    "failing": item["failing"],
                    "failing_mandatory": item["failing_mandatory"],
                    "criteria": by_hamlet.get(item["hamlet"], []),
                }
            )
    targets = []
    rows = results.rows
    if not rows.empty:
        plan = rows[rows["hamlet"].isna() & rows["round"].eq(round_name) & rows["indicator"].str.startswith("P")]
        for row in plan.to_dict("records"):
            entry = BY_ID[row["indicator"]]
            targets.append(
                {
                    **indicator_row(row),
                    "label_vi": entry.label_vi,
                    "label_en": entry.label_en,
                    "source": "administrative" if entry.administrative else entry.source,
                }
            )
    return {
        "round": round_name,
        "tier": tier,
        "rule": RULE,
        "criteria": [c.id for c in CRITERIA],
        "suppression": None if results.microdata else {"min_cell": results.min_cell},
        "hamlets": hamlets,
        "commune_targets": targets,
    }


def location_review_rows(results: StoredResults, *, hamlets: frozenset[str] | None) -> list[dict]:
    """Households flagged by the location rule, within `hamlets` (None: all)."""
    review = results.frame("review")
    if hamlets is not None and not review.empty:
        review = review[review["hamlet"].isin(hamlets)]
    return exports.json_safe(review)


def export_body(results: StoredResults, fmt: str) -> bytes:
    """The indicator export in one format, for this reader (suppressed cells stay suppressed)."""
    hamlets = results_hamlets()
    names = dict(zip(hamlets["code"], hamlets["name"], strict=False)) if len(hamlets) else {}
    rows = results.rows_or_empty()
    if fmt == "csv":
        return exports.csv_bytes(rows, names)
    if fmt == "xlsx":
        scorecard, summary = results.scorecard()
        return exports.xlsx_bytes(rows, scorecard, summary, results.frame("coverage"), names)
    if fmt == "gpkg":
        return exports.gpkg_bytes(hamlets, rows)
    raise not_found(f"export format '{fmt}'")


def map_body(results: StoredResults, indicator: str, round_name: str | None, *, size: str = "screen") -> bytes:
    if round_name not in results.rounds:
        raise not_found(f"survey round '{round_name}'")
    if size not in exports.MAP_SIZES:
        raise bad_request(f"map size '{size}': use one of {', '.join(exports.MAP_SIZES)}")
    return exports.choropleth_png(
        results_hamlets(), results.rows, indicator, round_name, size=size, min_sample=results.min_sample
    )
