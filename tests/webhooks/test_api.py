"""The webhooks API: admin and leadership manage a form's webhooks, read the delivery log
with every try, retry a failed delivery. Bad input is a 400 that says what is wrong and
stores nothing; every write is audited without the secret."""

from __future__ import annotations

import pytest

from backend.accounts.models import Role
from backend.audit.models import AuditEvent
from backend.webhooks.models import DeliveryState, Webhook, WebhookDelivery
from backend.webhooks.signing import SIGNATURE_HEADER, signature_valid
from tests.helpers import api_client_for
from tests.submissions.factories import instance_xml, new_instance_id

pytestmark = pytest.mark.django_db
EVENTS = ["submission.created", "submission.reviewed"]


@pytest.fixture
def lead(household_form):
    return api_client_for(Role.LEADERSHIP, "lanhdao")


def create(client, url, **extra):
    body = {"form_id": "ho_test", "name": "Hệ thống báo cáo tỉnh", "url": url, "events": EVENTS, **extra}
    return client.post("/api/v1/webhooks", body, format="json")


def test_leadership_creates_a_webhook_and_sees_its_secret_once(lead):
    answer = create(lead, "https://tinh.example.vn/hooks/phulam")
    assert answer.status_code == 201, answer.content
    created = answer.json()
    assert created["events"] == EVENTS and created["active"] is True and len(created["secret"]) >= 32
    assert created["secret_hint"] == "…" + created["secret"][-4:]
    listed = lead.get("/api/v1/webhooks?form_id=ho_test").json()
    assert listed["count"] == 1 and "secret" not in listed["results"][0]
    assert listed["results"][0]["pending"] == 0 and listed["results"][0]["failed"] == 0
    (row,) = AuditEvent.objects.filter(action="webhook.create")
    assert row.actor_label == "user:lanhdao" and row.details["url"] == "https://tinh.example.vn/hooks/phulam"
    assert created["secret"] not in str(row.details)


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ({"url": "ftp://tinh.example.vn/x"}, "url", "http"),
        ({"url": "http://[tinh.example.vn/x"}, "url", "http"),
        ({"url": "http://tinh.example.vn:99999/x"}, "url", "http"),
        ({"url": "https://user:pw@tinh.example.vn/x"}, "url", "password"),
        ({"events": ["submission.deleted"]}, "events", "submission.deleted"),
        ({"events": []}, "events", ""),
        ({"secret": "short"}, "secret", "16"),
        ({"name": "   "}, "name", ""),
    ],
)
def test_a_bad_webhook_is_a_400_that_names_the_field_and_stores_nothing(lead, extra, field, words):
    body = {"url": "https://tinh.example.vn/x", **extra}
    answer = create(lead, body.pop("url"), **body)
    assert answer.status_code == 400, answer.content
    assert field in answer.content.decode() and words in answer.content.decode()
    assert not Webhook.objects.exists() and not AuditEvent.objects.filter(action__startswith="webhook").exists()


def test_an_unknown_form_is_a_404(lead):
    answer = lead.post(
        "/api/v1/webhooks", {"form_id": "khong_co", "name": "x", "url": "https://a.vn", "events": EVENTS}, format="json"
    )
    assert answer.status_code == 404


def test_hamlet_heads_viewers_and_volunteers_may_not_see_or_manage_webhooks(lead):
    create(lead, "https://tinh.example.vn/x")
    hook = Webhook.objects.get()
    for role in (Role.HAMLET_HEAD, Role.VIEWER, Role.VOLUNTEER):
        other = api_client_for(role, f"u_{role}")
        assert other.get("/api/v1/webhooks").status_code == 403
        assert other.delete(f"/api/v1/webhooks/{hook.pk}").status_code == 403
    assert Webhook.objects.count() == 1


def test_the_delivery_log_shows_each_try_and_a_manual_retry_delivers(
    lead, device_actor, receiver, settings, django_capture_on_commit_callbacks
):
    from backend.submissions.services import submission_receive

    settings.WEBHOOKS_MAX_ATTEMPTS = 1
    receiver.up("error")
    hook_id = create(lead, receiver.url).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        submission_receive(actor=device_actor, xml=instance_xml(instance_id=new_instance_id(), audit=None), files={})
    log = lead.get(f"/api/v1/webhooks/{hook_id}/deliveries?state=failed").json()
    assert log["count"] == 1
    (failed,) = log["results"]
    assert failed["state"] == "failed" and failed["last_status_code"] == 500 and failed["last_error"] == "HTTP 500"
    assert [(t["number"], t["status_code"], t["response_excerpt"]) for t in failed["attempt_log"]] == [(1, 500, "boom")]
    assert lead.get(f"/api/v1/webhooks/{hook_id}").json()["failed"] == 1
    assert lead.get(f"/api/v1/webhooks/{hook_id}/deliveries?state=nonsense").status_code == 400

    receiver.mode = "ok"
    with django_capture_on_commit_callbacks(execute=True):
        answer = lead.post(f"/api/v1/webhooks/deliveries/{failed['id']}/retry")
    assert answer.status_code == 200 and answer.json()["state"] == "pending"  # the answer is from before the try
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 2
    secret = Webhook.objects.get().secret
    (accepted,) = receiver.accepted()
    assert signature_valid(secret, accepted.body, accepted.headers[SIGNATURE_HEADER])
    again = lead.post(f"/api/v1/webhooks/deliveries/{failed['id']}/retry")
    assert again.status_code == 400 and "delivered" in again.json()["message"]
    (retry_row,) = AuditEvent.objects.filter(action="webhook.delivery.retry")
    assert retry_row.details["state"] == ["failed", "pending"] and retry_row.actor_label == "user:lanhdao"


def test_changing_and_deleting_a_webhook_is_audited_and_a_change_to_nothing_is_not(lead):
    hook_id = create(lead, "https://tinh.example.vn/x").json()["id"]
    assert lead.patch(f"/api/v1/webhooks/{hook_id}", {"active": False}, format="json").json()["active"] is False
    assert lead.patch(f"/api/v1/webhooks/{hook_id}", {"active": False}, format="json").status_code == 200
    assert (
        lead.patch(f"/api/v1/webhooks/{hook_id}", {"secret": "a-new-secret-long-enough"}, format="json").status_code
        == 200
    )
    updates = list(AuditEvent.objects.filter(action="webhook.update").order_by("id"))
    assert [u.details["changed"] for u in updates] == [{"active": [True, False]}, {"secret": "changed"}]
    assert Webhook.objects.get().secret == "a-new-secret-long-enough"
    assert lead.delete(f"/api/v1/webhooks/{hook_id}").status_code == 204
    assert not Webhook.objects.exists() and AuditEvent.objects.filter(action="webhook.delete").count() == 1
    assert lead.get(f"/api/v1/webhooks/{hook_id}").status_code == 404
