"""Who may open the staff pages: web users signed in, with the page's capability."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from backend.accounts.actors import Actor, actor_for_request


def staff_page(capability: Callable[[Actor], bool]) -> Callable:
    """Sign-in required; `capability(request.actor)` (from backend.accounts.policy) must hold,
    else a 403 page."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not capability(actor_for_request(request)):
                return render(request, "web/forbidden.html", status=403)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
