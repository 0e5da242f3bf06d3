"""Reads of the household register, scoped by the Actor (the rule is `household_hamlets_for`).

The entity list phones download is a projection of the live households in the actor's
scope; its version hash (`entity_list_hash`) is computed from the scope and the rows'
count, latest `updated_at` and versions, so it is stable until the list changes (no
re-download churn, getodk/collect#5439) and differs between hamlets. Every write of a
household must therefore move `updated_at` (the model's auto_now does on save; bulk writes
set it explicitly).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum

from backend.accounts import policy
from backend.accounts.actors import Actor
from backend.core import errors
from backend.registers.models import (
    CSV_NAME,
    PROPERTIES,
    EntityProblem,
    HeldUpdate,
    Household,
    HouseholdChange,
    HouseholdConflict,
    HouseholdVisit,
    VisitOutcome,
)
from backend.submissions.models import ReviewState

CSV_HEADER = ("name", "label", "__version", *PROPERTIES)
NOT_VISITED = "not_visited"


def household_hamlets_for(actor: Actor) -> frozenset[str] | None:
    """The hamlets whose households this actor may read: None for all (admin, leadership,
    and a volunteer assigned to no particular hamlet), a hamlet head's own hamlets, a
    volunteer's assigned hamlets; nothing for anyone else (viewers, draft links)."""
    if policy.sees_all_hamlets(actor):
        return None
    if policy.sees_own_hamlets(actor):
        return frozenset(actor.hamlet_codes)
    if policy.submits_assigned_forms(actor):
        codes = frozenset(actor.volunteer.hamlets.values_list("code", flat=True))
        return codes or None
    return frozenset()


def _scoped(queryset: QuerySet, codes: frozenset[str] | None, field: str = "hamlet__code") -> QuerySet:
    return queryset if codes is None else queryset.filter(**{f"{field}__in": sorted(codes)})


def households_for(actor: Actor, *, hamlet: str | None = None, include_deleted: bool = False) -> QuerySet[Household]:
    households = _scoped(Household.objects.select_related("hamlet"), household_hamlets_for(actor))
    if not include_deleted:
        households = households.filter(deleted_at__isnull=True)
    if hamlet:
        households = households.filter(hamlet__code=hamlet)
    return households.order_by("hamlet__code", "ma_ho", "id")


def household_list_for_api(actor: Actor, *, hamlet: str | None = None, added_in_field: bool | None = None):
    """What the hamlet head's list shows; 403 for those who read no households."""
    if not (policy.sees_all_hamlets(actor) or policy.sees_own_hamlets(actor)):
        raise errors.forbidden(
            "Sổ hộ chỉ dành cho lãnh đạo, quản trị và trưởng ấp. / "
            "The household register is for leadership, admins and hamlet heads."
        )
    households = households_for(actor, hamlet=hamlet)
    if added_in_field is not None:
        households = households.filter(added_in_field=added_in_field)
    return households


# --- the entity list served to phones -----------------------------------------------------


def form_consumes_register(expected_media: Iterable[str]) -> bool:
    return CSV_NAME in set(expected_media or ())


def entity_list_hash(actor: Actor) -> str:
    """md5 of the list's state for this actor's scope; the CSV's ETag and the manifest hash."""
    codes = household_hamlets_for(actor)
    rows = _scoped(Household.objects.all(), codes).aggregate(
        live=Count("id", filter=Q(deleted_at__isnull=True)),
        total=Count("id"),
        latest=Max("updated_at"),
        versions=Sum("version"),
    )
    state = {
        "scope": "*" if codes is None else sorted(codes),
        "live": rows["live"],
        "total": rows["total"],
        "latest": rows["latest"].isoformat() if rows["latest"] else "",
        "versions": rows["versions"] or 0,
    }
    return hashlib.md5(json.dumps(state, sort_keys=True).encode()).hexdigest()


