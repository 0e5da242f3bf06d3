"""A volunteer's phone: the household form in the browser, sent at once or queued offline."""

import pytest
from playwright.sync_api import expect

from backend.submissions.models import Submission
from tests.web.conftest import ROOT, screenshot
from tests.web.household import fill_refused_household, open_form

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


def _submission_posts(context) -> list[int]:
    """Statuses of every POST to /submission the browser made (page or worker)."""
    statuses: list[int] = []
    context.on(
        "response",
        lambda r: statuses.append(r.status) if r.request.method == "POST" and r.url.endswith("/submission") else None,
    )
    return statuses


def test_a_volunteer_fills_the_household_form_on_a_phone_and_it_is_stored(
    postgres_only, live_server, phone, volunteer_key
):
    volunteer, token = volunteer_key
    page = phone.new_page()
    page.goto(f"{live_server.url}/key/{token}/app/")
    page.get_by_text("Phiếu khảo sát hộ gia đình").wait_for()
    screenshot(page, "volunteer-home")
    page.goto(f"{live_server.url}/key/{token}/app/qr")
    assert page.locator("img.qr").evaluate("img => img.complete && img.naturalWidth > 0")
    screenshot(page, "volunteer-qr")

    open_form(page, live_server.url, token)
    screenshot(page, "volunteer-form")
    fill_refused_household(page, ma_ho="01-0042")
    page.get_by_role("button", name="Gửi").click()

    status = page.locator("#submit-status.sent")
    status.wait_for()
    assert "Đã gửi" in status.inner_text()
    screenshot(page, "volunteer-form-sent")
    stored = Submission.objects.get()
    assert stored.volunteer == volunteer
    assert stored.form.form_id == "pl_ho"
    assert stored.hamlet_code == "AP01"
    assert b"<ma_ho>01-0042</ma_ho>" in bytes(stored.current_version.xml)
    assert page.locator("#queue-count").get_attribute("data-count") == "0"


def test_the_volunteer_pages_are_vietnamese_by_default_and_switch_to_english(
    postgres_only, live_server, phone, volunteer_key
):
    _volunteer, token = volunteer_key
    page = phone.new_page()
    page.goto(f"{live_server.url}/key/{token}/app/")
    expect(page.locator("h2").first).to_have_text("Biểu mẫu của bạn")
    page.get_by_role("button", name="English").click()
    expect(page.locator("h2").first).to_have_text("Your forms")
    expect(page.locator("#queue-count")).to_have_text("Nothing waiting to send")
    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.locator("h2").first).to_have_text("Biểu mẫu của bạn")


def test_a_submission_made_offline_waits_in_the_queue_and_is_delivered_exactly_once_when_the_network_returns(
    postgres_only, live_server, phone, volunteer_key
):
    _volunteer, token = volunteer_key
    posts = _submission_posts(phone)
    page = phone.new_page()
    open_form(page, live_server.url, token)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")

    phone.set_offline(True)
    fill_refused_household(page, ma_ho="02-0007")
    page.get_by_role("button", name="Gửi").click()
    page.locator("#submit-status.queued").wait_for()
    badge = page.locator("#queue-count")
    assert badge.inner_text() == "1 chờ gửi"
    assert Submission.objects.count() == 0

    # The phone closes the browser while still offline; the page comes back from the
    # service worker and the queue from IndexedDB.
    page.close()
    page = phone.new_page()
    page.goto(f"{live_server.url}/key/{token}/app/")
    expect(page.locator("#queue-count")).to_have_attribute("data-count", "1")
    assert page.locator("#queue-count").inner_text() == "1 chờ gửi"
    assert "Ngoại tuyến" in page.locator("#net-state").inner_text()
    screenshot(page, "volunteer-offline-queue")
    assert Submission.objects.count() == 0

    phone.set_offline(False)
    expect(page.locator("#queue-count")).to_have_attribute("data-count", "0", timeout=30000)
    assert Submission.objects.count() == 1
    assert posts == [201]

    # Nothing is sent again: another visit finds an empty queue.
    page.reload()
    page.wait_for_timeout(1500)
    assert posts == [201]
    assert Submission.objects.count() == 1
    assert b"<ma_ho>02-0007</ma_ho>" in bytes(Submission.objects.get().current_version.xml)


def test_the_hamlet_is_a_searchable_dropdown_not_a_list_of_thirty_radio_buttons(
    postgres_only, live_server, phone, volunteer_key
):
    _volunteer, token = volunteer_key
    page = phone.new_page()
    open_form(page, live_server.url, token)
    hamlets = [line.split(",")[1] for line in (ROOT / "forms_xlsform" / "ap.csv").read_text().splitlines()[1:]]
    assert len(hamlets) >= 30
    # Closed, the question is one line: none of the hamlets is drawn as a radio choice.
    for name in hamlets[:5]:
        expect(page.get_by_text(name, exact=True)).to_have_count(0)
    page.locator(".dropdown").first.click()
    expect(page.get_by_role("option")).to_have_count(len(hamlets))
    page.keyboard.type("Dũng")  # the filter box has the focus (appearance autocomplete)
    expect(page.get_by_role("option")).to_have_count(1)
    page.get_by_role("option", name="Ấp Phú Dũng", exact=True).click()
    expect(page.locator(".dropdown").first).to_contain_text("Ấp Phú Dũng")
    screenshot(page, "volunteer-form-hamlet-dropdown")
