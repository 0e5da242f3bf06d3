"""Permissions-Policy on every response (Django's SecurityMiddleware has no setting for it).

The other security headers come from Django: HSTS when secure (SECURE_HSTS_SECONDS),
X-Content-Type-Options (SECURE_CONTENT_TYPE_NOSNIFF), Referrer-Policy (SECURE_REFERRER_POLICY),
X-Frame-Options (XFrameOptionsMiddleware) and the pages' CSP with frame-ancestors (web/csp.py).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class PermissionsPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        return response
