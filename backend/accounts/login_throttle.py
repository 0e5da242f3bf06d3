"""Counting failed password logins per account and per address (Django cache counters).

Every password check goes through `ThrottledModelBackend` (auth_backends.py), so the login
page, the admin, HTTP Basic on OpenRosa routes and the API token login share these counters.
Fixed windows: after `LOGIN_FAILURES_PER_ACCOUNT` failures for one username, or
`LOGIN_FAILURES_PER_ADDRESS` from one address, within `LOGIN_LOCKOUT_SECONDS`, further
attempts are refused until the window ends — even with the right password, otherwise a
guesser would learn when they hit it. A success clears the account's counter only.

Trade-off: a per-account limit lets someone lock a known username out for the window; the
window is short (15 minutes by default) and admins can clear it (`login_failures_clear`).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

DEFAULTS = {"LOGIN_FAILURES_PER_ACCOUNT": 5, "LOGIN_FAILURES_PER_ADDRESS": 20, "LOGIN_LOCKOUT_SECONDS": 900}


def _setting(name: str) -> int:
    return int(getattr(settings, name, DEFAULTS[name]))


def _account_key(username: str) -> str:
    digest = hashlib.sha256((username or "").strip().lower().encode("utf-8")).hexdigest()[:32]
    return f"login-fail:acct:{digest}"


def _address_key(ip: str | None) -> str | None:
    return f"login-fail:addr:{ip}" if ip else None


def login_blocked(*, username: str | None, ip: str | None) -> bool:
    if (cache.get(_account_key(username or "")) or 0) >= _setting("LOGIN_FAILURES_PER_ACCOUNT"):
        return True
    key = _address_key(ip)
    return key is not None and (cache.get(key) or 0) >= _setting("LOGIN_FAILURES_PER_ADDRESS")


def login_failure_record(*, username: str | None, ip: str | None) -> None:
    for key in (_account_key(username or ""), _address_key(ip)):
        if key is None:
            continue
        # add() starts the window only once; incr() keeps its expiry.
        cache.add(key, 0, timeout=_setting("LOGIN_LOCKOUT_SECONDS"))
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=_setting("LOGIN_LOCKOUT_SECONDS"))


def login_success_record(*, username: str | None) -> None:
    cache.delete(_account_key(username or ""))


def login_failures_clear(*, username: str | None = None, ip: str | None = None) -> None:
    if username is not None:
        cache.delete(_account_key(username))
    key = _address_key(ip)
    if key is not None:
        cache.delete(key)
