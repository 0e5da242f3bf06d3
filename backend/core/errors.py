"""One error vocabulary for the whole server.

Every application error is a `Problem` with a stable numeric code (HTTP status + "." + a
number, after ODK Central's `lib/util/problem.js`). The REST API renders problems as JSON;
OpenRosa routes render the same problems as an OpenRosaResponse envelope (see `openrosa.py`).

The catalogue's discipline: one code, one meaning, one factory. Each factory below is
registered under its code by `@problem(code)`, which refuses a code used twice; nothing
outside this module builds a `Problem` (a test greps for it), so a code cannot quietly gain a
second meaning. Codes are a contract — clients and tests match on them: add new codes, never
renumber. Where Central has the same meaning, the code is Central's (400.6, 400.7, 401.2–401.4,
403.1, 404.1, 404.4–404.6, 409.1–409.3, 409.6, 409.9, 409.18). Errors raised by DRF itself
(validation, 404 of a lookup, 405) are rendered with the code "<status>.0".

Messages facing volunteers and officials carry English first (Central's wording, which
clients match on), then Vietnamese.
"""

from __future__ import annotations

from collections.abc import Callable
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


# code → factory; filled by @problem at import time.
CATALOGUE: dict[str, Callable[..., Problem]] = {}


def problem(code: str) -> Callable[[Callable[..., Problem]], Callable[..., Problem]]:
    """Register a factory as the one for `code`; a code registered twice fails at import."""

    def register(factory: Callable[..., Problem]) -> Callable[..., Problem]:
        if code in CATALOGUE:
            raise RuntimeError(f"problem code {code} is already {CATALOGUE[code].__name__}")
        CATALOGUE[code] = factory
        factory.code = code  # type: ignore[attr-defined]
        return factory

    return register


def _details(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, "")}


# --- 400: the request cannot be used as sent -------------------------------------------------


@problem("400.1")
def bad_request(message: str, **details: Any) -> Problem:
    """A value in the request is not acceptable (invalid, missing, or against a rule); the
    message says which and why, `details` name the field."""
    return Problem("400.1", message, details)


@problem("400.2")
def missing_form_id(reason: str = "") -> Problem:
    # Central's missingParameter for the "form ID xml attribute"; clients match on that phrase.
    message = "The submission XML has no form ID xml attribute (id) on its root element."
    if reason:
        message = f"Could not find the form ID xml attribute: {reason}."
    return Problem("400.2", message, _details(reason=reason))


@problem("400.3")
def invalid_xml(reason: str) -> Problem:
    return Problem(
        "400.3",
        f"The submission XML could not be read: {reason}. / Không đọc được tệp XML của bản ghi: {reason}.",
        {"reason": reason},
    )


@problem("400.6")
def missing_openrosa_header() -> Problem:
    return Problem("400.6", "This endpoint requires the header X-OpenRosa-Version: 1.0.")


@problem("400.7")
def missing_multipart_field(name: str) -> Problem:
    return Problem("400.7", f"Required multipart POST field {name} missing.", {"field": name})


@problem("400.8")
def missing_instance_id() -> Problem:
    return Problem("400.8", "The submission XML has no meta/instanceID. / Bản ghi không có meta/instanceID.")


@problem("400.9")
def edit_keeps_instance_id(instance_id: str) -> Problem:
    return Problem(
        "400.9",
        f"An edit must carry a new instanceID, different from its deprecatedID ({instance_id}). / Bản sửa phải có "
        f"mã bản ghi mới, khác mã bản ghi cũ ({instance_id}).",
        {"instance_id": instance_id},
    )


@problem("400.18")
def odata_expression_invalid(option: str, reason: str) -> Problem:
    """An OData query option ($filter, $select, $top…) that cannot be parsed or names what the
    feed does not offer (Central's code for an unparseable OData expression)."""
    return Problem(
        "400.18",
        f"The OData {option} you provided could not be used: {reason}. / "
        f"Không dùng được tham số OData {option}: {reason}.",
        {"option": option},
    )


@problem("400.20")
def xlsform_invalid(message: str, **details: Any) -> Problem:
    """The XLSForm does not convert, validate or pass the form checks; `message` carries
    pyxform's or the checker's row numbers."""
    return Problem("400.20", message, details)


@problem("400.21")
def upload_rejected(message: str, **details: Any) -> Problem:
    """An uploaded file is refused before it is read (size, kind, name, unexpected media)."""
    return Problem("400.21", message, details)


@problem("400.22")
def survey_round_exists(name: str) -> Problem:
    return Problem(
        "400.22", f"Đợt khảo sát '{name}' đã có. / Round '{name}' already exists.", {"field": "name", "name": name}
    )


