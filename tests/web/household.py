"""Filling the household form in ODK Web Forms the way a volunteer does (refusal path:
the shortest valid household, which still counts in the response rate)."""


def question(page, label: str):
    """The block of one question (its label and its answers), found by its label text."""
    return page.locator(".question-container", has_text=label).first


def choose_hamlet(page, label: str = "Ấp Phú Dũng") -> None:
    """The hamlet question is a searchable dropdown (appearance `minimal autocomplete`): open
    it, type part of the name as a volunteer does, pick the hamlet."""
    page.locator(".dropdown").first.click()
    page.get_by_role("option", name=label, exact=True).click()


def fill_refused_household(page, *, ma_ho: str = "01-0001") -> None:
    """A household that is not in the hamlet's list yet (added as a new one), met, refusing."""
    page.get_by_label("Mã tình nguyện viên").fill("TNV012")
    choose_hamlet(page)
    question(page, "Hộ có trong danh sách hộ của ấp không?").get_by_text("Không", exact=True).click()
    page.get_by_label("Mã hộ").fill(ma_ho)
    page.get_by_text("Gặp được hộ", exact=True).click()
    question(page, "Anh/chị có đồng ý tham gia").get_by_text("Không", exact=True).click()


def open_form(page, base: str, token: str) -> None:
    page.goto(f"{base}/key/{token}/app/forms/pl_ho")
    page.get_by_label("Mã tình nguyện viên").wait_for()
