"""The pages over plain HTTP: who gets in, and bad input answered with a 4xx, never a 500."""

import pytest
from django.test import Client

from backend.accounts.models import Role
from backend.accounts.services import user_create, volunteer_create
from backend.places.models import Commune, Hamlet
from backend.surveys.services import form_publish
from backend.web.selectors import SubmissionFilters
from tests.helpers import xlsform_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def form():
    return form_publish(xlsform=xlsform_bytes(form_id="ho_thu", title="Hộ (thử)"), filename="ho_thu.xlsx").form


@pytest.fixture
def key(form):
    return volunteer_create(name="Nguyễn Thị Lan", forms=[form])[1]


def test_a_volunteer_page_is_refused_with_403_for_an_unknown_or_malformed_key(client):
    assert client.get("/key/" + "x" * 64 + "/app/").status_code == 403
    assert client.get("/key/short/app/forms/ho_thu").status_code == 403


def test_the_web_form_page_allows_only_our_own_scripts_and_names_the_form_xml_under_the_key(client, key):
    response = client.get(f"/key/{key}/app/forms/ho_thu")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'wasm-unsafe-eval' 'nonce-" in policy
    assert "unsafe-eval'" not in policy.replace("wasm-unsafe-eval'", "")
    assert f"/key/{key}/forms/ho_thu.xml" in response.content.decode()


def test_a_form_not_assigned_or_unknown_is_404_on_the_volunteer_pages(client, key):
    assert client.get(f"/key/{key}/app/forms/nope").status_code == 404
    assert client.get(f"/key/{key}/app/mine/ho_thu/uuid:nope.xml").status_code == 404
    assert client.get(f"/key/{key}/app/mine/nope/uuid:nope/files/a.jpg").status_code == 404


