"""Counting failed password logins per account *at an address*, and per address.

Every password check goes through `ThrottledModelBackend` (auth_backends.py), so the login
page, the admin, HTTP Basic on OpenRosa routes and the API token login share these counters.
Fixed windows: after `LOGIN_FAILURES_PER_ACCOUNT` failures for one username from one
address, or `LOGIN_FAILURES_PER_ADDRESS` failures from one address (any usernames), within
`LOGIN_LOCKOUT_SECONDS`, further attempts from that address are refused until the window
ends — even with the right password, otherwise a guesser would learn when they hit it. A
success clears that account's counter at that address.

Why by account *and* address (issue 17): a counter per account alone let anyone lock a
known username (a hamlet head's) out for 15 minutes by failing its password; now the
hamlet head signing in from their own phone or office is not affected by failures from
elsewhere. A guesser is limited to 5 tries per account and 20 per address per window.

The counters live in the `shared` cache (settings.CACHES): Redis when `REDIS_URL` is set,
else the database. A per-process memory cache would give an attacker the limit once per
gunicorn worker.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import caches

DEFAULTS = {"LOGIN_FAILURES_PER_ACCOUNT": 5, "LOGIN_FAILURES_PER_ADDRESS": 20, "LOGIN_LOCKOUT_SECONDS": 900}
CACHE_ALIAS = "shared"


def _cache():
    return caches[CACHE_ALIAS]


def _setting(name: str) -> int:
    return int(getattr(settings, name, DEFAULTS[name]))


def _account_key(username: str | None, ip: str | None) -> str:
    who = f"{(username or '').strip().lower()}\0{ip or ''}"
    return f"login-fail:acct-addr:{hashlib.sha256(who.encode('utf-8')).hexdigest()[:32]}"


def _address_key(ip: str | None) -> str | None:
    return f"login-fail:addr:{ip}" if ip else None


def login_blocked(*, username: str | None, ip: str | None) -> bool:
    cache = _cache()
    if (cache.get(_account_key(username, ip)) or 0) >= _setting("LOGIN_FAILURES_PER_ACCOUNT"):
        return True
    key = _address_key(ip)
    return key is not None and (cache.get(key) or 0) >= _setting("LOGIN_FAILURES_PER_ADDRESS")


def login_failure_record(*, username: str | None, ip: str | None) -> None:
    cache = _cache()
    for key in (_account_key(username, ip), _address_key(ip)):
        if key is None:
            continue
        # add() starts the window only once; incr() keeps its expiry.
        cache.add(key, 0, timeout=_setting("LOGIN_LOCKOUT_SECONDS"))
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=_setting("LOGIN_LOCKOUT_SECONDS"))


def login_success_record(*, username: str | None, ip: str | None = None) -> None:
    _cache().delete(_account_key(username, ip))
