"""Writes of the household register. Every change of a household writes a `HouseholdChange`
(its whole state after the change) and an audit row in the same transaction.

Applying an entity block from a submission follows ODK Central's rules for entities
(`lib/model/query/entities.js`), reduced to what the commune's forms do:
- CREATE makes a household with version 1 (a create for an id already held is a problem,
  except a re-application by the same submission's edit);
- UPDATE starts from the version the phone edited (`baseVersion`). An update of the current
  version applies plainly. An offline branch (`branchId`) continues where its previous update
  left off: its base is taken as the version that update became, so a phone's updates made
  offline apply in order. Otherwise the base is behind: the update still applies (as in
  Central) and a `HouseholdConflict` records what it overwrote — "hard" when both sides
  changed the same property to different values, "soft" when they changed different ones;
- an empty answer never erases a stored value (a failed GPS fix must not drop a location).
Problems are raised as `EntityRejected`; the ingest receiver records them, never fails ingest.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.audit.services import audit_record
from backend.core import errors
from backend.core.changes import ChangeRow, changes_record
from backend.core.locks import row_lock
from backend.core.xform_schema import EntityBlock
from backend.places.models import Hamlet
from backend.registers.csv_import import HouseholdListError, RowProblem, households_parse
from backend.registers.models import (
    DATASET,
    ConflictKind,
    Household,
    HouseholdChange,
    HouseholdConflict,
    HouseholdVisit,
    Resolution,
    Source,
)

# Properties held in their own columns (the rest stay in `properties` only).
COLUMNS = ("ma_ho", "ten_goi", "mo_ta")


class EntityRejected(ValueError):
    """An entity block the register cannot apply; `reason` is bilingual and shown to people."""

    def __init__(self, reason: str, *, visited: Household | None = None):
        super().__init__(reason)
        self.reason = reason
        # The household the submission did visit, when only its changes are refused (a
        # "create" of a household already held): the visit still counts.
        self.visited = visited


class EntityHeld(Exception):
    """An offline update that continues a step of its branch the server does not have yet:
    hold it in the backlog (`backend/registers/backlog.py`). `household` is the household
    when it exists (the visit still counts), None when its creation has not arrived."""

    def __init__(self, household: Household | None):
        super().__init__("held")
        self.household = household


@dataclass(frozen=True)
class Applied:
    household: Household
    outcome: str  # "created" | "updated" | "unchanged"
    conflict: HouseholdConflict | None = None


# --- the state of a household -------------------------------------------------------------


def household_state(household: Household) -> dict[str, Any]:
    """What a version records: the label and every property."""
    return {"label": household.label, "properties": dict(household.properties)}


def _geometry(value: str) -> tuple[float | None, float | None]:
    parts = (value or "").split()
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except (IndexError, ValueError):
        return None, None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    return lat, lon


def _hamlet_for(code: str) -> Hamlet:
    hamlet = Hamlet.objects.filter(code=code.strip()).first() if code and code.strip() else None
    if hamlet is None:
        raise EntityRejected(f"Không có ấp mã {code!r} / no hamlet with code {code!r}")
    return hamlet


def _set_state(household: Household, label: str, properties: Mapping[str, str]) -> None:
    household.label = label[:300]
    household.properties = dict(properties)
    household.ma_ho = (properties.get("ma_ho") or "").strip()[:32]
    household.ten_goi = (properties.get("ten_goi") or "").strip()[:100]
    household.mo_ta = (properties.get("mo_ta") or "").strip()[:300]
    household.lat, household.lon = _geometry(properties.get("geometry", ""))


def _merged(current: Mapping[str, str], incoming: Mapping[str, str]) -> dict[str, str]:
    merged = dict(current)
    for name, value in incoming.items():
        if value.strip() or name not in merged:
            merged[name] = value.strip()
    return merged


def _changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    names = []
    if before.get("label") != after.get("label"):
        names.append("label")
    old, new = before.get("properties", {}), after.get("properties", {})
    names += sorted(k for k in set(old) | set(new) if old.get(k, "") != new.get(k, ""))
    return names


def _save_live(household: Household) -> None:
    """Save, translating a second live household with the same code into a rejection."""
    try:
        with transaction.atomic():
            household.save()
    except IntegrityError:
        other = (
            Household.objects.filter(hamlet=household.hamlet, ma_ho=household.ma_ho, deleted_at__isnull=True)
            .exclude(pk=household.pk)
            .first()
        )
        raise EntityRejected(
            f"Mã hộ {household.ma_ho} đã có trong ấp {household.hamlet.code} ({other.label if other else '?'}) / "
            f"household code {household.ma_ho} already used in hamlet {household.hamlet.code}"
        )


def _record_change(household: Household, *, before: Mapping[str, Any] | None, **source: Any) -> HouseholdChange:
    change, feed = change_rows(household, before=before, **source)
    changes_record(feed)
    change.save(force_insert=True)
    return change


def change_rows(
    household: Household, *, before: Mapping[str, Any] | None, **source: Any
) -> tuple[HouseholdChange, list[ChangeRow]]:
    """The version row (unsaved) and the change-feed rows of a household change, for
    `_record_change` and for the batch path (`backend/registers/ingest_bulk.py`)."""
    after = household_state(household)
    change = HouseholdChange(
        household=household,
        version=household.version,
        data=after,
        changed=_changed(before or {}, after),
        **source,
    )
    return change, feed_rows(household, before)


def feed_rows(household: Household, before: Mapping[str, Any] | None) -> list[ChangeRow]:
    """The change-feed row(s) of a household change: its hamlet's phones pull it; when it moved
    hamlet, the old hamlet's phones pull it too (as a tombstone)."""
    hamlet = household.hamlet.code
    previous = ((before or {}).get("properties") or {}).get("ap", "")
    rows = [ChangeRow("household", str(household.pk), hamlet_code=hamlet)]
    if previous and previous != hamlet:
        rows.append(ChangeRow("household", str(household.pk), hamlet_code=previous))
    return rows


