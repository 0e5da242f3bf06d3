"""make_demo_commune stores places and ingests its submissions through submission_receive."""

from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command

from backend.demo.generator import DemoSpec, commune_build, household_register
from backend.demo.generator import _visited as visited
from backend.places.models import Hamlet, Market
from backend.registers.models import EntityProblem, Household
from backend.submissions.models import Submission
from backend.surveys.models import Form

pytestmark = pytest.mark.django_db


def planned_visits(**spec) -> int:
    """Household-form submissions the generator makes (a few households are visited twice)."""
    commune = commune_build(DemoSpec(**spec))
    return sum(
        2 if index in h.duplicates else 1
        for hamlet in commune.hamlets
        for h in household_register(commune, hamlet)
        for index in range(len(spec["rounds"]))
        if visited(h, index)
    )


def run(**kwargs) -> str:
    out = StringIO()
    call_command("make_demo_commune", no_progress=True, stdout=out, **kwargs)
    return out.getvalue()


def test_a_small_commune_lands_as_hamlets_a_market_and_real_submissions():
    import backend.submissions.services as services

    with mock.patch.object(services, "submission_receive", wraps=services.submission_receive) as receive:
        output = run(households=80, stalls=6, rounds="2025", seed=9, batch=1)  # one at a time

    assert Hamlet.objects.count() == 30
    assert Hamlet.objects.filter(pilot_dra=True).count() == 2
    assert sum(Hamlet.objects.values_list("registered_households", flat=True)) == 80
    assert Market.objects.get(code="CHO_PL").registered_stalls == 6
    visits = planned_visits(households=80, stalls=6, rounds=(2025,), seed=9)
    assert receive.call_count == visits + 6 + 30
    counts = {f.form_id: Submission.objects.filter(form=f).count() for f in Form.objects.all()}
    assert counts == {"pl_ho": visits, "pl_cho": 6, "pl_kdc": 30}
    assert f"pl_ho created: {visits}" in output
    # the first round creates every household of the register through the form's entity block
    assert Household.objects.count() == 80
    assert not EntityProblem.objects.exists()


def test_running_it_again_refuses_says_what_it_would_replace_and_changes_nothing():
    from django.core.management import CommandError

    from backend.audit.models import AuditEvent

    run(households=40, stalls=2, rounds="2025", seed=9)
    before = (Submission.objects.count(), Hamlet.objects.count(), AuditEvent.objects.count())

    with pytest.raises(CommandError) as refused:
        run(households=60, stalls=2, rounds="2025", seed=10)

    message = str(refused.value)
    assert "--replace" in message
    assert "hamlets 30" in message and "pl_ho submissions 40" in message and "register households 40" in message
    assert "register households 60" in message  # what the new commune would have
    assert (Submission.objects.count(), Hamlet.objects.count(), AuditEvent.objects.count()) == before


def test_replace_rebuilds_cleanly_with_no_household_code_twice():
    """Re-running with another size once left 4,868 duplicate household codes and 196 %
    coverage: with --replace the old commune is gone and every (hamlet, code, round) is one
    household, the register matches the hamlet registers."""
    from django.db.models import Count

    from backend.audit.models import AuditEvent
    from backend.registers.models import Household

    run(households=80, stalls=2, rounds="2025", seed=9)
    output = run(households=50, stalls=3, rounds="2025", seed=10, replace=True)

    visits = planned_visits(households=50, stalls=3, rounds=(2025,), seed=10)
    assert f"pl_ho created: {visits}" in output
    assert Submission.objects.filter(form__form_id="pl_ho").count() == visits
    assert Submission.objects.filter(form__form_id="pl_cho").count() == 3
    assert sum(Hamlet.objects.values_list("registered_households", flat=True)) == 50
    assert Household.objects.count() == 50
    twice = Household.objects.values("hamlet", "ma_ho").annotate(n=Count("id")).filter(n__gt=1).count()
    assert twice == 0
    event = AuditEvent.objects.get(action="demo.replace")
    assert event.details["pl_ho submissions"] == 80


def test_the_same_seed_with_replace_gives_the_same_commune():
    run(households=40, stalls=2, rounds="2025", seed=9)
    first = sorted(Submission.objects.values_list("instance_id", flat=True))
    run(households=40, stalls=2, rounds="2025", seed=9, replace=True)
    assert sorted(Submission.objects.values_list("instance_id", flat=True)) == first


def test_the_generated_ap_csv_replaces_the_authored_one_on_every_form():
    from backend.core.blobs import blob_read

    run(households=30, stalls=1, rounds="2025", seed=9)

    for form in Form.objects.all():
        attachment = form.current_version.attachments.get(name="ap.csv")
        lines = blob_read(attachment.blob_id).decode().splitlines()
        assert len(lines) == 31 and lines[1].startswith("AP01,Ấp ")


def test_bad_rounds_are_refused_with_a_clear_message():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="--rounds"):
        run(households=10, rounds="năm 2025")
    assert not Hamlet.objects.exists()


def test_two_rounds_revisit_the_same_households_with_moves_new_households_and_duplicates():
    """2025 creates the register through the form; 2027 revisits the same households as
    follow-ups (entity updates), some moved or not found, some refused, new households
    created, a few visited twice; nothing the register could not apply."""
    from django.db.models import Count

    from backend.registers.models import HouseholdChange, HouseholdConflict, HouseholdVisit

    run(households=300, stalls=1, rounds="2025,2027", seed=12)
    spec = DemoSpec(households=300, stalls=1, rounds=(2025, 2027), seed=12)
    commune = commune_build(spec)
    plan = [h for hamlet in commune.hamlets for h in household_register(commune, hamlet)]

    assert not EntityProblem.objects.exists()
    assert not HouseholdConflict.objects.exists()
    new_in_2027 = [h for h in plan if h.joins == 1]
    assert new_in_2027 and Household.objects.count() == 300 + len(new_in_2027)
    by_year = {
        year: set(
            HouseholdVisit.objects.filter(visited_on__year=year).values_list("household_id", flat=True).distinct()
        )
        for year in (2025, 2027)
    }
    assert len(by_year[2025]) == 300
    revisited = by_year[2025] & by_year[2027]
    assert len(revisited) == 300  # every baseline household is revisited (moved and not found included)
    assert {str(u) for u in by_year[2027] - by_year[2025]} == {h.entity_id for h in new_in_2027}
    outcomes = dict(HouseholdVisit.objects.filter(visited_on__year=2027).values_list("outcome").annotate(n=Count("id")))
    assert outcomes.get("moved", 0) == sum(1 for h in plan if h.fate.get(1) == "chuyen_di") > 0
    assert outcomes.get("not_found", 0) == sum(1 for h in plan if h.fate.get(1) == "khong_tim_thay") > 0
    assert outcomes.get("refused", 0) > 0 and outcomes["visited"] > 250
    twice = HouseholdVisit.objects.values("household", "visited_on__year").annotate(n=Count("id")).filter(n__gt=1)
    assert twice.count() == sum(len(h.duplicates) for h in plan) > 0
    # the register is the demo's: baseline households confirmed, 2027's new ones left for the hamlet head
    assert set(Household.objects.values_list("source", flat=True)) == {"demo"}
    flagged = {str(u) for u in Household.objects.filter(added_in_field=True).values_list("id", flat=True)}
    assert flagged == {h.entity_id for h in new_in_2027}
    # follow-ups that changed the house description are real entity updates (version 2)
    assert HouseholdChange.objects.filter(base_version=1).exists()
    assert Household.objects.filter(version__gt=1).exists()
