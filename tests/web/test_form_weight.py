"""The household form's first load over the network, measured in Chromium on a fresh phone
with nothing cached.

The test server sends static files uncompressed (Django's static handler), production sends
WhiteNoise's brotli copies: so each static response counts here at its brotli size (quality
11, what WhiteNoise writes), every other response at its bytes on the wire (the pages and the
form XML already go through the compression middleware)."""

import brotli
import pytest
import requests

from tests.web.household import open_form

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

TARGET = 600_000  # bytes, issue #15; not met while Web Forms 0.22 itself is ~1.06 MB brotli
CEILING = 1_200_000  # a regression guard at today's weight (about 1.1 MB)


def test_the_household_form_first_load_weight_is_measured(postgres_only, live_server, phone, volunteer_key, capsys):
    _volunteer, token = volunteer_key
    page = phone.new_page()
    cdp = phone.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    wire: dict[str, int] = {}
    urls: dict[str, str] = {}
    cdp.on("Network.responseReceived", lambda e: urls.__setitem__(e["requestId"], e["response"]["url"]))
    cdp.on("Network.loadingFinished", lambda e: wire.__setitem__(e["requestId"], int(e["encodedDataLength"])))
    open_form(page, live_server.url, token)
    page.wait_for_load_state("networkidle")

    served: dict[str, int] = {}
    for request_id, size in wire.items():
        url = urls.get(request_id, "")
        if url.startswith("data:"):
            continue  # inline fonts of Web Forms' CSS: already counted in the script that holds them
        if "/static/" in url:
            size = len(brotli.compress(requests.get(url, timeout=30).content, quality=11))
        served[url] = served.get(url, 0) + size
    total = sum(served.values())
    with capsys.disabled():
        print(f"\nhousehold form first load: {total} bytes as production serves it ({len(served)} responses)")
        for url, size in sorted(served.items(), key=lambda kv: -kv[1])[:8]:
            print(f"  {size:>9}  {url.replace(live_server.url, '')[:100]}")
    assert any("web-forms" in url for url in served)
    assert total < CEILING, f"{total} bytes (target {TARGET})"
