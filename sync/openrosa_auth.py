"""Resolves the Actor of an OpenRosa request and wraps views in the OpenRosa conventions.

Order (after ODK Central, OPENROSA.md §4.2): a device token in the path (`/key/<token>/…`),
a draft-testing token (`/test/<token>/…`), a Bearer API token, Basic auth (HTTPS only),
a browser session; otherwise 401 with a Basic challenge so KoboCollect-style setups can
answer it. A bad device token is 403, never 401, so phones do not loop on a password prompt.
"""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from backend.accounts.actors import Actor, actor_for_device_token, actor_for_draft, actor_for_request, actor_for_user
from backend.accounts.selectors import api_token_lookup
from backend.core import errors
from backend.core.errors import Problem
from backend.core.openrosa import openrosa_problem
from backend.surveys.selectors import draft_version_for_token


def actor_resolve(request: HttpRequest, *, token: str | None, draft_token: str | None) -> Actor:
    if token is not None:
        actor = actor_for_device_token(token)
        if actor is None:
            raise errors.invalid_device_token()
        return actor
    if draft_token is not None:
        version = draft_version_for_token(draft_token)
        if version is None:
            raise errors.draft_not_found()
        return actor_for_draft(version.pk, url_prefix=f"/test/{draft_token}")
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.startswith("Bearer "):
        api_token = api_token_lookup(header[7:].strip())
        if api_token is None:
            raise errors.credentials_invalid()
        return actor_for_user(api_token.user)
    if header.startswith("Basic "):
        if not request.is_secure():
            # Basic credentials over plain HTTP would leak the password (OpenRosa forbids it).
            raise errors.https_required()
        user = _basic_user(request, header[6:])
        if user is None:
            raise errors.credentials_invalid()
        return actor_for_user(user)
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        _session_csrf_check(request)
        return actor_for_request(request)  # the session user's, built by ActorMiddleware
    raise errors.authentication_required()


def _session_csrf_check(request: HttpRequest) -> None:
    """A browser session is sent by the browser on its own, from any page that posts here
    (issue 17: a POST with a foreign Origin and no token was stored; only SameSite=Lax stood
    in the way). So a session-authenticated write must come from this site: its `Origin`
    (or, from a browser that sends none, its `Referer`) must be this server, PUBLIC_BASE_URL
    or one of CSRF_TRUSTED_ORIGINS, which is what Django's CSRF check verifies first. The
    token itself is not read: it would sit in the multipart body, and parsing it here would
    consume the stream the submission view reads with its own limits. Device links, drafts,
    Bearer and Basic carry their credentials explicitly and never reach this."""
    if request.method in ("GET", "HEAD", "OPTIONS", "TRACE"):
        return
    allowed = {f"{request.scheme}://{request.get_host()}", *settings.CSRF_TRUSTED_ORIGINS}
    public = urlsplit(settings.PUBLIC_BASE_URL)
    allowed.add(f"{public.scheme}://{public.netloc}")
    origin = request.headers.get("Origin")
    if origin is None:
        referer = urlsplit(request.headers.get("Referer", ""))
        origin = f"{referer.scheme}://{referer.netloc}" if referer.netloc else None
    if origin is None:
        # Every browser sends Origin on a cross-site POST (and Referer before Origin existed):
        # a request with neither was not made by another site's page.
        return
    if origin not in allowed:
        raise errors.csrf_failed(f"origin {origin} is not this site")


def _basic_user(request: HttpRequest, encoded: str):
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, sep, password = decoded.partition(":")
    if not sep:
        return None
    return authenticate(request, username=username, password=password)


def openrosa_view(*, require_header: bool = True) -> Callable:
    """Decorator for OpenRosa views: CSRF-exempt (phones have no cookies), actor resolved
    into `request.actor`, every Problem rendered as an OpenRosaResponse."""

    def decorate(view: Callable) -> Callable:
        @csrf_exempt
        @functools.wraps(view)
        def wrapped(
            request: HttpRequest, *args, token: str | None = None, draft_token: str | None = None, **kwargs
        ) -> HttpResponse:
            try:
                if require_header and request.headers.get("X-OpenRosa-Version") != "1.0":
                    raise errors.missing_openrosa_header()
                request.actor = actor_resolve(request, token=token, draft_token=draft_token)
                return view(request, *args, **kwargs)
            except Problem as problem:
                return openrosa_problem(problem, method=request.method)

        return wrapped

    return decorate
