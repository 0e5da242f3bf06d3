"""The register follows a batch of submissions: the receiver of `submission_versions_stored`
(backend/submissions/bulk.py), ending in the state `ingest.on_submission_version_stored`
would leave had each item been sent on its own, in order.

The plain cases a bulk load is made of are applied in memory and written set-based at the
end (a few statements per batch instead of ~17 queries and savepoints per submission):
- a create of a household not held yet, in a known hamlet, its code free in that hamlet;
- an update without an offline branch, made on the current version (or a later one), of a
  live household with no update waiting in the backlog — no conflict is possible then.
Everything else (a rejection, a conflict, an offline branch, a held update, an edit) goes
through `household_ingest` itself, at its place in the order: what was gathered before it is
written first, and what it changed is read back. The rules are the ones of
`backend/registers/services.py` (its pure helpers are shared, not copied).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Q
from django.utils import timezone

from backend.audit.services import audit_rows
from backend.core.changes import ChangeRow, changes_record
from backend.core.rows import rows_copy
from backend.places.models import Hamlet
from backend.registers.ingest import _day, _number, household_ingest, on_submission_version_stored, visit_outcome
from backend.registers.models import DATASET, HeldUpdate, Household, HouseholdVisit, Source
from backend.registers.services import (
    EntityRejected,
    _changed,
    _default_label,
    _entity_uuid,
    _int_or_none,
    _merged,
    _set_state,
    change_rows,
    household_state,
)

UPDATED_FIELDS = ("hamlet", "label", "properties", "ma_ho", "ten_goi", "mo_ta", "lat", "lon", "version", "updated_at")


def on_submission_versions_stored(sender, *, items, **kwargs) -> None:
    """Receiver (connected in RegistersConfig.ready)."""
    batch = _Batch(items)
    for item in items:
        if item["replace"]:
            batch.flush()
            on_submission_version_stored(sender, **item)
            batch.forget()
            continue
        for block in item.get("entities") or ():
            if block.dataset == DATASET:
                batch.ingest(block, item)
    batch.flush()


class _Batch:
    def __init__(self, items: list[dict]):
        ids, codes = set(), set()
        for item in items:
            for block in item.get("entities") or ():
                if block.dataset != DATASET:
                    continue
                entity_id = _block_entity_id(block)
                if entity_id is not None:
                    ids.add(entity_id)
                code = (block.properties.get("ma_ho") or "").strip()[:32]
                if code:
                    codes.add(code)
        hamlet_codes = {(item.get("hamlet_code") or "").strip() for item in items} | {
            (block.properties.get("ap") or "").strip() for item in items for block in item.get("entities") or ()
        }
        households = list(Household.objects.filter(pk__in=ids))
        self.hamlets: dict[str, Hamlet] = {}
        self._hamlets_by_pk: dict[int, Hamlet] = {}
        for hamlet in Hamlet.objects.filter(Q(code__in=hamlet_codes) | Q(pk__in={h.hamlet_id for h in households})):
            self._hamlet_add(hamlet)
        self.households: dict[uuid.UUID, Household | None] = dict.fromkeys(ids)
        for household in households:
            household.hamlet = self._hamlet_by_id(household.hamlet_id)
            self.households[household.pk] = household
            codes.add(household.ma_ho)
        codes.discard("")
        # (hamlet pk, code) → the live household holding it (the unique "live code" constraint).
        self.codes = {
            (hamlet_id, code): pk
            for hamlet_id, code, pk in Household.objects.filter(ma_ho__in=codes, deleted_at__isnull=True).values_list(
                "hamlet_id", "ma_ho", "pk"
            )
        }
        self.held = set(HeldUpdate.objects.filter(household_id__in=ids).values_list("household_id", flat=True))
        self._clear()

    def _clear(self) -> None:
        self.new: dict[uuid.UUID, Household] = {}
        self.updated: dict[uuid.UUID, Household] = {}
        self.changes: list = []
        self.feed: list[ChangeRow] = []
        self.audit: list = []
        self.visits: dict[int, HouseholdVisit] = {}

    def _hamlet_add(self, hamlet: Hamlet) -> None:
        self.hamlets[hamlet.code] = hamlet
        self._hamlets_by_pk[hamlet.pk] = hamlet

    def _hamlet_by_id(self, pk: int) -> Hamlet:
        if pk not in self._hamlets_by_pk:
            self._hamlet_add(Hamlet.objects.get(pk=pk))
        return self._hamlets_by_pk[pk]

    def _hamlet_by_code(self, code: str) -> Hamlet | None:
        """The hamlet `_hamlet_for` would find (None where it rejects), read once per batch."""
        if code not in self.hamlets:
            hamlet = Hamlet.objects.filter(code=code).first()
            if hamlet is None:
                return None
            self._hamlet_add(hamlet)
        return self.hamlets.get(code)

    # --- one block ---------------------------------------------------------------------------

    def ingest(self, block, item: dict) -> None:
        visit = {
            "submission_id": item["submission_id"],
            "outcome": visit_outcome(item["parsed"]),
            "visited_on": item.get("survey_date") or _day(item.get("received_at")),
            "volunteer_id": item.get("volunteer_id"),
        }
        if self._plain(block, item, visit):
            return
        self.flush()
        household_ingest(
            block=block,
            submission_id=item["submission_id"],
            submission_version_id=item["version_id"],
            outcome=visit["outcome"],
            edit=False,
            hamlet_code=item.get("hamlet_code") or "",
            visited_on=visit["visited_on"],
            volunteer_id=visit["volunteer_id"],
            actor=item.get("actor"),
            ip=item.get("client_ip"),
        )
        entity_id = _block_entity_id(block)
        if entity_id is not None:
            self._reload(entity_id)

    def _plain(self, block, item: dict, visit: dict) -> bool:
        """Apply `block` in memory when it is one of the plain cases; False (nothing changed)
        when `household_ingest` must decide."""
        entity_id = _block_entity_id(block)
        if entity_id is None or entity_id in self.held:
            return False
        if entity_id not in self.households:
            self._reload(entity_id)
        household = self.households[entity_id]
        if block.creates:
            if household is None:
                return self._create(block, entity_id, item, visit)
            if not block.updates:
                return False
        if block.updates and household is not None and not block.branch_id.strip():
            return self._update(block, household, item, visit)
        return False

    def _create(self, block, entity_id, item: dict, visit: dict) -> bool:
        properties = {k: v.strip() for k, v in block.properties.items()}
        code = (properties.get("ap") or item.get("hamlet_code") or "").strip()
        hamlet = self._hamlet_by_code(code) if code else None
        if hamlet is None:
            return False
        properties.setdefault("ap", hamlet.code)
        household = Household(id=entity_id, hamlet=hamlet, version=1, source=Source.FORM, added_in_field=True)
        _set_state(household, block.label or _default_label(hamlet.code, properties), properties)
        if household.ma_ho and self.codes.get((hamlet.pk, household.ma_ho)) is not None:
            return False
        self.codes[(hamlet.pk, household.ma_ho)] = entity_id
        self.households[entity_id] = household
        self.new[entity_id] = household
        self._change(
            household,
            None,
            source=Source.FORM,
            submission_id=item["submission_id"],
            submission_version_id=item["version_id"],
            branch_id=block.branch_id[:64],
        )
        self._audit(item, "household.create", household, submission_id=item["submission_id"])
        self._visit(household, block, visit)
        return True

    def _update(self, block, household: Household, item: dict, visit: dict) -> bool:
        if household.deleted_at is not None:
            return False
        try:
            base = _int_or_none(block.base_version, "baseVersion")
            trunk = _int_or_none(block.trunk_version, "trunkVersion")
        except EntityRejected:
            return False
        server = household.version
        if base is not None and base < server:
            return False  # made on an older version: a conflict is possible
        before = household_state(household)
        incoming = _merged(before["properties"], dict(block.properties))
        label = block.label or before["label"]
        phone_changed = _changed(before, {"label": label, "properties": incoming})
        if not phone_changed:
            self._visit(household, block, visit)
            return True
        properties = dict(before["properties"])
        for name in phone_changed:
            if name != "label":
                properties[name] = incoming.get(name, "")
        hamlet = household.hamlet
        if properties.get("ap") and properties["ap"] != hamlet.code:
            hamlet = self._hamlet_by_code(properties["ap"].strip())
            if hamlet is None:
                return False
        code = (properties.get("ma_ho") or "").strip()[:32]
        if code and self.codes.get((hamlet.pk, code), household.pk) != household.pk:
            return False
        if self.codes.get((household.hamlet.pk, household.ma_ho)) == household.pk:
            del self.codes[(household.hamlet.pk, household.ma_ho)]
        household.hamlet = hamlet
        household.version = server + 1
        _set_state(household, label if "label" in phone_changed else before["label"], properties)
        if household.ma_ho:
            self.codes[(hamlet.pk, household.ma_ho)] = household.pk
        if household.pk not in self.new:
            self.updated[household.pk] = household
        branch = block.branch_id.strip()[:64]
        self._change(
            household,
            before,
            source=Source.FORM,
            submission_id=item["submission_id"],
            submission_version_id=item["version_id"],
            base_version=base,
            trunk_version=trunk,
            branch_id=branch,
        )
        self._audit(
            item,
            "household.update",
            household,
            submission_id=item["submission_id"],
            version=household.version,
            base_version=base,
            conflict=None,
        )
        self._visit(household, block, visit)
        return True

    # --- what a plain block writes -------------------------------------------------------------

    def _change(self, household: Household, before, **source: Any) -> None:
        change, feed = change_rows(household, before=before, **source)
        self.changes.append(change)
        self.feed += feed

    def _audit(self, item: dict, action: str, household: Household, **details: Any) -> None:
        self.audit += audit_rows(
            actor=item.get("actor"), ip=item.get("client_ip"), events=[(action, household, details)]
        )

    def _visit(self, household: Household, block, visit: dict) -> None:
        step = (block.branch_id.strip()[:64], _number(block.base_version)) if block.updates else ("", None)
        # One visit per submission (`household_visit_record` updates it in place): the last wins.
        self.visits[visit["submission_id"]] = HouseholdVisit(
            household=household, branch_id=step[0], base_version=step[1], **visit
        )

    def flush(self) -> None:
        """Write what the plain blocks gathered: a few statements for the whole run."""
        if self.new:
            rows_copy(list(self.new.values()), with_pk=True)
        if self.updated:
            now = timezone.now()
            for household in self.updated.values():
                household.updated_at = now
            Household.objects.bulk_update(list(self.updated.values()), UPDATED_FIELDS)
        if self.changes:
            rows_copy(self.changes)
        if self.visits:
            rows_copy(list(self.visits.values()))
        if self.audit:
            rows_copy(self.audit)
        changes_record(self.feed)
        self._clear()

    def _reload(self, entity_id: uuid.UUID) -> None:
        """Read back a household `household_ingest` (or nobody in this batch) may have changed."""
        for key in [k for k, pk in self.codes.items() if pk == entity_id]:
            del self.codes[key]
        household = Household.objects.filter(pk=entity_id).first()
        if household is not None:
            household.hamlet = self._hamlet_by_id(household.hamlet_id)
            if household.deleted_at is None and household.ma_ho:
                self.codes[(household.hamlet_id, household.ma_ho)] = entity_id
        self.households[entity_id] = household
        if HeldUpdate.objects.filter(household_id=entity_id).exists():
            self.held.add(entity_id)
        else:
            self.held.discard(entity_id)

    def forget(self) -> None:
        """After an edit went through the one-at-a-time receiver: read everything afresh."""
        for entity_id in list(self.households):
            self._reload(entity_id)


def _block_entity_id(block):
    """The block's household id; None when it names none or a malformed one (such a block is
    `household_ingest`'s to reject)."""
    try:
        return _entity_uuid(block.entity_id)
    except EntityRejected:
        return None
