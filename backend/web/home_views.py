"""The site root sends each signed-in user to their page."""

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from backend.accounts import policy
from backend.accounts.actors import actor_for_request


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login("/")
    if policy.starts_on_hamlet_page(actor_for_request(request)):
        return redirect("hamlet-map")
    return redirect("dashboard")
