"""Submissions of a form with an `entities` sheet fill the household register (ODK entities,
offline branches, conflicts), and a bad entity block never costs the submission."""

import uuid

from backend.audit.models import AuditEvent
from backend.registers.models import (
    EntityProblem,
    Household,
    HouseholdChange,
    HouseholdConflict,
    HouseholdVisit,
    VisitOutcome,
)
from backend.submissions.models import Submission
from tests.registers.conftest import household_instance, send


def test_a_first_visit_creates_the_household_with_version_1_flagged_as_added_in_the_field(client, devices):
    _, token = devices["AP01"]
    entity = str(uuid.uuid4())
    xml = household_instance(
        entity_id=entity,
        create=True,
        label="AP01 H001 · Lan",
        ma_ho="H001",
        ten_goi="Lan",
        mo_ta="Nhà mái tôn xanh",
        geometry="10.9012 106.8123 0 0",
    )
    assert send(client, token, xml).status_code == 201
    household = Household.objects.get(pk=entity)
    assert (household.hamlet.code, household.ma_ho, household.ten_goi, household.version) == ("AP01", "H001", "Lan", 1)
    assert (household.lat, household.lon) == (10.9012, 106.8123)
    assert household.added_in_field is True
    assert household.label == "AP01 H001 · Lan"
    change = HouseholdChange.objects.get(household=household)
    assert change.version == 1 and change.submission == Submission.objects.get()
    visit = HouseholdVisit.objects.get(household=household)
    assert visit.outcome == VisitOutcome.VISITED and str(visit.visited_on) == "2026-12-03"
    assert AuditEvent.objects.filter(action="household.create", object_id=entity).exists()


def test_an_offline_created_household_then_updated_by_a_second_submission_applies_in_order(client, devices):
    """Collect offline: create (branch B, local v1), then a follow-up on it with baseVersion 1."""
    _, token = devices["AP01"]
    entity, branch = str(uuid.uuid4()), str(uuid.uuid4())
    create = household_instance(
        entity_id=entity, create=True, label="Lan", ma_ho="H002", ten_goi="Lan", branch_id=branch
    )
    follow = household_instance(
        entity_id=entity,
        update=True,
        base_version="1",
        branch_id=branch,
        label="Lan",
        ma_ho="H002",
        ten_goi="Lan",
        mo_ta="Cổng sắt đỏ",
    )
    follow2 = household_instance(
        entity_id=entity,
        update=True,
        base_version="2",
        branch_id=branch,
        label="Lan",
        ma_ho="H002",
        ten_goi="Lan",
        mo_ta="Cổng sắt đỏ, cây xoài",
        ket_qua="chuyen_di",
    )
    for xml in (create, follow, follow2):
        assert send(client, token, xml).status_code == 201
    household = Household.objects.get(pk=entity)
    assert household.version == 3
    assert household.mo_ta == "Cổng sắt đỏ, cây xoài"
    assert list(household.changes.values_list("version", "base_version")) == [(1, None), (2, 1), (3, 2)]
    assert not HouseholdConflict.objects.exists()
    assert sorted(HouseholdVisit.objects.values_list("outcome", flat=True)) == ["moved", "visited", "visited"]


def test_two_phones_updating_one_household_offline_record_a_conflict_and_keep_both_versions(client, devices):
    _, token = devices["AP01"]
    entity = str(uuid.uuid4())
    send(client, token, household_instance(entity_id=entity, create=True, label="Lan", ma_ho="H003", ten_goi="Lan"))
    first = household_instance(
        entity_id=entity,
        update=True,
        base_version="1",
        trunk_version="1",
        branch_id=str(uuid.uuid4()),
        label="Lan",
        ma_ho="H003",
        ten_goi="Lan",
        mo_ta="Nhà hai tầng",
    )
    second = household_instance(
        entity_id=entity,
        update=True,
        base_version="1",
        trunk_version="1",
        branch_id=str(uuid.uuid4()),
        label="Lan",
        ma_ho="H003",
        ten_goi="Lan",
        mo_ta="Nhà cấp bốn",
    )
    assert send(client, token, first).status_code == 201
    assert send(client, token, second).status_code == 201
    household = Household.objects.get(pk=entity)
    assert household.version == 3 and household.mo_ta == "Nhà cấp bốn"
    conflict = HouseholdConflict.objects.get()
    assert (conflict.kind, conflict.base_version, conflict.server_version, conflict.version) == ("hard", 1, 2, 3)
    assert conflict.fields == ["mo_ta"]
    assert conflict.values == {"mo_ta": {"before": "Nhà hai tầng", "after": "Nhà cấp bốn"}}
    # Nothing overwritten silently: the first phone's value stays in the history.
    assert household.changes.get(version=2).data["properties"]["mo_ta"] == "Nhà hai tầng"
    assert conflict.resolved_at is None


