"""A volunteer's Collect QR code, served under the volunteer's own key path.

Device tokens are stored hashed, so only someone holding the token (the link the admin
was shown once, or the volunteer's own page) can render its QR code.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from backend.core.collect_qr import collect_qr_render, collect_settings, collect_settings_encode
from backend.core.urlbuild import phone_url
from sync.openrosa_auth import openrosa_view

QR_CONTENT_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


@require_GET
@openrosa_view(require_header=False)
def collect_qr(request: HttpRequest, kind: str) -> HttpResponse:
    actor = request.actor
    payload = collect_settings_encode(
        collect_settings(server_url=phone_url(actor, ""), project_name=settings.PROJECT_NAME)
    )
    response = HttpResponse(collect_qr_render(payload, kind=kind), content_type=QR_CONTENT_TYPES[kind])
    response["Cache-Control"] = "private, no-store"
    return response