@problem("400.30")
def register_import_invalid(problems: list[dict[str, Any]]) -> Problem:
    """A household list (CSV) with bad rows: every problem with its line number; nothing imported."""
    return Problem(
        "400.30",
        f"The household list has {len(problems)} problem(s); nothing was imported. / "
        f"Danh sách hộ có {len(problems)} lỗi; chưa nhập hộ nào.",
        {"errors": problems},
    )


@problem("400.23")
def survey_round_overlap(name: str, other: str) -> Problem:
    return Problem(
        "400.23",
        f"Khoảng ngày của đợt '{name}' trùng với đợt '{other}'. / The window of round '{name}' overlaps round "
        f"'{other}'.",
        {"field": "start", "name": name, "overlaps": other},
    )


@problem("400.24")
def round_assignment_refused(message: str, **details: Any) -> Problem:
    """An assignment of submissions to a round that cannot be made as a whole."""
    return Problem("400.24", message, details)


@problem("400.39")
def multipart_parse_failed(reason: str = "") -> Problem:
    return Problem("400.39", "Multipart form content failed to parse.", _details(reason=reason))


# --- 401/403: who you are, what you may do ---------------------------------------------------


@problem("400.40")
def answers_invalid(problems: list[dict[str, Any]]) -> Problem:
    first = problems[0] if problems else {}
    return Problem(
        "400.40",
        f"The answers do not fit the form: {first.get('field', '')}: {first.get('message', '')}"
        + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "")
        + " / Câu trả lời không khớp với biểu mẫu.",
        {"problems": problems},
    )


@problem("401.2")
def credentials_invalid() -> Problem:
    # No detail, as in Central: which of the two was wrong is not told.
    return Problem(
        "401.2",
        "Could not authenticate with the provided credentials (wrong username, password or token, or too many "
        "attempts: wait and retry). / Sai tên đăng nhập, mật khẩu hoặc mã truy cập, hoặc thử quá nhiều lần.",
    )


@problem("401.3")
def https_required() -> Problem:
    return Problem("401.3", "Basic authentication is only accepted over HTTPS.")


@problem("401.4")
def authentication_required() -> Problem:
    return Problem("401.4", "Authentication is required for this resource. / Cần đăng nhập.")


@problem("403.1")
def forbidden(message: str = "You are not allowed to do this. / Bạn không có quyền làm việc này.") -> Problem:
    return Problem("403.1", message)


@problem("403.2")
def invalid_device_token() -> Problem:
    # 403, not 401: Collect would otherwise prompt for a password that can never work.
    return Problem(
        "403.2",
        "This device link is not valid or has been revoked. Ask the commune for a new QR code. / Đường dẫn của "
        "thiết bị không hợp lệ hoặc đã bị thu hồi; hãy xin mã QR mới.",
    )


@problem("403.3")
def csrf_failed(reason: str) -> Problem:
    # A browser session writing without the page's CSRF token (or from another origin).
    return Problem(
        "403.3",
        f"This request comes with a browser session but fails the CSRF check ({reason}): send it from this site's "
        "pages, or authenticate with a device link or a token. / Yêu cầu không qua được kiểm tra CSRF.",
        {"reason": reason},
    )


# --- 404: not here (or not yours: scoping answers 404, never 403, for microdata) -------------


@problem("404.1")
def not_found(what: str = "resource", what_vi: str = "", **details: Any) -> Problem:
    """`what` names the resource ("form pl_ho", "submission uuid:…"), `what_vi` the same in
    Vietnamese."""
    vietnamese = f"Không tìm thấy {what_vi}." if what_vi else "Không tìm thấy dữ liệu cần tìm."
    return Problem("404.1", f"Could not find the {what} you were looking for. / {vietnamese}", details)


@problem("404.4")
def draft_not_found() -> Problem:
    return Problem(
        "404.4",
        "You tried to access a draft testing endpoint, but it does not exist anymore or your access is no longer "
        "valid. / Bản nháp này không còn hoặc đường dẫn thử đã hết hiệu lực.",
    )


@problem("404.5")
def deprecated_submission_not_found(deprecated_id: str) -> Problem:
    return Problem(
        "404.5",
        f"The submission you are trying to edit ({deprecated_id}) does not exist. / Không tìm thấy bản ghi "
        f"cần sửa ({deprecated_id}).",
        {"deprecated_id": deprecated_id},
    )


@problem("404.6")
def form_version_not_found(version: str) -> Problem:
    return Problem(
        "404.6",
        f"The form version specified in this submission '{version}' does not exist. / Không có phiên bản "
        f"'{version}' của biểu mẫu.",
        {"version": version},
    )


# --- 409: the request conflicts with what is stored ------------------------------------------


