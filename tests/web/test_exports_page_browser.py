"""The exports page in Chromium, on a phone: a hamlet head chooses CSV zip, presses "Xuất",
sees the job done with its n, and downloads a zip that holds only their hamlet."""

import io
import zipfile

import pytest
from playwright.sync_api import expect

from tests.access.world import PASSWORD, world_build
from tests.web.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.postgres]
WIDEST = "Math.max(...[...document.querySelectorAll('body *')].map(e => e.getBoundingClientRect().right))"


def test_a_hamlet_head_exports_and_downloads_their_hamlet_on_a_phone(postgres_only, live_server, phone):
    world = world_build()
    ours = world.submit(hamlet="AP01")
    theirs = world.submit(hamlet="AP02", other=True)
    page = phone.new_page()
    sign_in(page, live_server.url, "truongap_a", PASSWORD)
    page.goto(f"{live_server.url}/staff/exports/")
    page.select_option("select[name=format]", "csv.zip")
    page.get_by_role("button", name="Xuất", exact=True).click()
    job = page.locator(".export-job").first
    expect(job).to_have_attribute("data-state", "done")
    expect(job).to_contain_text("n = 1")
    assert page.evaluate(WIDEST) <= 391
    screenshot(page, "exports-done")
    with page.expect_download() as download_info:
        job.get_by_role("link", name="Tải về").click()
    download = download_info.value
    assert download.suggested_filename == "ho_test_submissions.csv.zip"
    data = open(download.path(), "rb").read()
    households = zipfile.ZipFile(io.BytesIO(data)).read("ho_test.csv").decode("utf-8-sig")
    assert ours.instance_id in households and theirs.instance_id not in households
