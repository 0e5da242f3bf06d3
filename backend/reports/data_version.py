"""The version of the data the stored indicator results were computed from (issue 18).

Every dashboard call asks "do the stored results still match the data?". It used to answer
with five aggregates over the submissions (count, max id, max `updated_at`, deletions): a
scan of the whole table, 202 ms at 1,000,000 households, on every call.

Every change to a submission that the results depend on (received, edited, reviewed,
deleted, restored, purged) already writes a row to the change feed (`core_change`, in the
same transaction as the change: backend/core/changes.py). So the version is read from the
feed instead: the change rows of transactions that had not finished when the results were
computed. A version is anchored at `since_xid`, the feed's "settled below" transaction id at
the time it was taken: every transaction with a smaller id had finished then, so their rows
never change again, and any row committed later, whatever its id (a submission committed
late, out of id order), belongs to a transaction at or above `since_xid` and is counted in
`changes`. Reading it again is a count over that index range (`change_commit_order`), the
rows since the last computation: about a millisecond.

The small tables the results also depend on (rounds, manual round assignments,
administrative figures, hamlets, markets) and the settings that select submissions are
aggregated as before, into `tables`; the largest submission id (an index lookup) is kept
apart, in `top`, so that an incremental recomputation (`backend/reports/incremental.py`) can
tell new submissions (ids above it) from a change of the small tables (a full recomputation).

Two versions taken at different times may name the same data under different anchors, so
a stored version is never compared as text with a new one: `data_version_current` reads
the data again at the stored version's own anchor.

SQLite (the quickstart) has one writer at a time, so its feed is in commit order already:
the anchor is 0 and the whole table is counted.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max

from backend.core.changes import SETTLED_BELOW
from backend.places.models import Hamlet, Market
from backend.reports.models import AdministrativeFigure, RoundAssignment, SurveyRound
from backend.submissions.models import Submission

TAG = "v3"


@dataclass(frozen=True)
class DataVersion:
    since_xid: int  # every transaction below it had finished when this version was taken
    changes: int  # change rows of transactions at or above `since_xid`
    last_change: int  # the largest id among them (0: none)
    top: int  # the largest submission id (0: none)
    tables: str  # digest of the small tables and the settings

    def encode(self) -> str:
        return f"{TAG}:{self.since_xid}:{self.changes}:{self.last_change}:{self.top}:{self.tables}"


def version_decode(text: str) -> DataVersion | None:
    """The version a stored result carries; None for one stored before this scheme (it is
    then taken as stale once, and the recomputation stores a version of this kind)."""
    try:
        tag, since_xid, changes, last_change, top, tables = text.split(":")
        if tag != TAG:
            return None
        return DataVersion(int(since_xid), int(changes), int(last_change), int(top), tables)
    except ValueError:
        return None


def data_version_take() -> DataVersion:
    """The version of the data now, anchored at the feed's settled point."""
    return data_version_at(_anchor())


def data_version_at(since_xid: int) -> DataVersion:
    changes, last_change = _changes_since(since_xid)
    top = Submission.objects.aggregate(top=Max("id"))["top"] or 0
    return DataVersion(since_xid, changes, last_change, top, _tables_digest())


def data_version_current(stored: str) -> bool:
    """Whether the data is still what the version `stored` describes."""
    version = version_decode(stored)
    return version is not None and data_version_at(version.since_xid) == version


def _anchor() -> int:
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        # The request's own transaction, when it already wrote, is still running: its rows
        # are visible to it, so the anchor must not pass it (tests run inside one transaction).
        cursor.execute(f"SELECT ({SETTLED_BELOW})::text, pg_current_xact_id_if_assigned()::text WHERE %s", [True])
        settled, own = cursor.fetchone()
    return min(int(settled), int(own)) if own is not None else int(settled)


def _changes_since(since_xid: int) -> tuple[int, int]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*), COALESCE(max(id), 0) FROM core_change WHERE xid >= %s::text::xid8", [str(since_xid)]
            )
        else:
            cursor.execute("SELECT count(*), COALESCE(max(id), 0) FROM core_change")
        changes, last_change = cursor.fetchone()
    return int(changes), int(last_change)


def _tables_digest() -> str:
    from backend.reports.selectors import location_rule

    parts = [
        SurveyRound.objects.aggregate(n=Count("id"), last=Max("updated_at")),
        RoundAssignment.objects.aggregate(n=Count("submission_id"), last=Max("assigned_at")),
        AdministrativeFigure.objects.aggregate(n=Count("id"), last=Max("updated_at")),
        Hamlet.objects.aggregate(n=Count("id"), last=Max("updated_at")),
        Market.objects.aggregate(stalls=Max("registered_stalls"), n=Count("id")),
        (settings.ANALYTICS_ONLY_APPROVED, location_rule()),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
