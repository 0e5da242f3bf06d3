"""Container healthcheck for the beat service: the scheduler is running and can reach the broker.

Beat writes its schedule file only when something changes, so a file's age says nothing about
its health; what beat needs to do its one job is to be alive (PID 1 of the container is the
`celery … beat` process) and to reach Redis, where it enqueues. Standard library only, no
Django import. Exit 0 when both hold, 1 otherwise.
"""

import os
import socket
import sys
from pathlib import Path
from urllib.parse import urlsplit


def beat_is_running(cmdline: Path = Path("/proc/1/cmdline")) -> bool:
    try:
        argv = cmdline.read_bytes().split(b"\0")
    except OSError:
        return False
    return any(arg.endswith(b"celery") for arg in argv) and b"beat" in argv


def broker_answers(url: str, timeout: float = 5.0) -> bool:
    """PING the Redis broker with the protocol's inline form (no client library needed)."""
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=timeout) as conn:
            if parts.password:
                conn.sendall(f"AUTH {parts.password}\r\n".encode())
                conn.recv(64)
            conn.sendall(b"PING\r\n")
            return conn.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def main() -> int:
    if not beat_is_running():
        print("celery beat is not PID 1 of this container", file=sys.stderr)
        return 1
    url = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL") or ""
    if not url or not broker_answers(url):
        print(f"broker unreachable: {url or '(not configured)'}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
