"""The one way to write the audit log."""

from __future__ import annotations

from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from backend.accounts.actors import Actor
from backend.audit.models import AuditEvent


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    request=None,
    ip: str | None = None,
    object_type: str = "",
    object_id: str = "",
    **details: Any,
) -> AuditEvent:
    """Append one audit row: who (an Actor, a user, or None for the system), what action
    (dotted, e.g. "submission.review"), which object, from which address (`ip`; services
    take the address, not the HTTP request — `request` remains for the older callers).

    Call it inside the transaction of the write it records, so the row exists exactly when
    the write does. `details` must be JSON-serialisable (dates and decimals are fine).
    """
    user, device, label = _who(actor)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    return AuditEvent.objects.create(
        actor_user=user,
        actor_device=device,
        actor_label=label[:200],
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:200],
        details=_jsonable(details),
        ip=ip or client_ip(request),
    )


def audit_records(
    *, actor: Any, events: list[tuple[str, models.Model, dict[str, Any]]], request=None, ip: str | None = None
) -> None:
    """Append several rows in one INSERT (the submission path records the submission and
    each stored file without a query per file). `events` are (action, object, details)."""
    if not events:
        return
    user, device, label = _who(actor)
    ip = ip or client_ip(request)
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor_user=user,
                actor_device=device,
                actor_label=label[:200],
                action=action,
                object_type=obj._meta.label_lower,
                object_id=str(obj.pk)[:200],
                details=_jsonable(details),
                ip=ip,
            )
            for action, obj, details in events
        ]
    )


def client_ip(request) -> str | None:
    """The peer address. Behind the proxy of docker-compose, backend/core/proxy.py has already
    replaced REMOTE_ADDR with the address the trusted proxy saw; X-Forwarded-For is not read
    here because any client can send it."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _who(actor: Any):
    if actor is None:
        return None, None, "system"
    if isinstance(actor, Actor):
        user = actor.user if actor.user is not None and actor.user.is_authenticated else None
        return user, actor.device, actor.label
    if getattr(actor, "is_authenticated", False):
        return actor, None, f"user:{actor.get_username()}"
    return None, None, "anonymous"


def _jsonable(details: dict[str, Any]) -> dict[str, Any]:
    import json

    return json.loads(json.dumps(details, cls=DjangoJSONEncoder))


def audit_microdata_read(*, request, action: str, form_id: str, instance_id: str = "", **details: Any) -> AuditEvent:
    """One row per read of household answers (Decree 13/2023: every access leaves a trace).
    `action` is e.g. "submission.list", "submission.read", "submission.export"."""
    from backend.accounts.actors import actor_for_request
    from backend.core.middleware import personal_data_mark

    personal_data_mark(request)  # the response carries personal answers: not cached
    return audit_record(
        actor=actor_for_request(request),
        action=action,
        object_type="submissions.submission" if instance_id else "surveys.form",
        object_id=f"{form_id}/{instance_id}" if instance_id else form_id,
        request=request,
        **details,
    )