# --- from a submission --------------------------------------------------------------------


def household_entity_apply(
    *,
    block: EntityBlock,
    submission_id: int,
    submission_version_id: int,
    hamlet_code: str,
    edit: bool,
    actor: Any = None,
    ip: str | None = None,
    force: bool = False,
) -> Applied:
    """Apply one `meta/entity` block of the `households` dataset. Call inside the ingest
    transaction (in a savepoint: a rejection leaves nothing behind). An offline update whose
    previous branch step has not arrived raises `EntityHeld`; `force` (the backlog's timeout)
    applies it on the household's current version instead."""
    if block.dataset != DATASET:
        raise EntityRejected(f"Danh sách {block.dataset!r} không được hỗ trợ / unknown entity list {block.dataset!r}")
    entity_id = _entity_uuid(block.entity_id)
    if edit:
        earlier = (
            HouseholdChange.objects.filter(household_id=entity_id, submission_id=submission_id).exists()
            if entity_id
            else False
        )
        if earlier:
            return _reapply(block, entity_id, submission_id, submission_version_id, actor, ip)
    if block.creates:
        existing = Household.objects.filter(pk=entity_id).first() if entity_id is not None else None
        if existing is None:
            return _create_from_block(block, entity_id, submission_id, submission_version_id, hamlet_code, actor, ip)
        if not block.updates:
            raise EntityRejected(
                f"Hộ {entity_id} đã có trong sổ; lần đến này không sửa sổ / household {entity_id} already exists; "
                "this visit did not change the register",
                visited=existing if existing.deleted_at is None else None,
            )
    if block.updates:
        if entity_id is None:
            raise EntityRejected(f"Mã hộ (entity id) không hợp lệ: {block.entity_id!r} / invalid entity id")
        if not force:
            household = Household.objects.filter(pk=entity_id).first()
            if update_waits(block, household):
                raise EntityHeld(household)
        return _update_from_block(block, entity_id, submission_id, submission_version_id, actor, ip, force=force)
    raise EntityRejected(NEITHER_CREATES_NOR_UPDATES)


