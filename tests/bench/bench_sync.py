"""JSON sync API benchmark against a real gunicorn on PostgreSQL: a batch push of 500 instances
and a pull of 10,000 changes (issue 13).

Not collected by pytest. Run from the repository root:

    .venv/bin/python -m tests.bench.bench_sync --database-url postgres://postgres@127.0.0.1:5432/phulam_bench

It migrates the database (creating it if needed), publishes the commune's household form
(forms_xlsform/pl_ho.xlsx), imports a register of --households households in one hamlet (one
change-feed row each), issues a device token assigned that form and hamlet, starts gunicorn,
then: pushes --push instances of pl_ho as XML items in batches of 100 (`POST
/key/<token>/api/v1/sync/submissions`), pushes the same again (all replays), and pulls the
whole feed from empty (`GET …/api/v1/sync/changes`) with --limit changes per page. Prints
wall times, instances/s and changes/s.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
import uuid

import requests

from tests.bench.bench_submissions import ROOT, HouseholdWriter, database_prepare, form_and_device

sys.path.insert(0, str(ROOT))


def register_and_device(form_id: str, households: int, hamlet_code: str) -> str:
    """A hamlet with `households` households and a device assigned the form and the hamlet."""
    from backend.accounts.services import volunteer_create
    from backend.places.models import Commune, Hamlet
    from backend.registers.models import Household
    from backend.registers.services import households_import
    from backend.surveys.models import Form

    commune, _ = Commune.objects.get_or_create(code="BENCH", defaults={"name": "Xã đo tải"})
    hamlet, _ = Hamlet.objects.get_or_create(code=hamlet_code, defaults={"commune": commune, "name": "Ấp đo tải"})
    have = Household.objects.filter(hamlet=hamlet).count()
    if have < households:
        out = io.StringIO()
        out.write("ap,ma_ho,ten_goi,mo_ta,lat,lon\n")
        for n in range(have, households):
            out.write(f"{hamlet_code},B{n:06d},Chủ hộ {n},Nhà số {n},10.9,106.8\n")
        households_import(data=out.getvalue().encode(), filename="bench.csv")
    _volunteer, token = volunteer_create(
        name="Thiết bị đo đồng bộ", forms=[Form.objects.get(form_id=form_id)], hamlets=[hamlet]
    )
    return token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/phulam_bench")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--push", type=int, default=500)
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--limit", type=int, default=1000)
    args = parser.parse_args()

    media_root = tempfile.mkdtemp(prefix="bench-media-")
    database_prepare(args.database_url)
    form_id, _token, xform = form_and_device(args.database_url, media_root)
    hamlet = f"BS{uuid.uuid4().hex[:6].upper()}"  # a fresh hamlet per run: the feed is exactly its rows
    started = time.perf_counter()
    token = register_and_device(form_id, args.households, hamlet)
    print(f"register: {args.households} households imported in {time.perf_counter() - started:.1f} s")
    writer = HouseholdWriter(xform)
    from tests.submissions.live import GunicornServer

    server = GunicornServer(
        database_url=args.database_url, media_root=media_root, workers=args.workers, threads=args.threads, preload=True
    ).start()
    api = f"{server.base}/key/{token}/api/v1/sync"
    session = requests.Session()
    try:
        items = [{"xml": writer.xml(instance_id=f"uuid:{uuid.uuid4()}", photo=None).decode()} for _ in range(args.push)]
        for label in ("push (new)", "push (replay)"):
            t0 = time.perf_counter()
            outcomes: dict[str, int] = {}
            for start in range(0, len(items), 100):
                response = session.post(f"{api}/submissions", json={"items": items[start : start + 100]}, timeout=600)
                response.raise_for_status()
                for key, count in response.json()["summary"].items():
                    outcomes[key] = outcomes.get(key, 0) + count
            elapsed = time.perf_counter() - t0
            print(
                f"{label:<14} {args.push} instances in {elapsed:.2f} s = {args.push / elapsed:.0f}/s "
                f"(batches of 100, {len(items[0]['xml'])} B each) {outcomes}"
            )

        t0 = time.perf_counter()
        cursor, changes, pages, size = "", 0, 0, 0
        while True:
            response = session.get(f"{api}/changes", params={"since": cursor, "limit": args.limit}, timeout=600)
            response.raise_for_status()
            page = response.json()
            changes += len(page["changes"])
            pages += 1
            size += len(response.content)
            cursor = page["cursor"]
            if not page["more"]:
                break
        elapsed = time.perf_counter() - t0
        print(
            f"pull from empty: {changes} changes in {pages} pages of ≤{args.limit} in {elapsed:.2f} s = "
            f"{changes / elapsed:.0f} changes/s ({size / 1e6:.1f} MB of JSON)"
        )
        t0 = time.perf_counter()
        session.get(f"{api}/changes", params={"since": cursor}, timeout=60).raise_for_status()
        print(f"pull with nothing new: {(time.perf_counter() - t0) * 1000:.1f} ms")
    finally:
        server.stop()
        os.environ.pop("DATABASE_URL", None)


if __name__ == "__main__":
    main()
