"""The hamlet head's map opens on their hamlet's boundary, and households close together are
one numbered cluster that splits as the map zooms in (leaflet.markercluster)."""

import pytest
from playwright.sync_api import expect

from backend.accounts.models import Role
from backend.accounts.services import user_create
from backend.places.models import Hamlet
from backend.submissions.models import Submission
from tests.web.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

# How the points are drawn now: clusters (with the number they hold) and single points.
DRAWN = """() => {
  const {map, points} = window.hamletMap;
  const view = map.getBounds();
  const parents = new Set();
  let singles = 0, held = 0;
  for (const m of points.getLayers()) {
    const parent = points.getVisibleParent(m);
    if (!parent || !view.contains(m.getLatLng())) continue;
    if (parent === m) singles += 1;
    else if (!parents.has(parent)) { parents.add(parent); held += parent.getChildCount(); }
  }
  const icons = [...document.querySelectorAll('#hamlet-map .marker-cluster span')].map((s) => Number(s.textContent));
  const total = points.getLayers().length;
  return {clusters: parents.size, singles, held, icons: icons.reduce((a, b) => a + b, 0), total};
}"""

# How much of the map the hamlet's boundary fills, and whether all of it is in view.
FIT = """() => {
  const {map, hamlets} = window.hamletMap;
  const view = map.getBounds(), hamlet = hamlets.getBounds();
  const size = map.getSize();
  const a = map.latLngToContainerPoint(hamlet.getNorthWest()), b = map.latLngToContainerPoint(hamlet.getSouthEast());
  return {inside: view.contains(hamlet), share: Math.max((b.x - a.x) / size.x, (b.y - a.y) / size.y)};
}"""


def test_the_hamlet_heads_map_is_fitted_to_the_hamlet_boundary(postgres_only, live_server, phone, demo_commune):
    phu_dung = Hamlet.objects.get(code="AP01")
    user_create(username="truongap01", password="Phu-Dung-2026!", role=Role.HAMLET_HEAD, hamlets=[phu_dung])
    page = phone.new_page()
    sign_in(page, live_server.url, "truongap01", "Phu-Dung-2026!")
    page.goto(f"{live_server.url}/hamlet/")
    page.wait_for_function("() => window.hamletMap && window.hamletMap.map")
    fit = page.evaluate(FIT)
    # The whole boundary is in view and fills the map's width or height (padding aside).
    assert fit["inside"] and fit["share"] > 0.8, fit
    with_gps = Submission.objects.filter(form__form_id="pl_ho", hamlet_code="AP01", lat__isnull=False).count()
    assert page.evaluate("() => window.hamletMap.points.getLayers().length") == with_gps > 0
    # The legend folds on a phone.
    legend = page.locator("#hamlet-map .legend")
    expect(legend.locator(".legend-toggle")).to_have_text("Chú giải")
    expect(legend.locator(".legend-body")).to_be_hidden()
    screenshot(page, "hamlet-map-fitted")


def test_households_close_together_are_one_cluster_that_splits_when_zoomed_in(
    postgres_only, live_server, desktop, demo_commune
):
    user_create(username="lanhdao", password="Lanh-dao-2026!", role=Role.LEADERSHIP, name="Phạm Thị Mai")
    page = desktop.new_page()
    sign_in(page, live_server.url, "lanhdao", "Lanh-dao-2026!")
    page.goto(f"{live_server.url}/hamlet/")
    page.wait_for_function("() => window.hamletMap && window.hamletMap.map")
    expect(page.locator("#hamlet-map .marker-cluster").first).to_be_visible()
    whole = page.evaluate(DRAWN)
    assert whole["clusters"] > 0, whole
    # Each cluster shows how many households it holds; clusters and single points add up.
    assert whole["icons"] == whole["held"] and whole["held"] + whole["singles"] <= whole["total"]
    expect(page.locator("#hamlet-map .marker-cluster").first).to_have_css("cursor", "pointer")
    screenshot(page, "hamlet-map-clusters")
    # Tapping a cluster zooms to it: the households it held are drawn apart (smaller clusters
    # and single points), and none is lost.
    first = page.locator("#hamlet-map .marker-cluster").first
    held = int(first.inner_text())
    zoom_before = page.evaluate("() => window.hamletMap.map.getZoom()")
    first.click()
    page.wait_for_timeout(1500)
    assert page.evaluate("() => window.hamletMap.map.getZoom()") > zoom_before
    close = page.evaluate(DRAWN)
    assert close["clusters"] + close["singles"] > 1 and close["held"] + close["singles"] >= held, (held, close)
