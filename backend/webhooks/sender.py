"""One HTTP POST to a receiver, with the guards an outbound request from a server needs:
a timeout, no redirects (a 3xx is a failure, never followed), no private or loopback
addresses unless allowed (WEBHOOKS_ALLOW_PRIVATE_TARGETS), and only the first bytes of the
answer kept. Pure: no Django, settings are arguments."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3

# maxsize: threads of one process (a threaded worker, the benchmark) keep their connections.
_POOL = urllib3.PoolManager(retries=False, maxsize=16)


@dataclass
class Outcome:
    ok: bool
    status_code: int | None = None
    error: str = ""
    excerpt: str = ""


def _private_address(host: str, port: int) -> str | None:
    """The first address of `host` that is not public, else None. Resolution happens again
    inside urllib3 (a DNS answer that changes between the two is not caught)."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise OSError(f"DNS: {exc}") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global:
            return str(address)
    return None


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout_s: float,
    excerpt_bytes: int,
    allow_private: bool,
) -> Outcome:
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return Outcome(False, error=f"not a usable URL: {url[:200]}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return Outcome(False, error=f"not an http(s) URL: {url[:200]}")
    try:
        if not allow_private:
            private = _private_address(parts.hostname, port)
            if private:
                return Outcome(False, error=f"refused: {parts.hostname} is a private address ({private})")
        response = _POOL.request(
            "POST",
            url,
            body=body,
            headers=headers,
            timeout=urllib3.Timeout(connect=timeout_s, read=timeout_s),
            redirect=False,
            preload_content=False,
        )
    except (urllib3.exceptions.HTTPError, OSError, UnicodeError, ValueError) as exc:
        # UnicodeError/ValueError: a host name IDNA cannot encode, a header value not latin-1.
        return Outcome(False, error=f"{type(exc).__name__}: {exc}"[:1000])
    try:
        head = response.read(excerpt_bytes, decode_content=False) if excerpt_bytes else b""
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        head = f"<answer unreadable: {type(exc).__name__}>".encode()
    finally:
        response.close()  # never read the rest: a receiver could answer forever
    excerpt = head.decode("utf-8", errors="replace")
    status = response.status
    if 200 <= status < 300:
        return Outcome(True, status_code=status, excerpt=excerpt)
    if 300 <= status < 400:
        where = response.headers.get("Location", "")[:300]
        return Outcome(False, status_code=status, error=f"redirect not followed (to {where})", excerpt=excerpt)
    return Outcome(False, status_code=status, error=f"HTTP {status}", excerpt=excerpt)
