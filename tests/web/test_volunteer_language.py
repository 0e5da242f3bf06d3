"""The volunteer's form in Vietnamese, the renderer's own buttons and dialogs included, and
in English after the site's one language switch; the outbox names the household."""

import re

import pytest
from playwright.sync_api import expect

from tests.web.conftest import screenshot
from tests.web.household import fill_refused_household, open_form

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

# ASCII-only words allowed on a Vietnamese form screen: codes, abbreviations, and the
# Vietnamese words that happen to carry no diacritics. Anything else is English left over.
ALLOWED = {
    # The site's switch names the other language in that language; Web Forms' version.
    "English",
    "v0",
    "Collect",
    "A",
    "B",
    "C",
    "Z",
    "ODK",
    "GPS",
    "TNV",
    "TNV012",
    "AP01",
    "NN",
    "NNNN",
    "m",
    "km",
    "x",
    "CN",
    "Phiếu",
    "ho",
    "Ho",
    "Mai",
    "Lan",
    "Thanh",
    "An",
    "Long",
    "Ninh",
    "Binh",
    "Phu",
    "Lam",
    "tin",
    "con",
    "gia",
    "nam",
    "thi",
    "cho",
    "cha",
    "ban",
    "bao",
    "sao",
    "sinh",
    "theo",
    "vi",
    "in",
    "anh",
    "em",
    "tai",
    "nhi",
    "lai",
    "hay",
    "xe",
    "chi",
    "tam",
    "nhanh",
    "Ghi",
    "Trung",
    "Vinh",
    "Vui",
    "gian",
    "danh",
    "hoa",
    "khi",
    "tham",
    # Vietnamese words without diacritics in the household form's follow-up questions
    "ra",
    "sai",
    "trong",
    "xanh",
    "thu",
}
WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
VIETNAMESE_LETTER = re.compile(r"[À-ỹĐđ]")


def english_words(page) -> list[str]:
    """ASCII-only words in the rendered text, titles and labels that are not allowed."""
    texts = page.evaluate(
        """() => {
          const out = [document.body.innerText];
          for (const el of document.querySelectorAll('[title],[aria-label],[placeholder]'))
            if (el.checkVisibility())
            for (const a of ['title', 'aria-label', 'placeholder'])
              if (el.getAttribute(a)) out.push(el.getAttribute(a));
          return out;
        }"""
    )
    found = []
    for text in texts:
        for token in re.split(r"[\s,.;:!?()/·«»\"'“”–-]+", text):
            if not token or VIETNAMESE_LETTER.search(token) or not WORD.fullmatch(token):
                continue
            if token.lower() not in {w.lower() for w in ALLOWED}:
                found.append(token)
    return found


@pytest.fixture
def gps_phone(browser):
    from tests.web.conftest import PHONE

    context = browser.new_context(
        viewport=PHONE,
        locale="vi-VN",
        permissions=["geolocation"],
        geolocation={"latitude": 10.86, "longitude": 106.62, "accuracy": 3},
    )
    yield context
    context.close()


def test_the_household_form_screens_have_no_english_word_in_vietnamese(
    postgres_only, live_server, gps_phone, volunteer_key
):
    _volunteer, token = volunteer_key
    page = gps_phone.new_page()
    open_form(page, live_server.url, token)
    assert (left := sorted(set(english_words(page)))) == [], " ".join(left)
    expect(page.get_by_role("button", name="Gửi")).to_be_visible()
    # Web Forms' own language menu is hidden: the site's switch is the only one.
    assert not page.get_by_text("Đổi ngôn ngữ").is_visible()
    screenshot(page, "volunteer-form-vi")

    page.get_by_role("button", name="Gửi").click()  # nothing filled in: the errors say so in Vietnamese
    expect(page.get_by_text(re.compile(r"\d+ câu hỏi có lỗi"))).to_be_visible()
    assert (left := sorted(set(english_words(page)))) == [], " ".join(left)
    screenshot(page, "volunteer-form-errors-vi")

    page.get_by_role("button", name="Lấy vị trí").first.click()
    expect(page.get_by_text("Độ chính xác", exact=False).first).to_be_visible()
    assert (left := sorted(set(english_words(page)))) == [], " ".join(left)
    screenshot(page, "volunteer-form-location-vi")

    # Nothing wider than the phone.
    widest = page.evaluate(
        "Math.max(...[...document.querySelectorAll('body *')].map(e => e.getBoundingClientRect().right))"
    )
    assert widest <= 390 + 1


def test_the_site_language_switch_also_switches_the_form_and_the_outbox_names_the_household(
    postgres_only, live_server, phone, volunteer_key
):
    _volunteer, token = volunteer_key
    page = phone.new_page()
    open_form(page, live_server.url, token)
    page.get_by_role("button", name="English").click()
    page.get_by_label("Volunteer code").wait_for()
    expect(page.get_by_role("button", name="Send")).to_be_visible()
    page.get_by_role("button", name="Tiếng Việt").click()
    page.get_by_label("Mã tình nguyện viên").wait_for()
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")

    phone.set_offline(True)
    fill_refused_household(page, ma_ho="01-0998")
    page.get_by_role("button", name="Gửi").click()
    page.locator("#submit-status.queued").wait_for()
    status = page.locator("#submit-status").inner_text()
    assert "successful" not in status
    page.goto(f"{live_server.url}/key/{token}/app/")
    entry = page.locator("#queue-list li").first
    expect(entry).to_contain_text("AP01 · 01-0998")
    text = entry.inner_text()
    assert "uuid:" not in text
    assert re.search(r"\d{2}:\d{2} \d{2}/\d{2}/\d{4}|\d{2}/\d{2}/\d{4}", text), text
    screenshot(page, "volunteer-outbox")
    phone.set_offline(False)
