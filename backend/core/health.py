"""`/healthz`: is this web process able to serve? Checks what a request needs.

Used by the container healthchecks and the proxy. 200 when every check passes, 503 when one
fails, the same JSON either way so an operator sees which part is down. Errors are reported
by exception class only: the route is public and must not leak hosts or passwords.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_http_methods


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def check_cache() -> dict:
    """A write and a read through the configured cache (Redis when REDIS_URL is set)."""
    cache = caches["default"]
    key, value = "healthz:" + uuid.uuid4().hex, uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise RuntimeError("cache did not return what was written")
    cache.delete(key)
    return {"backend": cache.__class__.__name__}


def broker_url() -> str:
    return getattr(settings, "CELERY_BROKER_URL", "") or ""


def check_broker() -> dict:
    """The task queue's broker. Without one configured, tasks run in-process (quickstart)."""
    url = broker_url()
    if not url:
        return {"configured": False}
    if not url.startswith(("redis://", "rediss://")):
        return {"configured": True, "checked": False}
    import redis  # runtime requirement; imported here so the quickstart never needs a server

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return {"configured": True}


CHECKS: dict[str, Callable[[], dict]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
}


def run_checks() -> tuple[bool, dict[str, dict]]:
    results: dict[str, dict] = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            result = {"ok": True, **check()}
        except Exception as exc:  # noqa: BLE001 — any failure means "not healthy"
            result = {"ok": False, "error": exc.__class__.__name__}
        result["ms"] = round((time.perf_counter() - started) * 1000, 1)
        results[name] = result
    return all(r["ok"] for r in results.values()), results


@require_http_methods(["GET", "HEAD"])
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, checks = run_checks()
    response = JsonResponse({"status": "ok" if healthy else "fail", "checks": checks}, status=200 if healthy else 503)
    response["Cache-Control"] = "no-store"
    return response
