"""Out-of-order offline updates (Central's entity submission backlog): an update whose
previous step of its offline branch has not arrived is held, applied the moment that step
arrives, and force-applied by the nightly job when it never does."""

import uuid
from datetime import timedelta

import pytest

from backend.audit.models import AuditEvent
from backend.registers.backlog import backlog_force
from backend.registers.models import EntityProblem, HeldUpdate, Household, HouseholdConflict, HouseholdVisit
from tests.registers.conftest import household_instance, send


def _offline_steps(entity: str, branch: str):
    """A phone that downloaded the household at v1, then updated it twice offline."""
    v2 = household_instance(
        entity_id=entity,
        update=True,
        base_version="1",
        trunk_version="1",
        branch_id=branch,
        label="Lan",
        ma_ho="H201",
        ten_goi="Lan",
        mo_ta="Cổng sắt đỏ",
    )
    v3 = household_instance(
        entity_id=entity,
        update=True,
        base_version="2",
        trunk_version="1",
        branch_id=branch,
        label="Lan",
        ma_ho="H201",
        ten_goi="Lan",
        mo_ta="Cổng sắt đỏ, cây xoài",
        geometry="10.9 106.8 0 4",
    )
    return v2, v3


def test_update_v3_sent_before_v2_is_held_then_applied_in_order_without_a_conflict(client, devices, hamlet_head):
    _, token = devices["AP01"]
    entity, branch = str(uuid.uuid4()), str(uuid.uuid4())
    send(client, token, household_instance(entity_id=entity, create=True, label="Lan", ma_ho="H201", ten_goi="Lan"))
    v2, v3 = _offline_steps(entity, branch)

    assert send(client, token, v3).status_code == 201  # the phone's second update arrives first
    household = Household.objects.get(pk=entity)
    assert (household.version, household.mo_ta) == (1, "")  # not applied over the wrong base
    held = HeldUpdate.objects.get()
    assert (str(held.household_id), held.branch_id, held.base_version) == (entity, branch, 2)
    assert HouseholdVisit.objects.filter(household=household).count() == 2  # its visit counts meanwhile
    assert AuditEvent.objects.filter(action="household.backlog.hold", object_id=entity).exists()

    client.force_login(hamlet_head)  # the hamlet head sees what waits
    assert "register-held" in client.get("/hamlet/register").content.decode()

    assert send(client, token, v2).status_code == 201  # the missing step: v2, then the held v3
    household.refresh_from_db()
    assert household.version == 3
    assert (household.mo_ta, household.lat) == ("Cổng sắt đỏ, cây xoài", 10.9)
    assert list(household.changes.values_list("version", "base_version", "branch_id")) == [
        (1, None, ""),
        (2, 1, branch),
        (3, 2, branch),
    ]
    assert not HeldUpdate.objects.exists()
    assert not HouseholdConflict.objects.exists()  # the phone's own steps never conflict
    assert AuditEvent.objects.filter(action="household.backlog.release", object_id=entity).count() == 1
    assert "register-held" not in client.get("/hamlet/register").content.decode()


def test_a_follow_up_of_an_offline_created_household_waits_for_its_creation(client, devices):
    _, token = devices["AP01"]
    entity, branch = str(uuid.uuid4()), str(uuid.uuid4())
    create = household_instance(entity_id=entity, create=True, label="Hoa", ma_ho="H202", branch_id=branch)
    follow = household_instance(
        entity_id=entity, update=True, base_version="1", branch_id=branch, label="Hoa", ma_ho="H202", mo_ta="Nhà lá"
    )
    assert send(client, token, follow).status_code == 201
    assert not Household.objects.filter(pk=entity).exists() and HeldUpdate.objects.count() == 1
    assert not EntityProblem.objects.exists()  # waiting is not a problem
    assert send(client, token, create).status_code == 201
    household = Household.objects.get(pk=entity)
    assert (household.version, household.mo_ta) == (2, "Nhà lá")
    assert not HeldUpdate.objects.exists()


def test_an_update_whose_earlier_step_never_comes_is_forced_after_the_timeout(client, devices, settings):
    _, token = devices["AP01"]
    entity, branch = str(uuid.uuid4()), str(uuid.uuid4())
    send(client, token, household_instance(entity_id=entity, create=True, label="Lan", ma_ho="H203", ten_goi="Lan"))
    _, v3 = _offline_steps(entity, branch)
    send(client, token, v3)
    ghost = str(uuid.uuid4())  # an update of a household whose creation is lost
    send(client, token, household_instance(entity_id=ghost, update=True, base_version="1", branch_id=branch, label="X"))
    assert HeldUpdate.objects.count() == 2

    settings.REGISTER_BACKLOG_DAYS = 5
    assert backlog_force() == {"applied": 0, "problems": 0}  # held for less than 5 days
    HeldUpdate.objects.update(held_at=HeldUpdate.objects.first().held_at - timedelta(days=6))
    assert backlog_force() == {"applied": 1, "problems": 1}
    household = Household.objects.get(pk=entity)
    assert (household.version, household.mo_ta) == (2, "Cổng sắt đỏ, cây xoài")  # on the current version
    assert not HouseholdConflict.objects.exists()
    problem = EntityProblem.objects.get()
    assert problem.entity_id == ghost and "never reached the register" in problem.reason
    assert not HeldUpdate.objects.exists()
    assert AuditEvent.objects.filter(action="household.backlog.force").count() == 2
    assert backlog_force() == {"applied": 0, "problems": 0}  # idempotent


@pytest.mark.usefixtures("postgres_only")
def test_the_nightly_job_on_a_real_worker_forces_the_backlog(broker, devices, client):
    from backend.jobs.models import JobState
    from backend.jobs.services import job_enqueue
    from tests.jobs.worker import wait_for

    _, token = devices["AP01"]
    entity, branch = str(uuid.uuid4()), str(uuid.uuid4())
    send(client, token, household_instance(entity_id=entity, create=True, label="Lan", ma_ho="H204", ten_goi="Lan"))
    _, v3 = _offline_steps(entity, branch)
    send(client, token, v3)
    HeldUpdate.objects.update(held_at=HeldUpdate.objects.get().held_at - timedelta(days=6))
    job = job_enqueue(kind="register.backlog")
    worker = broker()
    wait_for(
        lambda: job.__class__.objects.get(pk=job.pk).state == JobState.DONE, timeout=180, what="done", workers=[worker]
    )
    job.refresh_from_db()
    assert job.result == {"applied": 1, "problems": 0}
    assert Household.objects.get(pk=entity).version == 2 and not HeldUpdate.objects.exists()
