"""Sign-ins, sign-outs and failed sign-ins in the audit log (issue 17).

Django sends these signals for every path that checks a password (the login page, the
admin, HTTP Basic on OpenRosa routes, the API token exchange): one row each, with who, the
address and the outcome (`success`, `failed`, or `blocked` when the throttle refused the
attempt before the password was checked). A failed attempt records the username typed, as
typed (cut to 150 characters): the account it targets, not an actor.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from backend.audit.http import client_ip
from backend.audit.services import audit_record

# Set on the request by the throttling backend when it refuses an attempt unchecked.
BLOCKED_FLAG = "_login_blocked"


def _path(request) -> str:
    return getattr(request, "path", "")[:200] if request is not None else ""


def _logged_in(sender, request, user, **kwargs) -> None:
    audit_record(
        actor=user, action="auth.login", obj=user, ip=client_ip(request), outcome="success", path=_path(request)
    )


def _logged_out(sender, request, user, **kwargs) -> None:
    if user is None:  # signing out without a session: nothing happened
        return
    audit_record(
        actor=user, action="auth.logout", obj=user, ip=client_ip(request), outcome="success", path=_path(request)
    )


def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username") or "")[:150]
    blocked = bool(getattr(request, BLOCKED_FLAG, False))
    audit_record(
        actor=AnonymousUser(),
        action="auth.login_failed",
        object_type="auth.user",
        object_id=username,
        ip=client_ip(request),
        username=username,
        outcome="blocked" if blocked else "failed",
        path=_path(request),
    )


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="audit.auth.login")
    user_logged_out.connect(_logged_out, dispatch_uid="audit.auth.logout")
    user_login_failed.connect(_login_failed, dispatch_uid="audit.auth.login_failed")