def entity_list_csv(actor: Actor) -> bytes:
    """`name,label,__version,ap,ma_ho,ten_goi,mo_ta,geometry` (the entities spec's columns
    first), one row per live household in scope, UTF-8 without BOM, CRLF line ends (RFC 4180,
    as Python's csv module and Central write them)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    rows = households_for(actor).values_list(
        "id", "label", "version", "hamlet__code", "ma_ho", "ten_goi", "mo_ta", "lat", "lon", "properties"
    )
    for pk, label, version, hamlet, ma_ho, ten_goi, mo_ta, lat, lon, properties in rows.iterator(chunk_size=2000):
        geometry = (properties or {}).get("geometry") or (f"{lat} {lon} 0 0" if lat is not None else "")
        writer.writerow([str(pk), label, version, hamlet, ma_ho, ten_goi, mo_ta, geometry])
    return out.getvalue().encode("utf-8")


def entities_integrity(actor: Actor, ids: Iterable[str]) -> list[tuple[str, bool]]:
    """(id, deleted) for the requested ids this actor may know of (all in scope when none is
    given). Ids the register never held, or outside the scope, are left out: a phone keeps
    an offline household whose creation has not been sent yet."""
    households = _scoped(Household.objects.all(), household_hamlets_for(actor))
    wanted = [i.strip() for i in ids if i.strip()]
    if wanted:
        valid = []
        for value in wanted:
            try:
                valid.append(uuid.UUID(value))
            except ValueError:
                continue
        households = households.filter(pk__in=valid)
    return [(str(pk), deleted is not None) for pk, deleted in households.values_list("id", "deleted_at").order_by("id")]


# --- conflicts, visits, rounds ------------------------------------------------------------


def conflicts_for(actor: Actor, *, hamlet: str | None = None, open_only: bool = True) -> QuerySet[HouseholdConflict]:
    household_list_for_api(actor)  # the same 403
    conflicts = _scoped(
        HouseholdConflict.objects.select_related("household", "household__hamlet", "resolved_by"),
        household_hamlets_for(actor),
        "household__hamlet__code",
    )
    if hamlet:
        conflicts = conflicts.filter(household__hamlet__code=hamlet)
    if open_only:
        conflicts = conflicts.filter(resolved_at__isnull=True)
    return conflicts


def conflict_get(actor: Actor, *, conflict_id: int) -> HouseholdConflict:
    conflict = conflicts_for(actor, open_only=False).filter(pk=conflict_id).first()
    if conflict is None:
        raise errors.not_found(f"conflict {conflict_id}", f"xung đột {conflict_id}")
    return conflict


@dataclass(frozen=True)
class RoundStatus:
    household_id: str
    hamlet: str
    status: str  # visited | refused | moved | not_found | not_visited
    submission_id: int | None
    volunteer_id: int | None
    visits: int  # visits in the window (2 or more: a duplicate visit)


def visits_in_window(
    codes: frozenset[str] | None, start: date | None, end: date | None, submissions: QuerySet | None = None
) -> QuerySet[HouseholdVisit]:
    """Visits in the actor's hamlets, in [start, end] by interview day, or — when the caller
    passes `submissions` (a round's submissions by the rounds' own rule, manual assignments
    included) — the visits of those submissions."""
    # A deleted or rejected submission settles nothing (as it counts in no figure).
    visits = _scoped(
        HouseholdVisit.objects.filter(household__deleted_at__isnull=True, submission__deleted_at__isnull=True).exclude(
            submission__review_state=ReviewState.REJECTED
        ),
        codes,
        "household__hamlet__code",
    )
    if submissions is not None:
        return visits.filter(submission_id__in=submissions.values("pk"))
    if start is not None:
        visits = visits.filter(visited_on__gte=start)
    if end is not None:
        visits = visits.filter(visited_on__lte=end)
    return visits


def household_round_status(
    actor: Actor | None,
    *,
    start: date | None = None,
    end: date | None = None,
    submissions: QuerySet | None = None,
    hamlet: str | None = None,
    hamlets: frozenset[str] | None = None,
) -> list[RoundStatus]:
    """Each live household's status in the round whose window is [start, end] (inclusive;
    the caller passes the declared window): the latest visit in the window settles it (by
    interview day, then arrival), earlier ones stay in history; no visit is "not_visited".
    `actor` None reads every hamlet (the recomputation)."""
    codes = None if actor is None else household_hamlets_for(actor)
    if hamlets is not None:
        codes = hamlets if codes is None else codes & hamlets
    households = _scoped(Household.objects.filter(deleted_at__isnull=True), codes)
    if end is not None:
        # A household first found by a visit after the round was not in that round's register.
        households = households.exclude(
            Exists(HouseholdChange.objects.filter(household=OuterRef("pk"), version=1, submission__survey_date__gt=end))
        )
    visits = visits_in_window(codes, start, end, submissions)
    if hamlet:
        households = households.filter(hamlet__code=hamlet)
        visits = visits.filter(household__hamlet__code=hamlet)
    latest: dict[str, tuple] = {}
    counts: dict[str, int] = {}
    for household_id, outcome, submission_id, volunteer_id in visits.order_by(
        "household_id", "visited_on", "submission_id"
    ).values_list("household_id", "outcome", "submission_id", "volunteer_id"):
        key = str(household_id)
        latest[key] = (outcome, submission_id, volunteer_id)
        counts[key] = counts.get(key, 0) + 1
    out = []
    for household_id, hamlet_code in households.values_list("id", "hamlet__code").order_by("hamlet__code", "ma_ho"):
        key = str(household_id)
        outcome, submission_id, volunteer_id = latest.get(key, (NOT_VISITED, None, None))
        out.append(RoundStatus(key, hamlet_code, outcome, submission_id, volunteer_id, counts.get(key, 0)))
    return out


def round_coverage(statuses: Iterable[RoundStatus]) -> dict[str, dict[str, int]]:
    """{hamlet code: {visited, refused, moved, not_found, not_visited, households}}."""
    out: dict[str, dict[str, int]] = {}
    for status in statuses:
        row = out.setdefault(status.hamlet, {s: 0 for s in (*VisitOutcome.values, NOT_VISITED)} | {"households": 0})
        row[status.status] += 1
        row["households"] += 1
    return out


def duplicate_visits(
    actor: Actor,
    *,
    start: date | None = None,
    end: date | None = None,
    submissions: QuerySet | None = None,
    hamlet: str | None = None,
) -> list[dict]:
    """Households visited more than once in the window, each with its visits in order (the
    last one settles the round): the pairs the hamlet head checks."""
    household_list_for_api(actor)
    visits = visits_in_window(household_hamlets_for(actor), start, end, submissions)
    if hamlet:
        visits = visits.filter(household__hamlet__code=hamlet)
    repeated = (
        visits.values("household_id").annotate(n=Count("id")).filter(n__gt=1).values_list("household_id", flat=True)
    )
    rows = (
        visits.filter(household_id__in=list(repeated))
        .select_related("household", "household__hamlet", "submission")
        .order_by("household__hamlet__code", "household__ma_ho", "household_id", "visited_on", "submission_id")
    )
    grouped: dict[str, dict] = {}
    for visit in rows:
        entry = grouped.setdefault(
            str(visit.household_id),
            {"household": visit.household, "visits": []},
        )
        entry["visits"].append(visit)
    return list(grouped.values())


def volunteer_round_coverage(statuses: Iterable[RoundStatus]) -> list[dict]:
    """Per volunteer and hamlet: how many households each settled in the round, by status."""
    out: dict[tuple, dict] = {}
    for status in statuses:
        if status.volunteer_id is None and status.status == NOT_VISITED:
            continue
        row = out.setdefault(
            (status.volunteer_id, status.hamlet),
            {"volunteer_id": status.volunteer_id, "hamlet": status.hamlet} | {s: 0 for s in VisitOutcome.values},
        )
        row[status.status] += 1
    return sorted(out.values(), key=lambda r: (r["hamlet"], r["volunteer_id"] or 0))


def entity_problems_for(actor: Actor, *, hamlet: str | None = None, limit: int = 200):
    """Entity blocks the register could not apply, in the actor's hamlets (newest first)."""
    household_list_for_api(actor)
    problems = _scoped(EntityProblem.objects.select_related("submission"), household_hamlets_for(actor), "hamlet_code")
    if hamlet:
        problems = problems.filter(hamlet_code=hamlet)
    return list(problems[:limit])


def household_get(actor: Actor, *, household_id) -> Household:
    """One household in the actor's scope with its history (404 outside it, as submissions)."""
    try:
        pk = uuid.UUID(str(household_id))
    except ValueError:
        raise errors.not_found(f"household {household_id}", f"hộ {household_id}")
    household = household_list_for_api(actor).filter(pk=pk).first()
    if household is None:
        raise errors.not_found(f"household {household_id}", f"hộ {household_id}")
    return household


def household_history(household: Household) -> list:
    return list(household.changes.select_related("user", "submission").order_by("version"))


def held_updates_for(actor: Actor, *, limit: int = 200) -> list[HeldUpdate]:
    """Offline updates waiting for an earlier step of their branch, in the actor's hamlets."""
    household_list_for_api(actor)
    held = _scoped(HeldUpdate.objects.select_related("submission"), household_hamlets_for(actor), "hamlet_code")
    return list(held.order_by("held_at", "id")[:limit])
