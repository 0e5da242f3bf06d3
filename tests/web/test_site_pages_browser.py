"""The sign-in, error and API reference pages in Chromium: styled, nothing wider than a phone,
Redoc drawing the schema under the page's CSP."""

import pytest
from playwright.sync_api import expect

from backend.accounts.models import Role
from backend.accounts.services import user_create
from tests.web.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

WIDEST = "Math.max(...[...document.querySelectorAll('body *')].map(e => e.getBoundingClientRect().right))"


def test_sign_in_wrong_password_sign_out_and_a_404_on_a_phone(postgres_only, live_server, phone):
    user_create(username="lanhdao", password="Lanh-Dao-2026!", role=Role.LEADERSHIP)
    page = phone.new_page()
    favicon = page.request.get(f"{live_server.url}/favicon.ico")
    assert favicon.status == 200
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "lanhdao")
    page.fill("#id_password", "sai-mat-khau")
    page.click("button[type=submit]")
    expect(page.get_by_role("alert")).to_contain_text("Sai tên đăng nhập hoặc mật khẩu")
    assert page.evaluate(WIDEST) <= 391
    screenshot(page, "login-error")
    page.fill("#id_username", "lanhdao")
    page.fill("#id_password", "Lanh-Dao-2026!")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/dashboard/**")
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_text("Bạn đã đăng xuất")).to_be_visible()
    screenshot(page, "signed-out")
    page.goto(f"{live_server.url}/khong-co/")
    expect(page.locator("h1")).to_contain_text("Không tìm thấy trang này")
    assert page.evaluate(WIDEST) <= 391
    screenshot(page, "error-404")


def test_the_api_reference_draws_the_schema_with_local_redoc(postgres_only, live_server, desktop):
    admin = user_create(username="quantri", password="Quan-Tri-2026!", role=Role.ADMIN)
    assert admin
    page = desktop.new_page()
    blocked: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".api-content, [role=navigation], .menu-content").first.wait_for(timeout=30000)
    expect(page.locator(".api-info h1").first).to_be_visible()
    expect(page.locator(".api-info h1").first).to_contain_text("Phú Lâm")
    screenshot(page, "api-docs")
    # Redoc's own "powered by" logo points at its CDN: the CSP blocks it, nothing else is tried.
    assert [m for m in blocked if "logo-mini.svg" not in m] == []
    assert [u for u in outside if not u.startswith(("data:", "blob:")) and "logo-mini.svg" not in u] == []