NEITHER_CREATES_NOR_UPDATES = "Khối entity không tạo cũng không cập nhật / the entity block neither creates nor updates"


def block_inert(block: EntityBlock, *, edit: bool) -> bool:
    """A first version's block that neither creates nor updates: `household_entity_apply`
    rejects it without reading the register, so the caller can record the problem without
    opening a savepoint (three statements on every such submission)."""
    return not edit and block.dataset == DATASET and not block.creates and not block.updates


def _entity_uuid(value: str) -> uuid.UUID | None:
    text = (value or "").strip()
    if text.startswith("uuid:"):
        text = text[5:]
    try:
        return uuid.UUID(text) if text else None
    except ValueError:
        raise EntityRejected(f"Mã hộ (entity id) không hợp lệ: {value!r} / invalid entity id {value!r}")


def _int_or_none(value: str, what: str) -> int | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        number = int(text)
    except ValueError:
        raise EntityRejected(f"{what} không phải số: {value!r} / {what} is not a number: {value!r}")
    if number < 0:
        raise EntityRejected(f"{what} âm: {value!r} / negative {what}")
    return number


def _create_from_block(block, entity_id, submission_id, submission_version_id, hamlet_code, actor, ip) -> Applied:
    properties = {k: v.strip() for k, v in block.properties.items()}
    hamlet = _hamlet_for(properties.get("ap") or hamlet_code)
    properties.setdefault("ap", hamlet.code)
    label = block.label or _default_label(hamlet.code, properties)
    household = Household(
        id=entity_id or uuid.uuid4(), hamlet=hamlet, version=1, source=Source.FORM, added_in_field=True
    )
    _set_state(household, label, properties)
    _save_live(household)
    _record_change(
        household,
        before=None,
        source=Source.FORM,
        submission_id=submission_id,
        submission_version_id=submission_version_id,
        branch_id=block.branch_id[:64],
    )
    audit_record(actor=actor, action="household.create", obj=household, ip=ip, submission_id=submission_id)
    return Applied(household, "created")


def _default_label(hamlet_code: str, properties: Mapping[str, str]) -> str:
    parts = [hamlet_code, properties.get("ma_ho", ""), properties.get("ten_goi", "") or properties.get("mo_ta", "")]
    return " · ".join(p for p in parts if p) or hamlet_code


def update_waits(block: EntityBlock, household: Household | None) -> bool:
    """Whether an update must wait for an earlier step of its offline branch, as Central
    decides it (`_computeBaseVersion` with a branchId, lib/model/query/entities.js): a phone
    counts its branch's versions itself, so update n+1 (baseVersion b) needs the branch's
    step with baseVersion b-1 here. The branch's first update (baseVersion = trunkVersion, or
    1 on a household created offline) needs only the household. Updates without a branch
    are never held (an older client: taken as made on the current version)."""
    branch = block.branch_id.strip()[:64]
    try:
        base = _int_or_none(block.base_version, "baseVersion")
        trunk = _int_or_none(block.trunk_version, "trunkVersion")
    except EntityRejected:
        return False  # a malformed number is a problem for the update itself, not a wait
    if not branch or base is None:
        return False
    if household is None:
        return True  # its creation (offline, on this or another phone) has not arrived
    if base == 1 or base == trunk:
        return False
    return not branch_step_arrived(household, branch, base - 1)


def branch_step_arrived(household: Household, branch: str, base: int) -> bool:
    """The branch's update made on (phone-counted) version `base` has been applied, whether
    it changed something (a HouseholdChange) or not (its visit records the step)."""
    return (
        HouseholdChange.objects.filter(household=household, branch_id=branch, base_version=base).exists()
        or HouseholdVisit.objects.filter(household=household, branch_id=branch, base_version=base).exists()
    )


