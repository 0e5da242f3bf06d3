"""Pages every visitor may meet: the favicon, the API reference, the error pages."""

from __future__ import annotations

from pathlib import Path

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from backend.web.csp import with_csp
from backend.web.language import vietnamese_first

FAVICON = Path(__file__).resolve().parent / "static" / "web" / "favicon.ico"
REDOC_JS = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says; answer it (a week's cache)."""
    response = FileResponse(FAVICON.open("rb"), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=604800"
    return response


@require_GET
@vietnamese_first
@with_csp
def api_docs(request: HttpRequest) -> HttpResponse:
    """A human page for /api/schema: Redoc from drf-spectacular-sidecar, served by us."""
    return render(request, "web/api_docs.html", {"redoc_js": REDOC_JS})


@vietnamese_first
@with_csp
def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", {"message": _message(exception)}, status=403)


@vietnamese_first
@with_csp
def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", {"message": _message(exception)}, status=404)


def _message(exception: Exception | None) -> str:
    # Our own Http404/PermissionDenied messages are written for the user (translated);
    # Django's resolver messages ("No ... matches the given query", a dict) are not.
    if exception is None or not exception.args or not isinstance(exception.args[0], str):
        return ""
    text = exception.args[0]
    return "" if text.startswith(("No ", "Resolver404")) else text
