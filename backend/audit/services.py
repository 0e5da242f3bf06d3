"""The one way to write the audit log."""

from __future__ import annotations

from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from backend.accounts.actors import Actor
from backend.audit.models import AuditEvent
from backend.core.rows import rows_insert


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    ip: str | None = None,
    object_type: str = "",
    object_id: str = "",
    **details: Any,
) -> AuditEvent:
    """Append one audit row: who (an Actor, a user, or None for the system), what action
    (dotted, e.g. "submission.review"), which object, from which address (`ip`: services
    take the address, never the HTTP request; views pass `backend.audit.http.client_ip`).

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
        ip=ip,
    )


def audit_records(*, actor: Any, events: list[tuple[str, models.Model, dict[str, Any]]], ip: str | None = None) -> None:
    """Append several rows in one INSERT (the submission path records the submission and
    each stored file without a query per file). `events` are (action, object, details)."""
    # A raw INSERT: composing bulk_create's SQL costs more CPU than the write (issue 18).
    rows_insert(audit_rows(actor=actor, events=events, ip=ip), returning=False)


def audit_rows(*, actor: Any, events: list[tuple[str, models.Model, dict[str, Any]]], ip: str | None = None):
    """The unsaved rows `audit_records` writes, for a statement that inserts them together with
    the write they record (a new submission: `backend.submissions.services._submission_insert`)."""
    user, device, label = _who(actor)
    return [
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
