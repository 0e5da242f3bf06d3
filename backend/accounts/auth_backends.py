"""Password authentication with throttling, for every path that checks a password."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from backend.accounts.login_throttle import login_blocked, login_failure_record, login_success_record


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        # Stored names are NFKC (Django's normalize_username): a name typed in NFD (some
        # keyboards) over Basic auth or the token exchange finds its account too.
        username = get_user_model().normalize_username(username)
        ip = _ip(request)
        if login_blocked(username=username, ip=ip):
            if request is not None:
                request._login_blocked = True  # the audit row says "blocked", not "failed"
            # PermissionDenied stops django.contrib.auth.authenticate() at once (no other
            # backend is tried) and fires user_login_failed.
            raise PermissionDenied("Too many failed logins.")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            login_failure_record(username=username, ip=ip)
        else:
            login_success_record(username=username, ip=ip)
        return user
