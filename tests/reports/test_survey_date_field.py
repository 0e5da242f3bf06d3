"""One definition of "the survey date of a submission": the hamlet assessment (pl_kdc) is dated
by its own `ngay_dg`, not the day the phone opened the form, for the round windows, the
unassigned list and the analytics alike."""

from datetime import date

import numpy as np

from backend.accounts.services import volunteer_create
from backend.demo.answers import assessment_answers
from backend.demo.population import HamletPlan
from backend.demo.xform_fill import XFormModel, instance_xml
from backend.reports import selectors
from backend.reports.models import SurveyRound
from backend.submissions.models import Submission
from tests.helpers import COLLECT_HEADERS
from tests.reports.factories import places
from tests.submissions.factories import multipart

PLAN = HamletPlan(0, "AP01", "Phú Dũng", "Phú Lâm", 120, False, 0.0, 0.0)


def _kdc_instance(form, *, ngay_dg: str, today: str, instance_id: str) -> bytes:
    model = XFormModel.from_xform(bytes(form.current_version.xform), external={"ap": ["AP01"]})
    answers = assessment_answers(
        hamlet=PLAN,
        year=2025,
        rng=np.random.default_rng(5),
        volunteer_code="TNV01",
        day=ngay_dg,
        test_points=["10.9 107.3 0 5"] * 5,
        model_points=["10.9 107.3 0 5"],
    )
    times = {"start": f"{today}T08:00:00.000+07:00", "end": f"{today}T08:30:00.000+07:00"}
    return instance_xml(model, answers, instance_id=instance_id, today=today, deviceid="TNV01", **times)


def _send(client, token, xml):
    body, content_type = multipart(xml)
    return client.generic("POST", f"/key/{token}/submission", body, content_type=content_type, **COLLECT_HEADERS)


def test_a_pl_kdc_submission_dated_outside_every_window_is_unassigned_though_sent_inside_one(
    client, forms, leadership, no_background
):
    places(("AP01", 120, None, False))
    kdc = forms["pl_kdc"]
    _, token = volunteer_create(name="Trưởng ấp Phú Dũng", forms=[kdc])
    window_2025, window_2027 = SurveyRound.objects.get(name="2025"), SurveyRound.objects.get(name="2027")
    for day in (date(2026, 12, 3), date(2026, 1, 10)):
        assert not SurveyRound.objects.filter(start__lte=day, end__gte=day).exists()

    # Sent on 5 January 2027 (today/start inside the 2027 window), but the assessment is dated
    # 3 December 2026 in its own field (pl_kdc allows no date after today): that is its survey date.
    stray = _kdc_instance(kdc, ngay_dg="2026-12-03", today="2027-01-05", instance_id="uuid:kdc-stray")
    assert _send(client, token, stray).status_code == 201
    submission = Submission.objects.get(instance_id="uuid:kdc-stray")
    assert submission.survey_date == date(2026, 12, 3)
    listed = leadership.get("/api/v1/survey-rounds/unassigned").json()["results"]
    assert [(r["id"], r["survey_date"]) for r in listed] == [(submission.pk, "2026-12-03")]
    assert not selectors.submissions_in_round(window_2027).filter(pk=submission.pk).exists()

    # The other way round: filled in on 10 January 2026, outside every window, for an
    # assessment made on 20 December 2025 → in the 2025 round.
    late = _kdc_instance(kdc, ngay_dg="2025-12-20", today="2026-01-10", instance_id="uuid:kdc-late")
    assert _send(client, token, late).status_code == 201
    counted = Submission.objects.get(instance_id="uuid:kdc-late")
    assert counted.survey_date == date(2025, 12, 20)
    assert selectors.submissions_in_round(window_2025).filter(pk=counted.pk).exists()
    assert [r["id"] for r in leadership.get("/api/v1/survey-rounds/unassigned").json()["results"]] == [submission.pk]
