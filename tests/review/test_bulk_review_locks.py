"""Two bulk reviews over overlapping submissions, at the same moment, on PostgreSQL: both
finish (no 40P01 deadlock), every review is recorded, and each bulk review locks its whole set
in one query in primary-key order (backend/core/locks.py)."""

import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from backend.accounts.actors import actor_for_user
from backend.audit.models import AuditEvent
from backend.review.services import submissions_review_bulk
from backend.submissions.models import ReviewState, Submission
from tests.access.world import world_build

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgres_only")]
ROUNDS = 6
SIZE = 30


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def reviewed():
    world = world_build()
    submissions = [world.submit(hamlet="AP01", photo=False) for _ in range(SIZE)]
    # Touch every other row so the heap order is no longer the pk order: an unordered
    # SELECT … FOR UPDATE would then meet the rows in a different order than its rival.
    Submission.objects.filter(pk__in=[s.pk for s in submissions[::2]]).update(review_state=ReviewState.HAS_ISSUES)
    return world, [s.instance_id for s in submissions]


def test_each_bulk_review_locks_its_set_in_one_query_ordered_by_pk(reviewed):
    world, instance_ids = reviewed
    actor = actor_for_user(world.users["leadership"])
    with CaptureQueriesContext(connection) as queries:
        done = submissions_review_bulk(actor=actor, form=world.form, instance_ids=instance_ids, state="approved")
    assert len(done) == SIZE
    locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert len(locks) == 1, locks
    assert 'ORDER BY "submissions_submission"."id" ASC' in locks[0]


def test_two_overlapping_bulk_reviews_in_threads_both_finish_without_deadlock(reviewed):
    world, instance_ids = reviewed
    # The hamlet head and leadership review the same submissions, in opposite orders.
    plans = {
        "hamlet_head": list(instance_ids),
        "leadership": list(reversed(instance_ids)),
    }
    start = threading.Barrier(len(plans))
    failures: list[BaseException] = []

    def reviewer(role: str, ids: list[str]) -> None:
        actor = actor_for_user(world.users[role])
        try:
            for n in range(ROUNDS):
                start.wait(timeout=60)
                state = "approved" if n % 2 else "has_issues"
                comment = "" if state == "approved" else "Thiếu ảnh cổng nhà."  # flagging needs a reason
                done = submissions_review_bulk(
                    actor=actor, form=world.form, instance_ids=ids, state=state, comment=comment
                )
                assert len(done) == SIZE
        except BaseException as exc:  # noqa: BLE001 — reported below, with its type
            failures.append(exc)
            start.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reviewer, args=item) for item in plans.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a bulk review hung"
    assert not failures, [f"{type(f).__name__}: {f}" for f in failures]
    reviews = AuditEvent.objects.filter(action="submission.review")
    assert reviews.count() == len(plans) * ROUNDS * SIZE
    assert Submission.objects.filter(review_state=ReviewState.APPROVED).count() == SIZE
