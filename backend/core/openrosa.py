"""OpenRosa response writing: headers and envelopes that ODK Collect insists on.

Collect rejects a form list or manifest unless `Content-Type` contains `text/xml` and an
`X-OpenRosa-Version` header is present (OPENROSA.md §1.2), and it shows the first
`<message>` of an OpenRosaResponse to the volunteer (§3.4).
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from django.conf import settings
from django.http import HttpResponse
from django.utils.http import http_date

from backend.core.errors import Problem

OPENROSA_XML = "text/xml; charset=utf-8"
RESPONSE_NS = "http://openrosa.org/http/response"


def apply_openrosa_headers(response: HttpResponse, *, method: str = "GET") -> HttpResponse:
    response["X-OpenRosa-Version"] = "1.0"
    response["X-OpenRosa-Accept-Content-Length"] = str(settings.OPENROSA_ACCEPT_CONTENT_LENGTH)
    response["Date"] = http_date()
    response["Content-Language"] = "en"
    if method in ("GET", "HEAD"):
        response["Cache-Control"] = "private, no-cache"
        response["Vary"] = "Accept-Encoding, Origin"
    else:
        response["Cache-Control"] = "no-store"
    return response


def openrosa_xml_response(body: str | bytes, *, status: int = 200, method: str = "GET") -> HttpResponse:
    response = HttpResponse(body, status=status, content_type=OPENROSA_XML)
    return apply_openrosa_headers(response, method=method)


def openrosa_message(message: str, *, status: int, nature: str = "", method: str = "POST") -> HttpResponse:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<OpenRosaResponse xmlns="{RESPONSE_NS}" items="0">'
        f'<message nature="{escape(nature, {chr(34): "&quot;"})}">{escape(message)}</message>'
        "</OpenRosaResponse>"
    )
    return openrosa_xml_response(body.encode("utf-8"), status=status, method=method)


def openrosa_problem(problem: Problem, *, method: str = "POST") -> HttpResponse:
    response = openrosa_message(problem.message, status=problem.status, nature="error", method=method)
    if problem.status == 401:
        response["WWW-Authenticate"] = 'Basic realm="Phu Lam survey server", charset="UTF-8"'
    return response
