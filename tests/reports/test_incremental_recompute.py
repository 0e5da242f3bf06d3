"""Recomputing only the hamlets whose submissions changed (backend/reports/incremental.py,
issue 18) stores exactly the results a full recomputation stores: the same indicator rows,
coverage, scorecard, summary and review, and the same counts. Checked after a new household,
an edit that moves a household to another hamlet, a rejection, a deletion, two updates in a
row, and through the recomputation job a stale dashboard call starts; and a full recomputation
is done instead whenever a changed submission's figures do not live in its hamlet alone.

Each write commits (transaction=True): the data version is anchored at the feed's settled
transaction, so the change rows of the test's own open transaction would all count as new."""

from __future__ import annotations

import uuid
from datetime import date

import pandas as pd
import pytest
from django.utils import timezone

from analytics.exports import tables_unpack
from backend.accounts.actors import actor_for_user
from backend.accounts.models import Role
from backend.accounts.services import user_create
from backend.core.changes import change_record
from backend.jobs.models import Job, JobState
from backend.places.models import Hamlet
from backend.reports import incremental
from backend.reports.jobs import results_fresh
from backend.reports.models import ComputedResult, SurveyRound
from backend.reports.services import (
    RECOMPUTE_JOB,
    indicator_results_compute,
    indicator_results_update,
    survey_rounds_declare_defaults,
)
from backend.review.services import submission_review_set
from backend.submissions.changes import submission_changed
from backend.submissions.models import Submission
from backend.submissions.trash import submission_delete
from tests.analytics.builders import assessment, household, member, square, stall
from tests.reports.factories import places, publish_commune_forms, store

pytestmark = [pytest.mark.usefixtures("postgres_only"), pytest.mark.django_db(transaction=True)]
LAT0, LON0 = 10.90, 107.30
CODES = [f"AP{n:02d}" for n in range(1, 9)]


def _commune() -> dict:
    """Eight hamlets (one without a register figure, one without a boundary), two rounds, a
    market, refusals, households outside their hamlet, assessments."""
    survey_rounds_declare_defaults()  # a transactional test's flush empties the migration's rounds
    forms = publish_commune_forms()
    specs = []
    for n, code in enumerate(CODES):
        boundary = None if code == "AP07" else square(LON0 + 0.01 * n, LAT0, 0.01)
        specs.append((code, 0 if code == "AP06" else 10 + n, boundary, n % 2 == 0))
    places(*specs, stalls=4)
    for n, code in enumerate(CODES):
        for k in range(3 + n % 3):
            outside = k == 2  # this one stands in the next hamlet over
            store(
                forms,
                household(
                    code,
                    members=[member(smartphone="co" if k % 2 else "khong"), member(born="2001")],
                    consent="khong" if k == 4 else "co",
                    lat=LAT0 + 0.005,
                    lon=LON0 + 0.01 * (n + (1 if outside else 0)) + 0.005,
                    accuracy=5.0,
                    tt_57="co" if k % 2 else "khong",
                    day=date(2025, 10, 1) if k != 3 else date(2027, 10, 1),
                ),
            )
        if code != "AP05":
            store(forms, assessment(code, team=n % 2 == 0))
    store(forms, stall())
    return forms


def _stored() -> tuple[dict[str, dict[str, pd.DataFrame]], dict[str, dict]]:
    results = ComputedResult.objects.all()
    return {r.round: tables_unpack(r.tables) for r in results}, {r.round: r.counts for r in results}


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    key = [c for c in ("indicator", "round", "hamlet", "tier", "criterion", "submission_id") if c in frame.columns]
    return frame.sort_values(key, na_position="first", kind="stable").reset_index(drop=True)


def _assert_same(incremental, full) -> None:
    (tables_a, counts_a), (tables_b, counts_b) = incremental, full
    assert tables_a.keys() == tables_b.keys()
    assert counts_a == counts_b
    for round_name, tables in tables_b.items():
        assert tables_a[round_name].keys() == tables.keys()
        for name, frame in tables.items():
            pd.testing.assert_frame_equal(
                _sorted(tables_a[round_name][name]), _sorted(frame), check_dtype=False, obj=f"{round_name}/{name}"
            )


def _updated_equals_full(expected_hamlets: list[str]) -> None:
    report = indicator_results_update()
    assert report is not None, "expected an incremental recomputation"
    assert report.hamlets == expected_hamlets
    assert results_fresh()
    incremental = _stored()
    indicator_results_compute()
    _assert_same(incremental, _stored())


def _admin():
    return actor_for_user(user_create(username="quantri", password="quantri-pass-123", role=Role.ADMIN))


def test_a_new_household_recomputes_its_hamlet_only_and_gives_the_full_figures():
    forms = _commune()
    indicator_results_compute()
    before = ComputedResult.objects.get(round="2025").counts["households"]
    store(forms, household("AP03", members=[member(), member(smartphone="khong")], lat=LAT0 + 0.005))
    _updated_equals_full(["AP03"])
    assert ComputedResult.objects.get(round="2025").counts["households"] == before + 1