def _update_from_block(block, entity_id, submission_id, submission_version_id, actor, ip, force=False) -> Applied:
    try:
        household = row_lock(Household.objects.select_related("hamlet"), pk=entity_id)
    except Household.DoesNotExist:
        raise EntityRejected(
            f"Hộ {entity_id} chưa có trong sổ (bản tạo chưa đến?) / household {entity_id} is not in the register "
            "(its creation has not arrived yet?)"
        )
    if household.deleted_at is not None:
        if household.merged_into_id is not None:
            # A phone that still holds the merged duplicate: the visit counts for the household
            # it was merged into; its changes were made on the duplicate and are not applied.
            target = Household.objects.filter(pk=household.merged_into_id, deleted_at__isnull=True).first()
            raise EntityRejected(
                f"Hộ {entity_id} đã được gộp vào hộ {target.label if target else household.merged_into_id}; lần đến "
                f"được tính cho hộ đó / household {entity_id} was merged into another; the visit counts for it",
                visited=target,
            )
        raise EntityRejected(f"Hộ {entity_id} đã bị xoá khỏi sổ / household {entity_id} was deleted")
    base = _int_or_none(block.base_version, "baseVersion")
    trunk = _int_or_none(block.trunk_version, "trunkVersion")
    branch = block.branch_id.strip()[:64]
    server = household.version
    # Forced out of the backlog: its base never arrived, so it is taken as made on the current
    # version (Central does the same), and nothing is reported as overwritten.
    effective = server if force else _effective_base(household, base, branch, server)
    before = household_state(household)
    base_state = before if effective >= server else _state_at(household, effective)
    incoming = _merged(base_state["properties"], {k: v for k, v in block.properties.items()})
    label = block.label or before["label"]
    # What this phone changed, relative to the version it edited.
    theirs = {"label": label, "properties": incoming}
    phone_changed = _changed(base_state, theirs)
    if not phone_changed:
        return Applied(household, "unchanged")
    after_properties = dict(before["properties"])
    for name in phone_changed:
        if name != "label":
            after_properties[name] = incoming.get(name, "")
    after_label = label if "label" in phone_changed else before["label"]
    if after_properties.get("ap") and after_properties["ap"] != household.hamlet.code:
        household.hamlet = _hamlet_for(after_properties["ap"])
    household.version = server + 1
    _set_state(household, after_label, after_properties)
    _save_live(household)
    _record_change(
        household,
        before=before,
        source=Source.FORM,
        submission_id=submission_id,
        submission_version_id=submission_version_id,
        base_version=base,
        trunk_version=trunk,
        branch_id=branch,
    )
    conflict = None
    if effective < server:
        conflict = _conflict_record(household, effective, server, base_state, before, theirs, submission_id, branch)
    audit_record(
        actor=actor,
        action="household.update",
        obj=household,
        ip=ip,
        submission_id=submission_id,
        version=household.version,
        base_version=base,
        conflict=conflict.kind if conflict else None,
    )
    return Applied(household, "updated", conflict)


def _effective_base(household: Household, base: int | None, branch: str, server: int) -> int:
    """The server version this update was made on. A phone counts an offline branch's
    versions itself (its update n has baseVersion n-1… from the create's 1): when the
    previous update of the same branch is here, this one continues from what that became."""
    if base is None:
        return server  # an update without a base (an older client) is taken as current
    if branch:
        previous = [
            c
            for c in HouseholdChange.objects.filter(household=household, branch_id=branch).only(
                "version", "base_version"
            )
            if (c.base_version or 0) + 1 == base
        ]
        if previous:
            return max(c.version for c in previous)
    return min(base, server)


def _state_at(household: Household, version: int) -> dict[str, Any]:
    change = HouseholdChange.objects.filter(household=household, version=version).first()
    return change.data if change is not None else household_state(household)


