"""Who may say the request came over HTTPS, and from which client address.

A reverse proxy that terminates TLS tells the app with `X-Forwarded-Proto` and
`X-Forwarded-For`. Any client can send those headers too, so they are honoured only when
`TRUST_PROXY_HEADERS` is on *and* the connection comes from one of `TRUSTED_PROXIES` (the
proxy's own addresses). Otherwise they are removed before any view sees them: Basic
credentials over plain HTTP stay refused however the client dresses the request up.

Django's own `SECURE_PROXY_SSL_HEADER` is left unset because it trusts the header from anyone;
gunicorn's own trust is switched off in gunicorn.conf.py for the same reason.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse

FORWARDED_HEADERS = ("HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_HOST", "HTTP_FORWARDED")


@cache
def trusted_networks(addresses: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    try:
        return tuple(ipaddress.ip_network(a.strip(), strict=False) for a in addresses if a.strip())
    except ValueError as exc:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {exc}") from exc


def from_trusted_proxy(remote_addr: str) -> bool:
    if not getattr(settings, "TRUST_PROXY_HEADERS", False):
        return False
    try:
        peer = ipaddress.ip_address(remote_addr)
    except ValueError:
        return False
    return any(peer in network for network in trusted_networks(tuple(settings.TRUSTED_PROXIES)))


def forwarded_client(value: str) -> str | None:
    """The address the proxy appended last to X-Forwarded-For (the one it saw connect);
    earlier entries were written by the client and prove nothing."""
    last = value.split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:
        return None


class TrustedProxyMiddleware:
    """First in MIDDLEWARE, so every later layer sees the real scheme and client address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        if from_trusted_proxy(meta.get("REMOTE_ADDR", "")):
            proto = meta.get("HTTP_X_FORWARDED_PROTO", "").split(",")[0].strip().lower()
            if proto in {"http", "https"}:
                meta["wsgi.url_scheme"] = proto
            client = forwarded_client(meta.get("HTTP_X_FORWARDED_FOR", ""))
            if client:
                meta["REMOTE_ADDR"] = client
        else:
            for name in FORWARDED_HEADERS:
                meta.pop(name, None)
        return self.get_response(request)