def test_an_edit_that_moves_a_household_rereads_both_hamlets():
    _commune()
    indicator_results_compute()
    moved = Submission.objects.filter(hamlet_code="AP02", form__form_id="pl_ho").order_by("id").first()
    # As the edit path does: the new hamlet code, and a change row for the hamlet it left.
    Submission.objects.filter(pk=moved.pk).update(hamlet_code="AP04", updated_at=timezone.now())
    moved.refresh_from_db()
    submission_changed(moved, previous_hamlet="AP02")
    _updated_equals_full(["AP02", "AP04"])


def test_a_rejection_and_a_deletion_take_the_households_out():
    _commune()
    indicator_results_compute()
    admin = _admin()
    households = Submission.objects.filter(form__form_id="pl_ho").order_by("id")
    rejected = households.filter(hamlet_code="AP01").first()
    submission_review_set(actor=admin, submission=rejected, state="rejected", comment="Trùng hộ / duplicate")
    submission_delete(actor=admin, submission=households.filter(hamlet_code="AP08").first())
    _updated_equals_full(["AP01", "AP08"])


def test_updates_in_a_row_start_from_the_last_one(monkeypatch):
    forms = _commune()
    indicator_results_compute()
    store(forms, household("AP05"))
    assert indicator_results_update().hamlets == ["AP05"]
    # The next one in another worker process: the base is read back from the database.
    monkeypatch.setattr(incremental, "_memory", None)
    store(forms, household("AP06", consent="khong"))
    store(forms, assessment("AP05", day=date(2027, 10, 2)))  # a hamlet's first assessment in a round
    _updated_equals_full(["AP05", "AP06"])


def test_a_stale_dashboard_call_recomputes_incrementally(leadership):
    forms = _commune()
    indicator_results_compute()
    path = "/api/v1/indicators?hamlet=commune"
    before = leadership.get(path).json()
    store(forms, household("AP01", members=[member(), member(), member()]))
    response = leadership.get(path)  # no broker in the tests: the recomputation runs in the request
    assert response["X-Results-Stale"] == "false"
    assert response.json() != before
    job = Job.objects.filter(kind=RECOMPUTE_JOB).latest("created_at")  # the job that ran in the request
    assert job.state == JobState.DONE and job.result["hamlets_recomputed"] == ["AP01"]
    incremental = _stored()
    indicator_results_compute()
    _assert_same(incremental, _stored())


def test_a_change_the_indicators_do_not_read_stores_the_same_figures_fresh():
    _commune()
    indicator_results_compute()
    before = _stored()
    # A household added to the register: a change-feed row (the version moves), no submission.
    change_record(kind="household", key=str(uuid.uuid4()), hamlet_code="AP01")
    assert not results_fresh()
    report = indicator_results_update()
    assert report is not None and report.hamlets == []
    assert results_fresh()
    _assert_same(_stored(), before)


@pytest.mark.parametrize(
    "change",
    [
        "stall",
        "no_hamlet_code",
        "unknown_hamlet_code",
        "round_edited",
        "register_edited",
        "too_many_hamlets",
    ],
)
def test_changes_beyond_a_hamlet_need_a_full_recomputation(change):
    forms = _commune()
    indicator_results_compute()
    if change == "stall":
        store(forms, stall(accepts="khong"))
    elif change == "no_hamlet_code":
        store(forms, {**household("AP02"), "hamlet_code": ""})  # its hamlet is its `ap` answer
    elif change == "unknown_hamlet_code":
        store(forms, household("AP99"))
    elif change == "round_edited":
        SurveyRound.objects.filter(name="2025").update(end=date(2025, 12, 30), updated_at=timezone.now())
    elif change == "register_edited":
        Hamlet.objects.filter(code="AP01").update(registered_households=40, updated_at=timezone.now())
    elif change == "too_many_hamlets":
        for code in CODES[:3]:
            store(forms, household(code))
    assert not results_fresh()
    assert indicator_results_update() is None
    assert not results_fresh()  # nothing stored: the full one follows


def test_a_hamlet_with_households_counted_by_their_answer_is_never_recomputed_alone():
    """The trap: a household without a hamlet code counts in the hamlet its `ap` answer names,
    but is read with the commune-level part, not with that hamlet's submissions. Recomputing
    that hamlet alone would drop it."""
    forms = _commune()
    store(forms, {**household("AP03"), "hamlet_code": ""})
    indicator_results_compute()
    store(forms, household("AP03"))  # an ordinary new household in that hamlet
    assert indicator_results_update() is None
    indicator_results_compute()  # a full one: the base is whole again
    store(forms, household("AP04"))
    _updated_equals_full(["AP04"])
