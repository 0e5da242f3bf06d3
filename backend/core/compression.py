"""Text responses compressed when the client asks: brotli first, then gzip.

The hamlet page (208 KB) and the scorecard JSON (254 KB) went out uncompressed; phones on
3G waited for them. Only text is compressed (HTML, JSON, XML, CSV, JavaScript, SVG): images,
spreadsheets and archives are compressed already. A client that does not send
`Accept-Encoding` gets the exact bytes (OpenRosa hashes are of those bytes); a client that
does gets the same bytes back after decoding. Static files are pre-compressed by WhiteNoise.

Compressing changes the representation, so a strong ETag becomes weak (RFC 9110 §8.8.1);
`not_modified` (Django's `get_conditional_response`, whose If-None-Match comparison is weak)
lets the views that answer 304 accept both forms.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import brotli
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.text import compress_sequence, compress_string

MIN_SIZE = 200
# Quality 5 compresses HTML/JSON within a few percent of 11 at a fraction of the CPU.
BROTLI_QUALITY = 5
# Django's BREACH mitigation for gzip: random bytes in the gzip header's file name.
GZIP_RANDOM_BYTES = 100
TEXT_TYPES = {
    "application/json",
    "application/xml",
    "application/javascript",
    "application/x-ndjson",
    "application/vnd.oai.openapi",  # /api/schema (YAML)
    "application/yaml",
}


def is_text(content_type: str) -> bool:
    mime = content_type.split(";")[0].strip().lower()
    return mime.startswith("text/") or mime in TEXT_TYPES or mime.endswith(("+json", "+xml"))


def accepted_encodings(header: str) -> set[str]:
    """Codings the client accepts (q > 0), from an Accept-Encoding header."""
    accepted = set()
    for part in header.split(","):
        name, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            if param.lower().startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        if name and quality > 0:
            accepted.add(name.lower())
    return accepted


def not_modified(request: HttpRequest, etag: str) -> HttpResponse | None:
    """Django's conditional answer for this entity: 304 (with its ETag) when If-None-Match
    names it, strong or weakened by compression; None when the body must be sent."""
    response = get_conditional_response(request, etag=etag)
    if response is not None:
        response["ETag"] = etag
    return response


def _brotli_sequence(chunks: Iterable[bytes]) -> Iterator[bytes]:
    compressor = brotli.Compressor(quality=BROTLI_QUALITY)
    for chunk in chunks:
        out = compressor.process(chunk)
        if out:
            yield out
    yield compressor.finish()


class CompressionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.has_header("Content-Encoding")
            or not is_text(response.get("Content-Type", ""))
            or (not response.streaming and len(response.content) < MIN_SIZE)
            or getattr(response, "is_async", False)
        ):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        accepted = accepted_encodings(request.headers.get("Accept-Encoding", ""))
        coding = "br" if "br" in accepted else "gzip" if "gzip" in accepted else None
        if coding is None:
            return response
        if response.streaming:
            if coding == "br":
                response.streaming_content = _brotli_sequence(response.streaming_content)
            else:
                response.streaming_content = compress_sequence(
                    response.streaming_content, max_random_bytes=GZIP_RANDOM_BYTES
                )
            response.headers.pop("Content-Length", None)
        else:
            if coding == "br":
                compressed = brotli.compress(response.content, quality=BROTLI_QUALITY)
            else:
                compressed = compress_string(response.content, max_random_bytes=GZIP_RANDOM_BYTES)
            if len(compressed) >= len(response.content):
                return response
            response.content = compressed
            response.headers["Content-Length"] = str(len(compressed))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = coding
        return response