def test_parallel_updates_of_different_fields_are_a_soft_conflict_and_both_changes_survive(client, devices):
    _, token = devices["AP01"]
    entity = str(uuid.uuid4())
    send(client, token, household_instance(entity_id=entity, create=True, label="Lan", ma_ho="H004", ten_goi="Lan"))
    send(
        client,
        token,
        household_instance(
            entity_id=entity,
            update=True,
            base_version="1",
            label="Lan",
            ma_ho="H004",
            ten_goi="Lan",
            mo_ta="Nhà hai tầng",
        ),
    )
    send(
        client,
        token,
        household_instance(
            entity_id=entity, update=True, base_version="1", label="Lan", ma_ho="H004", ten_goi="Thị Lan"
        ),
    )
    household = Household.objects.get(pk=entity)
    assert (household.mo_ta, household.ten_goi, household.version) == ("Nhà hai tầng", "Thị Lan", 3)
    assert HouseholdConflict.objects.get().kind == "soft"


def test_an_update_of_an_unknown_household_is_stored_and_recorded_as_a_problem(client, devices):
    _, token = devices["AP01"]
    entity = str(uuid.uuid4())
    response = send(client, token, household_instance(entity_id=entity, update=True, base_version="3", label="X"))
    assert response.status_code == 201
    assert Submission.objects.count() == 1
    problem = EntityProblem.objects.get()
    assert problem.entity_id == entity and "not in the register" in problem.reason
    assert not Household.objects.exists()


def test_a_malformed_entity_block_and_an_unknown_hamlet_never_fail_the_submission(client, devices):
    _, token = devices["AP01"]
    assert send(client, token, household_instance(entity_id="not-a-uuid", update=True, label="X")).status_code == 201
    assert (
        send(
            client, token, household_instance(entity_id=str(uuid.uuid4()), create=True, ap="AP99", label="X")
        ).status_code
        == 201
    )
    assert Submission.objects.count() == 2
    reasons = sorted(EntityProblem.objects.values_list("reason", flat=True))
    assert "invalid entity id" in reasons[0] or "invalid entity id" in reasons[1]
    assert any("AP99" in r for r in reasons)


def test_a_second_household_with_a_code_already_used_in_the_hamlet_is_refused_into_a_problem(client, devices):
    _, token = devices["AP01"]
    send(client, token, household_instance(entity_id=str(uuid.uuid4()), create=True, label="A", ma_ho="H005"))
    assert (
        send(
            client, token, household_instance(entity_id=str(uuid.uuid4()), create=True, label="B", ma_ho="H005")
        ).status_code
        == 201
    )
    assert Household.objects.filter(ma_ho="H005").count() == 1
    assert "H005" in EntityProblem.objects.get().reason


def test_an_edit_of_the_submission_reapplies_its_answers_and_its_visit(client, devices):
    _, token = devices["AP01"]
    entity, first_id = str(uuid.uuid4()), f"uuid:{uuid.uuid4()}"
    send(
        client,
        token,
        household_instance(
            instance_id=first_id,
            entity_id=entity,
            create=True,
            label="Lan",
            ma_ho="H006",
            ten_goi="Lan",
            dong_y="khong",
        ),
    )
    assert HouseholdVisit.objects.get().outcome == VisitOutcome.REFUSED
    edit = household_instance(
        entity_id=entity, create=True, label="Lan", ma_ho="H006", ten_goi="Ngọc Lan", deprecated_id=first_id
    )
    assert send(client, token, edit).status_code == 201
    household = Household.objects.get(pk=entity)
    assert (household.ten_goi, household.version) == ("Ngọc Lan", 2)
    assert not EntityProblem.objects.exists() and not HouseholdConflict.objects.exists()
    visit = HouseholdVisit.objects.get()
    assert visit.outcome == VisitOutcome.VISITED


def test_a_create_for_a_household_already_held_changes_nothing_but_counts_the_visit(client, devices):
    _, token = devices["AP01"]
    entity = str(uuid.uuid4())
    send(client, token, household_instance(entity_id=entity, create=True, label="Lan", ma_ho="H007", ten_goi="Lan"))
    again = household_instance(
        entity_id=entity,
        create=True,
        label="Lan",
        ma_ho="H007",
        ten_goi="Hồng",
        ket_qua="khong_tim_thay",
        today="2027-03-01",
    )
    assert send(client, token, again).status_code == 201
    household = Household.objects.get(pk=entity)
    assert (household.ten_goi, household.version) == ("Lan", 1)
    assert "already exists" in EntityProblem.objects.get().reason
    assert sorted(HouseholdVisit.objects.values_list("outcome", flat=True)) == ["not_found", "visited"]