def _conflict_record(household, effective, server, base_state, before, theirs, submission_id, branch):
    # What the server changed since the phone's base, by other branches than the phone's own.
    server_changed: set[str] = set()
    for change in HouseholdChange.objects.filter(
        household=household, version__gt=effective, version__lte=server
    ).exclude(branch_id=branch, branch_id__gt=""):
        server_changed.update(change.changed)
    phone_changed = set(_changed(base_state, theirs))
    if not server_changed:
        return None

    def value(state, name):
        return state["label"] if name == "label" else state["properties"].get(name, "")

    both = sorted(n for n in phone_changed & server_changed if value(before, n) != value(theirs, n))
    kind = ConflictKind.HARD if both else ConflictKind.SOFT
    fields = both or sorted(phone_changed)
    return HouseholdConflict.objects.create(
        household=household,
        kind=kind,
        base_version=effective,
        server_version=server,
        version=household.version,
        fields=fields,
        values={n: {"before": value(before, n), "after": value(theirs, n)} for n in fields},
        submission_id=submission_id,
    )


def _reapply(block, entity_id, submission_id, submission_version_id, actor, ip) -> Applied:
    """An edit of a submission that already changed this household: its corrected answers
    become a new version (it is the same visit, so no conflict with itself)."""
    household = row_lock(Household.objects.select_related("hamlet"), pk=entity_id)
    before = household_state(household)
    properties = _merged(before["properties"], dict(block.properties))
    label = block.label or before["label"]
    if {"label": label, "properties": properties} == before:
        return Applied(household, "unchanged")
    if properties.get("ap") and properties["ap"] != household.hamlet.code:
        household.hamlet = _hamlet_for(properties["ap"])
    household.version += 1
    _set_state(household, label, properties)
    _save_live(household)
    _record_change(
        household,
        before=before,
        source=Source.FORM,
        submission_id=submission_id,
        submission_version_id=submission_version_id,
        branch_id=block.branch_id[:64],
    )
    audit_record(actor=actor, action="household.update", obj=household, ip=ip, submission_id=submission_id, edit=True)
    return Applied(household, "updated")


def household_visit_record(
    *,
    household: Household,
    submission_id: int,
    outcome: str,
    visited_on: date | None,
    volunteer_id: int | None,
    branch_step: tuple[str, int | None] = ("", None),
) -> HouseholdVisit:
    """The visit of one submission (an edit replaces it). `branch_step`: the (branchId,
    baseVersion) its entity block applied, when it was applied."""
    visit, _ = HouseholdVisit.objects.update_or_create(
        submission_id=submission_id,
        defaults={
            "household": household,
            "outcome": outcome,
            "visited_on": visited_on,
            "volunteer_id": volunteer_id,
            "branch_id": branch_step[0],
            "base_version": branch_step[1],
        },
    )
    return visit


# --- people ---------------------------------------------------------------------------------


@transaction.atomic
def household_conflict_resolve(
    *, conflict: HouseholdConflict, user: Any, resolution: str, note: str = "", actor: Any = None, ip: str | None
) -> HouseholdConflict:
    """Close a conflict. `keep`: the household stays as it is. `restore`: the values the
    conflicting update overwrote come back, as a new version (the overwritten ones stay in
    the history)."""
    conflict = row_lock(HouseholdConflict.objects.select_related("household"), pk=conflict.pk)
    if conflict.resolved_at is not None:
        raise errors.household_conflict_resolved(conflict.pk)
    if resolution not in Resolution.values:
        raise errors.bad_request(
            f"Cách giải quyết phải là {', '.join(Resolution.values)}. / resolution must be one of "
            f"{', '.join(Resolution.values)}.",
            field="resolution",
        )
    household = row_lock(Household.objects.select_related("hamlet"), pk=conflict.household_id)
    if resolution == Resolution.RESTORE:
        before = household_state(household)
        properties = dict(household.properties)
        label = household.label
        for name, pair in conflict.values.items():
            if name == "label":
                label = pair.get("before", label)
            else:
                properties[name] = pair.get("before", "")
        if {"label": label, "properties": properties} != before:
            household.version += 1
            _set_state(household, label, properties)
            _save_live(household)
            _record_change(household, before=before, source=Source.USER, user=user)
    conflict.resolution = resolution
    conflict.resolved_by = user
    conflict.resolved_at = timezone.now()
    conflict.note = note[:2000]
    conflict.save(update_fields=["resolution", "resolved_by", "resolved_at", "note"])
    audit_record(
        actor=actor or user,
        action="household.conflict.resolve",
        obj=household,
        ip=ip,
        conflict=conflict.pk,
        resolution=resolution,
        version=household.version,
    )
    return conflict


