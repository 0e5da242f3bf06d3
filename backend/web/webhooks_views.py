"""The webhooks page (admin and leadership): a form's receivers, the events each wants, its
delivery log with every try (status code, error, time) and a retry button per delivery.

HTTP only: writes are backend.webhooks services (audited with the client's ip). The secret
is shown once, in the answer to the POST that made it.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from backend.accounts import policy
from backend.accounts.actors import actor_for_request
from backend.audit.http import client_ip
from backend.core.errors import Problem
from backend.web.csp import with_csp
from backend.web.language import vietnamese_first
from backend.web.staff import staff_page
from backend.webhooks.models import ALL_EVENTS, DeliveryState, WebhookEvent
from backend.webhooks.selectors import (
    deliveries_of,
    delivery_for,
    forms_for_webhooks,
    webhook_for,
    webhooks_list_for,
)
from backend.webhooks.services import webhook_create, webhook_delete, webhook_delivery_retry, webhook_update

LOG_ROWS = 100


def _context(request: HttpRequest, **extra) -> dict:
    return {
        "en": request.LANGUAGE_CODE == "en",
        "can_manage_volunteers": policy.can_manage_volunteers(actor_for_request(request)),
        "can_manage_webhooks": True,
        "event_choices": WebhookEvent.choices,
        **extra,
    }


def _list_page(request: HttpRequest, *, created=None, error: str = "", status: int = 200) -> HttpResponse:
    actor = actor_for_request(request)
    context = _context(
        request,
        hooks=list(webhooks_list_for(actor)),
        forms=list(forms_for_webhooks(actor)),
        created=created,
        error=error,
        posted=request.POST if error else {},
    )
    return render(request, "web/staff/webhooks.html", context, status=status)


@require_http_methods(["GET", "POST"])
@vietnamese_first
@with_csp
@staff_page(policy.can_manage_webhooks)
def webhooks(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _list_page(request)
    actor = actor_for_request(request)
    form = forms_for_webhooks(actor).filter(form_id=request.POST.get("form_id", "")).first()
    if form is None:
        return _list_page(request, error="Chọn một biểu mẫu. / Choose a form.", status=400)
    try:
        hook = webhook_create(
            actor=actor,
            form=form,
            name=request.POST.get("name", ""),
            url=request.POST.get("url", ""),
            events=[e for e in request.POST.getlist("events") if e in ALL_EVENTS] or request.POST.getlist("events"),
            secret=request.POST.get("secret", ""),
            ip=client_ip(request),
        )
    except Problem as problem:
        return _list_page(request, error=problem.message, status=problem.status)
    return _list_page(request, created=hook)


def _hook_or_404(request: HttpRequest, webhook_id: int):
    hook = webhook_for(actor_for_request(request), webhook_id)
    if hook is None:
        raise Http404("webhook")
    return hook


def _detail_page(request: HttpRequest, hook, *, error: str = "", status: int = 200) -> HttpResponse:
    state = request.GET.get("state") or None
    if state not in DeliveryState.values:
        state = None
    rows = deliveries_of(hook, state=state)
    context = _context(
        request,
        hook=hook,
        deliveries=list(rows[:LOG_ROWS]),
        shown_state=state,
        states=DeliveryState.choices,
        total=rows.count(),
        error=error,
    )
    return render(request, "web/staff/webhook_detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
@vietnamese_first
@with_csp
@staff_page(policy.can_manage_webhooks)
def webhook_detail(request: HttpRequest, webhook_id: int) -> HttpResponse:
    hook = _hook_or_404(request, webhook_id)
    if request.method == "GET":
        return _detail_page(request, hook)
    actor, ip = actor_for_request(request), client_ip(request)
    action = request.POST.get("action", "")
    try:
        if action == "delete":
            webhook_delete(actor=actor, webhook=hook, ip=ip)
            return redirect("staff-webhooks")
        if action in ("activate", "deactivate"):
            webhook_update(actor=actor, webhook=hook, changes={"active": action == "activate"}, ip=ip)
        elif action == "events":
            webhook_update(actor=actor, webhook=hook, changes={"events": request.POST.getlist("events")}, ip=ip)
        else:
            return _detail_page(request, hook, error="Thao tác không hợp lệ. / Unknown action.", status=400)
    except Problem as problem:
        return _detail_page(request, hook, error=problem.message, status=problem.status)
    return redirect("staff-webhook", webhook_id=hook.pk)


@require_POST
@vietnamese_first
@with_csp
@staff_page(policy.can_manage_webhooks)
def delivery_retry(request: HttpRequest, delivery_id) -> HttpResponse:
    actor = actor_for_request(request)
    delivery = delivery_for(actor, delivery_id)
    if delivery is None:
        raise Http404("delivery")
    try:
        webhook_delivery_retry(actor=actor, delivery=delivery, ip=client_ip(request))
    except Problem as problem:
        return _detail_page(request, delivery.webhook, error=problem.message, status=problem.status)
    return redirect("staff-webhook", webhook_id=delivery.webhook_id)
