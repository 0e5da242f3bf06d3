"""The household form's first load as production sends it, measured in Chromium on a fresh
phone with nothing cached: the bytes over the network, and the time on DevTools' "Fast 3G".

pytest-django's live server hands static files to Django's static handler (uncompressed), so
these tests run the real thing instead: `collectstatic` into a temporary STATIC_ROOT (WhiteNoise's
compressed storage writes the .br/.gz copies, from the built Web Forms of
scripts/build-assets.mjs), and a gunicorn process on the test database serving them through
WhiteNoise, the pages through the compression middleware."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from django.db import connection

from tests.submissions.live import ROOT, GunicornServer, free_port
from tests.web.conftest import PHONE, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.live]

TARGET = 600_000  # bytes, issue #15
CEILING = TARGET  # met since the build step (about 540 KB): a heavier first load fails here

# Chrome DevTools' "Fast 3G" preset, its own numbers (throughput in bytes per second).
FAST_3G = {
    "offline": False,
    "latency": 150 * 3.75,
    "downloadThroughput": 1.6 * 1024 * 1024 / 8 * 0.9,
    "uploadThroughput": 750 * 1024 / 8 * 0.9,
}
FAST_3G_AIM_S = 2.0  # issue #15's aim, reported, not asserted (wall clock on a shared machine)
FAST_3G_GUARD_S = 20.0  # a regression guard only: several times the measured time


@pytest.fixture(scope="session")
def production_static(tmp_path_factory):
    """A STATIC_ROOT as the Dockerfile makes it (collectstatic with the compressed storage)."""
    var_dir = tmp_path_factory.mktemp("var")
    env = {**os.environ, "VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "backend.settings"}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return var_dir


@pytest.fixture
def production_server(postgres_only, production_static, volunteer_key, settings):
    """gunicorn on the test database, static files from WhiteNoise's compressed copies."""
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    port = free_port()
    server = GunicornServer(
        database_url=database_url,
        media_root=settings.MEDIA_ROOT,
        port=port,
        workers=1,
        threads=8,
        extra_env={"VAR_DIR": str(production_static), "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"},
    ).start()
    yield server
    server.stop()


def fresh_page(context):
    """A page whose every response is recorded (url, bytes on the wire, encoding), cache off."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    responses: dict[str, dict] = {}

    def received(event):
        headers = {k.lower(): v for k, v in event["response"]["headers"].items()}
        encoding = headers.get("content-encoding", "")
        responses[event["requestId"]] = {"url": event["response"]["url"], "encoding": encoding}

    def finished(event):
        responses.setdefault(event["requestId"], {"url": "", "encoding": ""})["bytes"] = int(event["encodedDataLength"])

    cdp.on("Network.responseReceived", received)
    cdp.on("Network.loadingFinished", finished)
    return page, cdp, responses


def over_the_network(responses: dict[str, dict]) -> dict[str, dict]:
    """By URL, what came from the server (inline data: URLs are inside the script that holds them)."""
    served: dict[str, dict] = {}
    for r in responses.values():
        if r["url"].startswith("http") and "bytes" in r:
            entry = served.setdefault(r["url"], {"bytes": 0, "encoding": r["encoding"], "requests": 0})
            entry["bytes"] += r["bytes"]
            entry["requests"] += 1
    return served


def test_the_household_form_first_load_is_under_600_kb(production_server, phone, volunteer_key, capsys):
    _volunteer, token = volunteer_key
    page, _cdp, responses = fresh_page(phone)
    page.goto(f"{production_server.base}/key/{token}/app/forms/pl_ho")
    page.get_by_label("Mã tình nguyện viên").wait_for()
    page.wait_for_load_state("networkidle")
    served = over_the_network(responses)
    total = sum(r["bytes"] for r in served.values())
    with capsys.disabled():
        print(f"\nhousehold form first load: {total} bytes over the network ({len(served)} responses)")
        for url, r in sorted(served.items(), key=lambda kv: -kv[1]["bytes"])[:8]:
            print(f"  {r['bytes']:>9}  {r['encoding'] or '-':<4} {url.replace(production_server.base, '')[:96]}")
    web_forms = {url: r for url, r in served.items() if "web-forms" in url}
    assert web_forms, "Web Forms was not loaded"
    # What production sends: compressed copies, and the map chunk (a dynamic import for the
    # map view) left for later.
    assert all(r["encoding"] in ("br", "gzip") for r in web_forms.values()), web_forms
    assert not any("MapBlock" in url for url in served)
    # The page preloads the scripts (<link rel="modulepreload">) and each is fetched once.
    preloads = page.eval_on_selector_all("link[rel=modulepreload]", "links => links.map((l) => l.href)")
    assert set(preloads) <= set(web_forms) | {u for u in served if "/vue/" in u} and len(preloads) == 3, preloads
    assert all(r["requests"] == 1 for url, r in served.items() if "/static/" in url), served
    # The fonts left draw the Vietnamese text: the page's own ă/đ/ơ/ư/ạ…ỹ made the browser load
    # Roboto's vietnamese subset beside the latin one (look at the screenshot too).
    loaded = page.evaluate(
        """async () => { await document.fonts.ready;
             return [...document.fonts].filter((f) => f.family.includes("Roboto") && f.status === "loaded")
               .map((f) => f.unicodeRange); }"""
    )
    assert any(r.startswith("U+0-FF") or r.startswith("U+0000-00FF") for r in loaded), loaded
    assert any(r.startswith("U+102-103") or r.startswith("U+0102-0103") for r in loaded), loaded
    screenshot(page, "household-form-built-assets")
    assert total < CEILING, f"{total} bytes (target {TARGET})"


def test_the_household_form_on_fast_3g_is_timed(production_server, phone, volunteer_key, capsys):
    """From navigation to the first question visible, on DevTools' Fast 3G, nothing cached;
    the same unthrottled first, to tell the network's share from the phone's (here: a shared
    CPU). The bytes alone take size / downloadThroughput: 550 KB is 2.9 s on Fast 3G."""
    _volunteer, token = volunteer_key
    url = f"{production_server.base}/key/{token}/app/forms/pl_ho"

    def first_question_after(conditions: dict | None) -> tuple[float, int]:
        # A new phone each time: the first load registers the service worker, which would
        # serve the second from its cache (tests/web/test_form_offline_cache.py).
        context = phone.browser.new_context(viewport=PHONE, locale="vi-VN")
        page, cdp, responses = fresh_page(context)
        if conditions:
            cdp.send("Network.emulateNetworkConditions", conditions)
        started = time.monotonic()
        page.goto(url, wait_until="commit")
        page.get_by_label("Mã tình nguyện viên").wait_for(state="visible", timeout=FAST_3G_GUARD_S * 1000)
        elapsed = time.monotonic() - started
        context.close()
        return elapsed, sum(r["bytes"] for r in over_the_network(responses).values())

    unthrottled, _ = first_question_after(None)
    elapsed, total = first_question_after(FAST_3G)
    floor = total / FAST_3G["downloadThroughput"]
    with capsys.disabled():
        print(
            f"\nhousehold form on Fast 3G: first question visible after {elapsed:.2f} s "
            f"(aim {FAST_3G_AIM_S} s; {total} bytes by then, {floor:.2f} s of them at Fast 3G's throughput; "
            f"unthrottled {unthrottled:.2f} s; load average {os.getloadavg()[0]:.2f})"
        )
    assert elapsed < FAST_3G_GUARD_S
