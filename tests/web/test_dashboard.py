"""The commune leadership's dashboard shows the analytics API's own figures."""

import pytest
from playwright.sync_api import expect

from backend.accounts.models import Role
from backend.accounts.services import user_create
from backend.reports.services import indicator_results_compute
from tests.web.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


def _number(text: str) -> float:
    """A figure as the Vietnamese page writes it (decimal comma, dot for thousands)."""
    return float(text.replace(".", "").replace(",", "."))


def test_the_leadership_dashboard_shows_the_same_figures_as_the_analytics_api_for_the_demo_commune(
    postgres_only, live_server, desktop, demo_commune
):
    indicator_results_compute()
    user_create(username="lanhdao", password="Lanh-dao-2026!", role=Role.LEADERSHIP, name="Phạm Thị Mai")
    page = desktop.new_page()
    sign_in(page, live_server.url, "lanhdao", "Lanh-dao-2026!")
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.locator("body")).to_have_attribute("data-dashboard-ready", "true", timeout=20000)

    card = page.request.get(f"{live_server.url}/api/v1/scorecard").json()
    assert card["commune_targets"], "the demo commune has plan targets"
    for target in card["commune_targets"]:
        table = page.locator(f"table.targets[data-year='{target['target_year']}']")
        row = table.locator(f"tr[data-indicator='{target['indicator']}']")
        expect(row).to_have_count(1)
        shown = row.locator("td.value").inner_text()
        if target["value"] is None:
            assert shown == "—"
        else:
            assert _number(shown) == pytest.approx(target["value"], abs=0.05)
        # The comparison is part of the target: "> 70" is not met at exactly 70.
        op, threshold = row.locator("td.target").inner_text().split(" ", 1)
        assert op == {">=": "≥", ">": ">"}[target["target_op"]]
        assert _number(threshold) == pytest.approx(target["target"])
        met = row.locator("td").last.locator("span").first.inner_text()
        assert met == {True: "Đạt", False: "Chưa đạt", None: "Chưa có số liệu"}[target["met"]]

    rows = page.locator("#scorecard tbody tr")
    expect(rows).to_have_count(len(card["hamlets"]))
    # The page draws the API's order (pilots first, then by code) and sorts nothing itself.
    assert [h["pilot"] for h in card["hamlets"][:3]] == [True, True, False]
    drawn = [rows.nth(i).get_attribute("data-hamlet") for i in range(len(card["hamlets"]))]
    assert drawn == [h["hamlet"] for h in card["hamlets"]]
    assert any(t["target_op"] == ">" for t in card["commune_targets"]), "the demo shows a strict target"
    explained = 0
    for hamlet in card["hamlets"]:
        row = page.locator(f"#scorecard tr[data-hamlet='{hamlet['hamlet']}']")
        expect(row.locator("td").nth(2)).to_have_text(f"{hamlet['bb_met']}/{hamlet['bb_total']}")
        expect(row.locator(".chip")).to_have_count(len(hamlet["failing"]))
        # A criterion failing on its gate says why on its chip.
        for criterion in hamlet["criteria"]:
            if criterion["criterion"] in hamlet["failing"] and criterion["reason"]:
                expect(row.locator(".chip", has_text=criterion["criterion"]).first).to_contain_text(criterion["reason"])
                explained += 1
    assert explained, "the demo has a criterion failing with a reason"

    # The choropleth draws every hamlet with a boundary, named.
    geo = page.request.get(
        f"{live_server.url}/api/v1/hamlets.geojson?indicator="
        f"{page.locator('#indicator-select').input_value()}&round={card['round']}"
    ).json()
    named = page.locator("#choropleth .hamlet-label")
    expect(named).to_have_count(len([f for f in geo["features"] if f["geometry"]]))
    assert page.locator("#png-link").get_attribute("href").endswith(f"round={card['round']}")
    screenshot(page, "dashboard")
    for export in ("csv", "xlsx", "gpkg"):
        assert page.request.get(f"{live_server.url}/api/v1/exports/indicators.{export}").status == 200
