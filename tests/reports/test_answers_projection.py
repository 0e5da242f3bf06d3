"""The answers projection: extracted at ingest, replaced by an edit, repaired when missing
or stale, and read by the recomputation exactly as the stored JSON says."""

from io import StringIO

import pytest
from django.core.management import call_command
from lxml import etree

from analytics.frames import answers_extract, answers_layout
from backend.accounts.actors import actor_for_user
from backend.accounts.models import Role
from backend.accounts.services import user_create
from backend.reports import selectors, services
from backend.reports.answers import submission_answers_store
from backend.reports.models import ANSWERS_BY_KEY, HouseholdAnswers, MemberAnswers
from backend.submissions.models import Submission
from backend.submissions.services import submission_receive
from tests.analytics.builders import household, member, stall
from tests.reports.factories import places, store

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_commune(no_background):
    call_command(
        "make_demo_commune", households=40, stalls=3, rounds="2025", seed=11, no_progress=True, stdout=StringIO()
    )


def stored_answers(submission: Submission) -> tuple[dict, list[dict]]:
    row = HouseholdAnswers.objects.filter(submission=submission).values().get()
    members = list(MemberAnswers.objects.filter(submission=submission).order_by("position").values())
    return row, members


def test_ingest_stores_each_submissions_answers_as_its_stored_json_gives_them(demo_commune):
    households = Submission.objects.filter(form__form_id="pl_ho").select_related("current_version")
    assert households.count() >= 40  # 40 households, a few visited twice
    roster_total = 0
    for submission in households:
        row, members = stored_answers(submission)
        expected = answers_extract("pl_ho", submission.current_version.parsed)
        assert row["version_id"] == submission.current_version_id
        assert row["layout"] == answers_layout("pl_ho")
        assert {name: row[name] for name in expected.fields} == expected.fields
        assert [{name: m[name] for name in expected.repeats["tv"][0]} for m in members] == expected.repeats["tv"]
        assert [m["position"] for m in members] == list(range(1, len(members) + 1))
        roster_total += len(members)
    assert roster_total == MemberAnswers.objects.count() > 40
    assert ANSWERS_BY_KEY["pl_cho"].objects.count() == 3


@pytest.mark.usefixtures("postgres_only")
def test_the_recomputation_reads_the_projection_without_repairing_anything(demo_commune):
    raw = selectors.raw_frames_read()
    assert raw.unprojected == []
    assert (
        len(raw.households) == HouseholdAnswers.objects.count() >= 40
        and len(raw.members) == MemberAnswers.objects.count()
    )
    assert set(raw.households["ma_ho"]) == {row["ma_ho"] for row in HouseholdAnswers.objects.values("ma_ho")}


def test_an_edit_replaces_the_answers_of_the_submission(demo_commune):
    submission = next(
        s
        for s in Submission.objects.filter(form__form_id="pl_ho").select_related("current_version")
        if len(s.current_version.parsed.get("tv", [])) >= 2
    )
    root = etree.fromstring(bytes(submission.current_version.xml))
    rosters = root.findall(".//tv")
    rosters[-1].getparent().remove(rosters[-1])
    meta = root.find(".//meta")
    meta.find("instanceID").text = "uuid:5e1d7a57-0000-4000-8000-000000000001"
    etree.SubElement(meta, "deprecatedID").text = submission.instance_id
    admin = actor_for_user(user_create(username="sua", password="s3cret-pass", role=Role.ADMIN))
    before = len(stored_answers(submission)[1])

    result = submission_receive(actor=admin, xml=etree.tostring(root), files={})

    assert result.outcome == "edited"
    submission.refresh_from_db()
    row, members = stored_answers(submission)
    assert row["version_id"] == submission.current_version_id
    assert len(members) == before - 1
    assert HouseholdAnswers.objects.filter(submission=submission).count() == 1


@pytest.mark.usefixtures("postgres_only")
def test_missing_or_stale_answers_are_reported_and_the_recomputation_repairs_them(forms, no_background):
    places(("AP01", 10, None, False))
    with_answers = store(forms, household("AP01", members=[member(), member()]))
    without = store(forms, household("AP01", members=[member(), member(), member()]), with_answers=False)
    stale = store(forms, household("AP01", members=[member()]))
    HouseholdAnswers.objects.filter(submission=stale).update(layout="older-layout")

    raw = selectors.raw_frames_read()
    assert sorted(raw.unprojected) == sorted([without.pk, stale.pk])
    # Until repaired they are read with empty answers and no roster.
    assert set(raw.members["submission_id"]) == {with_answers.pk}

    report = services.indicator_results_compute()

    assert "repair" in report.timings
    assert report.counts["households"] == 3 and report.counts["persons15"] == 2 + 3 + 1
    raw = selectors.raw_frames_read()
    assert raw.unprojected == [] and len(raw.members) == 6
    assert HouseholdAnswers.objects.get(submission=stale).layout == answers_layout("pl_ho")


