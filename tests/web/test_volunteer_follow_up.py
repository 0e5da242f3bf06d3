"""A follow-up visit in the browser: ODK Web Forms on the volunteer page loads the hamlet's
household list (the register's households.csv), the volunteer picks a household, the known
values are prefilled, and the submission updates that household on the server."""

import pytest
from playwright.sync_api import expect

from backend.places.models import Hamlet
from backend.places.services import commune_ensure
from backend.registers.models import Household, HouseholdVisit
from backend.registers.services import households_import
from tests.web.conftest import screenshot
from tests.web.household import choose_hamlet, open_form, question

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

REGISTER = (
    "ap,ma_ho,ten_goi,mo_ta,geometry\n"
    "AP01,01-0007,Bảy,nhà mái tôn xanh,11.2901 107.4102 0 0\n"
    "AP01,01-0008,Út,nhà tường vàng,11.2905 107.4110 0 0\n"
    "AP02,02-0001,Hai,nhà gần chợ,11.3001 107.4201 0 0\n"
).encode()


def test_a_volunteer_picks_a_household_from_the_list_and_the_visit_updates_it(
    postgres_only, live_server, phone, household_form
):
    from backend.accounts.services import volunteer_create

    commune = commune_ensure()
    ap01 = Hamlet.objects.create(commune=commune, code="AP01", name="Ấp Phú Dũng")
    Hamlet.objects.create(commune=commune, code="AP02", name="Ấp Phú Tân")
    households_import(data=REGISTER, filename="ho.csv")
    bay = Household.objects.get(ma_ho="01-0007")
    assert bay.version == 1
    _volunteer, token = volunteer_create(name="Nguyễn Thị Lan", code="TNV012", forms=[household_form], hamlets=[ap01])

    page = phone.new_page()
    lists = []
    page.on("response", lambda r: lists.append(r.status) if r.url.endswith("/households.csv") else None)
    open_form(page, live_server.url, token)
    page.get_by_label("Mã tình nguyện viên").fill("TNV012")
    choose_hamlet(page)
    question(page, "Hộ có trong danh sách hộ của ấp không?").get_by_text("Có", exact=True).click()
    pick = question(page, "Chọn hộ trong danh sách")
    pick.get_by_role("combobox").click()
    options = page.get_by_role("option")
    expect(options.filter(has_text="01-0007 · Bảy")).to_have_count(1)
    assert options.filter(has_text="02-0001").count() == 0  # another hamlet's household is not offered
    options.filter(has_text="01-0007 · Bảy").click()
    # known values prefilled from the list
    expect(page.get_by_label("Mã hộ")).to_have_value("01-0007")
    expect(page.get_by_label("Tên gọi của chủ hộ")).to_have_value("Bảy")
    description = page.get_by_label("Mô tả nhà để nhận ra hộ")
    expect(description).to_have_value("nhà mái tôn xanh")
    description.fill("nhà mái tôn xanh, cổng mới")
    page.get_by_text("Gặp được hộ", exact=True).click()
    question(page, "Anh/chị có đồng ý tham gia").get_by_text("Không", exact=True).click()
    screenshot(page, "volunteer-follow-up")
    page.get_by_role("button", name="Gửi").click()
    page.locator("#submit-status.sent").wait_for()

    assert lists and lists[0] == 200
    bay.refresh_from_db()
    assert bay.version == 2
    assert bay.mo_ta == "nhà mái tôn xanh, cổng mới"
    assert bay.ten_goi == "Bảy" and bay.ma_ho == "01-0007"
    visit = HouseholdVisit.objects.get(household=bay)
    assert visit.outcome == "refused"
    assert Household.objects.count() == 3  # updated, not a new household

    # kept for offline use like the form itself: the service worker's cache holds the list
    page.wait_for_function(
        """async () => {
          for (const name of await caches.keys()) {
            const keys = await (await caches.open(name)).keys();
            if (keys.some((r) => r.url.endsWith("/forms/pl_ho/attachments/households.csv"))) return true;
          }
          return false;
        }""",
        timeout=15000,
    )


def test_the_volunteers_hamlet_comes_preselected_and_can_still_be_changed(
    postgres_only, live_server, phone, household_form
):
    """The form's default for `ap` is the hamlet of the device's household list (the entity
    list holds only the volunteer's hamlet): a dynamic default, set when the form is first
    opened, which Collect and Web Forms both run."""
    from backend.accounts.services import volunteer_create

    commune = commune_ensure()
    Hamlet.objects.create(commune=commune, code="AP01", name="Ấp Phú Dũng")
    ap02 = Hamlet.objects.create(commune=commune, code="AP02", name="Ấp Phú Tân")
    households_import(data=REGISTER, filename="ho.csv")
    _volunteer, token = volunteer_create(name="Trần Văn Hai", code="TNV020", forms=[household_form], hamlets=[ap02])

    page = phone.new_page()
    open_form(page, live_server.url, token)
    hamlet = page.locator(".dropdown").first
    expect(hamlet).to_contain_text("Ấp Phú Tân")
    # The list question is filtered on the preselected hamlet without touching it.
    question(page, "Hộ có trong danh sách hộ của ấp không?").get_by_text("Có", exact=True).click()
    question(page, "Chọn hộ trong danh sách").get_by_role("combobox").click()
    expect(page.get_by_role("option").filter(has_text="02-0001 · Hai")).to_have_count(1)
    page.keyboard.press("Escape")
    page.get_by_label("Mã tình nguyện viên").scroll_into_view_if_needed()
    screenshot(page, "volunteer-hamlet-preselected")
    # Still a default: the volunteer picks another hamlet.
    choose_hamlet(page, "Ấp Phú Dũng")
    expect(hamlet).to_contain_text("Ấp Phú Dũng")
    expect(hamlet).not_to_contain_text("Ấp Phú Tân")