def test_the_service_worker_is_scoped_to_the_volunteer_pages_and_lists_the_form_for_offline_use(client, key):
    response = client.get(f"/key/{key}/app/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    body = response.content.decode()
    assert f"/key/{key}/forms/ho_thu.xml" in body
    assert f"/key/{key}/app/forms/ho_thu" in body


def test_the_service_worker_cache_is_renewed_when_a_script_changes(client, key, monkeypatch):
    """Scripts are served cache-first under URLs without a hash: a deploy that changes one
    (a Web Forms upgrade or rebuild, our own js) must name a new cache, or phones keep the old."""
    import json as json_module
    import re

    from backend.web import assets

    def cache_name() -> str:
        body = client.get(f"/key/{key}/app/sw.js").content.decode()
        return json_module.loads(re.search(r"const CACHE = (\"[^\n]*\");", body).group(1))

    before = cache_name()
    assert before == cache_name()  # the same files, the same cache
    assets.static_files_digest.cache_clear()
    real_find = assets.finders.find
    changed = real_find("web/js/webform.js")

    def find(path, *args, **kwargs):
        return __file__ if path == "web/js/webform.js" else real_find(path, *args, **kwargs)

    monkeypatch.setattr(assets.finders, "find", find)
    try:
        assert changed and cache_name() != before
    finally:
        assets.static_files_digest.cache_clear()


def test_staff_pages_send_anonymous_users_to_sign_in_and_refuse_other_roles(client, form):
    assert client.get("/hamlet/").status_code == 302
    assert client.get("/dashboard/")["Location"].startswith("/accounts/login/")
    user_create(username="tnv", password="Tnv-pass-2026!", role=Role.VOLUNTEER)
    client.login(username="tnv", password="Tnv-pass-2026!")
    assert client.get("/hamlet/").status_code == 403
    assert client.get("/dashboard/").status_code == 403


def test_a_hamlet_head_gets_404_for_unknown_submissions_and_bad_filters_are_ignored(form):
    hamlet = Hamlet.objects.create(
        commune=Commune.objects.create(code="PL", name="Phú Lâm"), code="AP01", name="Phú Dũng"
    )
    user_create(username="ta", password="Truong-ap-2026!", role=Role.HAMLET_HEAD, hamlets=[hamlet])
    client = Client()
    client.login(username="ta", password="Truong-ap-2026!")
    assert client.get("/hamlet/submissions/ho_thu/uuid:nope").status_code == 404
    assert client.get("/hamlet/submissions/nope/uuid:nope").status_code == 404
    assert client.post("/hamlet/submissions/ho_thu/uuid:nope/review", {"action": "reject"}).status_code == 404
    response = client.get("/hamlet/?form=ho_thu&state=bogus&volunteer=abc&from=2026-13-45&to=x")
    assert response.status_code == 200
    assert response.context["form"].form_id == "ho_thu"
    assert response.context["filters"] == SubmissionFilters()  # every malformed filter dropped
    response = client.post("/hamlet/review/bulk-approve", {"form": "ho_thu", "instance": ["uuid:nope"]})
    assert response.status_code == 302
    shown = [str(m) for m in client.get(response["Location"]).context["messages"]]
    assert len(shown) == 1 and "uuid:nope" in shown[0]
    coverage = client.get("/hamlet/coverage?form=nope&round=x")
    assert coverage.status_code == 200
    # Coverage is of the declared rounds with results (households only, whatever the form):
    # an unknown round falls back to the latest of them, here none.
    assert (coverage.context["round"], coverage.context["coverage"]) == ("", None)
    assert client.get("/").status_code == 302


def test_the_hamlet_pages_leave_an_audit_row_per_microdata_read_and_serve_photos_as_attachments(client):
    from backend.audit.models import AuditEvent
    from tests.helpers import COLLECT_HEADERS
    from tests.submissions.factories import (
        FORM_ID,
        PHOTO,
        device_for,
        instance_xml,
        multipart,
        new_instance_id,
        publish_household_form,
    )

    household_form = publish_household_form()
    _volunteer, token = device_for(household_form)
    iid = new_instance_id()
    body, content_type = multipart(instance_xml(instance_id=iid, ap="AP03", members=[]), {"1764201234567.jpg": PHOTO})
    sent = client.generic("POST", f"/key/{token}/submission", body, content_type=content_type, **COLLECT_HEADERS)
    assert sent.status_code == 201
    hamlet = Hamlet.objects.create(
        commune=Commune.objects.create(code="PL", name="Phú Lâm"), code="AP03", name="Phú Thành"
    )
    user_create(username="ta3", password="Truong-ap-2026!", role=Role.HAMLET_HEAD, hamlets=[hamlet])
    head = Client()
    head.login(username="ta3", password="Truong-ap-2026!")
    before = AuditEvent.objects.count()

    assert head.get(f"/hamlet/?form={FORM_ID}").status_code == 200
    assert head.get(f"/hamlet/submissions/{FORM_ID}/{iid}").status_code == 200
    photo = head.get(f"/hamlet/submissions/{FORM_ID}/{iid}/files/1764201234567.jpg")
    assert photo.status_code == 200 and b"".join(photo.streaming_content) == PHOTO
    assert photo["Content-Disposition"].startswith("attachment")
    assert photo["X-Content-Type-Options"] == "nosniff"

    reads = list(AuditEvent.objects.order_by("id")[before:].values_list("action", "actor_label"))
    assert reads == [
        ("submission.list", "user:ta3"),
        ("submission.read", "user:ta3"),
        ("submission.attachment", "user:ta3"),
    ]


def _page_config(response) -> dict:
    import json
    import re

    found = re.search(
        r'<script id="page-config" type="application/json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(found.group(1))


def test_without_a_tile_server_the_form_page_draws_no_tiles_and_the_policy_allows_none(client, key, settings):
    settings.MAP_TILE_URL = ""
    response = client.get(f"/key/{key}/app/forms/ho_thu")
    img_src = next(p for p in response["Content-Security-Policy"].split("; ") if p.startswith("img-src"))
    assert img_src == "img-src 'self' data: blob:"
    assert _page_config(response)["mapTiles"] is False


def test_a_configured_tile_server_is_allowed_by_the_policy_and_the_form_may_show_its_map(client, key, settings):
    settings.MAP_TILE_URL = "https://{s}.tiles.example.vn/{z}/{x}/{y}.png"
    response = client.get(f"/key/{key}/app/forms/ho_thu")
    assert "img-src 'self' data: blob: https://*.tiles.example.vn" in response["Content-Security-Policy"]
    assert _page_config(response)["mapTiles"] is True


def test_rejecting_or_flagging_without_a_comment_is_refused_and_nothing_changes(form, key):
    from backend.submissions.models import ReviewState, Submission
    from tests.submissions.factories import instance_xml, multipart

    hamlet = Hamlet.objects.create(
        commune=Commune.objects.create(code="PL", name="Phú Lâm"), code="AP01", name="Phú Dũng"
    )
    data, content_type = multipart(
        instance_xml(
            instance_id="uuid:khong-ly-do",
            form_id="ho_thu",
            version=form.current_version.version,
            ap="AP01",
            photo=None,
            audit=None,
        )
    )
    sent = Client().post(f"/key/{key}/submission", data=data, content_type=content_type, HTTP_X_OPENROSA_VERSION="1.0")
    assert sent.status_code == 201, sent.content
    user_create(username="ta", password="Truong-ap-2026!", role=Role.HAMLET_HEAD, hamlets=[hamlet])
    client = Client()
    client.login(username="ta", password="Truong-ap-2026!")
    for action in ("reject", "flag"):
        response = client.post(
            "/hamlet/submissions/ho_thu/uuid:khong-ly-do/review", {"action": action, "comment": "  "}, follow=True
        )
        assert "cần nhận xét" in response.content.decode()
    submission = Submission.objects.get()
    assert submission.review_state == ReviewState.RECEIVED
    assert not submission.comments.exists()
