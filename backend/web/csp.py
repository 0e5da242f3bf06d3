"""Content-Security-Policy for the pages: scripts only from our own origin.

ODK Web Forms compiles XPath/WASM helpers (`'wasm-unsafe-eval'`) and injects its CSS from
JavaScript, Leaflet positions tiles with inline styles: hence `'unsafe-inline'` for styles
only. The import map must be inline, so each response carries a fresh nonce for it.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def tile_origin() -> str:
    """The origin of the configured map tile server, or "" when maps draw without tiles."""
    url = getattr(settings, "MAP_TILE_URL", "") or ""
    parts = urlsplit(url.replace("{s}", "a"))
    if not (parts.scheme and parts.netloc):
        return ""
    # "{s}.tile.example.org" rotates over subdomains (a, b, c): allow them all.
    host = urlsplit(url).netloc
    netloc = "*." + host.split("{s}.", 1)[1] if host.startswith("{s}.") else parts.netloc
    return f"{parts.scheme}://{netloc}"


def csp_header(nonce: str) -> str:
    tiles = tile_origin()
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'wasm-unsafe-eval' 'nonce-{nonce}'",
            "style-src 'self' 'unsafe-inline'",
            f"img-src 'self' data: blob:{' ' + tiles if tiles else ''}",
            "connect-src 'self' data: blob:",
            "worker-src 'self' blob:",
            "font-src 'self' data:",
            "object-src 'none'",
            "base-uri 'self'",
            "frame-ancestors 'none'",
        ]
    )


def with_csp(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Give the template a `request.csp_nonce` and send the matching header."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        request.csp_nonce = secrets.token_urlsafe(16)
        response = view(request, *args, **kwargs)
        response.setdefault("Content-Security-Policy", csp_header(request.csp_nonce))
        return response

    return wrapped
