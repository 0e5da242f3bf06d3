"""Trying deliveries: one try (`webhook_delivery_attempt`, what the task runs) and the sweep
(`webhook_deliveries_sweep`, what beat runs every WEBHOOKS_SWEEP_S).

At most one worker tries a delivery at a time: a try starts by moving it pending → sending in
one conditional UPDATE (a duplicate message, or two sweeps, find nothing to claim). The claim
is a lease: a worker killed mid-try leaves the delivery `sending` until the lease runs out,
then the sweep puts it back to pending and it is tried again. So nothing is lost; a receiver
may, rarely, see one delivery twice (the killed worker's request may have arrived) and should
de-duplicate on the X-Phulam-Delivery header.

Back-off after the n-th failed try of a series: WEBHOOKS_RETRY_BASE_S × 2^(n-1), at most
WEBHOOKS_RETRY_MAX_S; after WEBHOOKS_MAX_ATTEMPTS tries the delivery is `failed` until
someone retries it by hand (which starts a new series).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q

from backend.webhooks import clock, sender
from backend.webhooks.events import deliveries_publish
from backend.webhooks.models import DeliveryState, WebhookAttempt, WebhookDelivery
from backend.webhooks.signing import SIGNATURE_HEADER, signature

logger = logging.getLogger(__name__)
INTERRUPTED = "Lần gửi bị gián đoạn (tiến trình dừng giữa chừng). / The try was interrupted (its worker stopped)."


def backoff_s(failed_tries: int) -> float:
    """Seconds to wait after the `failed_tries`-th failed try of a series (1-based)."""
    delay = settings.WEBHOOKS_RETRY_BASE_S * (2 ** max(0, failed_tries - 1))
    return float(min(delay, settings.WEBHOOKS_RETRY_MAX_S))


def lease_s() -> float:
    # Two timeouts (connect + read) and a margin: a live worker always finishes first.
    return 2 * settings.WEBHOOKS_TIMEOUT_S + settings.WEBHOOKS_LEASE_MARGIN_S


def webhook_delivery_attempt(delivery_id) -> WebhookDelivery | None:
    """Try one delivery now if it is due and nobody else holds it; returns it (None if no try)."""
    started = clock.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, state=DeliveryState.PENDING, next_attempt_at__lte=started, webhook__active=True
    ).update(
        state=DeliveryState.SENDING,
        lease_until=started + timedelta(seconds=lease_s()),
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return None  # delivered, failed, not due, held by another worker, or its webhook is off
    delivery = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)
    number = delivery.attempts
    body = bytes(delivery.body)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "PhuLam-Webhooks/1",
        "X-Phulam-Event": delivery.event,
        "X-Phulam-Delivery": str(delivery.id),
        "X-Phulam-Attempt": str(number),
        SIGNATURE_HEADER: signature(delivery.webhook.secret, body),
    }
    outcome = sender.post(
        delivery.webhook.url,
        body,
        headers,
        timeout_s=settings.WEBHOOKS_TIMEOUT_S,
        excerpt_bytes=settings.WEBHOOKS_RESPONSE_EXCERPT_BYTES,
        allow_private=settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS,
    )
    finished = clock.now()
    with transaction.atomic():
        # update_or_create: a sweep that took this try for interrupted has logged it already.
        WebhookAttempt.objects.update_or_create(
            delivery_id=delivery.id,
            number=number,
            defaults={
                "started_at": started,
                "finished_at": finished,
                "status_code": outcome.status_code,
                "error": outcome.error,
                "response_excerpt": outcome.excerpt,
            },
        )
        values: dict = {"lease_until": None, "last_status_code": outcome.status_code, "last_error": outcome.error}
        if outcome.ok:
            values.update(state=DeliveryState.DELIVERED, delivered_at=finished)
        else:
            failed_tries = number - delivery.attempts_before_retry
            if failed_tries >= settings.WEBHOOKS_MAX_ATTEMPTS:
                values.update(state=DeliveryState.FAILED)
            else:
                values.update(
                    state=DeliveryState.PENDING,
                    next_attempt_at=finished + timedelta(seconds=backoff_s(failed_tries)),
                    queued_at=None,
                )
        # Only while our lease holds: if the sweep took it back (we were too slow), the next
        # holder decides its state.
        WebhookDelivery.objects.filter(pk=delivery.id, state=DeliveryState.SENDING, attempts=number).update(**values)
    delivery.refresh_from_db()
    return delivery


def webhook_deliveries_sweep(*, limit: int = 500) -> dict:
    """Take back deliveries whose worker died mid-try, and publish every due delivery whose
    message is not known to be waiting (never published, or published longer than
    WEBHOOKS_REQUEUE_AFTER_S ago: that message was probably lost)."""
    now = clock.now()
    interrupted = 0
    for delivery in WebhookDelivery.objects.filter(state=DeliveryState.SENDING, lease_until__lt=now).only(
        "id", "attempts", "lease_until"
    ):
        with transaction.atomic():
            taken = WebhookDelivery.objects.filter(
                pk=delivery.pk, state=DeliveryState.SENDING, attempts=delivery.attempts
            ).update(
                state=DeliveryState.PENDING,
                lease_until=None,
                next_attempt_at=now,
                queued_at=None,
                last_error=INTERRUPTED,
            )
            if taken:
                interrupted += 1
                WebhookAttempt.objects.get_or_create(
                    delivery_id=delivery.pk,
                    number=delivery.attempts,
                    defaults={
                        "started_at": delivery.lease_until - timedelta(seconds=lease_s()),
                        "finished_at": now,
                        "error": INTERRUPTED,
                    },
                )
    lost_before = now - timedelta(seconds=settings.WEBHOOKS_REQUEUE_AFTER_S)
    due = list(
        WebhookDelivery.objects.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now, webhook__active=True)
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=lost_before))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    if due:
        WebhookDelivery.objects.filter(pk__in=due).update(queued_at=now)
        deliveries_publish(due)
    return {"published": len(due), "interrupted": interrupted}