SETTLE_ACTIONS = ("confirm", "reject", "merge")


@transaction.atomic
def household_field_settle(
    *,
    household: Household,
    action: str,
    user: Any,
    into_code: str = "",
    actor: Any = None,
    ip: str | None = None,
) -> Household:
    """The hamlet head's answer to a household a volunteer added in the field:
    - `confirm`: it is a real household of the register (no longer flagged; the phones'
      list is unchanged, so nothing is downloaded again);
    - `reject`: it is not a household (a test, a mistake): taken off the register — phones
      drop it at the next list download, the integrity URL reports it deleted, its visits
      count nowhere;
    - `merge`: it is a household already in the register (code `into_code`, same hamlet):
      its visits become that household's, what that household lacks (a location, a house
      description…) is filled from it as a new version, and it is taken off the register
      pointing to the one it was merged into.
    Returns the household that remains (the merge target for `merge`). Audited."""
    household = row_lock(Household.objects.select_related("hamlet"), pk=household.pk)
    if action not in SETTLE_ACTIONS:
        raise errors.bad_request(
            f"Hành động phải là {', '.join(SETTLE_ACTIONS)}. / action must be one of {', '.join(SETTLE_ACTIONS)}.",
            field="action",
        )
    if household.deleted_at is not None or not household.added_in_field:
        raise errors.bad_request(
            f"Hộ {household.label} không còn chờ xác nhận. / Household {household.label} is not awaiting confirmation.",
            field="household",
        )
    if action == "confirm":
        household.added_in_field = False
        household.save(update_fields=["added_in_field"])  # updated_at stays: the CSV is the same
        audit_record(actor=actor or user, action="household.confirm", obj=household, ip=ip)
        return household
    target = None
    if action == "merge":
        target = _merge_target(household, into_code)
    _take_off(household, user, changed=["merged_into:" + str(target.pk)] if target else ["rejected"])
    if target is None:
        audit_record(actor=actor or user, action="household.reject", obj=household, ip=ip, version=household.version)
        return household
    household.merged_into = target
    household.save(update_fields=["merged_into"])
    moved = HouseholdVisit.objects.filter(household=household).update(household=target)
    before = household_state(target)
    filled = dict(before["properties"])
    for name, value in household.properties.items():
        # Only what the register's household lacks; its own code and hamlet stay.
        if name not in ("ma_ho", "ap") and value.strip() and not filled.get(name, "").strip():
            filled[name] = value.strip()
    if filled != before["properties"]:
        target.version += 1
        _set_state(target, before["label"], filled)
        _save_live(target)
        _record_change(target, before=before, source=Source.USER, user=user)
    else:
        target.save(update_fields=["updated_at"])  # the phones' list changes (one row fewer) either way
    audit_record(
        actor=actor or user,
        action="household.merge",
        obj=household,
        ip=ip,
        into=str(target.pk),
        into_code=target.ma_ho,
        visits_moved=moved,
        target_version=target.version,
    )
    return target


