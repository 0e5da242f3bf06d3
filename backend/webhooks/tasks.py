"""Thin Celery tasks over backend.webhooks.delivery. Both are safe to run twice: a try
starts with a conditional claim, a sweep publishes only what is due."""

from celery import shared_task

from backend.webhooks.delivery import webhook_deliveries_sweep, webhook_delivery_attempt


@shared_task(name="webhooks.deliver", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def webhook_deliver(delivery_id: str) -> None:
    webhook_delivery_attempt(delivery_id)


@shared_task(name="webhooks.sweep", ignore_result=True)
def webhook_sweep() -> dict:
    """What beat sends every WEBHOOKS_SWEEP_S (settings.CELERY_BEAT_SCHEDULE)."""
    return webhook_deliveries_sweep()
