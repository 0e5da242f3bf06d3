"""What the HTTP layer hands the audit log: the client's address, and the audited read of
household answers (which also marks the response as personal data). Services never see the
request; they take `ip=`."""

from __future__ import annotations

from typing import Any

from backend.audit.models import AuditEvent
from backend.audit.services import audit_record


def client_ip(request) -> str | None:
    """The peer address. Behind the proxy of docker-compose, backend/core/proxy.py has already
    replaced REMOTE_ADDR with the address the trusted proxy saw; X-Forwarded-For is not read
    here because any client can send it."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


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
        ip=client_ip(request),
        **details,
    )
