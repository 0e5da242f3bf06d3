"""A real gunicorn process for live tests and the benchmark (not a fixture: the SIGKILL test
and the benchmark need to start, kill and restart it themselves)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class GunicornServer:
    def __init__(
        self,
        *,
        database_url: str,
        media_root: str,
        workers: int = 2,
        threads: int = 8,
        port: int | None = None,
        extra_env: dict | None = None,
        preload: bool = False,
        worker_class: str = "gthread",
    ):
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.workers, self.threads, self.preload = workers, threads, preload
        self.worker_class = worker_class
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "backend.settings",
            "DATABASE_URL": database_url,
            "MEDIA_ROOT": str(media_root),
            "PUBLIC_BASE_URL": "https://survey.example.org",
            "DB_CONN_MAX_AGE": "600",
            **(extra_env or {}),
        }
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> GunicornServer:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "backend.wsgi:application",
                "-b",
                f"127.0.0.1:{self.port}",
                "-w",
                str(self.workers),
                "-k",
                self.worker_class,
            ]
            + (["--threads", str(self.threads)] if self.worker_class == "gthread" else [])
            + [
                "--log-level",
                "warning",
                "--backlog",
                "256",
            ]
            + (["--preload"] if self.preload else []),
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.process.stderr.read().decode()[-2000:]}")
            try:
                requests.head(f"{self.base}/submission", timeout=5)
                return self
            except requests.RequestException:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("gunicorn did not start in time")

    def kill(self) -> None:
        """SIGKILL the master and every worker at once: no cleanup code runs."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
            self.process = None

    def _pids(self) -> list[int]:
        if self.process is None:
            return []
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(p) for p in children.read_text().split()]
        return pids

    def pss_bytes(self) -> int:
        """Proportional memory of the master and its workers: pages shared after fork
        (--preload) are counted once across processes, unlike RSS (Linux smaps_rollup)."""
        total = 0
        for pid in self._pids():
            try:
                for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
            except (FileNotFoundError, PermissionError):
                pass
        return total

    def cpu_seconds(self) -> float:
        """User + system CPU the master and its workers have used so far (/proc/<pid>/stat
        utime and stime): the server's own cost, whatever else the machine is doing."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self._pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15 of stat)
        return total / ticks

    def rss_bytes(self) -> int:
        """Resident memory of the master and its workers, summed (shared pages count twice)."""
        total = 0
        for pid in self._pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            except FileNotFoundError:
                pass
        return total
