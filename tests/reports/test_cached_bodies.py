"""The dashboard's analytics calls answered from rendered bodies (backend/reports/body_cache.py):
a warm call sends the bytes a cold one built, without unpacking the stored tables; each reader
still gets their own suppression; new figures give a new body."""

from __future__ import annotations

import brotli
import pytest

from backend.accounts.models import Role
from backend.places.models import Hamlet
from backend.reports import results as results_module
from backend.reports import services
from tests.analytics.builders import household
from tests.reports.factories import places, store

CALLS = (
    ("/api/v1/scorecard", {"round": "2025"}),
    ("/api/v1/indicators", {"hamlet": "commune"}),
    ("/api/v1/indicators", {"round": "2025"}),
    ("/api/v1/indicators/catalogue", {}),
)


@pytest.fixture
def commune(forms, no_background):
    """AP01 (8 households) and AP02 (3: small cells for readers without microdata), AP03 (6)."""
    places(("AP01", 10, None, True), ("AP02", 5, None, False), ("AP03", 8, None, False))
    for code, n in (("AP01", 8), ("AP02", 3), ("AP03", 6)):
        for k in range(n):
            store(forms, household(code, tt_57="co" if k % 2 else "khong"))
    services.indicator_results_compute()
    return forms


def _rows(response) -> dict:
    return {(r["indicator"], r["hamlet"]): r for r in response.json()}


def test_a_warm_call_sends_the_bytes_of_the_cold_one_without_unpacking_anything(commune, leadership, monkeypatch):
    cold = {}
    for path, params in CALLS:
        response = leadership.get(path, params)
        assert response.status_code == 200, response.content
        cold[path, tuple(params.items())] = response.content

    def refuse(*args, **kwargs):
        raise AssertionError("unpacked")

    monkeypatch.setattr(results_module.StoredResults, "__init__", refuse)
    for path, params in CALLS:
        warm = leadership.get(path, params)
        assert warm.status_code == 200 and warm["Content-Type"] == "application/json"
        assert warm.content == cold[path, tuple(params.items())]
    assert warm.json()[0]["id"]  # the catalogue, parsed
    commune_rows = _rows(leadership.get("/api/v1/indicators", {"hamlet": "commune"}))
    assert commune_rows[("P2025_INFO", None)]["denominator"] is not None
    assert leadership.get("/api/v1/scorecard", {"round": "2025"})["X-Results-Stale"] == "false"


def test_a_browser_gets_the_stored_brotli_bytes_and_they_decode_to_the_plain_body(commune, leadership):
    plain = leadership.get("/api/v1/scorecard", {"round": "2025"}).content
    compressed = leadership.get("/api/v1/scorecard", {"round": "2025"}, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert compressed["Content-Encoding"] == "br" and "Accept-Encoding" in compressed["Vary"]
    assert brotli.decompress(compressed.wire_content) == compressed.content == plain  # tests/helpers.py decodes
    assert len(compressed.wire_content) < len(plain) / 4
    assert plain.startswith(b'{"round":"2025"')  # DRF's compact JSON, as before


def test_each_reader_keeps_their_own_suppression_from_a_warm_cache(commune, leadership, viewer, client_for):
    head = client_for(Role.HAMLET_HEAD, "truongap02", hamlets=Hamlet.objects.filter(code="AP02"))
    for _ in range(2):  # cold, then warm: the same answers
        shown = _rows(leadership.get("/api/v1/indicators", {"round": "2025"}))
        hidden = _rows(viewer.get("/api/v1/indicators", {"round": "2025"}))
        own = _rows(head.get("/api/v1/indicators", {"round": "2025"}))
        assert shown[("P2025_INFO", "AP02")]["value"] is not None and not shown[("P2025_INFO", "AP02")]["suppressed"]
        assert hidden[("P2025_INFO", "AP02")]["suppressed"] and hidden[("P2025_INFO", "AP02")]["value"] is None
        assert not own[("P2025_INFO", "AP02")]["suppressed"]  # their own hamlet
        assert own[("P2025_INFO", "AP01")] == hidden[("P2025_INFO", "AP01")]  # others as a viewer sees them
    viewer_card = viewer.get("/api/v1/scorecard", {"round": "2025"}).json()
    assert next(h for h in viewer_card["hamlets"] if h["hamlet"] == "AP02")["suppressed"] is True


def test_new_figures_give_a_new_body_and_a_stale_one_says_so(commune, leadership, no_background):
    before = _rows(leadership.get("/api/v1/indicators", {"hamlet": "commune"}))
    store(commune, household("AP03", tt_57="co"))
    stale = leadership.get("/api/v1/indicators", {"hamlet": "commune"})
    assert stale["X-Results-Stale"] == "true" and _rows(stale) == before  # the stored figures, at once
    assert no_background  # and a recomputation was asked for
    services.indicator_results_compute()
    fresh = leadership.get("/api/v1/indicators", {"hamlet": "commune"})
    assert fresh["X-Results-Stale"] == "false"
    assert fresh.content != stale.content and _rows(fresh) != before
