"""The beat container's healthcheck: healthy only while beat runs and the broker answers."""

import importlib.util
import os
from pathlib import Path

import pytest
from django.conf import settings

SCRIPT = Path(settings.BASE_DIR) / "deploy" / "beat_healthcheck.py"
spec = importlib.util.spec_from_file_location("beat_healthcheck", SCRIPT)
beat_healthcheck = importlib.util.module_from_spec(spec)
spec.loader.exec_module(beat_healthcheck)


def cmdline(tmp_path, *argv: str) -> Path:
    path = tmp_path / "cmdline"
    path.write_bytes(b"\0".join(a.encode() for a in argv) + b"\0")
    return path


def test_beat_is_running_only_when_pid_one_is_celery_beat(tmp_path):
    assert beat_healthcheck.beat_is_running(
        cmdline(tmp_path, "/usr/local/bin/python", "/usr/local/bin/celery", "-A", "backend", "beat")
    )
    assert not beat_healthcheck.beat_is_running(cmdline(tmp_path, "/usr/local/bin/celery", "-A", "backend", "worker"))
    assert not beat_healthcheck.beat_is_running(cmdline(tmp_path, "gunicorn", "backend.wsgi:application"))
    assert not beat_healthcheck.beat_is_running(tmp_path / "absent")


def test_the_broker_check_talks_to_a_real_redis_and_fails_on_a_closed_port():
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
    if not beat_healthcheck.broker_answers(url):
        pytest.skip(f"no Redis at {url}")
    assert beat_healthcheck.broker_answers(url)
    assert not beat_healthcheck.broker_answers("redis://127.0.0.1:1/0", timeout=1)
