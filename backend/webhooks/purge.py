"""Forgetting old deliveries: the nightly maintenance job (`maintenance.purge`, backend/jobs)
sends `purge_due`; delivered deliveries older than WEBHOOKS_KEEP_DAYS go, with their tries.
Failed and waiting ones stay until delivered or their webhook is deleted: they are the log
someone still has to act on."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from backend.webhooks.models import DeliveryState, WebhookDelivery


def on_purge_due(sender, *, now, **kwargs) -> dict:
    cutoff = now - timedelta(days=settings.WEBHOOKS_KEEP_DAYS)
    old = WebhookDelivery.objects.filter(state=DeliveryState.DELIVERED, delivered_at__lt=cutoff)
    forgotten, _ = old.delete()
    return {"webhook_deliveries_forgotten": forgotten}
