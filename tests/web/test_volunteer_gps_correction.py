"""A submission rejected for its GPS point is corrected on the phone: a new point is taken
with the plain "take my location" control (no map tiles, offline) and arrives as an edit."""

import pytest
from playwright.sync_api import expect

from backend.accounts.actors import actor_for_user
from backend.accounts.models import Role
from backend.accounts.services import user_create
from backend.places.models import Commune, Hamlet
from backend.review.services import submission_review_set
from backend.submissions.models import ReviewState, Submission
from tests.web.conftest import PHONE, screenshot
from tests.web.household import fill_refused_household, open_form

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

AT_THE_MARKET = {"latitude": 10.8021, "longitude": 106.6011, "accuracy": 3}
AT_THE_GATE = {"latitude": 10.8612, "longitude": 106.6234, "accuracy": 4}


@pytest.fixture
def gps_phone(browser):
    context = browser.new_context(
        viewport=PHONE, locale="vi-VN", permissions=["geolocation"], geolocation=AT_THE_MARKET
    )
    yield context
    context.close()


def test_a_submission_rejected_for_its_gps_point_gets_a_new_point_offline_and_arrives_as_an_edit(
    postgres_only, live_server, gps_phone, volunteer_key
):
    _volunteer, token = volunteer_key
    blocked: list[str] = []
    page = gps_phone.new_page()
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    open_form(page, live_server.url, token)
    fill_refused_household(page, ma_ho="01-0321")
    page.get_by_role("button", name="Lấy vị trí").first.click()
    expect(page.get_by_text("Độ chính xác tốt", exact=False).first).to_be_visible()
    save = page.get_by_role("button", name="Lưu vị trí")
    if save.is_visible():
        save.click()
    expect(save).to_be_hidden()
    page.get_by_role("button", name="Gửi").click()
    page.locator("#submit-status.sent").wait_for()
    submission = Submission.objects.get()
    assert round(submission.lat, 4) == AT_THE_MARKET["latitude"]

    commune = Commune.objects.create(code="PL", name="Phú Lâm")
    hamlet = Hamlet.objects.create(commune=commune, code="AP01", name="Phú Dũng")
    head = user_create(username="truongap01", password="Phu-Dung-2026!", role=Role.HAMLET_HEAD, hamlets=[hamlet])
    submission_review_set(
        actor=actor_for_user(head),
        submission=submission,
        state=ReviewState.REJECTED,
        comment="Vị trí ở chợ, không phải ở nhà: lấy lại vị trí trước cổng.",
    )

    page.goto(f"{live_server.url}/key/{token}/app/mine")
    page.get_by_role("link", name="Sửa và gửi lại").click()
    expect(page.get_by_label("Mã hộ")).to_have_value("01-0321")
    panel = page.locator("#geo-fix")
    expect(panel).to_be_visible()
    expect(panel.locator(".geo-fix-value")).to_contain_text("10.802100, 106.601100")
    # No tile server configured: Web Forms' map (blocked tiles) is not shown.
    assert not page.locator(".async-map-container").first.is_visible()

    gps_phone.set_offline(True)
    gps_phone.set_geolocation(AT_THE_GATE)
    panel.get_by_role("button", name="Lấy vị trí của tôi").click()
    expect(panel.locator(".geo-fix-value")).to_contain_text("10.861200, 106.623400")
    expect(panel.locator(".geo-fix-note")).to_contain_text("Đã ghi vị trí mới")
    screenshot(page, "volunteer-gps-correction")
    page.get_by_role("button", name="Gửi").click()
    page.locator("#submit-status.queued").wait_for()
    gps_phone.set_offline(False)
    expect(page.locator("#queue-count")).to_have_attribute("data-count", "0", timeout=30000)

    submission.refresh_from_db()
    assert submission.versions.count() == 2
    assert submission.review_state == ReviewState.EDITED
    assert round(submission.lat, 4) == AT_THE_GATE["latitude"]
    assert round(submission.lon, 4) == AT_THE_GATE["longitude"]
    assert b"<ma_ho>01-0321</ma_ho>" in bytes(submission.current_version.xml)
    assert blocked == []

    # The hamlet head sees what the correction changed, side by side: only the location.
    from django.test import Client

    head_client = Client()
    head_client.force_login(head)
    detail = head_client.get(f"/hamlet/submissions/pl_ho/{submission.current_version.instance_id}")
    assert detail.status_code == 200
    changes = detail.context["changes"]
    assert [c.path for c in changes] == ["vi_tri"]
    assert "10.8021" in changes[0].before and "10.8612" in changes[0].after
    assert "Những gì bản sửa đã thay đổi" in detail.content.decode()