@pytest.mark.usefixtures("postgres_only")
def test_the_roster_of_a_rejected_or_deleted_household_is_not_read(forms, no_background):
    places(("AP01", 10, None, False))
    kept = store(forms, household("AP01", members=[member(), member()]))
    store(forms, household("AP01", members=[member()] * 3), review_state="rejected")
    store(forms, household("AP01", members=[member()] * 4), deleted=True)

    raw = selectors.raw_frames_read()

    assert raw.households["submission_id"].tolist() == [kept.pk]
    assert raw.members["submission_id"].tolist() == [kept.pk, kept.pk]


@pytest.mark.usefixtures("postgres_only")
def test_compute_indicators_prints_how_many_submissions_it_repaired(forms, no_background):
    places(("AP01", 10, None, False))
    store(forms, household("AP01"), with_answers=False)
    store(forms, household("AP01"), with_answers=False)
    store(forms, household("AP01"))
    out = StringIO()

    call_command("compute_indicators", "--no-progress", stdout=out)

    lines = out.getvalue().splitlines()
    assert [line.split()[0] for line in lines[:5]] == ["repair", "read", "join", "compute", "write"]
    assert lines[0].endswith("2 phiếu được trích xuất lại câu trả lời")


def test_storing_a_households_answers_costs_one_statement(forms, django_assert_num_queries):
    places(("AP01", 10, None, False))
    submission = store(forms, household("AP01", members=[member(), member(), member()]), with_answers=False)
    version = submission.current_version

    with django_assert_num_queries(1):  # the household's row and its three members: one INSERT with a CTE
        submission_answers_store(
            submission_id=submission.pk, version_id=version.pk, form_id="pl_ho", parsed=version.parsed, replace=False
        )

    assert MemberAnswers.objects.filter(submission=submission).count() == 3
    assert HouseholdAnswers.objects.filter(submission=submission, version_id=version.pk).count() == 1


def test_the_answers_tables_match_the_field_lists_in_their_migrations():
    # The tables' columns are generated from analytics.frames; a list changed without
    # `makemigrations` would leave them behind.
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.usefixtures("postgres_only")
@pytest.mark.parametrize("only_approved", [False, True])
def test_the_copy_reader_and_the_orm_reader_count_the_same_submissions(forms, no_background, settings, only_approved):
    settings.ANALYTICS_ONLY_APPROVED = only_approved
    places(("AP01", 10, None, False))
    stored = {
        state: store(forms, household("AP01", members=[member()]), review_state=state)
        for state in ("received", "has_issues", "edited", "approved", "rejected")
    }
    store(forms, household("AP01"), review_state="approved", deleted=True)

    by_copy = selectors._raw_frames_copy()
    by_orm = selectors._raw_frames_iter()

    expected = {stored["approved"].pk} if only_approved else {s.pk for k, s in stored.items() if k != "rejected"}
    counted = set(selectors.counted_submissions().values_list("pk", flat=True))
    assert counted == expected
    assert set(by_copy.households["submission_id"]) == set(by_orm.households["submission_id"]) == expected
    assert set(by_copy.members["submission_id"]) == set(by_orm.members["submission_id"]) == expected


@pytest.mark.usefixtures("postgres_only")
@pytest.mark.parametrize(("hamlets", "commune_level"), [(["AP01"], False), (["AP02"], True), (None, True)])
def test_a_part_of_a_split_computation_reads_its_hamlets_and_the_commune_part_the_rest(
    forms, no_background, hamlets, commune_level
):
    """Both readers read the same part: its hamlets' households and their rosters; the
    commune-level part also the market's stalls and a hamlet code on no list."""
    places(("AP01", 10, None, False), ("AP02", 10, None, False), stalls=2)
    ids = {code: store(forms, household(code, members=[member(), member()])).pk for code in ("AP01", "AP02", "AP99")}
    stall_id = store(forms, stall()).pk
    expected = {ids[c] for c in (hamlets or ids)} | ({ids["AP99"]} if commune_level else set())

    by_copy = selectors._raw_frames_copy(hamlets, commune_level)
    by_orm = selectors._raw_frames_iter(hamlets, commune_level)

    for frames in (by_copy, by_orm):
        assert set(frames.households["submission_id"]) == expected
        assert set(frames.members["submission_id"]) == expected and len(frames.members) == 2 * len(expected)
        assert set(frames.stalls["submission_id"]) == ({stall_id} if commune_level else set())
