"""Recompute only the hamlets whose submissions changed (issue 18: the dashboard's figures fresh
within a second of a new household at 1,000,000 households).

Every hamlet row depends on its own hamlet's submissions only, and every commune row is
computed from the hamlet rows (`analytics.pipeline.results_combine`: what makes a computation
split by hamlets exact). So the last computation's merged hamlet rows are kept (the *base*,
`ComputedBase`, with the data version it was computed at); after a change, the base minus the
changed hamlets (`partial_without`) plus those hamlets read and computed again is exactly the
whole computed again, and the commune rows, the scorecard and the verdicts are recomputed from
it as in any computation.

The changed hamlets are those of the change-feed rows (`core_change`) written since the base's
anchor — a submission received, edited (an edit that moves a submission writes a row for both
hamlets), reviewed, deleted, restored or purged — and of any submission with an id above the
base's largest (written past the feed). A row of an already-counted change is harmless: its
hamlet is read again. The new version is taken *before* the feed and the data are read, so a
change that lands during the recomputation is at or above the new anchor and makes the stored
result stale again (the next recomputation takes it).

A full recomputation is needed instead (`None`) when anything the hamlet rows all depend on
changed — the small tables and settings of the version's digest (rounds, round assignments,
administrative figures, hamlets, markets, ANALYTICS_ONLY_APPROVED, the location rule) —, when a
stall interview (commune-level) or an analysed form changed, when a changed submission has no
hamlet code or one on no list (it belongs to the commune-level reading), when a changed hamlet
holds units that came in through their `ap` answer alone (`hamlets_by_answer`: also read by the
commune-level part), when more than a quarter of the hamlets changed (then the full one is about
as fast), or when there is no base of this layout. On SQLite (the quickstart, a commune in about
a second) every recomputation is full.
"""

from __future__ import annotations

import logging
import pickle
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from analytics.frames import FIELDS, STALL_FORM
from analytics.pipeline import PartialResults, partial_without, partials_merge
from backend.places.models import Hamlet
from backend.reports.data_version import DataVersion, data_version_take, version_decode
from backend.reports.models import ComputedBase, ComputedResult
from backend.surveys.models import Form

logger = logging.getLogger(__name__)
BASE_LAYOUT = 1  # raise when PartialResults changes shape: a base of another layout is not read
BASE_PK = 1
MAX_SHARE_OF_HAMLETS = 0.25


@dataclass(frozen=True)
class Base:
    version: DataVersion
    encoded: str
    partial: PartialResults


# This process's copy of the base it last wrote or read, keyed by the stored row's version and
# time: the next recomputation in this process skips reading and unpickling 6 MB. Never
# mutated (`partial_without` and `results_combine` build new frames).
_memory: tuple[tuple[str, object], PartialResults] | None = None


def base_store(partial: PartialResults, version: str) -> None:
    """Keep `partial` (the merged hamlet rows of every round) as the base at `version`."""
    global _memory
    now = timezone.now()
    data = pickle.dumps(partial, protocol=pickle.HIGHEST_PROTOCOL)
    ComputedBase.objects.update_or_create(
        pk=BASE_PK, defaults={"version": version, "layout": BASE_LAYOUT, "data": data, "computed_at": now}
    )
    _memory = ((version, now), partial)


def base_drop() -> None:
    """Forget the base (a computation of one round only leaves the others' as they were: the
    next recomputation is full)."""
    global _memory
    ComputedBase.objects.filter(pk=BASE_PK).delete()
    _memory = None


def base_load() -> Base | None:
    global _memory
    row = ComputedBase.objects.filter(pk=BASE_PK).values("version", "layout", "computed_at").first()
    if row is None or row["layout"] != BASE_LAYOUT:
        return None
    version = version_decode(row["version"])
    if version is None:
        return None
    key = (row["version"], row["computed_at"])
    if _memory is not None and _memory[0] == key:
        return Base(version, row["version"], _memory[1])
    data = ComputedBase.objects.filter(pk=BASE_PK, version=row["version"]).values_list("data", flat=True).first()
    if data is None:
        return None
    try:
        partial = pickle.loads(bytes(data))  # noqa: S301 (our own row, see ComputedBase)
    except Exception:  # written by other code (a deploy in between): start again from a full one
        logger.warning("the computed base could not be read; the next recomputation is full", exc_info=True)
        return None
    if not isinstance(partial, PartialResults):
        return None
    _memory = (key, partial)
    return Base(version, row["version"], partial)


