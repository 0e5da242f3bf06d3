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


def test_running_it_again_with_the_same_seed_replays_instead_of_duplicating():
    run(households=40, stalls=2, rounds="2025", seed=9)
    before = Submission.objects.count()

    output = run(households=40, stalls=2, rounds="2025", seed=9)

    assert Submission.objects.count() == before
    assert "pl_ho replayed: 40" in output


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
