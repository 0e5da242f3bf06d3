"""The site root sends each signed-in user to their page."""

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from backend.accounts.models import Role
from backend.accounts.selectors import user_role


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login("/")
    role = user_role(request.user)
    if role == Role.HAMLET_HEAD:
        return redirect("hamlet-map")
    return redirect("dashboard")
