"""The commune leadership's dashboard. The page is a shell: its script draws everything from
the analytics API (`/api/v1/scorecard`, `/indicators`, `/hamlets.geojson`, exports), so the
figures on screen are the API's figures, with the same suppression for the same user."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from analytics.rounds import TARGET_YEARS
from analytics.sample import TOO_FEW_TEXT
from backend.accounts import policy
from backend.web.csp import with_csp
from backend.web.language import vietnamese_first
from backend.web.staff import staff_page


@require_GET
@vietnamese_first
@with_csp
@staff_page(policy.can_view_dashboard)
def dashboard(request: HttpRequest) -> HttpResponse:
    config = {
        "api": "/api/v1",
        "language": request.LANGUAGE_CODE,
        "tileUrl": getattr(settings, "MAP_TILE_URL", ""),
        "tileAttribution": getattr(settings, "MAP_TILE_ATTRIBUTION", ""),
        "strings": {
            "met": _("Met"),
            "not_met": _("Not met"),
            "no_data": _("No data"),
            "target": _("Target"),
            "value": _("Value"),
            "round": _("Round"),
            "interval": _("Confidence interval"),
            "failing": _("Failing criteria"),
            "gap": _("gap"),
            "points": _("points"),
            "mandatory": _("mandatory"),
            "optional": _("optional"),
            "pilot": _("Pilot"),
            "load_failed": _("The analytics could not be loaded:"),
            "stale": _("Results are being recomputed."),
            "computing": _("Indicators are being computed for the first time; this page updates by itself."),
            "suppressed": _("hidden (fewer than the minimum cell size)"),
            "too_few": TOO_FEW_TEXT,
            "of_at_least": "of" if request.LANGUAGE_CODE == "en" else "trên",
            "legend": "Legend" if request.LANGUAGE_CODE == "en" else "Chú giải",
            "saved": "Đã lưu. / Saved.",
            "assigned": "Đã gán vào đợt. / Assigned to the round.",
            "none_unassigned": "Không có phiếu nào ngoài các đợt. / No submission outside the rounds.",
        },
        "minSample": settings.ANALYTICS_MIN_SAMPLE,
        "managesRounds": policy.can_manage_rounds(request.actor),
    }
    can_publish = policy.can_publish_results(request.actor)  # the publication app's publish button
    return render(
        request,
        "web/staff/dashboard.html",
        {
            "config": config,
            "target_years": TARGET_YEARS,
            "can_publish": can_publish,
            "manages_rounds": config["managesRounds"],
        },
    )
