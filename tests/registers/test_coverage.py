"""The one coverage reading (backend.reports.selectors.round_coverage: hamlet page, dashboard
API) carries the register statuses of the round, by the rounds' own assignment rule."""

import datetime as dt
import uuid

from backend.reports.models import RoundAssignment, SurveyRound
from backend.reports.selectors import round_coverage
from backend.reports.serializers import RoundCoverageOutput
from backend.submissions.models import Submission
from tests.registers.conftest import household_instance, send


def test_round_coverage_counts_the_register_by_status_per_hamlet(client, devices):
    SurveyRound.objects.create(name="2026", start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), target_year=2027)
    _, token = devices["AP01"]
    ids = [str(uuid.uuid4()) for _ in range(5)]
    outcomes = [("gap", "co"), ("gap", "khong"), ("chuyen_di", ""), ("khong_tim_thay", ""), ("gap", "co")]
    for n, (entity, (ket_qua, dong_y)) in enumerate(zip(ids, outcomes, strict=True)):
        today = "2026-06-01" if n < 4 else "2025-06-01"  # the last one was visited in another round only
        send(
            client,
            token,
            household_instance(
                entity_id=entity,
                create=True,
                label=f"H00{n}",
                ma_ho=f"H00{n}",
                ket_qua=ket_qua,
                dong_y=dong_y,
                today=today,
            ),
        )
    coverage = round_coverage([], round_name="2026")
    ap01 = next(h for h in coverage.hamlets if h.code == "AP01")
    assert ap01.register == {"households": 5, "visited": 1, "refused": 1, "moved": 1, "not_found": 1, "not_visited": 1}
    assert coverage.register_totals["households"] == 5
    body = RoundCoverageOutput(coverage).data
    assert body["register_totals"]["not_visited"] == 1
    assert next(h for h in body["hamlets"] if h["hamlet"] == "AP01")["register"]["moved"] == 1
    # A submission assigned to the round by hand counts in it, whatever its date.
    late = Submission.objects.get(current_version__parsed__ma_ho="H004")
    RoundAssignment.objects.create(submission=late, round=SurveyRound.objects.get(name="2026"))
    ap01 = next(h for h in round_coverage([], round_name="2026").hamlets if h.code == "AP01")
    assert (ap01.register["visited"], ap01.register["not_visited"]) == (2, 0)


def test_the_per_household_lookup_reads_the_same_statuses_as_the_counts(client, devices):
    """What the exports' column reads: by household and by submission (a superseded visit
    reads its household's settled status), the same statuses `round_coverage` counts."""
    from backend.reports.selectors import round_household_lookup

    SurveyRound.objects.create(name="2026", start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), target_year=2027)
    _, token = devices["AP01"]
    met, moved, never = (str(uuid.uuid4()) for _ in range(3))
    send(client, token, household_instance(entity_id=met, create=True, label="A", ma_ho="L1", today="2026-03-01"))
    send(client, token, household_instance(entity_id=moved, create=True, label="B", ma_ho="L2", today="2026-03-01"))
    send(client, token, household_instance(entity_id=never, create=True, label="C", ma_ho="L3", today="2025-03-01"))
    # B visited again later in the round: it had moved away; that later visit settles it.
    send(
        client,
        token,
        household_instance(
            entity_id=moved,
            update=True,
            base_version="1",
            label="B",
            ma_ho="L2",
            ket_qua="chuyen_di",
            today="2026-05-01",
        ),
    )
    lookup = round_household_lookup("2026")
    assert {k: v.status for k, v in lookup.by_household.items()} == {
        met: "visited",
        moved: "moved",
        never: "not_visited",
    }
    first_b, second_b = Submission.objects.filter(current_version__parsed__ma_ho="L2").order_by("survey_date")
    assert lookup.status_of_submission(first_b.pk) == lookup.status_of_submission(second_b.pk) == "moved"
    assert lookup.by_household[moved].visits == 2 and lookup.by_household[moved].submission_id == second_b.pk
    outside = Submission.objects.get(current_version__parsed__ma_ho="L3")
    assert lookup.status_of_submission(outside.pk) == ""  # its visit is in no 2026 window
    counted = round_coverage([], round_name="2026").hamlets
    ap01 = next(h for h in counted if h.code == "AP01").register
    assert (ap01["visited"], ap01["moved"], ap01["not_visited"]) == (1, 1, 1)
    assert round_household_lookup("1999").by_household == {}  # no such declared round
