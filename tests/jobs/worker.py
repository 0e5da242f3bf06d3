"""A real Celery worker process for the tests, against a real Redis and the test database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
VISIBILITY_TIMEOUT_S = 3  # a killed worker's task is handed out again after this long
WORKER_START_S = 120  # importing Django, pandas and geopandas on a loaded 2-core machine


def redis_answers(url: str = TEST_REDIS_URL) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def database_url_under_test() -> str:
    """DATABASE_URL of the database this test runs on (pytest-django's test_… copy)."""
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Worker:
    """`celery -A backend worker` on its own queue; stop() or kill() it."""

    def __init__(
        self, queue: str, log_dir: Path, concurrency: int = 1, extra_env: dict | None = None, beat: bool = False
    ):
        """`beat`: run celery beat inside this worker (-B) with its own schedule file."""
        self.name = f"{queue}-{uuid.uuid4().hex[:6]}"
        self.log_path = log_dir / f"{self.name}.log"
        env = {
            **os.environ,
            "DATABASE_URL": database_url_under_test(),
            "CELERY_BROKER_URL": TEST_REDIS_URL,
            "CELERY_QUEUE": queue,
            "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT_S),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "REDIS_URL": "",
            **(extra_env or {}),
        }
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "backend",
            "worker",
            "-Q",
            queue,
            "-c",
            str(concurrency),
            "-n",
            f"{self.name}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "INFO",
        ]
        if beat:
            command += ["-B", "-s", str(log_dir / f"{self.name}-beat-schedule")]
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once: nothing gets to clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self._log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)
        self._log.close()


def wait_for(predicate, *, timeout: float, what: str, interval: float = 0.05, workers=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        for worker in workers:
            if worker.process.poll() is not None and worker.process.returncode not in (0, -9):
                raise AssertionError(f"worker exited {worker.process.returncode}:\n{worker.log()[-4000:]}")
        time.sleep(interval)
    logs = "\n".join(f"--- {w.name}\n{w.log()[-4000:]}" for w in workers)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}\n{logs}")
