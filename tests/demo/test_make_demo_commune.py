"""make_demo_commune stores places and ingests its submissions through submission_receive."""

from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command

from backend.places.models import Hamlet, Market
from backend.submissions.models import Submission
from backend.surveys.models import Form

pytestmark = pytest.mark.django_db


def run(**kwargs) -> str:
    out = StringIO()
    call_command("make_demo_commune", no_progress=True, stdout=out, **kwargs)
    return out.getvalue()


def test_a_small_commune_lands_as_hamlets_a_market_and_real_submissions():
    import backend.submissions.services as services

    with mock.patch.object(services, "submission_receive", wraps=services.submission_receive) as receive:
        output = run(households=80, stalls=6, rounds="2025", seed=9)

    assert Hamlet.objects.count() == 30
    assert Hamlet.objects.filter(pilot_dra=True).count() == 2
    assert sum(Hamlet.objects.values_list("registered_households", flat=True)) == 80
    assert Market.objects.get(code="CHO_PL").registered_stalls == 6
    assert receive.call_count == 80 + 6 + 30
    counts = {f.form_id: Submission.objects.filter(form=f).count() for f in Form.objects.all()}
    assert counts == {"pl_ho": 80, "pl_cho": 6, "pl_kdc": 30}
    assert "pl_ho created: 80" in output


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

    assert "pl_ho created: 50" in output
    assert Submission.objects.filter(form__form_id="pl_ho").count() == 50
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
