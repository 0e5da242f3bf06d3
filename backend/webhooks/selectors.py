"""Reads of webhooks and their delivery log (admin and leadership see every form's)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from backend.accounts import policy
from backend.accounts.actors import Actor
from backend.webhooks.models import DeliveryState, Webhook, WebhookAttempt, WebhookDelivery


def webhooks_list_for(actor: Actor, *, form_id: str | None = None) -> QuerySet[Webhook]:
    if not policy.can_manage_webhooks(actor):
        return Webhook.objects.none()
    rows = Webhook.objects.select_related("form").annotate(
        pending=Count("deliveries", filter=Q(deliveries__state__in=[DeliveryState.PENDING, DeliveryState.SENDING])),
        delivered=Count("deliveries", filter=Q(deliveries__state=DeliveryState.DELIVERED)),
        failed=Count("deliveries", filter=Q(deliveries__state=DeliveryState.FAILED)),
    )
    if form_id:
        rows = rows.filter(form__form_id=form_id)
    return rows.order_by("form__form_id", "name", "id")


def webhook_for(actor: Actor, webhook_id: int) -> Webhook | None:
    return webhooks_list_for(actor).filter(pk=webhook_id).first()


def deliveries_of(webhook: Webhook, *, state: str | None = None) -> QuerySet[WebhookDelivery]:
    """Newest first, each with its tries (oldest first); the body is not loaded."""
    rows = (
        WebhookDelivery.objects.filter(webhook=webhook)
        .defer("body")
        .prefetch_related(Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("number")))
        .order_by("-created_at", "id")
    )
    if state:
        rows = rows.filter(state=state)
    return rows


def delivery_for(actor: Actor, delivery_id) -> WebhookDelivery | None:
    if not policy.can_manage_webhooks(actor):
        return None
    return WebhookDelivery.objects.select_related("webhook__form").defer("body").filter(pk=delivery_id).first()


def forms_for_webhooks(actor: Actor) -> QuerySet:
    """The forms a webhook may be attached to (every form, for those who manage webhooks)."""
    from backend.surveys.models import Form

    if not policy.can_manage_webhooks(actor):
        return Form.objects.none()
    return Form.objects.only("id", "form_id", "title", "state").order_by("title", "form_id")
