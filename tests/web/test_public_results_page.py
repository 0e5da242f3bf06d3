"""The public results page on a phone: the published round of the demo commune, readable at
390×844 with no script, and the same figures as its JSON."""

import pytest
from playwright.sync_api import expect

from backend.accounts.models import Role
from backend.accounts.services import user_create
from backend.publication.services import round_publish
from backend.reports.services import indicator_results_compute
from tests.web.conftest import PHONE, SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


def test_the_public_page_shows_the_published_round_on_a_phone(postgres_only, live_server, browser, demo_commune):
    indicator_results_compute()
    boss = user_create(username="lanhdao", password="Lanh-dao-2026!", role=Role.LEADERSHIP)
    round_publish(round_name="2025", user=boss)  # 2027 is computed but not yet published
    context = browser.new_context(viewport=PHONE, locale="vi-VN", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/ket-qua/")
    expect(page.locator("#round-line strong")).to_have_text("2025")
    feed = page.request.get(f"{live_server.url}/ket-qua/du-lieu.json").json()
    cards = page.locator("#targets article.card")
    expect(cards).to_have_count(len(feed["targets"]))
    for target in feed["targets"]:
        card = page.locator(f"article.card[data-indicator='{target['indicator']}']")
        shown = card.locator(".figure").inner_text()
        if target["value"] is None:
            assert shown == "—"
        else:
            expected = f"{target['value']:.1f} %" if target["percent"] else f"{target['value']:g}"
            assert shown == expected.replace(".", ",")
        expect(card.locator(".badge")).to_have_text(target["met_vi"])
    rows = page.locator("#hamlets tbody tr")
    expect(rows).to_have_count(len(feed["hamlets"]))
    assert "(ấp điểm)" in rows.nth(0).inner_text() and "(ấp điểm)" in rows.nth(1).inner_text()
    # Nothing wider than the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "ket-qua-390x844.png"))
    page.screenshot(path=str(SCREENSHOTS / "ket-qua-390x844-full.png"), full_page=True)

    page.click("header a[lang='en']")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Progress of the digital transformation plan")
    page.emulate_media(media="print")
    page.screenshot(path=str(SCREENSHOTS / "ket-qua-print-en.png"), full_page=True)
    context.close()