@problem("409.30")
def register_import_needs_replace(report: dict[str, Any]) -> Problem:
    """An import would change households already in the register: repeat it with replace."""
    return Problem(
        "409.30",
        f"The import would change {report.get('updated', 0)} household(s) already in the register; nothing was "
        "changed. Check the list of changes and send it again with replace. / "
        f"Việc nhập sẽ sửa {report.get('updated', 0)} hộ đã có trong sổ; chưa thay đổi gì. Xem danh sách thay đổi "
        "rồi gửi lại với replace.",
        {"report": report},
    )


@problem("409.31")
def household_conflict_resolved(conflict_id: int) -> Problem:
    return Problem(
        "409.31",
        "This conflict is already resolved. / Xung đột này đã được giải quyết.",
        {"conflict": conflict_id},
    )


@problem("409.1")
def submission_xml_conflict() -> Problem:
    return Problem(
        "409.1",
        "A submission already exists with this ID, but with different XML. Resubmissions to attach additional "
        "multimedia must resubmit an identical xml_submission_file. / Đã có bản ghi với mã này nhưng nội dung "
        "khác; khi gửi lại để bổ sung tệp, phải gửi đúng tệp XML ban đầu.",
    )


@problem("409.2")
def form_not_accepting(form_id: str) -> Problem:
    return Problem(
        "409.2",
        f"The form {form_id} is closed and does not accept submissions. / Biểu mẫu {form_id} đã đóng, "
        "không nhận thêm bản ghi.",
        {"form_id": form_id},
    )


@problem("409.3")
def instance_id_taken(instance_id: str) -> Problem:
    return Problem(
        "409.3",
        f"A resource already exists with instanceID value(s) of {instance_id}. / Mã bản ghi {instance_id} "
        "đã được dùng.",
        {"instance_id": instance_id},
    )


@problem("409.6")
def form_version_exists(form_id: str, version: str) -> Problem:
    return Problem(
        "409.6",
        f"Version '{version}' of form {form_id} is already stored with different content. Change the version in "
        f"the settings sheet and publish again. / Phiên bản '{version}' của biểu mẫu {form_id} đã có với nội dung "
        "khác; hãy đổi version trong trang settings rồi đăng lại.",
        {"form_id": form_id, "version": version},
    )


@problem("409.9")
def submission_edit_stale(deprecated_id: str) -> Problem:
    return Problem(
        "409.9",
        f"You tried to update a submission, but the copy you were editing ({deprecated_id}) is now out of date. "
        f"Please get the latest version and try again. / Bản ghi bạn đang sửa ({deprecated_id}) đã có phiên bản "
        "mới hơn; hãy tải bản mới nhất rồi sửa lại.",
        {"deprecated_id": deprecated_id},
    )


@problem("409.10")
def username_taken(username: str) -> Problem:
    return Problem(
        "409.10",
        f"A user named {username} already exists. / Đã có người dùng tên {username}.",
        {"username": username},
    )


@problem("409.18")
def submission_deleted() -> Problem:
    return Problem(
        "409.18",
        "This submission has been deleted. You may not resubmit it. / Bản ghi này đã bị xoá, không thể gửi lại.",
    )


@problem("409.40")
def submission_restore_expired(days: int) -> Problem:
    return Problem(
        "409.40",
        f"This submission was deleted more than {days} days ago and can no longer be restored; it will be purged. / "
        f"Bản ghi này đã bị xoá quá {days} ngày, không thể khôi phục; bản ghi sẽ bị xoá hẳn.",
        {"days": days},
    )


# --- 413/503 ----------------------------------------------------------------------------------


@problem("413.1")
def too_large(limit: int) -> Problem:
    return Problem(
        "413.1",
        f"The upload is larger than the {limit} bytes this server accepts. / Tệp gửi lên lớn hơn {limit} byte.",
        {"limit": limit},
    )


@problem("413.2")
def too_many_files(limit: int) -> Problem:
    return Problem(
        "413.2",
        f"The upload has more than the {limit} files this server accepts in one request. / Gửi quá {limit} tệp "
        "trong một lần.",
        {"limit": limit},
    )


@problem("503.1")
def results_computing(retry_after: int, job_id: str = "") -> Problem:
    """`job_id`: the background job computing them (GET /api/v1/jobs/{id} follows it)."""
    return Problem(
        "503.1",
        "Các chỉ số đang được tính lần đầu, vui lòng thử lại sau ít giây. / Indicators are being computed for the "
        "first time; retry in a few seconds.",
        _details(retry_after=retry_after, job=job_id),
    )


@problem("503.2")
def pdf_converter_unavailable(reason: str = "") -> Problem:
    return Problem(
        "503.2",
        "The PDF converter (LibreOffice) is not available on this server; download the Word file (.docx) "
        "instead. / Máy chủ chưa cài LibreOffice nên chưa xuất được PDF; hãy tải bản Word (.docx).",
        _details(reason=reason),
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
