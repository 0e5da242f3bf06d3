"""The public results page, its JSON and the loudspeaker text: suppressed aggregates only,
and only what leadership has published."""

import json

import pytest
from django.test import Client

from backend.accounts.models import Role
from backend.accounts.services import user_create
from backend.audit.models import AuditEvent

pytestmark = pytest.mark.postgres


def _public(path: str, **params):
    return Client().get(path, params)


def test_nothing_is_public_until_leadership_publishes_and_then_only_that_round(commune, leadership, viewer):
    page = _public("/ket-qua/")
    assert page.status_code == 200
    assert "Chưa có đợt khảo sát nào được công bố kết quả." in page.content.decode()
    feed = _public("/ket-qua/du-lieu.json")
    assert feed["Access-Control-Allow-Origin"] == "*"
    assert feed.json()["published"] is False

    # Only leadership (and admins) publish; each publication is audited.
    assert viewer.post("/api/v1/reports/published", {"round": "2025"}, format="json").status_code == 403
    assert Client().post("/api/v1/reports/published", {"round": "2025"}).status_code in (401, 403)
    response = leadership.post("/api/v1/reports/published", {"round": "2025"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["published_by"] == "lanhdao"
    event = AuditEvent.objects.get(action="results.publish")
    assert event.actor_user == leadership.user and event.details["round"] == "2025"
    bad = leadership.post("/api/v1/reports/published", {"round": "1999"}, format="json")
    assert bad.status_code == 404

    # 2027 is computed but not published: the public still sees 2025.
    feed = _public("/ket-qua/du-lieu.json").json()
    assert feed["published"] is True and feed["round"] == "2025"
    assert 'data-round="2025"' in _public("/ket-qua/").content.decode()
    assert _public("/ket-qua/du-lieu.json", round="2027").status_code == 404

    leadership.post("/api/v1/reports/published", {"round": "2027"}, format="json")
    feed = _public("/ket-qua/du-lieu.json").json()
    assert feed["round"] == "2027" and feed["published_rounds"] == ["2025", "2027"]
    assert _public("/ket-qua/du-lieu.json", round="2025").json()["round"] == "2025"


def test_the_public_figures_are_the_viewers_figures_without_counts(commune, leadership, viewer):
    leadership.post("/api/v1/reports/published", {"round": "2027"}, format="json")
    feed = _public("/ket-qua/du-lieu.json").json()
    api = {r["indicator"]: r for r in viewer.get("/api/v1/indicators?round=2027&hamlet=commune").json()}
    assert feed["targets"], "the plan targets are published"
    for target in feed["targets"]:
        expected = api[target["indicator"]]
        if expected["value"] is None:
            assert target["value"] is None
        else:
            assert target["value"] == pytest.approx(round(expected["value"], 1))
        assert target["met"] == expected["met"]
        assert target["target"] == expected["target"] and target["target_op"] == expected["target_op"]
    # No numerators, denominators or unit counts anywhere in what the public gets.
    text = json.dumps(feed)
    for key in ('"numerator"', '"denominator"', '"n"', '"n_units"', '"households"'):
        assert key not in text
    card = viewer.get("/api/v1/scorecard?round=2027").json()
    assert [h["hamlet"] for h in feed["hamlets"][:2]] == sorted(h["hamlet"] for h in card["hamlets"] if h["pilot"])
    assert feed["dra_met"] == sum(1 for h in card["hamlets"] if h["dat"])

    page = _public("/ket-qua/").content.decode()
    smartphone = next(t for t in feed["targets"] if t["indicator"] == "P2027_SMARTPHONE_HH")
    shown = f"{smartphone['value']:.1f}".replace(".", ",")
    assert f'<span class="figure">{shown} %</span>' in page
    english = _public("/ket-qua/", lang="en").content.decode()
    assert '<html lang="en">' in english and f"{smartphone['value']:.1f} %" in english


def test_small_cells_are_not_published(commune, leadership, settings):
    settings.ANALYTICS_MIN_CELL = 100_000  # every cell of people is small
    leadership.post("/api/v1/reports/published", {"round": "2027"}, format="json")
    feed = _public("/ket-qua/du-lieu.json").json()
    households = [t for t in feed["targets"] if t["indicator"] in ("P2027_SMARTPHONE_HH", "P2030_DIGITAL_HH")]
    assert households and all(t["value"] is None and t["suppressed"] and t["met"] is None for t in households)
    assert all(h["hidden"] and h["bb_met"] is None and h["dat"] is None for h in feed["hamlets"])
    page = _public("/ket-qua/").content.decode()
    assert page.count("<td>Ẩn</td>") == len(feed["hamlets"])


def test_the_loudspeaker_text_spells_every_number_and_the_page_embeds(commune, leadership):
    leadership.post("/api/v1/reports/published", {"round": "2027"}, format="json")
    response = _public("/ket-qua/loa.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("Thông báo của Ủy ban nhân dân xã Phú Lâm về kết quả chuyển đổi số")
    assert "phần trăm" in text and "đợt khảo sát năm hai nghìn không trăm hai mươi bảy" in text
    assert not any(c.isdigit() for c in text), text
    feed = _public("/ket-qua/du-lieu.json").json()
    smartphone = next(t for t in feed["targets"] if t["indicator"] == "P2027_SMARTPHONE_HH")
    from backend.publication.vietnamese import percent_words_vi

    assert percent_words_vi(smartphone["value"]) in text

    page = _public("/ket-qua/", nhung="1")
    assert "X-Frame-Options" not in page
    assert "frame-ancestors *" in page["Content-Security-Policy"]
    assert "<script" not in page.content.decode()
    full = _public("/ket-qua/").content.decode()
    assert "&lt;iframe src=&quot;https://survey.example.org/ket-qua/?nhung=1&quot;" in full
    assert len(full.encode()) < 40_000, "light enough for a phone on 3G"


def test_the_dashboard_button_publishes_for_leadership_only(commune):
    user_create(username="lanhdao2", password="Lanh-dao-2026!", role=Role.LEADERSHIP)
    user_create(username="xem", password="Xem-2026-pass!", role=Role.VIEWER)
    viewer = Client()
    viewer.login(username="xem", password="Xem-2026-pass!")
    assert viewer.post("/ket-qua/cong-bo", {"round": "2027"}).status_code == 403
    boss = Client()
    boss.login(username="lanhdao2", password="Lanh-dao-2026!")
    response = boss.post("/ket-qua/cong-bo", {"round": "2027"})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert _public("/ket-qua/du-lieu.json").json()["round"] == "2027"
    dashboard = boss.get("/dashboard/").content.decode()
    assert "Đã công bố kết quả đợt 2027" in dashboard
    assert 'action="/ket-qua/cong-bo"' in dashboard and "/api/v1/reports/periodic.docx" in dashboard
