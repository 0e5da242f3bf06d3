"""The webhooks page in Chromium, on a phone: leadership adds a receiver that is failing, sees
the failed delivery with its HTTP status, brings the receiver up and presses "Gửi lại ngay";
the row turns delivered and the receiver has it once, signed."""

import pytest
from playwright.sync_api import expect

from backend.accounts.actors import actor_for_device
from backend.accounts.models import Role
from backend.accounts.services import user_create
from backend.submissions.services import submission_receive
from backend.webhooks.models import Webhook
from backend.webhooks.signing import SIGNATURE_HEADER, signature_valid
from tests.submissions.factories import device_for, instance_xml, new_instance_id, publish_household_form
from tests.web.conftest import screenshot, sign_in
from tests.webhooks.receiver import Receiver

pytestmark = [pytest.mark.browser, pytest.mark.postgres]
WIDEST = "Math.max(...[...document.querySelectorAll('body *')].map(e => e.getBoundingClientRect().right))"


def test_leadership_adds_a_webhook_sees_the_failure_and_retries_it_on_a_phone(
    postgres_only, live_server, phone, settings
):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True  # the receiver listens on 127.0.0.1
    settings.WEBHOOKS_MAX_ATTEMPTS = 1
    settings.WEBHOOKS_TIMEOUT_S = 2.0
    form = publish_household_form()
    volunteer, _ = device_for(form)
    user_create(username="lanhdao", password="Lanh-Dao-2026!", role=Role.LEADERSHIP)
    receiver = Receiver().up("error")
    try:
        page = phone.new_page()
        sign_in(page, live_server.url, "lanhdao", "Lanh-Dao-2026!")
        page.goto(f"{live_server.url}/staff/webhooks/")
        page.fill("input[name=name]", "Hệ thống báo cáo tỉnh")
        page.fill("input[name=url]", receiver.url)
        page.get_by_role("button", name="Tạo").click()
        expect(page.locator("#created")).to_contain_text("Đã tạo webhook")
        secret = page.locator(".webhook-secret").inner_text().strip()
        assert secret == Webhook.objects.get().secret
        assert page.evaluate(WIDEST) <= 391

        # A phone sends a submission; the receiver answers 500, the only try fails.
        submission_receive(
            actor=actor_for_device(volunteer.tokens.get(), url_prefix=""),
            xml=instance_xml(instance_id=new_instance_id(), audit=None, photo=None),
            files={},
        )
        page.goto(f"{live_server.url}/staff/webhooks/")
        expect(page.locator(".webhook-failed")).to_contain_text("thất bại 1")
        page.get_by_role("link", name="Hệ thống báo cáo tỉnh").click()
        row = page.locator(".delivery-row")
        expect(row).to_contain_text("Thất bại")
        expect(row.locator(".attempt-log")).to_contain_text("HTTP 500")
        assert page.evaluate(WIDEST) <= 391
        screenshot(page, "webhook-failed")

        receiver.mode = "ok"
        row.get_by_role("button", name="Gửi lại ngay").click()
        expect(page.locator(".delivery-row")).to_contain_text("Đã gửi")
        expect(page.locator(".delivery-row .attempt-log li")).to_have_count(2)
        screenshot(page, "webhook-delivered")
        (accepted,) = receiver.accepted()
        assert signature_valid(secret, accepted.body, accepted.headers[SIGNATURE_HEADER])
    finally:
        receiver.down()
