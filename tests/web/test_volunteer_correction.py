"""A rejected submission is corrected on the phone and sent as an edit (meta/deprecatedID)."""

import pytest
from playwright.sync_api import expect

from backend.accounts.actors import actor_for_user
from backend.accounts.models import Role
from backend.accounts.services import user_create
from backend.places.models import Commune, Hamlet
from backend.review.services import submission_review_set
from backend.submissions.models import ReviewState, Submission
from tests.web.conftest import screenshot
from tests.web.household import fill_refused_household, open_form

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


def test_a_rejected_submission_is_corrected_in_the_web_form_and_arrives_as_an_edit_of_the_same_household(
    postgres_only, live_server, phone, volunteer_key
):
    _volunteer, token = volunteer_key
    page = phone.new_page()
    open_form(page, live_server.url, token)
    fill_refused_household(page, ma_ho="01-0100")
    page.get_by_role("button", name="Gửi").click()
    page.locator("#submit-status.sent").wait_for()
    submission = Submission.objects.get()
    first_id = submission.instance_id

    commune = Commune.objects.create(code="PL", name="Phú Lâm")
    hamlet = Hamlet.objects.create(commune=commune, code="AP01", name="Phú Dũng")
    head = user_create(username="truongap01", password="Phu-Dung-2026!", role=Role.HAMLET_HEAD, hamlets=[hamlet])
    submission_review_set(
        actor=actor_for_user(head),
        submission=submission,
        state=ReviewState.REJECTED,
        comment="Mã hộ sai: hộ này là 01-0101.",
    )

    page.goto(f"{live_server.url}/key/{token}/app/mine")
    page.get_by_role("link", name="Sửa và gửi lại").click()
    code = page.get_by_label("Mã hộ")
    expect(code).to_have_value("01-0100")
    screenshot(page, "volunteer-correction")
    code.fill("01-0101")
    page.get_by_role("button", name="Gửi").click()
    page.locator("#submit-status.sent").wait_for()

    submission.refresh_from_db()
    assert Submission.objects.count() == 1
    assert submission.versions.count() == 2
    current = submission.current_version
    assert current.deprecated_id == first_id
    assert current.instance_id != first_id
    assert b"<ma_ho>01-0101</ma_ho>" in bytes(current.xml)
    assert submission.review_state == ReviewState.EDITED
