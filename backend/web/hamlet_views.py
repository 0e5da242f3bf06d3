"""The hamlet head's pages: map + filterable list, one submission's answers with review
actions, bulk approval, coverage. HTTP only; reads through `selectors`, writes through the
review layer (`reviews`)."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from backend.accounts import policy
from backend.audit.http import audit_microdata_read, client_ip
from backend.core.blobs import blob_open
from backend.core.errors import Problem
from backend.core.middleware import personal_data
from backend.places.selectors import hamlet_list, hamlets_feature_collection
from backend.submissions.models import ReviewState
from backend.submissions.selectors import (
    form_for_submissions,
    household_hamlets_visible_to,
    submission_attachment,
    submission_attachments,
    submission_get,
)
from backend.web import selectors
from backend.web.csp import with_csp
from backend.web.language import vietnamese_first
from backend.web.reviews import REVIEW_ACTIONS, bulk_approve_apply, review_apply, review_history
from backend.web.staff import staff_page
from backend.web.templatetags.web_tags import state_label
from backend.web.xform_labels import answer_changes, answer_rows, form_labels


def _detail_url(form_id: str, instance_id: str) -> str:
    return f"/hamlet/submissions/{quote(form_id, safe='')}/{quote(instance_id, safe='')}"


@require_GET
@vietnamese_first
@with_csp
@staff_page(policy.can_open_hamlet_pages)
def hamlet_map(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    form = selectors.page_form(request.GET.get("form"))
    if form is None:
        return render(request, "web/staff/hamlet_map.html", {"form": None})
    scope = household_hamlets_visible_to(actor)
    filters = selectors.SubmissionFilters.from_query(request.GET)
    try:
        rows = list(
            selectors.submissions_filtered(actor, form=form, filters=filters, hamlets=scope)[: selectors.LIST_LIMIT]
        )
    except Problem as problem:
        messages.error(request, problem.message)
        rows = []
    audit_microdata_read(
        request=request, action="submission.list", form_id=form.form_id, page="hamlet_map", rows=len(rows)
    )
    outside = selectors.outside_flags(rows)
    points = [
        {
            "id": s.instance_id,
            "name": s.current_version.instance_name if s.current_version else s.instance_id,
            "lat": s.lat,
            "lon": s.lon,
            "state": s.review_state,
            "stateLabel": str(state_label(s.review_state)),
            "volunteer": s.volunteer.name if s.volunteer else "",
            "date": s.received_at.date().isoformat(),
            "hamlet": s.hamlet_code,
            "outside": bool(outside.get(s.pk)),
            "url": _detail_url(form.form_id, s.instance_id),
        }
        for s in rows
        if s.lat is not None and s.lon is not None
    ]
    # The map shows every point (up to LIST_LIMIT); the list beside it one page at a time.
    page = Paginator(rows, selectors.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "forms": selectors.forms_with_submissions(),
        "rows": [
            {"s": s, "outside": bool(outside.get(s.pk)), "url": _detail_url(form.form_id, s.instance_id)}
            for s in page.object_list
        ],
        "page": page,
        "total": len(rows),
        "page_query": query.urlencode(),
        "filters": filters,
        "states": ReviewState.values,
        "volunteers": selectors.volunteers_for_filter(form=form, hamlets=scope),
        "hamlets": hamlet_list(codes=scope),
        "limit": selectors.LIST_LIMIT,
        "map_data": {
            "hamlets": hamlets_feature_collection(codes=scope),
            "points": points,
            "tileUrl": getattr(settings, "MAP_TILE_URL", ""),
            "tileAttribution": getattr(settings, "MAP_TILE_ATTRIBUTION", ""),
            "strings": {
                "outside": _("GPS point outside the declared hamlet"),
                "open": _("Open"),
                "legend": "Legend" if request.LANGUAGE_CODE == "en" else "Chú giải",
                "households": "households" if request.LANGUAGE_CODE == "en" else "hộ",
            },
        },
    }
    return render(request, "web/staff/hamlet_map.html", context)


def _submission_or_404(request: HttpRequest, form_id: str, instance_id: str):
    try:
        form = form_for_submissions(form_id)
        submission = submission_get(request.actor, form=form, instance_id=instance_id)
    except Problem as problem:
        raise Http404(problem.message) from problem
    return form, submission


@require_GET
@vietnamese_first
@with_csp
@staff_page(policy.can_open_hamlet_pages)
def submission_detail(request: HttpRequest, form_id: str, instance_id: str) -> HttpResponse:
    form, submission = _submission_or_404(request, form_id, instance_id)
    audit_microdata_read(
        request=request, action="submission.read", form_id=form_id, instance_id=instance_id, page="submission_detail"
    )
    version = submission.current_version
    labels = form_labels(bytes(submission.form_version.xform), language=request.LANGUAGE_CODE)
    hamlet_names = {h.code: h.name for h in hamlet_list()}
    rows = answer_rows(version.parsed, labels, extra_choices={"ap": hamlet_names})
    # A correction (meta/deprecatedID): the previous version beside this one, what changed.
    previous = selectors.previous_version(submission)
    changes = (
        answer_changes(answer_rows(previous.parsed, labels, extra_choices={"ap": hamlet_names}), rows)
        if previous is not None
        else []
    )
    files = submission_attachments(submission)
    photos = [
        {"name": a.name, "url": f"{_detail_url(form_id, instance_id)}/files/{quote(a.name, safe='')}"}
        for a in files
        if a.blob_id and (a.content_type or "").startswith("image/")
    ]
    context = {
        "form": form,
        "submission": submission,
        "version": version,
        "rows": rows,
        "previous": previous,
        "changes": changes,
        "photos": photos,
        "missing_files": [a.name for a in files if not a.blob_id],
        "history": review_history(submission),
        "actions": REVIEW_ACTIONS,
        "outside": selectors.outside_flags([submission]).get(submission.pk, False),
        "hamlet_name": hamlet_names.get(submission.hamlet_code, submission.hamlet_code),
        "back_url": f"/hamlet/?form={quote(form_id, safe='')}",
    }
    return render(request, "web/staff/submission_detail.html", context)


@require_GET
@staff_page(policy.can_open_hamlet_pages)
def submission_file(request: HttpRequest, form_id: str, instance_id: str, name: str) -> HttpResponse:
    _form, submission = _submission_or_404(request, form_id, instance_id)
    try:
        attachment = submission_attachment(submission, name=name)
    except Problem as problem:
        raise Http404(problem.message) from problem
    audit_microdata_read(
        request=request,
        action="submission.attachment",
        form_id=form_id,
        instance_id=instance_id,
        name=name,
        page="submission_file",
    )
    # attachment + nosniff: an uploaded file never renders as a page of ours (an <img> still shows it).
    response = FileResponse(
        blob_open(attachment.blob_id),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_POST
@vietnamese_first
@staff_page(policy.can_open_hamlet_pages)
def submission_review(request: HttpRequest, form_id: str, instance_id: str) -> HttpResponse:
    _form, submission = _submission_or_404(request, form_id, instance_id)
    action = request.POST.get("action", "")
    comment = request.POST.get("comment", "").strip()
    try:
        review_apply(actor=request.actor, ip=client_ip(request), submission=submission, action=action, comment=comment)
    except Problem as problem:
        messages.error(request, problem.message)
    else:
        messages.success(request, _("Saved: %(state)s") % {"state": REVIEW_ACTIONS.get(action, action)})
    return redirect(_detail_url(form_id, instance_id))


@require_POST
@vietnamese_first
@staff_page(policy.can_open_hamlet_pages)
def bulk_approve(request: HttpRequest) -> HttpResponse:
    """All or nothing, as the API's review-bulk (one service): when one ticked submission may
    not be approved (outside the hamlet head's scope, or gone), none is, and the page says which."""
    form_id = request.POST.get("form", "")
    instance_ids = request.POST.getlist("instance")[: selectors.LIST_LIMIT]
    try:
        approved = bulk_approve_apply(
            actor=request.actor, ip=client_ip(request), form_id=form_id, instance_ids=instance_ids
        )
    except Problem as problem:
        refused = problem.details.get("instance_ids")
        if refused:
            messages.error(
                request,
                _("Nothing was approved: %(ids)s cannot be approved by you. Untick them and approve again.")
                % {"ids": ", ".join(refused[:10])},
            )
        else:
            messages.error(request, problem.message)
    else:
        messages.success(request, _("%(n)d submissions approved.") % {"n": len(approved)})
    return redirect(_next_or(request, f"/hamlet/?form={quote(form_id, safe='')}"))


def _next_or(request: HttpRequest, default: str) -> str:
    """`next` only when it stays on this site, checked as Django's login view checks it
    (issue 17: `https://evil.example/` and `//evil.example/` were followed)."""
    target = request.POST.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else default


@require_GET
@vietnamese_first
@with_csp
@staff_page(policy.can_open_hamlet_pages)
@personal_data
def hamlet_coverage(request: HttpRequest) -> HttpResponse:
    """Households surveyed and refused per hamlet in a declared round: the same reading
    (`backend.reports.selectors.round_coverage`) as the dashboard and the exports."""
    from backend.reports import selectors as report_selectors
    from backend.reports.models import SurveyRound
    from backend.reports.services import indicator_results_current

    coverage, who, rounds, chosen = None, [], [], ""
    try:
        scope = household_hamlets_visible_to(request.actor)
        stored, _stale = indicator_results_current(user=request.user)
        rounds = report_selectors.computed_rounds(stored)
        wanted = request.GET.get("round")
        chosen = wanted if wanted in rounds else (rounds[-1] if rounds else "")
        if chosen:
            coverage = report_selectors.round_coverage(stored, round_name=chosen, hamlets=scope)
            survey_round = SurveyRound.objects.filter(name=chosen).first()
            if survey_round is not None:
                who = report_selectors.round_interviews_by_volunteer(
                    request.actor, survey_round=survey_round, hamlets=scope
                )
    except Problem as problem:
        messages.error(request, problem.message)
    return render(
        request,
        "web/staff/coverage.html",
        {"coverage": coverage, "who": who, "rounds": rounds, "round": chosen},
    )
