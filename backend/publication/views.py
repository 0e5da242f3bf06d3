"""The public results page (/ket-qua/, no login), its JSON for the commune portal, the
loudspeaker text, and the dashboard's publish button.

The page is one HTML response with its CSS inline and no script and no image: a few
kilobytes, readable on a phone on 3G, printable, and embeddable in the commune's portal in
an <iframe> (frame-ancestors *; the JSON answers any origin: it is public by design).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET, require_POST

from backend.accounts import policy
from backend.accounts.actors import actor_for_request
from backend.audit.http import client_ip
from backend.core.errors import Problem, not_found
from backend.publication.models import PublishedRound
from backend.publication.public import loudspeaker_text
from backend.publication.services import published_current, round_publish
from backend.publication.strings import STRINGS

CACHE_SECONDS = 300  # published figures change only when leadership publishes


def _language(request: HttpRequest) -> str:
    """?lang= first (an iframe has no cookie of ours), then the site's language cookie."""
    chosen = request.GET.get("lang") or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return "en" if chosen == "en" else "vi"


def _public_headers(response: HttpResponse, *, cors: bool = False) -> HttpResponse:
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    if cors:
        response["Access-Control-Allow-Origin"] = "*"
    return response


def _published(request: HttpRequest) -> PublishedRound | None:
    round_name = request.GET.get("round") or None
    published = published_current(round_name)
    if round_name and published is None:
        raise not_found(f"published round '{round_name}'", f"kết quả đã công bố của đợt '{round_name}'")
    return published


def _iframe_snippet(request: HttpRequest) -> str:
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    return (
        f'<iframe src="{base}/ket-qua/?nhung=1" title="Kết quả chuyển đổi số" width="100%" height="900" '
        f'style="border:0" loading="lazy"></iframe>'
    )


@require_GET
@xframe_options_exempt
def results_page(request: HttpRequest) -> HttpResponse:
    language = _language(request)
    try:
        published = _published(request)
    except Problem:
        published = None
    nonce = secrets.token_urlsafe(16)
    snapshot = published.snapshot if published else None
    context = {
        "t": STRINGS[language],
        "lang": language,
        "other_lang": "vi" if language == "en" else "en",
        "embed": request.GET.get("nhung") == "1",
        "nonce": nonce,
        "published": published,
        "snapshot": snapshot,
        "years": sorted({t["target_year"] for t in snapshot["targets"] if t["target_year"]}) if snapshot else [],
        "snippet": _iframe_snippet(request),
        "method": STRINGS[language]["method"].format(n=snapshot["min_cell"]) if snapshot else "",
        "others": PublishedRound.objects.exclude(pk=published.pk).order_by("-round") if published else [],
    }
    response = render(request, "publication/results.html", context, status=200)
    response["Content-Security-Policy"] = (
        f"default-src 'none'; style-src 'nonce-{nonce}'; img-src 'self' data:; form-action 'self'; "
        "base-uri 'none'; frame-ancestors *"
    )
    response["Content-Language"] = language
    return _public_headers(response)


def _problem_response(problem: Problem) -> HttpResponse:
    response = JsonResponse(problem.as_json(), status=problem.status, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def results_json(request: HttpRequest) -> HttpResponse:
    try:
        published = _published(request)
    except Problem as problem:
        return _problem_response(problem)
    if published is None:
        body = {"published": False, "message": STRINGS["vi"]["nothing"], "message_en": STRINGS["en"]["nothing"]}
    else:
        body = {
            "published": True,
            "published_at": published.published_at.isoformat(),
            "published_rounds": list(PublishedRound.objects.order_by("round").values_list("round", flat=True)),
            **published.snapshot,
        }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    return _public_headers(response, cors=True)


@require_GET
def results_loudspeaker(request: HttpRequest) -> HttpResponse:
    try:
        published = _published(request)
    except Problem as problem:
        return _problem_response(problem)
    if published is None:
        text = STRINGS["vi"]["nothing"] + "\n"
    else:
        text = loudspeaker_text(published.snapshot, published.published_at)
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    return _public_headers(response, cors=True)


@require_POST
def publish_from_dashboard(request: HttpRequest) -> HttpResponse:
    """The dashboard's publish button (session + CSRF). Leadership and admins only."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not policy.can_publish_results(actor_for_request(request)):
        return HttpResponseForbidden(
            "Chỉ lãnh đạo xã và quản trị viên được công bố kết quả. / Only commune leadership and admins publish.",
            content_type="text/plain; charset=utf-8",
        )
    round_name = (request.POST.get("round") or "").strip()
    try:
        published = round_publish(round_name=round_name, user=request.user, ip=client_ip(request))
    except Problem as problem:
        messages.error(request, problem.message)
    else:
        messages.success(
            request,
            f"Đã công bố kết quả đợt {published.round} trên trang /ket-qua/. / Round {published.round} is now public.",
        )
    return redirect("/dashboard/")
