"""Shared fixtures. Tests run against DATABASE_URL (PostgreSQL in CI)."""

import subprocess
from pathlib import Path

import pytest
from django.db import connection
from django.db.backends.signals import connection_created

from tests.helpers import decode_content_encoding, xlsform_bytes  # noqa: F401  (re-exported for tests)

ROOT = Path(__file__).resolve().parents[1]


def pytest_sessionstart(session):
    """The served copy of ODK Web Forms (scripts/build-assets.mjs, about a second), made when
    it is missing or older than the package, so `pytest` alone tests what production serves
    (run-tests.sh makes it too). Without esbuild installed it is left as it is."""
    dist = ROOT / "node_modules" / "@getodk" / "web-forms" / "dist" / "index.js"
    built = ROOT / "build" / "static" / "@getodk" / "web-forms" / "dist" / "index.js"
    esbuild = ROOT / "node_modules" / ".bin" / "esbuild"
    stale = not built.exists() or (dist.exists() and dist.stat().st_mtime > built.stat().st_mtime)
    if dist.exists() and esbuild.exists() and stale:
        subprocess.run(["node", "scripts/build-assets.mjs"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Every test writes blobs to its own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    settings.PUBLIC_BASE_URL = "https://survey.example.org"


@pytest.fixture(autouse=True)
def _declared_rounds(request):
    """A transactional test's database is flushed after the previous one, which also empties
    the rounds the reports migration declares (2025, 2027, 2030): declare them again."""
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
        from backend.reports.services import survey_rounds_declare_defaults

        survey_rounds_declare_defaults()


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Login-failure counters and DRF throttles live in the caches: no test inherits another's."""
    from django.core.cache import caches
    from django.core.cache.backends.db import DatabaseCache

    # The database cache needs no clearing: its rows go with each test's transaction.
    aliases = [a for a in ("default", "shared") if not isinstance(caches[a], DatabaseCache)]
    for alias in aliases:
        caches[alias].clear()
    yield
    for alias in aliases:
        caches[alias].clear()


def _audit_truncate_allowed(sender, connection, **kwargs):
    """Transactional tests end by emptying every table with one TRUNCATE, which the audit
    table refuses (migration audit 0003) unless the session allows it, as a DBA would."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET phulam.audit_truncate = 'allow'")


connection_created.connect(_audit_truncate_allowed, dispatch_uid="tests.audit_truncate_allowed")


@pytest.fixture(autouse=True)
def _client_decodes_like_a_phone(monkeypatch):
    """Django's test client hands back the bytes on the wire; Collect (OkHttp) and browsers
    decode gzip/brotli first. Tests that send Accept-Encoding read the decoded entity, and
    `response.wire_content` when they check the compression itself."""
    from django.test.client import Client

    original = Client.request

    def request(self, **kwargs):
        return decode_content_encoding(original(self, **kwargs))

    monkeypatch.setattr(Client, "request", request)


@pytest.fixture
def broker(transactional_db, tmp_path):
    """Real Celery workers on a real Redis: this process publishes to a queue of its own
    (other runs share Redis); `broker(**Worker options)` starts one worker on it, and every
    worker started is stopped at the end. Skipped without Redis at TEST_REDIS_URL."""
    import uuid

    import redis

    from backend.celery import app
    from tests.jobs.worker import TEST_REDIS_URL, Worker, redis_answers

    if not redis_answers():
        pytest.skip(f"needs Redis at {TEST_REDIS_URL}")
    queue = f"test-jobs-{uuid.uuid4().hex[:8]}"
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager", "task_default_queue")}

    def forget_connections():
        # Have the app open connections to the broker now configured (it caches its pools).
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.update(broker_url=TEST_REDIS_URL, task_always_eager=False, task_default_queue=queue)
    forget_connections()
    workers = []

    def start(**kwargs):
        worker = Worker(queue, tmp_path, **kwargs)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()
    app.conf.update(saved)
    forget_connections()
    redis.Redis.from_url(TEST_REDIS_URL).delete(queue)
