"""The webhooks page: leadership adds a webhook (secret shown once), sees each delivery's
tries with status code and error, and retries a failed one; others get a 403 page."""

from __future__ import annotations

import pytest
from django.test import Client

from backend.accounts.models import Role
from backend.accounts.services import user_create
from backend.audit.models import AuditEvent
from backend.submissions.services import submission_receive
from backend.webhooks.models import DeliveryState, Webhook, WebhookDelivery
from tests.submissions.factories import instance_xml, new_instance_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(household_form):
    client = Client(REMOTE_ADDR="198.51.100.7")
    client.force_login(user_create(username="lanhdao2", password="lanh-dao-pass-1", role=Role.LEADERSHIP))
    return client


def test_leadership_adds_a_webhook_on_the_page_and_retries_a_failed_delivery(
    browser, device_actor, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_MAX_ATTEMPTS = 1
    receiver.up("error")
    page = browser.post(
        "/staff/webhooks/",
        {"form_id": "ho_test", "name": "Báo cáo tỉnh", "url": receiver.url, "events": ["submission.created"]},
    )
    assert page.status_code == 200
    hook = Webhook.objects.get()
    text = page.content.decode()
    assert "Đã tạo webhook" in text and hook.secret in text  # shown once
    assert hook.secret not in browser.get("/staff/webhooks/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        submission_receive(actor=device_actor, xml=instance_xml(instance_id=new_instance_id(), audit=None), files={})
    delivery = WebhookDelivery.objects.get()
    detail = browser.get(f"/staff/webhooks/{hook.pk}").content.decode()
    assert "Thất bại" in detail and "HTTP 500" in detail and "Gửi lại ngay" in detail and "n = 1" in detail

    receiver.mode = "ok"
    with django_capture_on_commit_callbacks(execute=True):
        answer = browser.post(f"/staff/webhooks/deliveries/{delivery.pk}/retry")
    assert answer.status_code == 302
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED and len(receiver.accepted()) == 1
    after = browser.get(f"/staff/webhooks/{hook.pk}").content.decode()
    assert "Đã gửi" in after and "HTTP 200" in after
    assert AuditEvent.objects.get(action="webhook.delivery.retry").ip == "198.51.100.7"


def test_a_bad_url_on_the_page_is_a_400_that_says_so_and_keeps_what_was_typed(browser):
    page = browser.post(
        "/staff/webhooks/",
        {"form_id": "ho_test", "name": "Báo cáo tỉnh", "url": "tinh.vn", "events": ["submission.created"]},
    )
    assert page.status_code == 400
    text = page.content.decode()
    assert "http://" in text and 'value="Báo cáo tỉnh"' in text
    assert not Webhook.objects.exists()


def test_the_page_switches_a_webhook_off_and_on(browser, receiver):
    browser.post(
        "/staff/webhooks/", {"form_id": "ho_test", "name": "A", "url": receiver.url, "events": ["submission.created"]}
    )
    hook = Webhook.objects.get()
    assert browser.post(f"/staff/webhooks/{hook.pk}", {"action": "deactivate"}).status_code == 302
    hook.refresh_from_db()
    assert hook.active is False and hook.form.webhooks_active is False
    browser.post(f"/staff/webhooks/{hook.pk}", {"action": "activate"})
    hook.refresh_from_db()
    assert hook.active is True and hook.form.webhooks_active is True


def test_a_viewer_gets_the_forbidden_page(household_form):
    client = Client()
    client.force_login(user_create(username="truongap", password="truong-ap-pass-1", role=Role.VIEWER))
    assert client.get("/staff/webhooks/").status_code == 403
