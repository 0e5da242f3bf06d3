"""The leadership dashboard on a 390×844 phone and a 1366×768 screen: nothing wider than the
screen, the "Đạt" badges in view, a legend that folds, hamlet names that do not run into each
other, words instead of fractions, and a plan target (not a yes/no criterion) drawn first."""

import pytest
from playwright.sync_api import expect

from backend.accounts.models import Role
from backend.accounts.services import user_create
from backend.reports.services import indicator_results_compute
from tests.web.conftest import DESKTOP, PHONE, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

# Elements whose right edge is past the viewport (Leaflet's panes excepted: a map draws its
# shapes outside its own clipped box by design).
OVERFLOWING = """() => [...document.querySelectorAll('body *')]
  .filter((e) => !e.closest('.leaflet-pane') && e.getClientRects().length)
  .filter((e) => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && (r.right > innerWidth + 1 || r.left < -1);
  })
  .map((e) => e.tagName + (e.id ? '#' + e.id : '') + '.' + [...e.classList].join('.')
    + ' ' + Math.round(e.getBoundingClientRect().right))"""

# Visible hamlet names that overlap another visible one.
OVERLAPPING_LABELS = """() => {
  const boxes = [...document.querySelectorAll('#choropleth .hamlet-label')]
    .filter((e) => getComputedStyle(e).visibility !== 'hidden').map((e) => e.getBoundingClientRect());
  let overlaps = 0;
  boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b) => {
    if (a.left < b.right && a.right > b.left && a.top < b.bottom && a.bottom > b.top) overlaps += 1;
  }));
  return {shown: boxes.length, overlaps};
}"""


@pytest.fixture
def leadership_page(live_server, demo_commune, browser):
    indicator_results_compute()
    user_create(username="lanhdao", password="Lanh-dao-2026!", role=Role.LEADERSHIP, name="Phạm Thị Mai")

    def open_at(size):
        context = browser.new_context(viewport=size, locale="vi-VN")
        page = context.new_page()
        sign_in(page, live_server.url, "lanhdao", "Lanh-dao-2026!")
        page.goto(f"{live_server.url}/dashboard/")
        expect(page.locator("body")).to_have_attribute("data-dashboard-ready", "true", timeout=20000)
        page.wait_for_timeout(300)
        return page

    return open_at


def test_on_a_phone_the_dashboard_fits_the_screen_with_its_badges_in_view(leadership_page, live_server):
    page = leadership_page(PHONE)
    assert page.evaluate(OVERFLOWING) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Every verdict badge of the targets is on screen, whole (it was cut off at the right edge).
    badges = page.locator("table.targets td .state")
    assert badges.count() > 0
    for i in range(badges.count()):
        box = badges.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], badges.nth(i).inner_text()
    # "n = 397" stays on one line.
    for n in page.locator("table.targets .n").all():
        height = n.bounding_box()["height"]
        font = float(n.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
        assert height < 2 * font, n.inner_text()

    # The legend starts folded to one button, and opens on a tap.
    map_box = page.locator("#choropleth").bounding_box()
    legend = page.locator("#choropleth .legend")
    folded = legend.bounding_box()
    assert folded["width"] * folded["height"] < 0.08 * map_box["width"] * map_box["height"]
    expect(legend.locator(".legend-toggle")).to_have_text("Chú giải")
    legend.locator(".legend-toggle").click()
    expect(legend.locator("i").first).to_be_visible()
    legend.locator(".legend-toggle").click()
    expect(legend.locator("i").first).to_be_hidden()

    # Hamlet names never overlap; some wait for the zoom and appear when the map is zoomed in.
    before = page.evaluate(OVERLAPPING_LABELS)
    total = page.locator("#choropleth .hamlet-label").count()
    assert before["overlaps"] == 0 and 0 < before["shown"] < total, (before, total)
    page.locator("#choropleth .leaflet-control-zoom-in").click()
    page.wait_for_timeout(400)
    page.locator("#choropleth .leaflet-control-zoom-in").click()
    page.wait_for_timeout(600)
    after = page.evaluate(OVERLAPPING_LABELS)
    assert after["overlaps"] == 0
    screenshot(page, "dashboard-phone", full_page=True)


def test_the_dashboard_says_optional_criteria_and_failed_gates_in_words(leadership_page, live_server):
    page = leadership_page(DESKTOP)
    assert page.evaluate(OVERFLOWING) == []
    card = page.request.get(f"{live_server.url}/api/v1/scorecard").json()
    for hamlet in card["hamlets"]:
        row = page.locator(f"#scorecard tr[data-hamlet='{hamlet['hamlet']}']")
        tc = "—" if hamlet["tc_met"] is None else str(hamlet["tc_met"])
        expect(row.locator("td.optional-met")).to_have_text(f"{tc} trên ≥{hamlet['tc_required']}")
    # A criterion failing on its gate with its value over the threshold gives the reason and
    # no "thiếu 0" (a gap of zero said nothing).
    gated = [
        (h["hamlet"], c)
        for h in card["hamlets"]
        for c in h["criteria"]
        if c["criterion"] in h["failing"] and c["reason"] and c["gap_pp"] is not None and c["gap_pp"] <= 0
    ]
    for hamlet, criterion in gated:
        chip = page.locator(f"#scorecard tr[data-hamlet='{hamlet}'] .chip", has_text=criterion["criterion"]).first
        expect(chip).to_contain_text(criterion["reason"])
        expect(chip).not_to_contain_text("thiếu 0")

    # The first indicator drawn is a plan target with a percentage, not a yes/no criterion.
    chosen = page.locator("#indicator-select").input_value()
    catalogue = {c["id"]: c for c in page.request.get(f"{live_server.url}/api/v1/indicators/catalogue").json()}
    assert catalogue[chosen]["targets"] and catalogue[chosen]["kind"] == "proportion", chosen
    assert chosen in {t["indicator"] for t in card["commune_targets"]}
    assert page.evaluate("window.dashboardTrend.values.filter((v) => v !== null).length") >= 1

    # The legend is open on a wide screen; the print map is an A4 sheet at 300 dpi.
    expect(page.locator("#choropleth .legend i").first).to_be_visible()
    a4 = page.locator("#png-a4-link").get_attribute("href")
    assert a4.endswith(f"round={card['round']}&size=a4") and f"/maps/{chosen}.png" in a4
    response = page.request.get(f"{live_server.url}{a4}")
    assert response.status == 200 and response.headers["content-type"] == "image/png"
    screenshot(page, "dashboard-desktop", full_page=True)
