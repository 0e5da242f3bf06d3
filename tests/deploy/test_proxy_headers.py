"""X-Forwarded-Proto/-For are believed only from a configured proxy (issue 17, Security).

Before: SECURE_PROXY_SSL_HEADER was set unconditionally, so a client talking plain HTTP to
gunicorn that added `X-Forwarded-Proto: https` got its Basic credentials accepted.
"""

import base64

import pytest
import requests
from django.db import connection

from backend.accounts.models import Role
from backend.accounts.services import user_create
from tests.helpers import COLLECT_HEADERS
from tests.submissions.live import GunicornServer

PASSWORD = "s3cret-pass"
BASIC = "Basic " + base64.b64encode(f"admin:{PASSWORD}".encode()).decode()
SPOOFED = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_FOR": "203.0.113.7"}


@pytest.fixture
def admin(db):
    return user_create(username="admin", password=PASSWORD, role=Role.ADMIN)


def test_by_default_a_client_claiming_https_over_plain_http_has_basic_refused(client, admin, settings):
    assert settings.TRUST_PROXY_HEADERS is False
    response = client.get("/formList", HTTP_AUTHORIZATION=BASIC, **SPOOFED, **COLLECT_HEADERS)
    assert response.status_code == 401
    assert b"only accepted over HTTPS" in response.content


def test_with_trust_on_the_header_from_another_address_is_still_ignored(client, admin, settings):
    settings.TRUST_PROXY_HEADERS = True
    settings.TRUSTED_PROXIES = ["10.9.8.7"]
    response = client.get("/formList", HTTP_AUTHORIZATION=BASIC, **SPOOFED, **COLLECT_HEADERS)  # from 127.0.0.1
    assert response.status_code == 401
    assert b"only accepted over HTTPS" in response.content


def test_with_trust_on_the_proxy_saying_https_is_believed(client, admin, settings):
    settings.TRUST_PROXY_HEADERS = True
    settings.TRUSTED_PROXIES = ["172.30.57.0/24"]
    response = client.get(
        "/formList", REMOTE_ADDR="172.30.57.10", HTTP_AUTHORIZATION=BASIC, **SPOOFED, **COLLECT_HEADERS
    )
    assert response.status_code == 200
    assert b"<xforms" in response.content


def test_the_proxy_saying_http_keeps_basic_refused(client, admin, settings):
    settings.TRUST_PROXY_HEADERS = True
    settings.TRUSTED_PROXIES = ["172.30.57.10"]
    response = client.get(
        "/formList",
        REMOTE_ADDR="172.30.57.10",
        HTTP_X_FORWARDED_PROTO="http",
        HTTP_AUTHORIZATION=BASIC,
        **COLLECT_HEADERS,
    )
    assert response.status_code == 401


def test_the_client_address_is_the_one_the_proxy_saw_not_one_the_client_wrote(client, admin, settings):
    """The login throttle and the audit log key on this address: behind the proxy every request
    would otherwise come from the proxy, and a client-written X-Forwarded-For would pick any."""
    from django.test import RequestFactory

    from backend.core.proxy import TrustedProxyMiddleware

    seen = {}

    def view(request):
        seen["addr"], seen["secure"] = request.META["REMOTE_ADDR"], request.is_secure()
        seen["xff"] = request.META.get("HTTP_X_FORWARDED_FOR")
        return None

    middleware = TrustedProxyMiddleware(view)
    factory = RequestFactory()
    settings.TRUST_PROXY_HEADERS = True
    settings.TRUSTED_PROXIES = ["172.30.57.10"]
    middleware(
        factory.get(
            "/",
            REMOTE_ADDR="172.30.57.10",
            HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.4",
            HTTP_X_FORWARDED_PROTO="https",
        )
    )
    assert seen == {"addr": "198.51.100.4", "secure": True, "xff": "6.6.6.6, 198.51.100.4"}
    middleware(factory.get("/", REMOTE_ADDR="198.51.100.9", **SPOOFED))
    assert seen == {"addr": "198.51.100.9", "secure": False, "xff": None}
    settings.TRUST_PROXY_HEADERS = False
    middleware(factory.get("/", REMOTE_ADDR="172.30.57.10", **SPOOFED))
    assert seen == {"addr": "172.30.57.10", "secure": False, "xff": None}


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_real_gunicorn_ignores_a_spoofed_header_from_localhost_unless_configured(postgres_only, settings):
    """gunicorn itself trusts X-Forwarded-Proto from 127.0.0.1 by default; gunicorn.conf.py
    switches that off, so the quickstart's server refuses Basic over plain HTTP too."""
    user_create(username="admin", password=PASSWORD, role=Role.ADMIN)
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    headers = {
        "X-OpenRosa-Version": "1.0",
        "Authorization": BASIC,
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "203.0.113.7",
    }
    for trust, expected in (("false", 401), ("true", 200)):
        server = GunicornServer(
            database_url=database_url,
            media_root=settings.MEDIA_ROOT,
            workers=1,
            threads=2,
            extra_env={"TRUST_PROXY_HEADERS": trust, "TRUSTED_PROXIES": "127.0.0.1"},
        ).start()
        try:
            response = requests.get(f"{server.base}/formList", headers=headers, timeout=30)
        finally:
            server.stop()
        assert response.status_code == expected, (trust, response.text)
