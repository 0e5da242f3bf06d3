"""The backlog of offline updates that arrived out of order (after ODK Central's "entity
submission backlog", `lib/model/query/entities.js`: `_holdSubmission`,
`_getNextHeldSubmissionInBranch`, `processBacklog`; behaviour only).

A phone offline counts its own versions of a household: its updates of one branch
(`branchId`) carry baseVersion trunk, trunk+1, … and may reach the server in any order (two
queued sends, a retry). An update whose previous branch step is not here yet is held — the
submission itself is stored as usual and its visit counts — and applied the moment that step
arrives, so the household ends in the state the phone left it, without a false conflict.
What never arrives (a lost submission) does not hold the household forever: after
REGISTER_BACKLOG_DAYS (default 5, as Central's) the nightly job applies the held updates on
the household's current version, or records a problem when the household never came.
Every hold, release and forced application is audited.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from backend.audit.services import audit_record
from backend.core.xform_schema import EntityBlock
from backend.registers.models import EntityProblem, HeldUpdate, Household
from backend.registers.services import update_waits

DEFAULT_BACKLOG_DAYS = 5


def update_hold(
    *,
    block: EntityBlock,
    submission_id: int,
    submission_version_id: int | None,
    hamlet_code: str,
    visit: dict,
    actor: Any = None,
    ip: str | None = None,
) -> HeldUpdate:
    held, _ = HeldUpdate.objects.update_or_create(
        submission_id=submission_id,
        household_id=block.entity_id.strip().removeprefix("uuid:"),
        defaults={
            "submission_version_id": submission_version_id,
            "branch_id": block.branch_id.strip()[:64],
            "base_version": int(block.base_version.strip()),
            "trunk_version": int(block.trunk_version) if block.trunk_version.strip().isdigit() else None,
            "block": block.as_dict(),
            "hamlet_code": (block.properties.get("ap") or hamlet_code or "")[:32],
            "outcome": visit["outcome"],
            "visited_on": visit["visited_on"],
            "volunteer_id": visit["volunteer_id"],
        },
    )
    audit_record(
        actor=actor,
        action="household.backlog.hold",
        ip=ip,
        object_type="registers.household",
        object_id=str(held.household_id),
        submission_id=submission_id,
        branch_id=held.branch_id,
        base_version=held.base_version,
    )
    return held


def held_block(held: HeldUpdate) -> EntityBlock:
    data = held.block
    return EntityBlock(
        dataset=data.get("dataset", ""),
        entity_id=data.get("id", ""),
        create=data.get("create", ""),
        update=data.get("update", ""),
        base_version=data.get("baseVersion", ""),
        trunk_version=data.get("trunkVersion", ""),
        branch_id=data.get("branchId", ""),
        label=data.get("label", ""),
        properties=dict(data.get("properties") or {}),
    )


def held_next_ready(household_id) -> HeldUpdate | None:
    """The lowest held step of this household that no longer waits, locked (None: none)."""
    household = Household.objects.filter(pk=household_id).first()
    if household is None:
        return None
    for held in HeldUpdate.objects.select_for_update().filter(household_id=household_id).order_by("base_version", "id"):
        if not update_waits(held_block(held), household):
            return held
    return None


def held_release(held: HeldUpdate, *, actor: Any = None, ip: str | None = None, forced: bool = False) -> dict:
    """Take a held update out of the backlog (audited); returns what `household_ingest` needs."""
    context = _context(held)
    audit_record(
        actor=actor,
        action="household.backlog.force" if forced else "household.backlog.release",
        ip=ip,
        object_type="registers.household",
        object_id=str(held.household_id),
        submission_id=held.submission_id,
        branch_id=held.branch_id,
        base_version=held.base_version,
        held_since=held.held_at.isoformat(),
    )
    held.delete()
    return context


def _context(held: HeldUpdate) -> dict:
    return {
        "block": held_block(held),
        "submission_id": held.submission_id,
        "submission_version_id": held.submission_version_id,
        "outcome": held.outcome,
        "hamlet_code": held.hamlet_code,
        "visited_on": held.visited_on,
        "volunteer_id": held.volunteer_id,
    }


def backlog_force(*, older_than: timedelta | None = None, actor: Any = None, ip: str | None = None) -> dict[str, int]:
    """Apply every update held longer than `older_than` (default REGISTER_BACKLOG_DAYS) on its
    household's current version, in branch order; one whose household never arrived becomes
    an EntityProblem. Idempotent (a released row is gone). Returns {"applied", "problems"}."""
    from backend.registers.ingest import household_ingest

    days = getattr(settings, "REGISTER_BACKLOG_DAYS", DEFAULT_BACKLOG_DAYS)
    cutoff = timezone.now() - (older_than if older_than is not None else timedelta(days=days))
    done = {"applied": 0, "problems": 0}
    ids = list(
        HeldUpdate.objects.filter(held_at__lte=cutoff)
        .order_by("household_id", "branch_id", "base_version", "id")
        .values_list("pk", flat=True)
    )
    for pk in ids:
        with transaction.atomic():
            held = HeldUpdate.objects.select_for_update().filter(pk=pk).first()
            if held is None:
                continue  # released meanwhile by the step it waited for
            context = held_release(held, actor=actor, ip=ip, forced=True)
            if not Household.objects.filter(pk=held.household_id).exists():
                EntityProblem.objects.create(
                    submission_id=held.submission_id,
                    entity_id=str(held.household_id),
                    reason=(
                        f"Chờ {days} ngày mà hộ chưa từng đến sổ; bản cập nhật không áp dụng được / waited "
                        f"{days} days for a household that never reached the register; the update was not applied"
                    ),
                    block=held.block,
                    hamlet_code=held.hamlet_code,
                )
                done["problems"] += 1
                continue
            household_ingest(**context, edit=False, actor=actor, ip=ip, force=True)
            done["applied"] += 1
    return done
