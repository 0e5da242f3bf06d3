"""Who may open the staff pages: web users signed in with a role, as an Actor."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from backend.accounts.actors import actor_for_user
from backend.accounts.models import Role

HAMLET_ROLES = (Role.HAMLET_HEAD, Role.ADMIN, Role.LEADERSHIP)
DASHBOARD_ROLES = (Role.LEADERSHIP, Role.ADMIN, Role.VIEWER, Role.HAMLET_HEAD)


def staff_page(*roles: str) -> Callable:
    """Sign-in required; the user's role must be one of `roles` (else a 403 page)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            request.actor = actor_for_user(request.user)
            if request.actor.role not in roles:
                return render(request, "web/forbidden.html", status=403)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
