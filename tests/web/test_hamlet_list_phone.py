"""The hamlet head's list on a phone: pages from the server, cards that fit the screen, and
a volunteer filter naming only the hamlet's own volunteers."""

import pytest
from playwright.sync_api import expect

from backend.accounts.models import Role
from backend.accounts.services import user_create, volunteer_create
from backend.places.models import Hamlet
from backend.submissions.models import Submission
from backend.surveys.models import Form
from backend.web import selectors
from tests.web.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

# Leaflet's panes are larger than the map and clipped by it: measure everything else, and
# the page's own scroll width.
WIDEST = """Math.max(document.documentElement.scrollWidth,
  ...[...document.querySelectorAll('body *')].filter(e => !e.closest('.leaflet-container'))
     .map(e => e.getBoundingClientRect().right))"""


def test_the_hamlet_list_is_paged_on_a_phone_with_nothing_cut_off(
    postgres_only, live_server, phone, demo_commune, monkeypatch
):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 4)
    form = Form.objects.get(form_id="pl_ho")
    phu_dung, other = Hamlet.objects.get(code="AP01"), Hamlet.objects.exclude(code="AP01").first()
    volunteer_create(name="Người của ấp Phú Dũng", forms=[form], hamlets=[phu_dung])
    volunteer_create(name="Người của ấp khác", forms=[form], hamlets=[other])
    user_create(username="truongap01", password="Phu-Dung-2026!", role=Role.HAMLET_HEAD, hamlets=[phu_dung])
    total = Submission.objects.filter(form=form, hamlet_code="AP01", deleted_at__isnull=True).count()
    assert total > 4

    page = phone.new_page()
    sign_in(page, live_server.url, "truongap01", "Phu-Dung-2026!")
    page.goto(f"{live_server.url}/hamlet/?form=pl_ho")
    rows = page.locator("#submission-list tbody tr[data-instance]")
    expect(rows).to_have_count(4)
    options = page.locator("select[name=volunteer] option").all_inner_texts()
    assert "Người của ấp Phú Dũng" in options and "Người của ấp khác" not in options
    assert page.evaluate(WIDEST) <= 391
    screenshot(page, "hamlet-list-phone")

    seen = set(rows.evaluate_all("rs => rs.map(r => r.dataset.instance)"))
    while page.locator("a[rel=next]").count():
        page.locator("a[rel=next]").click()
        page.wait_for_load_state()
        assert page.evaluate(WIDEST) <= 391
        seen |= set(rows.evaluate_all("rs => rs.map(r => r.dataset.instance)"))
    assert len(seen) == total
