"""What one OpenRosa POST of the commune's household form costs PostgreSQL, counted at the
HTTP boundary (issue 18): every statement from the device key to the commit, pinned exactly.

Inside the test's transaction Django's atomic block is a SAVEPOINT / RELEASE pair where a
phone's request has BEGIN / COMMIT, so the count is the same as in production."""

import pytest

from backend.audit.models import AuditEvent
from backend.core.models import Change
from backend.reports.models import HouseholdAnswers, MemberAnswers
from backend.submissions.models import Submission, SubmissionAttachment
from tests.submissions.factories import PHOTO, new_instance_id
from tests.sync.household_http import post, without_entity_block

# The counts are PostgreSQL's one-statement path; SQLite (the quickstart) takes the ORM path.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("postgres_only")]


def statements(queries) -> list[str]:
    return [" ".join(q["sql"].split())[:60] for q in queries.captured_queries]


def test_a_new_household_costs_six_statements_from_key_to_commit(client, pl_ho, django_assert_num_queries):
    url, writer = pl_ho
    post(client, url, without_entity_block(writer.xml(instance_id=new_instance_id(), photo=None)))  # warm caches
    iid = new_instance_id()
    xml = without_entity_block(writer.xml(instance_id=iid, photo=None))
    # the device key; the stored copy by hash + the form version + the assignment; BEGIN;
    # submission + version + audit row + the change-feed row in one INSERT; the answers and
    # members in one INSERT; COMMIT
    with django_assert_num_queries(6) as queries:
        response = post(client, url, xml)
    assert response.status_code == 201, response.content
    assert statements(queries)[2].startswith("SAVEPOINT") and statements(queries)[-1].startswith("RELEASE")
    submission = Submission.objects.select_related("current_version").get(instance_id=iid)
    assert bytes(submission.current_version.xml) == xml and submission.current_version.submission_id == submission.pk
    assert HouseholdAnswers.objects.get(submission=submission).version_id == submission.current_version_id
    assert MemberAnswers.objects.filter(submission=submission).count() == 3
    (created,) = AuditEvent.objects.filter(action="submission.create", object_id=str(submission.pk))
    assert created.details["instance_id"] == iid and created.actor_label.startswith("device:")
    (change,) = Change.objects.filter(kind="submission", key=str(submission.pk))  # the feed sees it
    assert (change.form_id, change.hamlet_code) == (submission.form_id, submission.hamlet_code) and change.xid


def test_a_photo_costs_its_blob_row_and_is_stored_with_its_slot_in_the_same_insert(
    client, pl_ho, django_assert_num_queries
):
    url, writer = pl_ho
    post(client, url, without_entity_block(writer.xml(instance_id=new_instance_id(), photo=None)))
    iid = new_instance_id()
    xml = without_entity_block(writer.xml(instance_id=iid, photo="1764201234567.jpg"))
    with django_assert_num_queries(7):  # + the blob row (INSERT … ON CONFLICT DO NOTHING, before BEGIN)
        response = post(client, url, xml, {"1764201234567.jpg": PHOTO})
    assert response.status_code == 201, response.content
    slots = SubmissionAttachment.objects.filter(version__instance_id=iid)
    assert [(s.name, s.blob_id is not None) for s in slots] == [("1764201234567.jpg", True)]
    actions = AuditEvent.objects.filter(object_id=str(slots[0].version.submission_id)).values_list("action", flat=True)
    assert sorted(actions) == ["submission.attachment.update", "submission.create"]


def test_a_byte_identical_resend_costs_two_statements(client, pl_ho, django_assert_num_queries):
    url, writer = pl_ho
    xml = without_entity_block(writer.xml(instance_id=new_instance_id(), photo=None))
    assert post(client, url, xml).status_code == 201
    with django_assert_num_queries(2):  # the device key; the stored copy by hash
        again = post(client, url, xml)
    assert again.status_code == 201 and Submission.objects.count() == 1
