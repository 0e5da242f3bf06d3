"""The hamlet head's map and review, and the volunteer seeing the verdict on their phone."""

import pytest
from playwright.sync_api import expect

from backend.accounts.models import Role
from backend.accounts.services import user_create, volunteer_create
from backend.places.models import Hamlet
from backend.submissions.models import ReviewState, Submission
from backend.surveys.models import Form
from tests.web.conftest import screenshot, sign_in
from tests.web.household import fill_refused_household, open_form

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

COMMENT = "Sai mã hộ, vui lòng kiểm tra lại với danh sách của ấp."


def test_a_hamlet_head_sees_only_their_hamlet_rejects_with_a_comment_and_the_volunteer_sees_it(
    postgres_only, live_server, phone, desktop, demo_commune
):
    form = Form.objects.get(form_id="pl_ho")
    phu_dung = Hamlet.objects.get(code="AP01")
    _volunteer, token = volunteer_create(name="Nguyễn Thị Lan", code="TNV012", forms=[form], hamlets=[phu_dung])
    volunteer_page = phone.new_page()
    open_form(volunteer_page, live_server.url, token)
    fill_refused_household(volunteer_page, ma_ho="01-0999")
    volunteer_page.get_by_role("button", name="Gửi").click()
    volunteer_page.locator("#submit-status.sent").wait_for()
    mine = Submission.objects.get(current_version__instance_name="AP01 01-0999")

    user_create(
        username="truongap01", password="Phu-Dung-2026!", role=Role.HAMLET_HEAD, hamlets=[phu_dung], name="Lê Văn Tư"
    )
    page = desktop.new_page()
    sign_in(page, live_server.url, "truongap01", "Phu-Dung-2026!")
    page.goto(f"{live_server.url}/hamlet/")
    page.locator("#hamlet-map canvas").first.wait_for()

    # Only Phú Dũng: one boundary on the map, and every listed household is from AP01.
    assert page.evaluate("() => window.hamletMap.hamlets.getLayers().length") == 1
    listed = page.locator("#submission-list tbody tr[data-instance]")
    expected = Submission.objects.filter(form=form, hamlet_code="AP01", deleted_at__isnull=True).count()
    assert listed.count() == expected > 1
    names = page.locator("#submission-list tbody tr[data-instance] td:nth-child(2) a").all_inner_texts()
    assert all(name.startswith("AP01 ") for name in names)
    with_gps = Submission.objects.filter(form=form, hamlet_code="AP01", lat__isnull=False).count()
    assert page.evaluate("() => window.hamletMap.points.getLayers().length") == with_gps
    screenshot(page, "hamlet-map")

    other = Submission.objects.filter(form=form).exclude(hamlet_code="AP01").first()
    response = page.goto(f"{live_server.url}/hamlet/submissions/pl_ho/{other.instance_id}")
    assert response.status == 404

    page.goto(f"{live_server.url}/hamlet/")
    page.get_by_role("link", name="AP01 01-0999").click()
    expect(page.locator("dd[data-path='ma_ho']")).to_have_text("01-0999")
    expect(page.locator("dd[data-path='ap']")).to_have_text("Phú Dũng")
    screenshot(page, "hamlet-submission-detail")
    page.fill("#comment", COMMENT)
    page.get_by_role("button", name="Từ chối").click()
    expect(page.locator("#review-state")).to_have_text("Bị từ chối")
    mine.refresh_from_db()
    assert mine.review_state == ReviewState.REJECTED

    volunteer_page.goto(f"{live_server.url}/key/{token}/app/mine")
    item = volunteer_page.locator(f"li.mine-item[data-instance='{mine.instance_id}']")
    expect(item).to_have_attribute("data-state", "rejected")
    expect(item).to_contain_text("Bị từ chối")
    expect(item).to_contain_text(COMMENT)
    expect(item.get_by_role("link", name="Sửa và gửi lại")).to_be_visible()
    screenshot(volunteer_page, "volunteer-my-submissions")


def test_the_coverage_page_counts_registered_and_surveyed_households_of_the_hamlet(
    postgres_only, live_server, desktop, demo_commune
):
    phu_dung = Hamlet.objects.get(code="AP01")
    user_create(username="truongap01", password="Phu-Dung-2026!", role=Role.HAMLET_HEAD, hamlets=[phu_dung])
    page = desktop.new_page()
    sign_in(page, live_server.url, "truongap01", "Phu-Dung-2026!")
    page.goto(f"{live_server.url}/hamlet/coverage")
    rows = page.locator("#coverage-table tbody tr")
    assert rows.count() == 1
    # The households of the latest declared round as the indicators count them (the same
    # reading as the dashboard): consenting households, refusals apart.
    from backend.reports.selectors import round_coverage
    from backend.reports.services import indicator_results_current

    stored, _ = indicator_results_current()
    latest = max(r.round for r in stored)
    ap01 = round_coverage(stored, round_name=latest, hamlets=frozenset({"AP01"})).hamlets[0]
    assert 0 < ap01.surveyed <= phu_dung.registered_households
    expect(rows.first.locator("td").nth(1)).to_have_text(str(phu_dung.registered_households))
    expect(rows.first.locator("td").nth(2)).to_have_text(str(ap01.surveyed))
    expect(rows.first.locator("td").nth(3)).to_have_text(str(ap01.refused))
    screenshot(page, "hamlet-coverage")
