"""Benchmark: the dashboard's three analytics calls on load, answered from stored results.

Not a test (pytest does not collect it). Run against a database that already holds computed
results (e.g. the one `bench_analytics.py` or `bench_split.py` left):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h4_bench1m \\
        .venv/bin/python tests/bench/bench_dashboard_calls.py --repeat 10

Each call goes through Django's full request cycle in this process (the test client, as a
signed-in leadership user with an API token), warm: the first call of each is reported apart
(it unpacks the stored tables into the per-process cache). It also times `data_fingerprint()`
alone, the freshness check every call makes before answering.
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
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL to a benchmark database with computed results.")
    import django

    django.setup()
    from django.conf import settings
    from rest_framework.test import APIClient

    from backend.accounts.models import Role
    from backend.accounts.services import api_token_create, user_create
    from backend.reports.models import ComputedResult
    from backend.reports.selectors import data_fingerprint
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

    timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        data_fingerprint()
        timings.append((time.perf_counter() - started) * 1000)
    print(f"  data_fingerprint()             median {statistics.median(timings):7.1f} ms")
    for path in CALLS:
        started = time.perf_counter()
        response = client.get(path)
        first = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (path, response.status_code, response.content[:300])
        timings = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
        print(
            f"  {path:<32} first {first:7.1f} ms, then median {statistics.median(timings):7.1f} ms "
            f"(min {min(timings):.1f}, max {max(timings):.1f}); {len(response.content) / 1e3:.0f} kB"
        )


if __name__ == "__main__":
    main()
