"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server
on PostgreSQL. Skipped, with the reason, when /usr/bin/chromium is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from backend.accounts.services import volunteer_create
from backend.surveys.services import form_publish

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    if not (ROOT / "node_modules" / "@getodk" / "web-forms").exists():
        pytest.skip("browser tests need the npm assets (npm ci)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    yield context
    context.close()


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    yield context
    context.close()


def screenshot(page, name: str, *, full_page: bool = False) -> None:
    """Save the page at phone and desktop size (test-output/screenshots, gitignored); with
    full_page, the whole length of the page rather than what the screen shows first."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    original = page.viewport_size
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        page.wait_for_timeout(300)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{size['width']}x{size['height']}.png"), full_page=full_page)
    page.set_viewport_size(original)


@pytest.fixture
def household_form(transactional_db):
    """The commune's real household form with its hamlet list."""
    forms_dir = ROOT / "forms_xlsform"
    result = form_publish(
        xlsform=(forms_dir / "pl_ho.xlsx").read_bytes(),
        filename="pl_ho.xlsx",
        attachments={"ap.csv": (forms_dir / "ap.csv").read_bytes()},
    )
    return result.form


@pytest.fixture
def volunteer_key(household_form):
    """(volunteer, raw device token) of a volunteer assigned the household form."""
    return volunteer_create(name="Nguyễn Thị Lan", code="TNV012", forms=[household_form])


@pytest.fixture
def demo_commune(transactional_db):
    """A small synthetic Phú Lâm (hamlets with boundaries, registers, submissions)."""
    from backend.demo.generator import DemoSpec
    from backend.demo.loader import demo_commune_load

    return demo_commune_load(spec=DemoSpec(households=120, stalls=20, rounds=(2025, 2027)))


def sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
