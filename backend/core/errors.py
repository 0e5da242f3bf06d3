"""One error vocabulary for the whole server.

Every application error is a `Problem` with a stable numeric code (HTTP status + "." + a
number, after ODK Central's problem catalogue). The REST API renders problems as JSON;
OpenRosa routes render the same problems as an OpenRosaResponse envelope (see `openrosa.py`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rest_framework.views import exception_handler as drf_exception_handler


@dataclass
class Problem(Exception):
    code: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> int:
        return int(self.code.split(".")[0])

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body

    def __str__(self) -> str:
        return f"{self.code} {self.message}"


# The catalogue. Keep codes stable: clients and tests match on them.
def bad_request(message: str, **details: Any) -> Problem:
    return Problem("400.1", message, details)


def missing_multipart_field(name: str) -> Problem:
    return Problem("400.7", f"Required multipart POST field {name} missing.", {"field": name})


def multipart_parse_failed(reason: str = "") -> Problem:
    return Problem("400.39", "Multipart form content failed to parse.", {"reason": reason} if reason else {})


def invalid_xml(reason: str) -> Problem:
    return Problem("400.2", f"The submission XML could not be read: {reason}", {"reason": reason})


def missing_form_id() -> Problem:
    return Problem("400.2", "The submission XML has no form ID xml attribute (id) on its root element.")


def missing_instance_id() -> Problem:
    return Problem("400.8", "The submission XML has no meta/instanceID.")


def missing_openrosa_header() -> Problem:
    return Problem("400.6", "This endpoint requires the header X-OpenRosa-Version: 1.0.")


def xlsform_invalid(message: str, **details: Any) -> Problem:
    return Problem("400.20", message, details)


def upload_rejected(message: str, **details: Any) -> Problem:
    return Problem("400.21", message, details)


def authentication_required() -> Problem:
    return Problem("401.2", "Authentication is required for this resource.")


def forbidden(message: str = "You are not allowed to do this.") -> Problem:
    return Problem("403.1", message)


def invalid_device_token() -> Problem:
    # 403, not 401: Collect would otherwise prompt for a password that can never work.
    return Problem("403.2", "This device link is not valid or has been revoked. Ask the commune for a new QR code.")


def not_found(what: str = "resource") -> Problem:
    return Problem("404.1", f"Could not find the {what} you were looking for.")


def form_version_not_found(version: str) -> Problem:
    return Problem(
        "404.6",
        f"The form version specified in this submission '{version}' does not exist.",
        {"version": version},
    )


def conflict(message: str, code: str = "409.1", **details: Any) -> Problem:
    return Problem(code, message, details)


def too_large(limit: int) -> Problem:
    return Problem("413.1", f"The upload is larger than the {limit} bytes this server accepts.", {"limit": limit})


def api_exception_handler(exc: Exception, context: dict) -> Any:
    """DRF exception handler: render Problems as JSON; leave DRF's own errors to DRF."""
    from rest_framework.response import Response

    if isinstance(exc, Problem):
        return Response(exc.as_json(), status=exc.status)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"code": f"{response.status_code}.0", "message": str(response.data["detail"])}
    return response
