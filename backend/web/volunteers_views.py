"""The volunteers page (admin and leadership): create volunteers, assign hamlets and forms,
revoke and reissue their links, print a hamlet's QR codes on one A4 sheet.

HTTP only: every write is a backend.accounts service (audited with the client's ip). A raw
link exists only in the response that issued it (keys are stored hashed), so the QR sheet
issues new links for the hamlet's volunteers and says so before the button is pressed.
"""

from __future__ import annotations

import segno
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from backend.accounts import policy
from backend.accounts.actors import actor_for_request
from backend.accounts.selectors import forms_by_ids, forms_exact, hamlets_by_codes, volunteers_list
from backend.accounts.services import device_token_reissue, device_token_revoke, volunteer_assign, volunteer_create
from backend.audit.http import client_ip
from backend.core.errors import Problem
from backend.core.urlbuild import volunteer_server_url
from backend.places.selectors import hamlet_list
from backend.web.csp import with_csp
from backend.web.language import vietnamese_first
from backend.web.qr_sheet import Card, qr_sheet_pdf
from backend.web.staff import staff_page


def app_url(token: str) -> str:
    """The volunteer's web-app address (what the QR code on the sheet opens)."""
    return volunteer_server_url(token) + "/app/"


def _issued(volunteer, token: str) -> dict:
    url = app_url(token)
    return {
        "volunteer": volunteer,
        "app_url": url,
        "collect_url": volunteer_server_url(token),
        "qr_svg": segno.make(url, error="m").svg_data_uri(scale=5),
    }


def _page(request: HttpRequest, *, issued: dict | None = None, error: str = "", status: int = 200) -> HttpResponse:
    rows = []
    for volunteer in volunteers_list().order_by("name"):
        active = [t for t in volunteer.tokens.all() if t.revoked_at is None]
        rows.append(
            {
                "volunteer": volunteer,
                "active": len(active),
                "forms": {f.form_id for f in volunteer.forms.all()},
                "hamlets": {h.code for h in volunteer.hamlets.all()},
            }
        )
    context = {
        "rows": rows,
        "forms": forms_by_ids([]),
        "hamlets": list(hamlet_list()),
        "issued": issued,
        "error": error,
        "can_manage_volunteers": True,
    }
    return render(request, "web/staff/volunteers.html", context, status=status)


@require_http_methods(["GET", "POST"])
@vietnamese_first
@with_csp
@staff_page(policy.can_manage_volunteers)
def volunteers(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request)
    name = request.POST.get("name", "").strip()
    if not name:
        return _page(request, error=_("The volunteer needs a name."), status=400)
    try:
        forms = forms_exact(request.POST.getlist("forms"))
        hamlets = hamlets_by_codes(request.POST.getlist("hamlets"))
    except Problem as problem:
        return _page(request, error=problem.message, status=problem.status)
    volunteer, token = volunteer_create(
        name=name,
        code=request.POST.get("code", "").strip().upper()[:10],
        forms=forms,
        hamlets=hamlets,
        actor=actor_for_request(request),
        ip=client_ip(request),
    )
    return _page(request, issued=_issued(volunteer, token))


@require_POST
@vietnamese_first
@with_csp
@staff_page(policy.can_manage_volunteers)
def volunteer_action(request: HttpRequest, volunteer_id: int, action: str) -> HttpResponse:
    volunteer = get_object_or_404(volunteers_list(), pk=volunteer_id)
    actor, ip = actor_for_request(request), client_ip(request)
    if action == "assign":
        try:
            forms = forms_exact(request.POST.getlist("forms"))
            hamlets = hamlets_by_codes(request.POST.getlist("hamlets"))
        except Problem as problem:
            return _page(request, error=problem.message, status=problem.status)
        volunteer_assign(actor=actor, volunteer=volunteer, forms=forms, hamlets=hamlets, ip=ip)
        return _page(request)
    if action == "revoke":
        for device in volunteer.tokens.filter(revoked_at__isnull=True):
            device_token_revoke(device=device, actor=actor, ip=ip)
        return _page(request)
    if action == "reissue":
        token = device_token_reissue(volunteer=volunteer, actor=actor, ip=ip)
        return _page(request, issued=_issued(volunteer, token))
    return _page(request, error=_("Unknown action."), status=404)


@require_POST
@vietnamese_first
@with_csp
@staff_page(policy.can_manage_volunteers)
def hamlet_sheet(request: HttpRequest) -> HttpResponse:
    """New links for every volunteer of the hamlet, their QR codes on A4 (PDF)."""
    try:
        (hamlet,) = hamlets_by_codes([request.POST.get("hamlet", "")])
    except Problem as problem:
        return _page(request, error=problem.message, status=problem.status)
    actor, ip = actor_for_request(request), client_ip(request)
    cards = []
    for volunteer in volunteers_list().filter(hamlets=hamlet).order_by("name"):
        token = device_token_reissue(volunteer=volunteer, actor=actor, ip=ip)
        cards.append(Card(name=volunteer.name, code=volunteer.code, url=app_url(token)))
    if not cards:
        return _page(request, error=_("No volunteer is assigned to this hamlet."), status=400)
    title = f"Ấp {hamlet.name} ({hamlet.code}) · {timezone.localdate():%d/%m/%Y}"
    response = HttpResponse(qr_sheet_pdf(title=title, cards=cards), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="qr-{hamlet.code}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
