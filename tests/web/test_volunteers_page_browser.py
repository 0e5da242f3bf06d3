"""The volunteers page on a phone: create a volunteer, see the link and its QR, nothing wider
than the screen."""

import pytest
from playwright.sync_api import expect

from backend.accounts.models import Role
from backend.accounts.services import user_create
from backend.places.models import Commune, Hamlet
from tests.web.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

WIDEST = "Math.max(...[...document.querySelectorAll('body *')].map(e => e.getBoundingClientRect().right))"


def test_leadership_creates_a_volunteer_on_a_phone_and_opens_the_new_link(
    postgres_only, live_server, phone, household_form
):
    commune = Commune.objects.create(code="PL", name="Phú Lâm")
    Hamlet.objects.create(commune=commune, code="AP01", name="Phú Dũng")
    user_create(username="lanhdao", password="Lanh-Dao-2026!", role=Role.LEADERSHIP)
    page = phone.new_page()
    sign_in(page, live_server.url, "lanhdao", "Lanh-Dao-2026!")
    page.goto(f"{live_server.url}/staff/volunteers/")
    form = page.locator("#volunteer-new")
    form.locator("input[name=name]").fill("Trần Văn Bình")
    form.locator("input[name=code]").fill("TNV044")
    form.get_by_label("AP01 · Phú Dũng").check()
    form.get_by_role("button", name="Tạo và hiện đường dẫn").click()
    issued = page.locator("#issued")
    expect(issued).to_contain_text("Đường dẫn mới cho Trần Văn Bình")
    assert issued.locator("img.qr").evaluate("img => img.complete && img.naturalWidth > 0")
    assert page.evaluate(WIDEST) <= 391
    screenshot(page, "staff-volunteers")
    page.goto(issued.locator("a.app-url").get_attribute("href").replace("https://survey.example.org", live_server.url))
    expect(page.get_by_text("Phiếu khảo sát hộ gia đình")).to_be_visible()
