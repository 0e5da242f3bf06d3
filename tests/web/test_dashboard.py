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
        shown = row.locator("td.value .figure").inner_text()
        if target["n"] is not None:  # every value carries its n
            expect(row.locator("td.value .n")).to_have_text(f"n = {target['n']}")
        if target["too_few"]:
            assert shown == "không đủ mẫu / too few"
        elif target["value"] is None:
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

    # Rounds are points with their intervals, not a smoothed line.
    trend = page.evaluate("window.dashboardTrend")
    assert trend["showLine"] is False and trend["labels"] == sorted(trend["labels"])
    assert set(trend["labels"]) <= {"2025", "2027", "2030"}


def test_the_hamlet_page_and_the_dashboard_show_the_same_coverage_for_the_demo_commune(
    postgres_only, live_server, desktop, demo_commune
):
    from backend.places.models import Hamlet

    indicator_results_compute()
    user_create(username="lanhdao", password="Lanh-dao-2026!", role=Role.LEADERSHIP, name="Phạm Thị Mai")
    page = desktop.new_page()
    sign_in(page, live_server.url, "lanhdao", "Lanh-dao-2026!")
    page.goto(f"{live_server.url}/hamlet/coverage?round=2025")
    hamlet_page = {
        row.get_attribute("data-hamlet"): [row.locator("td").nth(i).inner_text() for i in range(1, 4)]
        for row in page.locator("#coverage-table tbody tr").all()
    }
    assert sorted(hamlet_page) == sorted(Hamlet.objects.values_list("code", flat=True))
    totals = [page.locator(f"#total-{k}").inner_text() for k in ("registered", "surveyed", "refused")]
    register_rows = "#register-coverage-table tbody tr"
    hamlet_register = {
        row.get_attribute("data-hamlet"): [row.locator("td").nth(i).inner_text() for i in range(1, 7)]
        for row in page.locator(register_rows).all()
    }
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.locator("body")).to_have_attribute("data-dashboard-ready", "true", timeout=20000)
    page.select_option("#round-select", "2025")
    expect(page.locator("#coverage-round")).to_contain_text("2025")
    dashboard = {
        row.get_attribute("data-hamlet"): [row.locator("td").nth(i).inner_text() for i in range(1, 4)]
        for row in page.locator("#coverage-table tbody tr").all()
    }
    assert dashboard == hamlet_page
    assert [page.locator(f"#coverage-{k}").inner_text() for k in ("registered", "surveyed", "refused")] == totals
    # The API says the same, and refusals are not counted as surveyed.
    api = page.request.get(f"{live_server.url}/api/v1/coverage?round=2025").json()
    assert [str(api["registered"]), str(api["totals"]["surveyed"]), str(api["totals"]["refused"])] == totals
    assert api["totals"]["surveyed"] > 0
    # The register's statuses: the same per hamlet on both pages, each hamlet's five statuses
    # add up to its households, and the bar draws the statuses that occur.
    expect(page.locator("#register-coverage")).to_be_visible()
    dashboard_register = {
        row.get_attribute("data-hamlet"): [row.locator("td").nth(i).inner_text() for i in range(1, 7)]
        for row in page.locator(register_rows).all()
    }
    assert dashboard_register == hamlet_register and len(dashboard_register) == len(hamlet_page)
    for code, (households, *statuses) in dashboard_register.items():
        assert sum(int(x) for x in statuses) == int(households), code
        drawn = page.locator(f"{register_rows}[data-hamlet='{code}'] .status-bar span")
        assert drawn.count() == sum(1 for x in statuses if int(x) > 0)
    totals_api = api["register_totals"]
    assert totals_api["households"] > totals_api["visited"] > 0 and totals_api["moved"] + totals_api["refused"] > 0


