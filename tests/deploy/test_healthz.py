"""`/healthz`: 200 with each check when the database, cache and broker answer; 503 naming the
one that does not (the container healthchecks and the proxy depend on it)."""

import pytest
from django.core.cache import caches
from django.test import override_settings


def test_healthy_server_answers_200_with_each_check(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert all(check["ok"] for check in body["checks"].values())
    assert response["Cache-Control"] == "no-store"


def test_needs_no_login_and_refuses_writes(client, db):
    anonymous = client.get("/healthz")
    assert anonymous.status_code == 200 and anonymous.json()["status"] == "ok"
    assert client.post("/healthz").status_code == 405


def redis_cache(url: str):
    # A context manager, not the `settings` fixture: the autouse cache-clearing fixture must
    # not run its teardown against a cache that is down on purpose.
    return override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    )


def test_against_the_real_redis_cache_and_broker(client, db):
    with redis_cache("redis://127.0.0.1:6379/15"), override_settings(CELERY_BROKER_URL="redis://127.0.0.1:6379/15"):
        try:
            caches["default"].set("probe", 1)
        except Exception:  # noqa: BLE001
            pytest.skip("no Redis on 127.0.0.1:6379")
        body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["checks"]["cache"]["backend"] == "RedisCache"
    assert body["checks"]["broker"] == {"ok": True, "configured": True, "ms": body["checks"]["broker"]["ms"]}


def test_a_broker_that_does_not_answer_makes_it_503(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["broker"]["ok"] is False and body["checks"]["broker"]["error"] == "ConnectionError"
    assert body["checks"]["database"]["ok"] is True


def test_a_cache_that_does_not_answer_makes_it_503(client, db):
    with redis_cache("redis://127.0.0.1:1/0"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["ok"] is False


def test_a_database_that_does_not_answer_makes_it_503(client, db, monkeypatch):
    from django.db import OperationalError

    from backend.core import health

    def down():
        raise OperationalError("connection refused to db:5432 as phulam")

    monkeypatch.setitem(health.CHECKS, "database", down)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {
        "ok": False,
        "error": "OperationalError",
        "ms": pytest.approx(0, abs=50),
    }
    assert b"db:5432" not in response.content  # no host names or users on a public route
