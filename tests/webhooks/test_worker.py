"""Webhooks with a real Celery worker (and beat inside it) on a real Redis, a real receiver:
deliveries made while the receiver is down are retried by the beat-scheduled sweeper with
growing waits and arrive exactly once when it comes up; a worker SIGKILLed in the middle of a
delivery loses nothing (the lease runs out, the next worker's sweeper sends it again)."""

from __future__ import annotations

import pytest
from django.db import transaction

from backend.submissions.services import submission_receive
from backend.webhooks.models import DeliveryState, WebhookAttempt, WebhookDelivery
from backend.webhooks.services import webhook_create
from backend.webhooks.signing import SIGNATURE_HEADER, signature_valid
from tests.jobs.worker import wait_for
from tests.submissions.factories import instance_xml, new_instance_id

pytestmark = pytest.mark.usefixtures("postgres_only")
WORKER_START_S = 120
BASE_S = 1.0  # back-off base for this test: 1 s, 2 s, 4 s (capped)
WORKER_ENV = {
    "WEBHOOKS_RETRY_BASE_S": str(BASE_S),
    "WEBHOOKS_RETRY_MAX_S": "4",
    "WEBHOOKS_SWEEP_S": "0.5",
    "WEBHOOKS_TIMEOUT_S": "2",
    "WEBHOOKS_LEASE_MARGIN_S": "1",
    "WEBHOOKS_REQUEUE_AFTER_S": "3",
    "WEBHOOKS_ALLOW_PRIVATE_TARGETS": "1",
}


def submit(actor):
    with transaction.atomic():  # committed: its on_commit publishes the delivery to Redis
        return submission_receive(actor=actor, xml=instance_xml(instance_id=new_instance_id(), audit=None), files={})


def states() -> list[str]:
    return list(WebhookDelivery.objects.order_by("created_at").values_list("state", flat=True))


def test_a_real_worker_delivers_everything_once_after_the_receiver_comes_up_and_survives_a_kill(
    broker, household_form, device_actor, leader, receiver
):
    hook = webhook_create(
        actor=leader, form=household_form, name="Tỉnh", url=receiver.url, events=["submission.created"]
    )
    first = broker(extra_env=WORKER_ENV, beat=True)
    for _ in range(5):
        submit(device_actor)
    # The receiver is down: each delivery is tried, refused, and retried by the sweeper.
    wait_for(
        lambda: all(d.attempts >= 3 for d in WebhookDelivery.objects.all()),
        timeout=WORKER_START_S + 30,
        what="three refused tries of every delivery",
        workers=[first],
    )
    assert receiver.requests == []
    receiver.up("ok")
    wait_for(lambda: states() == ["delivered"] * 5, timeout=60, what="all delivered", workers=[first])
    deliveries = list(WebhookDelivery.objects.order_by("created_at"))
    assert sorted(receiver.accepted_ids()) == sorted(str(d.id) for d in deliveries)  # each exactly once
    for request in receiver.accepted():
        assert signature_valid(hook.secret, request.body, request.headers[SIGNATURE_HEADER])
    for delivery in deliveries:
        tries = list(WebhookAttempt.objects.filter(delivery=delivery).order_by("number"))
        assert tries[-1].status_code == 200 and all(t.status_code is None for t in tries[:-1])
        gaps = [(b.started_at - a.started_at).total_seconds() for a, b in zip(tries, tries[1:], strict=False)]
        # Never earlier than the back-off says (the sweeper runs every 0.5 s, so a little later).
        wanted = [min(BASE_S * 2**n, 4.0) for n in range(len(gaps))]
        assert all(gap >= want - 0.05 for gap, want in zip(gaps, wanted, strict=True)), (gaps, wanted)

    # A delivery in flight when its worker is SIGKILLed: the receiver holds the request open.
    receiver.hang_s = 600
    receiver.mode = "hang"
    submit(device_actor)
    late = WebhookDelivery.objects.order_by("-created_at").first()
    wait_for(
        lambda: receiver.arrivals > 0 and _state(late) == DeliveryState.SENDING,
        timeout=30,
        what="in flight",
        workers=[first],
    )
    first.kill()
    receiver.mode = "ok"
    second = broker(extra_env=WORKER_ENV, beat=True)
    wait_for(
        lambda: _state(late) == DeliveryState.DELIVERED,
        timeout=WORKER_START_S + 30,
        what="redelivered",
        workers=[second],
    )
    tries = list(WebhookAttempt.objects.filter(delivery=late).order_by("number"))
    assert [t.status_code for t in tries] == [None, 200]
    assert "interrupted" in tries[0].error
    assert receiver.accepted_ids().count(str(late.id)) == 1
    assert WebhookDelivery.objects.count() == 6


def _state(delivery) -> str:
    delivery.refresh_from_db()
    return delivery.state