def _merge_target(household: Household, into_code: str) -> Household:
    code = (into_code or "").strip()
    if not code:
        raise errors.bad_request(
            "Nhập mã hộ của hộ đã có trong sổ. / Give the household code of the household already in the register.",
            field="into",
        )
    target = (
        Household.objects.select_for_update()
        .filter(hamlet=household.hamlet, ma_ho=code, deleted_at__isnull=True)
        .exclude(pk=household.pk)
        .first()
    )
    if target is None:
        raise errors.bad_request(
            f"Ấp {household.hamlet.code} không có hộ mã {code!r} trong sổ. / Hamlet {household.hamlet.code} has no "
            f"household with code {code!r} in the register.",
            field="into",
        )
    return target


def _take_off(household: Household, user: Any, *, changed: list[str]) -> None:
    before = household_state(household)
    household.deleted_at = timezone.now()
    household.added_in_field = False
    household.version += 1
    household.save()
    change = _record_change(household, before=before, source=Source.USER, user=user)
    HouseholdChange.objects.filter(pk=change.pk).update(changed=changed)


@transaction.atomic
def household_delete(*, household: Household, user: Any, actor: Any = None, ip: str | None = None) -> Household:
    """Take a household off the register (soft: it stays with its history). Phones drop it at
    the next list download, and the integrity endpoint reports it deleted to those that
    created it offline. A new version records who did it."""
    household = row_lock(Household.objects.select_related("hamlet"), pk=household.pk)
    if household.deleted_at is not None:
        return household
    before = household_state(household)
    household.deleted_at = timezone.now()
    household.version += 1
    household.save()
    change = _record_change(household, before=before, source=Source.USER, user=user)
    HouseholdChange.objects.filter(pk=change.pk).update(changed=["deleted"])
    audit_record(actor=actor or user, action="household.delete", obj=household, ip=ip, version=household.version)
    return household


# --- the commune's own list (CSV import) ----------------------------------------------------


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    changes: list[dict[str, Any]] | None = None  # what each updated or created row changes

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [],
            "dry_run": self.dry_run,
            "changes": self.changes or [],
        }


def households_import(
    *,
    data: bytes,
    filename: str = "",
    dry_run: bool = False,
    replace: bool = False,
    user: Any = None,
    actor: Any = None,
    ip: str | None = None,
) -> ImportReport:
    """Import the commune's household list, all or nothing. Rows are matched by `name`
    (UUID) when given, else by hamlet + household code among live households. Bad rows →
    400.30 with every line; changes to households already held need `replace` (409.30 says
    what would change); `dry_run` reports and changes nothing."""
    try:
        rows = households_parse(data)
    except HouseholdListError as exc:
        raise errors.register_import_invalid([p.as_dict() for p in exc.problems])
    with transaction.atomic():
        # Plan first (locks the rows it reads), then apply the same plan: a refused import
        # (409.30) and a dry run write nothing at all.
        report = _import_plan_apply(rows, filename=filename, apply=False, user=user)
        report.dry_run = dry_run
        if dry_run:
            return report
        if report.updated and not replace:
            raise errors.register_import_needs_replace(report.as_dict())
        try:
            with transaction.atomic():
                report = _import_plan_apply(rows, filename=filename, apply=True, user=user)
        except IntegrityError:
            # Two rows swapping household codes within one import: refused, never half done.
            raise errors.register_import_invalid(
                [
                    {
                        "line": 0,
                        "message": "Hai dòng đổi mã hộ cho nhau; nhập làm hai lần. / Two rows swap household "
                        "codes; import in two steps.",
                    }
                ]
            )
        if report.created or report.updated:
            audit_record(
                actor=actor or user,
                action="household.import",
                ip=ip,
                object_type="registers.household",
                object_id=filename[:200],
                created=report.created,
                updated=report.updated,
                unchanged=report.unchanged,
            )
    return report


