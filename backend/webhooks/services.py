"""Managing webhooks (admin and commune leadership) and retrying a delivery by hand.
Every write here is audited with who and from where; the secret never enters the log."""

from __future__ import annotations

import secrets
import unicodedata
from urllib.parse import urlsplit

from django.db import transaction

from backend.accounts import policy
from backend.accounts.actors import Actor
from backend.audit.services import audit_record
from backend.core import errors
from backend.surveys.models import Form
from backend.webhooks import clock
from backend.webhooks.events import deliveries_publish
from backend.webhooks.models import ALL_EVENTS, DeliveryState, Webhook, WebhookDelivery

MIN_SECRET = 16
EDITABLE = ("name", "url", "events", "secret", "active")


def _manager_check(actor: Actor) -> None:
    if not policy.can_manage_webhooks(actor):
        raise errors.forbidden(
            "Only commune leadership and admins manage webhooks. / Chỉ lãnh đạo xã và quản trị viên quản lý webhook."
        )


def _name_clean(name: str) -> str:
    name = unicodedata.normalize("NFC", (name or "").strip())
    if not name or len(name) > 200:
        raise errors.bad_request(
            "Give the webhook a name (at most 200 characters). / Hãy đặt tên (tối đa 200 ký tự).", field="name"
        )
    return name


def _url_clean(url: str) -> str:
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError for a port out of range)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 1000:
        raise errors.bad_request(
            "The URL must be an http:// or https:// address. / Địa chỉ phải bắt đầu bằng http:// hoặc https://.",
            field="url",
        )
    if parts.username or parts.password:
        raise errors.bad_request(
            "Put no password in the URL: receivers check the signature. / Không ghi mật khẩu trong địa chỉ.",
            field="url",
        )
    return url


def _events_clean(events) -> list[str]:
    if isinstance(events, str) or not isinstance(events, list | tuple) or not events:
        raise errors.bad_request(
            f"Choose at least one event among {', '.join(ALL_EVENTS)}. / Chọn ít nhất một sự kiện.", field="events"
        )
    unknown = [e for e in events if e not in ALL_EVENTS]
    if unknown:
        raise errors.bad_request(
            f"Unknown event {unknown[0]!r}; use {', '.join(ALL_EVENTS)}. / Sự kiện không hợp lệ.", field="events"
        )
    return [e for e in ALL_EVENTS if e in events]  # stored in a fixed order


def _secret_clean(secret: str) -> str:
    secret = (secret or "").strip()
    if len(secret) < MIN_SECRET or len(secret) > 200:
        raise errors.bad_request(
            f"The secret must be {MIN_SECRET} to 200 characters (leave it empty to have one made). / "
            f"Khoá bí mật phải dài {MIN_SECRET}–200 ký tự (để trống để hệ thống tạo).",
            field="secret",
        )
    return secret


def _form_flag_refresh(form_id: int) -> None:
    """Keep `Form.webhooks_active` true exactly when the form has an active webhook: ingest
    reads the flag from the form row it loads anyway, instead of querying webhooks."""
    active = Webhook.objects.filter(form_id=form_id, active=True).exists()
    Form.objects.filter(pk=form_id).exclude(webhooks_active=active).update(webhooks_active=active)


@transaction.atomic
def webhook_create(
    *,
    actor: Actor,
    form: Form,
    name: str,
    url: str,
    events: list[str],
    secret: str = "",
    active: bool = True,
    ip: str | None = None,
) -> Webhook:
    """A new webhook; without `secret` one is made (the caller shows it once)."""
    _manager_check(actor)
    hook = Webhook.objects.create(
        form=form,
        name=_name_clean(name),
        url=_url_clean(url),
        events=_events_clean(events),
        secret=_secret_clean(secret) if secret else secrets.token_urlsafe(32),
        active=bool(active),
        created_by=actor.user,
    )
    _form_flag_refresh(form.pk)
    audit_record(
        actor=actor,
        action="webhook.create",
        obj=hook,
        ip=ip,
        form_id=form.form_id,
        name=hook.name,
        url=hook.url,
        events=hook.events,
        active=hook.active,
    )
    return hook


@transaction.atomic
def webhook_update(*, actor: Actor, webhook: Webhook, changes: dict, ip: str | None = None) -> Webhook:
    """Change some of name, url, events, secret, active; a change to nothing records nothing."""
    _manager_check(actor)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise errors.bad_request(
            f"These cannot be changed: {', '.join(sorted(unknown))}. / Không sửa được các trường này."
        )
    cleaners = {
        "name": _name_clean,
        "url": _url_clean,
        "events": _events_clean,
        "secret": _secret_clean,
        "active": bool,
    }
    hook = Webhook.objects.select_for_update().get(pk=webhook.pk)
    changed: dict = {}
    for field, value in changes.items():
        value = cleaners[field](value)
        if getattr(hook, field) != value:
            changed[field] = "changed" if field == "secret" else [getattr(hook, field), value]
            setattr(hook, field, value)
    if not changed:
        return hook
    hook.save()
    _form_flag_refresh(hook.form_id)
    audit_record(actor=actor, action="webhook.update", obj=hook, ip=ip, form_id=hook.form.form_id, changed=changed)
    return hook


@transaction.atomic
def webhook_delete(*, actor: Actor, webhook: Webhook, ip: str | None = None) -> None:
    """Delete a webhook and its delivery log (deactivate it instead to keep the log)."""
    _manager_check(actor)
    form_id, pk, name, url = webhook.form_id, webhook.pk, webhook.name, webhook.url
    audit_record(
        actor=actor,
        action="webhook.delete",
        obj=webhook,
        ip=ip,
        form_id=webhook.form.form_id,
        name=name,
        url=url,
        deliveries=webhook.deliveries.count(),
    )
    Webhook.objects.filter(pk=pk).delete()
    _form_flag_refresh(form_id)


@transaction.atomic
def webhook_delivery_retry(*, actor: Actor, delivery: WebhookDelivery, ip: str | None = None) -> WebhookDelivery:
    """Try a failed (or waiting) delivery again now, with a fresh series of tries."""
    _manager_check(actor)
    locked = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    if locked.state not in (DeliveryState.FAILED, DeliveryState.PENDING):
        raise errors.bad_request(
            f"This delivery is {locked.state}; only a failed or waiting one can be retried. / "
            "Chỉ gửi lại được lần gửi thất bại hoặc đang chờ.",
            state=locked.state,
        )
    previous = locked.state
    now = clock.now()
    locked.state = DeliveryState.PENDING
    locked.next_attempt_at = now
    locked.queued_at = now
    locked.attempts_before_retry = locked.attempts
    locked.save(update_fields=["state", "next_attempt_at", "queued_at", "attempts_before_retry"])
    audit_record(
        actor=actor,
        action="webhook.delivery.retry",
        obj=locked,
        ip=ip,
        webhook=locked.webhook_id,
        event=locked.event,
        instance_id=locked.instance_id,
        state=[previous, DeliveryState.PENDING],
        attempts=locked.attempts,
    )
    transaction.on_commit(lambda: deliveries_publish([locked.pk]))
    return locked
