"""The register follows ingest: the receiver of `submission_version_stored`.

Runs inside the ingest transaction (see backend/submissions/signals.py), so a household
created by a submission exists exactly when the submission does. It must never make ingest
fail: each entity block is applied in a savepoint, and anything wrong with it (an unknown
hamlet, a malformed id, an update of a household not held yet) is recorded as an
`EntityProblem` while the submission is stored as sent (the 201 stays durable).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from backend.core.rows import rows_insert
from backend.registers.backlog import held_next_ready, held_release, update_hold
from backend.registers.models import DATASET, EntityProblem, HeldUpdate, HouseholdVisit, VisitOutcome
from backend.registers.services import (
    NEITHER_CREATES_NOR_UPDATES,
    EntityHeld,
    EntityRejected,
    block_inert,
    household_entity_apply,
    household_visit_record,
)

log = logging.getLogger(__name__)

# The household form's visit outcome (field `ket_qua`) and consent (`dong_y`).
OUTCOME_FIELD = "ket_qua"
CONSENT_FIELD = "dong_y"
OUTCOMES = {"gap": VisitOutcome.VISITED, "chuyen_di": VisitOutcome.MOVED, "khong_tim_thay": VisitOutcome.NOT_FOUND}
REFUSED = "khong"


def on_submission_version_stored(sender, *, submission_id, version_id, parsed, replace, **kwargs) -> None:
    """Receiver (connected in RegistersConfig.ready)."""
    blocks = [b for b in kwargs.get("entities") or () if b.dataset == DATASET]
    if replace:
        # An edit is processed afresh: a version of it still waiting in the backlog goes.
        HeldUpdate.objects.filter(submission_id=submission_id).delete()
    if not blocks:
        if replace:
            # The edit no longer names a household: its visit goes, the history stays.
            HouseholdVisit.objects.filter(submission_id=submission_id).delete()
        return
    for block in blocks:
        household_ingest(
            block=block,
            submission_id=submission_id,
            submission_version_id=version_id,
            outcome=visit_outcome(parsed),
            edit=replace,
            hamlet_code=kwargs.get("hamlet_code") or "",
            visited_on=kwargs.get("survey_date") or _day(kwargs.get("received_at")),
            volunteer_id=kwargs.get("volunteer_id"),
            actor=kwargs.get("actor"),
            ip=kwargs.get("client_ip"),
        )


def household_ingest(
    *,
    block,
    submission_id: int,
    submission_version_id: int | None,
    outcome: str,
    edit: bool,
    hamlet_code: str,
    visited_on,
    volunteer_id: int | None,
    actor: Any = None,
    ip: str | None = None,
    force: bool = False,
) -> None:
    """Apply one entity block and record the visit; hold an update that came before the step
    of its branch it continues, and apply the held updates it was the missing step of."""
    visit = {"submission_id": submission_id, "outcome": outcome, "visited_on": visited_on, "volunteer_id": volunteer_id}
    if not force and block_inert(block, edit=edit):
        _problem(submission_id, block, NEITHER_CREATES_NOR_UPDATES, hamlet_code)
        return
    try:
        with transaction.atomic():
            applied = household_entity_apply(
                block=block,
                submission_id=submission_id,
                submission_version_id=submission_version_id,
                hamlet_code=hamlet_code,
                edit=edit,
                actor=actor,
                ip=ip,
                force=force,
            )
            step = (block.branch_id.strip()[:64], _number(block.base_version)) if block.updates else ("", None)
            household_visit_record(household=applied.household, branch_step=step, **visit)
    except EntityHeld as held:
        update_hold(
            block=block,
            submission_id=submission_id,
            submission_version_id=submission_version_id,
            hamlet_code=hamlet_code,
            visit=visit,
            actor=actor,
            ip=ip,
        )
        if held.household is not None:
            household_visit_record(household=held.household, **visit)  # the visit counts while held
        return
    except EntityRejected as exc:
        _problem(submission_id, block, exc.reason, hamlet_code)
        if exc.visited is not None:
            household_visit_record(household=exc.visited, **visit)
        return
    except Exception as exc:  # noqa: BLE001 — ingest must not fail for the register's sake
        log.exception("household register: entity block of submission %s not applied", submission_id)
        _problem(submission_id, block, f"Lỗi xử lý / processing error: {type(exc).__name__}: {exc}", hamlet_code)
        return
    if not force:
        _release_held(applied.household.pk, actor=actor, ip=ip)


def _release_held(household_id, *, actor: Any, ip: str | None) -> None:
    """Apply, in order, the held updates of this household whose missing step is now here
    (each applied one may be the step the next one waits for: the loop goes on)."""
    while (held := held_next_ready(household_id)) is not None:
        context = held_release(held, actor=actor, ip=ip)
        household_ingest(**context, edit=False, actor=actor, ip=ip)


def _number(value: str) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isdigit() else None


def _problem(submission_id: int, block, reason: str, hamlet_code: str) -> None:
    problem = EntityProblem(
        submission_id=submission_id,
        entity_id=(block.entity_id or "")[:64],
        reason=reason[:500],
        block=block.as_dict(),
        hamlet_code=(block.properties.get("ap") or hamlet_code or "")[:32],
    )
    rows_insert([problem], returning=False)  # the ORM's create composes more than it stores


def visit_outcome(parsed: Mapping[str, Any]) -> str:
    """moved / not found from `ket_qua`; refused when consent `dong_y` is "khong"; else visited."""
    outcome = OUTCOMES.get(_first_answer(parsed, OUTCOME_FIELD).strip())
    if outcome in (VisitOutcome.MOVED, VisitOutcome.NOT_FOUND):
        return outcome
    if _first_answer(parsed, CONSENT_FIELD).strip() == REFUSED:
        return VisitOutcome.REFUSED
    return VisitOutcome.VISITED


def _first_answer(parsed: Any, name: str) -> str:
    """The first answer of a field with this name, depth first (names are unique in a form)."""
    if isinstance(parsed, Mapping):
        value = parsed.get(name)
        if isinstance(value, str):
            return value
        children = parsed.values()
    elif isinstance(parsed, list):
        children = parsed
    else:
        return ""
    for child in children:
        if isinstance(child, Mapping | list):
            found = _first_answer(child, name)
            if found:
                return found
    return ""


def _day(moment):
    return moment.date() if moment is not None else None
