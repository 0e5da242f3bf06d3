"""Filling the household form in ODK Web Forms the way a volunteer does (refusal path:
the shortest valid household, which still counts in the response rate)."""


def fill_refused_household(page, *, ma_ho: str = "01-0001") -> None:
    page.get_by_label("Mã tình nguyện viên").fill("TNV012")
    page.get_by_text("Ấp Phú Dũng", exact=True).click()
    page.get_by_label("Mã hộ").fill(ma_ho)
    page.get_by_text("Không", exact=True).first.click()


def open_form(page, base: str, token: str) -> None:
    page.goto(f"{base}/key/{token}/app/forms/pl_ho")
    page.get_by_label("Mã tình nguyện viên").wait_for()