def _import_plan_apply(rows, *, filename: str, apply: bool, user: Any) -> ImportReport:
    hamlets = {h.code: h for h in Hamlet.objects.all()}
    problems = [
        RowProblem(r.line, f"Không có ấp mã {r.ap!r} / no hamlet with code {r.ap!r}")
        for r in rows
        if r.ap not in hamlets
    ]
    if problems:
        raise errors.register_import_invalid([p.as_dict() for p in problems])
    by_name = Household.objects.select_for_update().in_bulk([r.name for r in rows if r.name is not None])
    live = {
        (h.hamlet.code, h.ma_ho): h
        for h in Household.objects.select_for_update(of=("self",))
        .select_related("hamlet")
        .filter(deleted_at__isnull=True)
        .exclude(ma_ho="")
    }
    report = ImportReport(changes=[])
    for row in rows:
        household = by_name.get(row.name) if row.name is not None else live.get((row.ap, row.ma_ho))
        holder = live.get((row.ap, row.ma_ho))
        if household is not None and household.deleted_at is not None:
            problems.append(RowProblem(row.line, f"Hộ {row.name} đã bị xoá / household {row.name} was deleted"))
            continue
        if holder is not None and household is not None and holder.pk != household.pk:
            problems.append(
                RowProblem(
                    row.line,
                    f"Mã hộ {row.ma_ho} của ấp {row.ap} đang thuộc hộ khác ({holder.label}) / household code "
                    f"{row.ma_ho} in {row.ap} belongs to another household",
                )
            )
            continue
        if household is None:
            report.created += 1
            report.changes.append({"line": row.line, "action": "create", "ap": row.ap, "ma_ho": row.ma_ho})
            if apply:
                household = Household(
                    id=row.name or uuid.uuid4(), hamlet=hamlets[row.ap], version=1, source=Source.IMPORT
                )
                _set_state(household, row.label, row.properties)
                household.save()
                _record_change(household, before=None, source=Source.IMPORT, import_name=filename[:255], user=user)
                live[(row.ap, row.ma_ho)] = household
            continue
        before = household_state(household)
        after = {"label": row.label, "properties": _merged(before["properties"], row.properties)}
        changed = _changed(before, after)
        if household.added_in_field and household.hamlet.code == row.ap:
            changed = changed or ["added_in_field"]  # the commune's list confirms it
        if not changed:
            report.unchanged += 1
            continue
        report.updated += 1
        report.changes.append(
            {
                "line": row.line,
                "action": "update",
                "id": str(household.pk),
                "ap": row.ap,
                "ma_ho": row.ma_ho,
                "fields": {
                    name: {
                        "before": before["label"] if name == "label" else before["properties"].get(name, ""),
                        "after": after["label"] if name == "label" else after["properties"].get(name, ""),
                    }
                    for name in changed
                    if name != "added_in_field"
                },
            }
        )
        if apply:
            if household.hamlet.code != row.ap:
                live.pop((household.hamlet.code, household.ma_ho), None)
                household.hamlet = hamlets[row.ap]
            household.version += 1
            household.added_in_field = False
            _set_state(household, after["label"], after["properties"])
            household.save()
            _record_change(household, before=before, source=Source.IMPORT, import_name=filename[:255], user=user)
            live[(row.ap, row.ma_ho)] = household
    if problems:
        raise errors.register_import_invalid([p.as_dict() for p in problems])
    return report


# --- the synthetic commune ----------------------------------------------------------------


@transaction.atomic
def demo_households_settle(*, listed: list[str], added: list[str], ip: str | None = None) -> int:
    """After the demo generator's visits created its households through the form: they are
    demo data (source "demo"), and the baseline ones (`listed`, the commune's list the first
    round worked from) are confirmed; households the generator adds in a later round (`added`)
    stay flagged for the hamlet head, as a volunteer's would. `updated_at` moves, so the
    entity list's hash changes. One audit row; returns the households changed."""
    now = timezone.now()
    changed = Household.objects.filter(pk__in=listed).update(source=Source.DEMO, added_in_field=False, updated_at=now)
    changed += Household.objects.filter(pk__in=added).update(source=Source.DEMO, updated_at=now)
    audit_record(
        actor=None, action="household.demo_settle", ip=ip, object_type="demo", listed=len(listed), added=len(added)
    )
    return changed
