"""Two request-wide rules that no single view should have to remember (issue 17).

`NulBytesRefusedMiddleware`: PostgreSQL refuses NUL in text, so a `%00` in a path parameter
(`/api/v1/forms/pl_ho%00/submissions`, an attachment name, a hamlet code, a device key) or in
a query value reached the database and answered 500. No route names anything with a NUL in
it: the path answers 404, a query value 400, before any view runs.

`PrivateResponsesMiddleware`: a response carrying personal answers must not be kept by a
browser's or a proxy's cache (a shared office computer, a caching proxy of the commune
network). Every view that reads microdata marks its request (`personal_data_mark`; every
audited microdata read does so through `audit_microdata_read`, and views that read personal
data without an audit row use the `personal_data` decorator), and the response gets
`Cache-Control: private, no-store`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from backend.core import errors
from backend.core.openrosa import openrosa_problem

PERSONAL_DATA = "carries_personal_data"
PRIVATE = "private, no-store"


def personal_data_mark(request) -> None:
    """Mark the (Django or DRF) request: its response carries personal answers."""
    setattr(getattr(request, "_request", request), PERSONAL_DATA, True)


def personal_data(view: Callable) -> Callable:
    """Decorator for views whose responses carry personal data."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        personal_data_mark(request)
        return view(request, *args, **kwargs)

    return wrapped


class PrivateResponsesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, PERSONAL_DATA, False):
            response["Cache-Control"] = PRIVATE
            response["Pragma"] = "no-cache"  # HTTP/1.0 proxies
            if "Expires" in response:
                del response["Expires"]
        return response


class NulBytesRefusedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path_info:
            return _problem_response(request, errors.not_found("path with a NUL byte", "đường dẫn có ký tự NUL"))
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query:
            return _problem_response(
                request, errors.bad_request("A query parameter contains a NUL byte. / Tham số có ký tự NUL.")
            )
        return self.get_response(request)


def _problem_response(request: HttpRequest, problem: errors.Problem) -> HttpResponse:
    """In the dialect of the route: JSON on the API, an OpenRosaResponse to phones, text else."""
    if request.path_info.startswith("/api/"):
        return JsonResponse(problem.as_json(), status=problem.status)
    if request.headers.get("X-OpenRosa-Version"):
        return openrosa_problem(problem, method=request.method or "GET")
    return HttpResponse(problem.message, status=problem.status, content_type="text/plain; charset=utf-8")
