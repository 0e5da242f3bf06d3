"""Reads of the audit log (admins only; the API checks the role)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from backend.audit.models import AuditEvent


def audit_events_list(
    *, actor: str = "", action: str = "", since=None, until=None, object_type: str = "", object_id: str = ""
) -> QuerySet[AuditEvent]:
    """`actor` is a username or the start of an actor label ("device:12", "user:an");
    `action` is exact, or a prefix when it ends with "." ("submission.")."""
    events = AuditEvent.objects.select_related("actor_user")
    if actor:
        events = events.filter(Q(actor_user__username=actor) | Q(actor_label__startswith=actor))
    if action:
        events = events.filter(action__startswith=action) if action.endswith(".") else events.filter(action=action)
    if since is not None:
        events = events.filter(created_at__gte=since)
    if until is not None:
        events = events.filter(created_at__lt=until)
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    return events.order_by("-created_at", "-id")
