"""A real HTTP receiver for webhook tests: a threaded http.server on 127.0.0.1 that can be
down (nothing listening: connection refused), answer 500, hang, or take deliveries (200).
It records every request it read, with what it answered."""

from __future__ import annotations

import http.server
import socket
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    answered: int
    at: float = field(default_factory=time.monotonic)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver:
    """`mode`: "ok" (200), "error" (500), "hang" (sleep `hang_s` before 200), "redirect", "big"."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.mode = "ok"
        self.hang_s = 0.0
        self.requests: list[Received] = []
        self.arrivals = 0  # requests whose handling has begun (a hung one counts here at once)
        self._server: http.server.ThreadingHTTPServer | None = None
        self._lock = threading.Lock()

    # --- up and down ---------------------------------------------------------------------
    def up(self, mode: str = "ok") -> Receiver:
        self.mode = mode
        if self._server is None:
            handler = self._handler()
            server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), handler)
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()
            self._server = server
        return self

    def down(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # --- what arrived ----------------------------------------------------------------------
    def accepted(self) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if r.answered == 200]

    def accepted_ids(self) -> list[str]:
        return [r.headers["X-Phulam-Delivery"] for r in self.accepted()]

    def _handler(self):
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    receiver.arrivals += 1
                mode = receiver.mode
                if mode == "hang":
                    time.sleep(receiver.hang_s)
                status = {"ok": 200, "hang": 200, "error": 500, "redirect": 302, "big": 200}[mode]
                payload = b"x" * 1_000_000 if mode == "big" else b'{"ok": true}' if status == 200 else b"boom"
                # Recorded before answering: once the sender has our answer, the test sees the row.
                received = Received(dict(self.headers.items()), body, status)
                with receiver._lock:
                    receiver.requests.append(received)
                try:
                    self.send_response(status)
                    if status == 302:
                        self.send_header("Location", "http://10.0.0.1/internal")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    received.answered = 0  # the sender had gone (timeout, killed worker): not delivered

        return Handler
