"""OpenRosa `/submission` (OPENROSA.md §3): HEAD pre-flight and the multipart POST.

Thin: check the size, parse the multipart body, call `submission_receive`, answer with an
OpenRosaResponse. Every refusal, including the ones Django raises while reading the body
(too big, too many files, malformed multipart), is an OpenRosaResponse, never an HTML page:
Collect shows our `<message>` to the volunteer (getodk/collect#4476).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.http import parse_header_parameters

from backend.audit.http import client_ip
from backend.core import errors
from backend.core.blobs import BlobUploadHandler
from backend.core.openrosa import openrosa_message, openrosa_xml_response
from backend.submissions.services import submission_receive
from sync.openrosa_auth import openrosa_view

XML_PART = "xml_submission_file"
# The XML itself is small (a 30-question household is ~3 KB); 20 MB leaves room for huge repeats.
XML_MAX_BYTES = 20_000_000


@openrosa_view()
def submission(request: HttpRequest) -> HttpResponse:
    if request.method in ("HEAD", "GET"):
        # Collect reads X-OpenRosa-Accept-Content-Length only from a 204 (OPENROSA.md §3.2).
        return openrosa_xml_response(b"", status=204, method=request.method)
    if request.method != "POST":
        response = openrosa_message("Use HEAD or POST on /submission.", status=405, nature="error")
        response["Allow"] = "HEAD, GET, POST"
        return response

    limit = settings.OPENROSA_ACCEPT_CONTENT_LENGTH
    # Refuse before reading a byte: a phone declaring 2 GB must not make us stream 2 GB.
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise errors.multipart_parse_failed("invalid Content-Length")
    if declared > limit:
        raise errors.too_large(limit)

    xml, files = _multipart_read(request)
    result = submission_receive(
        actor=request.actor,
        xml=xml,
        files=files,
        device_id=request.GET.get("deviceID", ""),
        user_agent=_user_agent(request),
        client_ip=client_ip(request),
    )
    return openrosa_message(result.message, status=result.status, nature="")


def _multipart_read(request: HttpRequest) -> tuple[bytes, dict]:
    content_type, params = parse_header_parameters(request.META.get("CONTENT_TYPE", ""))
    if content_type != "multipart/form-data":
        raise errors.missing_multipart_field(XML_PART)
    boundary = params.get("boundary", "")
    tail = _TailStream(request._stream, keep=len(boundary) + 16)
    # Why a private attribute: Django's multipart parser accepts a body that stops mid-part
    # (no closing boundary) and hands us a truncated file as if complete. Watching the last
    # bytes it reads is the only way to tell a cut-off upload from a whole one.
    request._stream = tail
    # Files go to disk beside the blob store while they arrive, hashed on the way (streaming:
    # a photo is neither held in memory nor read again); the XML part stays in memory.
    request.upload_handlers.insert(0, BlobUploadHandler(request, skip=(XML_PART,)))
    try:
        files_in, fields = request.FILES, request.POST
    except RequestDataTooBig:
        raise errors.too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    except (TooManyFilesSent, TooManyFieldsSent):
        raise errors.too_many_files(settings.DATA_UPLOAD_MAX_NUMBER_FILES)
    except (MultiPartParserError, SuspiciousOperation, OSError, ValueError) as exc:
        # OSError: the client went away mid-body (gunicorn raises NoMoreData, an IOError).
        raise errors.multipart_parse_failed(str(exc)[:200])
    if not boundary or not tail.ended_with(f"--{boundary}--".encode("latin-1", "replace")):
        raise errors.multipart_parse_failed("the body ended before the closing boundary (truncated upload)")

    upload = files_in.get(XML_PART)
    if upload is not None:
        if upload.size > XML_MAX_BYTES:
            raise errors.too_large(XML_MAX_BYTES)
        upload.seek(0)
        xml = upload.read()
    elif XML_PART in fields:
        # Sent without a filename: Django decoded it as text; re-encode (Collect always sends a filename).
        xml = fields[XML_PART].encode("utf-8")
    else:
        raise errors.missing_multipart_field(XML_PART)
    # `*isIncomplete*`, Enketo's `__csrf` and other non-file fields are ignored (§3.3).
    files = {name: files_in.getlist(name)[0] for name in files_in if name != XML_PART}
    return xml, files


class _TailStream:
    """A read-through wrapper that remembers the last `keep` bytes read."""

    def __init__(self, stream, *, keep: int):
        self._stream = stream
        self._keep = max(keep, 64)
        self._tail = b""

    def read(self, *args, **kwargs) -> bytes:
        return self._remember(self._stream.read(*args, **kwargs))

    def readline(self, *args, **kwargs) -> bytes:
        return self._remember(self._stream.readline(*args, **kwargs))

    def _remember(self, data: bytes) -> bytes:
        if data:
            self._tail = (self._tail + data)[-self._keep :]
        return data

    def ended_with(self, terminator: bytes) -> bool:
        return self._tail.rstrip(b"\r\n \t").endswith(terminator)


def _user_agent(request: HttpRequest) -> str:
    """User-Agent, prefixed with the ODK-Client header when present (as Central stores it)."""
    agent = request.META.get("HTTP_USER_AGENT", "")
    client = request.headers.get("ODK-Client", "")
    return f"{client} {agent}".strip() if client else agent
