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


def missing_form_id(reason: str = "") -> Problem:
    message = "The submission XML has no form ID xml attribute (id) on its root element."
    if reason:
        message = f"Could not find the form ID xml attribute: {reason}."
    return Problem("400.2", message, {"reason": reason} if reason else {})


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


# Submissions (OPENROSA.md §3.5). English first (Central's wording, which clients match on),
# then Vietnamese for the volunteer reading the message on the phone.
def submission_xml_conflict() -> Problem:
    return Problem(
        "409.1",
        "A submission already exists with this ID, but with different XML. Resubmissions to attach additional "
        "multimedia must resubmit an identical xml_submission_file. / Đã có bản ghi với mã này nhưng nội dung "
        "khác; khi gửi lại để bổ sung tệp, phải gửi đúng tệp XML ban đầu.",
    )


def form_not_accepting(form_id: str) -> Problem:
    return Problem(
        "409.2",
        f"The form {form_id} is closed and does not accept submissions. / Biểu mẫu {form_id} đã đóng, "
        "không nhận thêm bản ghi.",
        {"form_id": form_id},
    )


def instance_id_taken(instance_id: str) -> Problem:
    return Problem(
        "409.3",
        f"A resource already exists with instanceID value(s) of {instance_id}. / Mã bản ghi {instance_id} "
        "đã được dùng.",
        {"instance_id": instance_id},
    )


def submission_edit_stale(deprecated_id: str) -> Problem:
    return Problem(
        "409.9",
        f"You tried to update a submission, but the copy you were editing ({deprecated_id}) is now out of date. "
        "Please get the latest version and try again. / Bản ghi bạn đang sửa ({deprecated_id}) đã có phiên bản "
        "mới hơn; hãy tải bản mới nhất rồi sửa lại.",
        {"deprecated_id": deprecated_id},
    )


def submission_deleted() -> Problem:
    return Problem(
        "409.18",
        "This submission has been deleted. You may not resubmit it. / Bản ghi này đã bị xoá, không thể gửi lại.",
    )


def deprecated_submission_not_found(deprecated_id: str) -> Problem:
    return Problem(
        "404.5",
        f"The submission you are trying to edit ({deprecated_id}) does not exist. / Không tìm thấy bản ghi "
        f"cần sửa ({deprecated_id}).",
        {"deprecated_id": deprecated_id},
    )


def form_not_found(form_id: str) -> Problem:
    return Problem(
        "404.1",
        f"Could not find the form {form_id} you were looking for. / Không tìm thấy biểu mẫu {form_id}.",
        {"form_id": form_id},
    )


def too_many_files(limit: int) -> Problem:
    return Problem(
        "413.2", f"The upload has more than the {limit} files this server accepts in one request.", {"limit": limit}
    )


def results_computing(retry_after: int) -> Problem:
    return Problem(
        "503.1",
        "Các chỉ số đang được tính lần đầu, vui lòng thử lại sau ít giây. / Indicators are being computed for the "
        "first time; retry in a few seconds.",
        {"retry_after": retry_after},
    )


def api_exception_handler(exc: Exception, context: dict) -> Any:
    """DRF exception handler: render Problems as JSON; leave DRF's own errors to DRF."""
    from rest_framework.response import Response

    if isinstance(exc, Problem):
        response = Response(exc.as_json(), status=exc.status)
        if "retry_after" in exc.details:
            response["Retry-After"] = str(exc.details["retry_after"])
        return response
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"code": f"{response.status_code}.0", "message": str(response.data["detail"])}
    return response
