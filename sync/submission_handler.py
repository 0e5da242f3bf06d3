"""The lean request cycle for the phones' `/submission` (issue 18, ingest CPU).

Every phone POSTs each record here, and resends it on every flaky-network retry, so the
per-request cost of Django's full stack is paid tens of thousands of times a round for
nothing: no session, CSRF token, messages, static file or signed-in user is ever read on
this route when the credential is in the path (`/key/<token>/submission`) or in the
Authorization header, with no cookie sent. Such requests go through a second Django handler:
the same view and the same response-shaping middleware (proxy trust, NUL refusal, security
and permissions headers, private caching, compression, language, Content-Length, frame
options), without the session/auth/CSRF/messages/static ones, and resolved against a
two-route URL table instead of the site's full one. The answer is the one the full stack
gives (pinned header for header by tests/sync/test_submission_handler.py).

A request that carries a cookie keeps the full stack: a browser's session-authenticated
submission (the web form page) needs SessionMiddleware and AuthenticationMiddleware.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.urls import get_resolver

# The middleware this route never needs. Everything else in settings.MIDDLEWARE runs, in order.
SKIPPED_MIDDLEWARE = frozenset(
    {
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",  # the view is csrf_exempt
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "backend.accounts.middleware.ActorMiddleware",  # openrosa_view sets request.actor itself
        "django.contrib.messages.middleware.MessageMiddleware",
    }
)
SUBMISSION_URLCONF = "sync.submission_urls"
_SUBMISSION_PATH = re.compile(r"/(key/[^/]+/)?submission")


def lean_route(environ: dict) -> bool:
    """Whether this request may take the lean cycle: a submission path with its credential in
    the path or the Authorization header, and no cookie. (Without either, the full stack
    looks for a session, and its 401 says `Vary: Cookie`.)"""
    match = _SUBMISSION_PATH.fullmatch(environ.get("PATH_INFO", ""))
    if match is None or environ.get("HTTP_COOKIE"):
        return False
    return match.group(1) is not None or bool(environ.get("HTTP_AUTHORIZATION"))


class SubmissionHandler(WSGIHandler):
    """Django's WSGI handler with the lean middleware chain and the submission URL table."""

    def load_middleware(self, is_async: bool = False) -> None:
        # Django builds the chain from settings.MIDDLEWARE; swapping the list for the length
        # of this call (once, when the WSGI module loads, before any request thread exists)
        # reuses Django's own chain building rather than re-implementing it.
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = [path for path in full if path not in SKIPPED_MIDDLEWARE]
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full

    def resolve_request(self, request):
        # Not `request.urlconf`: that would also switch reverse() to the two-route table for
        # the rest of the request.
        match = get_resolver(SUBMISSION_URLCONF).resolve(request.path_info)
        request.resolver_match = match
        return match


def submission_dispatch(full: Callable, lean: Callable) -> Callable:
    """The WSGI application: lean requests to `lean`, every other one to `full`."""

    def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
        return (lean if lean_route(environ) else full)(environ, start_response)

    return application