def test_a_value_from_too_few_households_reads_too_few_on_the_dashboard(
    postgres_only, live_server, desktop, demo_commune, settings
):
    settings.ANALYTICS_MIN_SAMPLE = 100_000  # every survey value of the demo commune is then too few
    indicator_results_compute()
    user_create(username="lanhdao", password="Lanh-dao-2026!", role=Role.LEADERSHIP, name="Phạm Thị Mai")
    page = desktop.new_page()
    sign_in(page, live_server.url, "lanhdao", "Lanh-dao-2026!")
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.locator("body")).to_have_attribute("data-dashboard-ready", "true", timeout=20000)
    card = page.request.get(f"{live_server.url}/api/v1/scorecard").json()
    few = [t for t in card["commune_targets"] if t["too_few"]]
    assert few and all(t["n"] is not None and t["n"] < 100_000 for t in few)
    for target in few:
        cell = page.locator(
            f"table.targets[data-year='{target['target_year']}'] tr[data-indicator='{target['indicator']}'] td.value"
        )
        expect(cell.locator(".figure")).to_have_text("không đủ mẫu / too few")
        expect(cell.locator(".n")).to_have_text(f"n = {target['n']}")
    # The scorecard's criteria carry n and too_few by the same rule, and a failing criterion
    # measured on households reads "too few" on its chip instead of a value.
    sampled = [c for h in card["hamlets"] for c in h["criteria"] if c["n"] is not None]
    assert sampled and all(c["too_few"] for c in sampled)
    assert all(c["too_few"] is False for h in card["hamlets"] for c in h["criteria"] if c["n"] is None)
    hamlet = next(
        h for h in card["hamlets"] if any(c["too_few"] and c["criterion"] in h["failing"] for c in h["criteria"])
    )
    criterion = next(c for c in hamlet["criteria"] if c["too_few"] and c["criterion"] in hamlet["failing"])
    chip = page.locator(f"#scorecard tr[data-hamlet='{hamlet['hamlet']}'] .chip[data-too-few='true']").filter(
        has_text=criterion["criterion"]
    )
    expect(chip).to_contain_text(f"không đủ mẫu / too few (n = {criterion['n']})")
    # Its trend plots no point for a round whose value is too few.
    page.select_option("#indicator-select", few[0]["indicator"])
    trend = page.evaluate("window.dashboardTrend")
    assert trend["tooFew"] and all(trend["tooFew"]) and all(v is None for v in trend["values"])


def test_leadership_assigns_a_stray_submission_and_edits_a_window_on_the_dashboard(
    postgres_only, live_server, desktop, demo_commune
):
    from datetime import date

    from backend.audit.models import AuditEvent
    from backend.reports.models import RoundAssignment, SurveyRound
    from backend.submissions.models import Submission

    stray = Submission.objects.filter(form__form_id="pl_ho").order_by("id").first()
    Submission.objects.filter(pk=stray.pk).update(survey_date=date(2026, 12, 3))  # outside every window
    indicator_results_compute()
    user_create(username="lanhdao", password="Lanh-dao-2026!", role=Role.LEADERSHIP, name="Phạm Thị Mai")
    page = desktop.new_page()
    sign_in(page, live_server.url, "lanhdao", "Lanh-dao-2026!")
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.locator("body")).to_have_attribute("data-dashboard-ready", "true", timeout=20000)
    listed = page.locator("#unassigned-table tbody tr[data-submission]")
    expect(listed).to_have_count(1)
    expect(listed.first.locator("td").nth(3)).to_have_text("2026-12-03")
    listed.first.locator("input[type=checkbox]").check()
    page.select_option("#assign-round", "2025")
    page.click("#assign-button")
    expect(page.locator("#rounds-status")).to_have_text("Đã gán vào đợt. / Assigned to the round.")
    expect(page.locator("#unassigned-table tbody tr[data-submission]")).to_have_count(0)
    assert RoundAssignment.objects.get(submission=stray).round.name == "2025"

    row = page.locator("#rounds-table tr[data-round='2030']")
    row.locator("input[name=start]").fill("2030-03-01")
    row.locator("button").click()
    expect(page.locator("#rounds-status")).to_have_text("Đã lưu. / Saved.")
    assert SurveyRound.objects.get(name="2030").start == date(2030, 3, 1)
    assert AuditEvent.objects.filter(action="survey_round.update").count() == 1
    # An overlapping window is refused with the catalogue's message, nothing stored.
    row.locator("input[name=start]").fill("2027-06-01")
    row.locator("button").click()
    expect(page.locator("#rounds-status")).to_contain_text("trùng với đợt '2027'")
    assert SurveyRound.objects.get(name="2030").start == date(2030, 3, 1)
