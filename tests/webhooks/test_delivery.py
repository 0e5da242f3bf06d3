"""Deliveries to a real HTTP receiver that is down, then failing, then up: every event
arrives exactly once after it comes up, signed, and the tries follow the back-off. The clock
is moved by the test (backend.webhooks.clock), so an hour of back-off takes no time."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from backend.review.services import submission_review_set
from backend.submissions.services import submission_receive
from backend.webhooks.delivery import backoff_s, webhook_deliveries_sweep
from backend.webhooks.models import DeliveryState, WebhookAttempt, WebhookDelivery
from backend.webhooks.services import webhook_create
from backend.webhooks.signing import SIGNATURE_HEADER, signature_valid
from tests.submissions.factories import instance_xml, new_instance_id

WEBHOOK_TABLES = re.compile(r'"webhooks_webhook(delivery|attempt)?"')
ALL = ["submission.created", "submission.edited", "submission.reviewed"]


def hook_for(form, leader, url, events=ALL):
    return webhook_create(actor=leader, form=form, name="Hệ thống tỉnh", url=url, events=events)


def receive(actor, xml, capture):
    with capture(execute=True):
        return submission_receive(actor=actor, xml=xml, files={})


def test_a_receiver_down_then_failing_then_up_gets_every_event_exactly_once_signed_after_back_off(
    household_form, device_actor, leader, receiver, clock, django_capture_on_commit_callbacks
):
    hook = hook_for(household_form, leader, receiver.url)
    t0 = clock.at
    # Down: nothing listens on the port. Each event is tried at once (eagerly, no broker) and refused.
    first = receive(
        device_actor,
        instance_xml(instance_id=new_instance_id(), audit=None, photo=None),
        django_capture_on_commit_callbacks,
    )
    second_id = new_instance_id()
    receive(
        device_actor, instance_xml(instance_id=second_id, audit=None, photo=None), django_capture_on_commit_callbacks
    )
    edit = instance_xml(instance_id=new_instance_id(), deprecated_id=second_id, audit=None, photo=None, ap="AP04")
    receive(device_actor, edit, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        submission_review_set(actor=leader, submission=first.submission, state="approved", comment="Đạt yêu cầu")
    deliveries = list(WebhookDelivery.objects.order_by("created_at"))
    assert [d.event for d in deliveries] == [
        "submission.created",
        "submission.created",
        "submission.edited",
        "submission.reviewed",
    ]
    assert all(d.state == DeliveryState.PENDING and d.attempts == 1 for d in deliveries)
    assert "ConnectionRefused" in deliveries[0].last_error or "refused" in deliveries[0].last_error.lower()
    assert receiver.requests == []

    # One second before the first back-off ends, nothing is due.
    clock.move(seconds=backoff_s(1) - 1)
    assert webhook_deliveries_sweep()["published"] == 0
    # Up but answering 500: the second try of each fails too and waits twice as long.
    receiver.up("error")
    clock.move(seconds=1)
    assert webhook_deliveries_sweep()["published"] == 4
    assert len(receiver.requests) == 4 and receiver.accepted() == []
    clock.move(seconds=backoff_s(2) - 1)
    assert webhook_deliveries_sweep()["published"] == 0
    # Up for real: every event arrives, once.
    receiver.mode = "ok"
    clock.move(seconds=1)
    assert webhook_deliveries_sweep()["published"] == 4
    clock.move(hours=5)
    assert webhook_deliveries_sweep()["published"] == 0  # nothing is sent again

    assert sorted(receiver.accepted_ids()) == sorted(str(d.id) for d in deliveries)
    for request in receiver.accepted():
        assert signature_valid(hook.secret, request.body, request.headers[SIGNATURE_HEADER])
        assert not signature_valid("another-secret-of-the-same-size!", request.body, request.headers[SIGNATURE_HEADER])
        assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    bodies = {r.headers["X-Phulam-Delivery"]: json.loads(r.body) for r in receiver.accepted()}
    edited = bodies[str(deliveries[2].id)]
    assert edited["event"] == "submission.edited" and edited["submission"]["instance_id"] == second_id
    assert edited["submission"]["review_state"] == "edited" and edited["submission"]["hamlet_code"] == "AP04"
    assert edited["submission"]["answers"]["ap"] == "AP04" and edited["form"]["form_id"] == "ho_test"
    reviewed = bodies[str(deliveries[3].id)]
    assert reviewed["review"] == {
        "state": "approved",
        "previous_state": "received",
        "comment": "Đạt yêu cầu",
        "by": "lanhdao",
    }
    assert reviewed["submission"]["review_state"] == "approved"
    assert bodies[str(deliveries[0].id)]["submission"]["answers"]["tv"][0]["tv_ten"] == "Nguyễn Văn Hùng"

    for delivery in deliveries:
        delivery.refresh_from_db()
        assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 3
        tries = list(WebhookAttempt.objects.filter(delivery=delivery).order_by("number"))
        assert [t.started_at - t0 for t in tries] == [
            timedelta(0),
            timedelta(seconds=backoff_s(1)),
            timedelta(seconds=backoff_s(1) + backoff_s(2)),
        ]
        assert [t.status_code for t in tries] == [None, 500, 200]
        assert tries[1].response_excerpt == "boom" and tries[1].error == "HTTP 500"


def test_the_back_off_doubles_from_a_minute_and_is_capped():
    assert [backoff_s(n) for n in range(1, 10)] == [60, 120, 240, 480, 960, 1920, 3840, 7200, 7200]


def test_an_event_whose_transaction_rolls_back_leaves_no_delivery(
    household_form, device_actor, leader, receiver, django_capture_on_commit_callbacks
):
    hook_for(household_form, leader, receiver.up().url)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            submission_receive(
                actor=device_actor, xml=instance_xml(instance_id=new_instance_id(), audit=None), files={}
            )
            assert WebhookDelivery.objects.count() == 1  # written in the event's transaction
            raise RuntimeError("the caller's transaction fails after the submission was written")
    assert WebhookDelivery.objects.count() == 0
    assert callbacks == [] and receiver.requests == []  # nothing was sent either


def test_a_form_without_webhooks_costs_ingest_no_query(household_form, device_actor, leader, receiver):
    submission_receive(actor=device_actor, xml=instance_xml(instance_id=new_instance_id(), audit=None), files={})
    with CaptureQueriesContext(connection) as queries:
        submission_receive(actor=device_actor, xml=instance_xml(instance_id=new_instance_id(), audit=None), files={})
    assert not [q["sql"] for q in queries.captured_queries if WEBHOOK_TABLES.search(q["sql"])]
    # An inactive webhook does not count either; an active one does.
    hook = hook_for(household_form, leader, receiver.url)
    from backend.webhooks.services import webhook_update

    webhook_update(actor=leader, webhook=hook, changes={"active": False})
    with CaptureQueriesContext(connection) as queries:
        submission_receive(actor=device_actor, xml=instance_xml(instance_id=new_instance_id(), audit=None), files={})
    assert not [q["sql"] for q in queries.captured_queries if WEBHOOK_TABLES.search(q["sql"])]
    webhook_update(actor=leader, webhook=hook, changes={"active": True})
    submission_receive(actor=device_actor, xml=instance_xml(instance_id=new_instance_id(), audit=None), files={})
    assert WebhookDelivery.objects.count() == 1


def test_only_the_events_a_webhook_asked_for_are_delivered(
    household_form, device_actor, leader, receiver, django_capture_on_commit_callbacks
):
    receiver.up()
    hook_for(household_form, leader, receiver.url, events=["submission.reviewed"])
    done = receive(
        device_actor, instance_xml(instance_id=new_instance_id(), audit=None), django_capture_on_commit_callbacks
    )
    assert WebhookDelivery.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        submission_review_set(actor=leader, submission=done.submission, state="has_issues", comment="Thiếu ảnh")
    (delivery,) = WebhookDelivery.objects.all()
    assert delivery.event == "submission.reviewed" and delivery.state == DeliveryState.DELIVERED
    assert len(receiver.accepted()) == 1


def test_after_the_last_try_a_delivery_fails_and_a_manual_retry_starts_a_new_series(
    household_form, device_actor, leader, receiver, clock, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_MAX_ATTEMPTS = 3
    hook_for(household_form, leader, receiver.up("error").url)
    receive(device_actor, instance_xml(instance_id=new_instance_id(), audit=None), django_capture_on_commit_callbacks)
    for n in (1, 2):
        clock.move(seconds=backoff_s(n))
        webhook_deliveries_sweep()
    (delivery,) = WebhookDelivery.objects.all()
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == (DeliveryState.FAILED, 3, 500)
    clock.move(days=1)
    assert webhook_deliveries_sweep()["published"] == 0  # failed stays failed
    from backend.webhooks.services import webhook_delivery_retry

    receiver.mode = "ok"
    with django_capture_on_commit_callbacks(execute=True):
        webhook_delivery_retry(actor=leader, delivery=delivery)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.DELIVERED, 4)
    assert len(receiver.accepted()) == 1 and len(receiver.requests) == 4


def test_the_sweep_command_tries_what_is_due_and_the_nightly_purge_forgets_old_delivered_ones(
    household_form, device_actor, leader, receiver, clock, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    from backend.jobs.jobs import maintenance_purge

    hook_for(household_form, leader, receiver.url)  # down
    receive(device_actor, instance_xml(instance_id=new_instance_id(), audit=None), django_capture_on_commit_callbacks)
    receiver.up("ok")
    clock.move(seconds=backoff_s(1))
    out = io.StringIO()
    call_command("webhooks_sweep", stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == "published 1, interrupted 0"
    (delivery,) = WebhookDelivery.objects.all()
    assert delivery.state == DeliveryState.DELIVERED and len(receiver.accepted()) == 1

    receiver.mode = "error"  # a second event that fails stays in the log, however old
    receive(device_actor, instance_xml(instance_id=new_instance_id(), audit=None), django_capture_on_commit_callbacks)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(delivered_at=clock.at - timedelta(days=31))
    result = maintenance_purge(type("J", (), {"pk": None})(), lambda *a: None)
    assert any(isinstance(v, dict) and v.get("webhook_deliveries_forgotten") for v in result.values())
    assert list(WebhookDelivery.objects.values_list("state", flat=True)) == [DeliveryState.PENDING]
