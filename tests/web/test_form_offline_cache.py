"""A volunteer's second visit to the household form, on the same phone: the scripts (ODK Web
Forms, Vue, ours) come from the service worker's cache, not the server, and with the network
off the form still opens."""

from __future__ import annotations

import pytest

from tests.web.conftest import screenshot
from tests.web.household import open_form

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


def recorded_responses(context, page) -> list[dict]:
    """Every response the page gets: url, bytes on the wire, from the service worker or not."""
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    by_id: dict[str, dict] = {}

    def received(event):
        response = event["response"]
        by_id[event["requestId"]] = {
            "url": response["url"],
            "from_sw": bool(response.get("fromServiceWorker")),
            "from_cache": bool(response.get("fromDiskCache")),
        }

    def finished(event):
        by_id.setdefault(event["requestId"], {"url": "", "from_sw": False, "from_cache": False})["bytes"] = int(
            event["encodedDataLength"]
        )

    cdp.on("Network.responseReceived", received)
    cdp.on("Network.loadingFinished", finished)
    return by_id


def test_the_second_visit_takes_the_scripts_from_the_service_worker_online_and_offline(
    postgres_only, live_server, phone, volunteer_key, capsys
):
    _volunteer, token = volunteer_key
    first = phone.new_page()
    open_form(first, live_server.url, token)
    # Installed means precached: the worker's install waits for every file of its list.
    first.evaluate("navigator.serviceWorker.ready.then(() => true)")
    first.close()

    second = phone.new_page()
    responses = recorded_responses(phone, second)
    open_form(second, live_server.url, token)
    second.wait_for_load_state("networkidle")
    static = [r for r in responses.values() if "/static/" in r["url"]]
    assert any("web-forms" in r["url"] for r in static) and any("/vue/" in r["url"] for r in static)
    from_server = sum(r.get("bytes", 0) for r in static if not (r["from_sw"] or r["from_cache"]))
    with capsys.disabled():
        served_by_worker = sum(r["from_sw"] for r in static)
        print(
            f"\nsecond visit: {len(static)} static files, {served_by_worker} from the service worker, "
            f"{from_server} bytes from the server"
        )
    assert all(r["from_sw"] for r in static), [r["url"] for r in static if not r["from_sw"]]
    assert from_server == 0
    second.close()

    phone.set_offline(True)
    try:
        offline = phone.new_page()
        open_form(offline, live_server.url, token)
        offline.get_by_text("Ấp", exact=True).first.wait_for()
        screenshot(offline, "household-form-second-visit-offline")
    finally:
        phone.set_offline(False)
