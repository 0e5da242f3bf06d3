"""A real OData v4 client library (python-odata, from PyPI) against a real gunicorn: it reads
the feed's $metadata into entity classes, queries with $filter/$top, follows server-driven
pages (@odata.nextLink), counts with /$count, and signs in with HTTP Basic behind a TLS proxy
as Excel and Power BI do."""

from __future__ import annotations

import datetime as dt

import pytest
import requests
from django.db import connection
from odata import ODataService

from backend.submissions.models import Submission
from tests.odata.world import FORM_ID, PASSWORD, world_build
from tests.submissions.live import GunicornServer

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def served(postgres_only, settings):
    world = world_build()
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    # As behind the compose file's proxy: X-Forwarded-Proto is believed from 127.0.0.1 only.
    server = GunicornServer(
        database_url=database_url,
        media_root=settings.MEDIA_ROOT,
        workers=1,
        threads=4,
        extra_env={"TRUST_PROXY_HEADERS": "1", "TRUSTED_PROXIES": "127.0.0.1"},
    ).start()
    yield world, server
    server.stop()


def service_for(server, *, headers: dict, auth=None) -> ODataService:
    """The client as a user sets it up; the session carries the headers on every request,
    $metadata included (the client adds its own only to queries)."""
    session = requests.Session()
    session.headers.update(headers)
    url = f"{server.base}/api/v1/forms/{FORM_ID}.svc/"
    return ODataService(url, reflect_entities=True, quiet_progress=True, session=session, auth=auth)


def test_the_client_reads_the_metadata_and_every_table_with_typed_values(served):
    world, server = served
    old = world.send(received_at=dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC), ap="AP01")
    new = world.send(
        received_at=dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC),
        ap="AP02",
        members=(("Lê Thị Hoa", "38", ("smartphone", "feature")), ("Lê Văn Tâm", "12", ())),
    )
    service = service_for(server, headers={"Authorization": f"Bearer {world.tokens['admin']}"})
    assert {"Submissions", "Submissions.ho.tv", "Submissions.ho.tv.dt"} <= set(service.entities)

    Submissions = service.entities["Submissions"]
    rows = service.query(Submissions).all()
    assert [r.__id for r in rows] == [new, old]  # newest first
    first = rows[0]
    assert first.so_nguoi == 3 and first.thu_nhap == pytest.approx(12.5) and first.kenh == "zalo loa"
    assert first.ho == {"ten_chu_ho": "Nguyễn Văn Hùng"}

    # $filter through the client's own expression builder is typed by the metadata (__id: a string).
    assert service.query(Submissions).get(old).__id == old
    assert service.query(Submissions).filter(Submissions.__id == new).count() == 1

    members = service.query(service.entities["Submissions.ho.tv"]).all()
    assert [(m.tv_ten, m.tv_tuoi) for m in members] == [("Lê Thị Hoa", 38), ("Lê Văn Tâm", 12), ("Nguyễn Văn Hùng", 45)]
    parent_key = "__Submissions-id"
    assert [getattr(m, parent_key, None) or m.__odata__[parent_key] for m in members] == [new, new, old]
    phones = service.query(service.entities["Submissions.ho.tv.dt"]).all()
    hoa = members[0].__id
    assert [p.__odata__["__Submissions-ho-tv-id"] for p in phones] == [hoa, hoa, members[2].__id]


def test_the_client_follows_server_driven_pages_and_filters_on_dates(served):
    world, server = served
    sent = [world.send(received_at=dt.datetime(2026, 11, day, 9, 0, tzinfo=dt.UTC)) for day in range(1, 8)]
    Submission.objects.filter(instance_id=sent[2]).update(deleted_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    service = service_for(
        server,
        headers={"Authorization": f"Bearer {world.tokens['admin']}", "Prefer": "odata.maxpagesize=2"},
    )
    Submissions = service.entities["Submissions"]
    pages = []
    original = service.default_context.connection.execute_get

    def counting(url, params=None, **kwargs):
        pages.append(url)
        return original(url, params, **kwargs)

    service.default_context.connection.execute_get = counting
    got = [r.__id for r in service.query(Submissions)]
    expected = [iid for iid in reversed(sent) if iid != sent[2]]  # the deleted one never appears
    assert got == expected and len(pages) == 3  # 6 rows, pages of 2, each page asked once
    recent = {"$filter": "__system/submissionDate ge 2026-11-05T00:00:00Z"}
    assert [r["__id"] for r in service.query(Submissions).raw(recent)] == [sent[6], sent[5]]  # the first page
    since_the_fifth = service.query(Submissions).filter("__system/submissionDate ge 2026-11-05")
    assert [r.__id for r in since_the_fifth] == sent[4:][::-1]  # every page of it


def test_basic_auth_over_the_tls_proxy_as_excel_sends_it(served):
    world, server = served
    world.send(ap="AP01")
    world.send(ap="AP02")
    url = f"{server.base}/api/v1/forms/{FORM_ID}.svc/Submissions"
    over_tls = {"X-Forwarded-Proto": "https"}
    # No credentials: challenged with Basic, so the spreadsheet asks for a user name and password.
    anonymous = requests.get(url, headers=over_tls, timeout=30)
    assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"].startswith("Basic ")
    # Plain HTTP: refused before the password is even checked.
    plain = requests.get(url, auth=("truongap_a", PASSWORD), timeout=30)
    assert plain.status_code == 401 and plain.json()["code"] == "401.3"
    # A hamlet head with their password, and with an API token as the password: their hamlet only.
    service = service_for(server, auth=("truongap_a", PASSWORD), headers=over_tls)
    assert [r.ap for r in service.query(service.entities["Submissions"]).all()] == ["AP01"]
    with_token = requests.get(url, auth=("truongap_a", world.tokens["hamlet_head"]), headers=over_tls, timeout=30)
    assert with_token.status_code == 200 and [r["ap"] for r in with_token.json()["value"]] == ["AP01"]
    wrong = requests.get(url, auth=("truongap_a", "not-the-password"), headers=over_tls, timeout=30)
    assert wrong.status_code == 401 and wrong.json()["code"] == "401.2"
