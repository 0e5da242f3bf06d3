"""Benchmark: the dashboard's three analytics calls on load, answered from stored results, and
how long after one new submission the commune figures are fresh.

Not a test (pytest does not collect it). Run against a database that already holds computed
results (e.g. the one `bench_analytics.py` or `bench_split.py` left, or a clone of it: the
freshness part stores one new household):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h4_bench1m \\
        .venv/bin/python tests/bench/bench_dashboard_calls.py --repeat 10

Each call goes through Django's full request cycle in this process (the test client, as a
signed-in leadership user with an API token, asking for brotli as a browser does). "cold" is
the first call after the body cache and the unpacked-tables cache are emptied (it renders the
body); "warm" the median of the calls after it (the freshness check and a cache get). It
also times the data version: taking one (what a computation stores) and checking a stored one
(what every call does). `--freshness`: one household submitted through `/key/<token>/submission`,
then `/api/v1/indicators?hamlet=commune` polled until its body changes; without a broker the
stale read recomputes in the request, so this is the time a reader waits for a recomputation.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
CALLS = ("/api/v1/scorecard", "/api/v1/indicators?hamlet=commune", "/api/v1/indicators/catalogue")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--freshness", action="store_true", help="also submit one household and time freshness")
    parser.add_argument("--freshness-timeout", type=float, default=120.0)
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL to a benchmark database with computed results.")
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import caches
    from rest_framework.test import APIClient

    from backend.accounts.models import Role
    from backend.accounts.services import api_token_create, user_create
    from backend.reports.data_version import data_version_current, data_version_take
    from backend.reports.models import ComputedResult
    from backend.reports.results import _cells_hidden, _table_unpacked, _tables_text
    from backend.submissions.models import Submission

    settings.ALLOWED_HOSTS = ["*"]
    if not ComputedResult.objects.exists():
        sys.exit("No stored results: run compute_indicators (or a benchmark that computes) first.")
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username="bench-leader").first() or user_create(
        username="bench-leader", password="bench-pass-12345", role=Role.LEADERSHIP
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user)}")
    print(f"{Submission.objects.count():,} submissions; {os.cpu_count()} cores; load {os.getloadavg()[0]:.1f}")

    stored = ComputedResult.objects.defer("tables").first()
    print(f"  stored computation             {stored.fingerprint}")
    _timed("data_version_take()", args.repeat, data_version_take)
    _timed("data_version_current(stored)", args.repeat, lambda: data_version_current(stored.fingerprint))
    for path in CALLS:
        caches["default"].clear()
        _table_unpacked.cache_clear()
        _tables_text.cache_clear()
        _cells_hidden.cache_clear()
        started = time.perf_counter()
        response = client.get(path, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        cold = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (path, response.status_code, response.content[:300])
        timings = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.get(path, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
            timings.append((time.perf_counter() - started) * 1000)
        print(
            f"  {path:<36} cold {cold:8.1f} ms, warm median {statistics.median(timings):6.1f} ms "
            f"(min {min(timings):.1f}, max {max(timings):.1f}); {len(response.content) / 1e3:.0f} kB sent "
            f"({response.get('Content-Encoding', 'identity')}), stale={response.get('X-Results-Stale', '-')}"
        )
    if args.freshness:
        freshness(client, user, args.freshness_timeout)


def _timed(label: str, repeat: int, call) -> None:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    print(f"  {label:<30} median {statistics.median(timings):7.1f} ms (min {min(timings):.1f})")


def freshness(client, user, timeout_s: float) -> None:
    """Submit one household through the OpenRosa endpoint, then poll the commune figures."""
    import re
    import uuid

    from django.test import Client

    from backend.accounts.services import volunteer_create
    from backend.places.models import Hamlet
    from backend.surveys.models import Form
    from tests.bench.bench_submissions import HEADERS, HouseholdWriter, multipart

    form = Form.objects.get(form_id="pl_ho")
    _volunteer, token = volunteer_create(name="Tình nguyện viên đo độ mới", forms=[form])
    hamlet = Hamlet.objects.order_by("code").values_list("code", flat=True).first()
    xml = HouseholdWriter(bytes(form.current_version.xform)).xml(instance_id=f"uuid:{uuid.uuid4()}", photo=None)
    # A new household that consents, in a hamlet with a register figure and in the stored
    # round, so the commune figures move (the writer's random answers may refuse).
    for tag, value in (("ap", hamlet), ("dong_y", "co"), ("ma_ho", f"DO-MOI-{uuid.uuid4().hex[:8]}")):
        xml = re.sub(f"<{tag}>[^<]*</{tag}>".encode(), f"<{tag}>{value}</{tag}>".encode(), xml)
    xml = xml.replace(b"2026-11-27", b"2025-10-15")
    path = "/api/v1/indicators?hamlet=commune"
    before = client.get(path).content
    body, content_type = multipart(xml, {})
    started = time.perf_counter()
    phone = Client(headers={"X-OpenRosa-Version": HEADERS["X-OpenRosa-Version"], "User-Agent": HEADERS["User-Agent"]})
    answer = phone.post(f"/key/{token}/submission", data=body, content_type=content_type)
    submitted = time.perf_counter() - started
    assert answer.status_code == 201, (answer.status_code, answer.content[:300])
    polls = 0
    while time.perf_counter() - started < timeout_s:
        polls += 1
        response = client.get(path)
        if response.content != before:
            print(
                f"  freshness: submitted in {submitted * 1000:.0f} ms; commune figures changed "
                f"{time.perf_counter() - started:.2f} s after the submission began ({polls} polls)"
            )
            return
        time.sleep(0.05)
    print(f"  freshness: NOT fresh within {timeout_s:.0f} s ({polls} polls)")


if __name__ == "__main__":
    main()