@dataclass(frozen=True)
class Update:
    """What an incremental recomputation needs: the new version and the hamlets to read again."""

    version: str
    tables: str  # the small tables' digest, the base's and now
    hamlets: list[str]
    base: Base


def update_plan() -> tuple[Update | None, str]:
    """(the plan, "") or (None, why a full recomputation is needed)."""
    if connection.vendor != "postgresql":
        return None, "not PostgreSQL"
    if not ComputedResult.objects.exists():
        return None, "no results stored yet"  # a first computation, or the results were dropped
    base = base_load()
    if base is None:
        return None, "no base to start from"
    now = data_version_take()  # before the feed and the data are read
    if now.tables != base.version.tables:
        return None, "rounds, assignments, figures, hamlets, markets or settings changed"
    hamlets, why = _changed_hamlets(base.version)
    if hamlets is None:
        return None, why
    codes = set(Hamlet.objects.values_list("code", flat=True))
    unknown = hamlets - codes
    if unknown:
        return None, f"a submission with a hamlet code on no list ({sorted(unknown)[:3]})"
    if hamlets & base.partial.hamlets_by_answer:
        return None, "a changed hamlet holds households counted by their answer alone (no hamlet code)"
    if len(hamlets) > max(1, int(len(codes) * MAX_SHARE_OF_HAMLETS)):
        return None, f"{len(hamlets)} of {len(codes)} hamlets changed"
    return Update(now.encode(), now.tables, sorted(hamlets), base), ""


def _changed_hamlets(since: DataVersion) -> tuple[set[str] | None, str]:
    """The hamlet codes of the analysed submissions changed since `since` (None: a change a
    hamlet cannot hold)."""
    forms = dict(Form.objects.filter(form_id__in=list(FIELDS)).values_list("pk", "form_id"))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT kind, form_id, hamlet_code FROM core_change "
            "WHERE xid >= %s::text::xid8 AND kind IN ('form', 'submission')",
            [str(since.since_xid)],
        )
        rows = cursor.fetchall()
        # Written past the feed (a bulk load): new ids only, as the version itself sees them.
        cursor.execute(
            "SELECT DISTINCT 'submission', form_id, hamlet_code FROM submissions_submission WHERE id > %s",
            [since.top],
        )
        rows += cursor.fetchall()
    hamlets: set[str] = set()
    for kind, form_pk, code in rows:
        form_id = forms.get(form_pk)
        if form_id is None:
            continue  # a form the indicators do not read
        if kind == "form":
            return None, f"the form {form_id} changed"
        if form_id == STALL_FORM:
            return None, "a stall interview changed (the market is commune-level)"
        if not code:
            return None, "a submission without a hamlet code changed"
        hamlets.add(code)
    return hamlets, ""


# The hamlet table with its boundaries (0.1-0.25 s to read and build at province scale), by the
# small tables' digest it was read under: an incremental recomputation runs only when that
# digest has not moved since the base, so the hamlets are those it was read with.
_hamlets_memory: tuple[str, object] | None = None


def hamlets_remembered(tables: str):
    return _hamlets_memory[1] if _hamlets_memory is not None and _hamlets_memory[0] == tables else None


def hamlets_remember(tables: str, frame) -> None:
    global _hamlets_memory
    _hamlets_memory = (tables, frame)


def partial_updated(plan: Update, part: PartialResults) -> PartialResults:
    """The base with the changed hamlets replaced by `part` (their new reading)."""
    return partials_merge([partial_without(plan.base.partial, plan.hamlets), part])
