"""Benchmark: the indicator recomputation split into parts on 1 and on 2 Celery workers.

Not a test (pytest does not collect it). Run against a database of its own and a Redis:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h4_bench1m \\
        .venv/bin/python tests/bench/bench_split.py --households 1000000 --parts 2 --workers 1,2

It seeds the synthetic province the way `bench_analytics.py` does (COPY, untimed; a database
that already holds that many households is used as it is), spreads its hamlets over communes
of 30 hamlets (a province: the parts then get whole communes), and then, for each number of
workers: starts that many `celery worker -c 1` processes (ANALYTICS_PARTS = --parts), waits
until they are up, enqueues one recomputation and times it from the enqueue until the combined
results are stored. It also times the unsplit computation in this process, and checks that the
split results equal it, table by table. CPU is the workers' user + system time from /proc.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
BROKER = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
HAMLETS_PER_COMMUNE = 30


def process_tree_cpu_s(root_pid: int) -> float:
    """User + system seconds of a process and its live descendants (the worker's pool)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid, pgid = int(entry.name), int(fields[1]), int(fields[2])
        if pid == root_pid or ppid == root_pid or pgid == root_pid:
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def communes_spread() -> int:
    """Give every 30 hamlets a commune of their own (untimed); returns the number of communes."""
    from django.db import transaction

    from backend.places.models import Commune, Hamlet

    codes = list(Hamlet.objects.order_by("code").values_list("code", flat=True))
    wanted = max(1, len(codes) // HAMLETS_PER_COMMUNE)
    if Commune.objects.count() == wanted:
        return wanted
    with transaction.atomic():
        first = Commune.objects.order_by("id").first()
        communes = [first] + [
            Commune.objects.create(code=f"BENCH{k:03d}", name=f"Xã {k + 1}", province=first.province)
            for k in range(1, wanted)
        ]
        for k, commune in enumerate(communes):
            chunk = codes[k * HAMLETS_PER_COMMUNE : (k + 1) * HAMLETS_PER_COMMUNE if k < wanted - 1 else None]
            Hamlet.objects.filter(code__in=chunk).update(commune=commune)
    return wanted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=16_500)
    parser.add_argument("--parts", type=int, default=2)
    parser.add_argument("--workers", default="1,2", help="numbers of worker processes to try")
    parser.add_argument("--seed", type=int, default=57)
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL to a PostgreSQL database used only for this benchmark.")
    queue = f"bench-split-{uuid.uuid4().hex[:6]}"
    os.environ.update(CELERY_BROKER_URL=BROKER, CELERY_QUEUE=queue, ANALYTICS_PARTS=str(args.parts), REDIS_URL="")
    os.environ["TEST_REDIS_URL"] = BROKER

    import django

    django.setup()
    import pandas as pd
    from django.core.management import call_command

    from tests.bench.bench_analytics import answers_extract_untimed, seed

    call_command("migrate", verbosity=0)
    from analytics.exports import tables_unpack
    from backend.jobs.models import Job
    from backend.reports.models import ComputedPart, ComputedResult
    from backend.reports.selectors import data_fingerprint
    from backend.reports.services import indicator_recompute_request, indicator_results_compute
    from backend.submissions.models import Submission
    from tests.jobs.worker import Worker, wait_for

    if Submission.objects.filter(form__form_id="pl_ho").count() != args.households:
        print(f"seeding {args.households:,} households (not timed)…", flush=True)
        seed(args.households, np.random.default_rng(args.seed))
    answers_extract_untimed()
    communes = communes_spread()
    print(f"{args.households:,} households, {communes} communes, {args.parts} parts, {os.cpu_count()} cores")

    started = time.perf_counter()
    indicator_results_compute()
    unsplit = time.perf_counter() - started
    reference = {r.round: tables_unpack(r.tables) for r in ComputedResult.objects.all()}
    print(f"  unsplit, in this process: {unsplit:6.2f} s")

    def sort(frame: pd.DataFrame) -> pd.DataFrame:
        key = [c for c in ("indicator", "round", "hamlet", "tier", "criterion", "submission_id") if c in frame]
        return frame.sort_values(key, na_position="first", kind="stable").reset_index(drop=True)

    log_dir = Path(os.environ.get("TMPDIR", "/tmp")) / queue
    log_dir.mkdir(exist_ok=True)
    for count in [int(n) for n in args.workers.split(",")]:
        ComputedResult.objects.all().delete()
        ComputedPart.objects.all().delete()
        Job.objects.filter(kind__startswith="indicators.").delete()
        # The test harness's 3 s visibility timeout would hand a long part to a second worker.
        env = {"ANALYTICS_PARTS": str(args.parts), "CELERY_VISIBILITY_TIMEOUT": "3600"}
        workers = [Worker(queue, log_dir, extra_env=env) for _ in range(count)]
        try:
            wait_for(
                lambda ws=workers: all("ready" in w.log() for w in ws), timeout=300, what="workers up", workers=workers
            )
            cpu_before = sum(process_tree_cpu_s(w.process.pid) for w in workers)
            fingerprint = data_fingerprint()
            started = time.perf_counter()
            indicator_recompute_request(force=True)
            wait_for(
                lambda f=fingerprint: (
                    ComputedResult.objects.filter(fingerprint=f).exists() and not ComputedPart.objects.exists()
                ),
                timeout=1800,
                interval=0.1,
                what="results combined",
                workers=workers,
            )
            elapsed = time.perf_counter() - started
            cpu = sum(process_tree_cpu_s(w.process.pid) for w in workers) - cpu_before
        finally:
            for worker in workers:
                worker.stop()
        parts = Job.objects.filter(kind="indicators.part")
        per_part = "; ".join(
            f"part {p.params['index'] + 1}: {(p.finished_at - p.started_at).total_seconds():.2f} s"
            + (f" (attempt {p.attempts})" if p.attempts > 1 else "")
            for p in parts.order_by("params__index")
            if p.started_at and p.finished_at
        )
        split = {r.round: tables_unpack(r.tables) for r in ComputedResult.objects.all()}
        same = split.keys() == reference.keys() and all(
            sort(split[r][name]).equals(sort(frame)) or _close(sort(split[r][name]), sort(frame))
            for r, tables in reference.items()
            for name, frame in tables.items()
        )
        print(
            f"  {count} worker(s): {elapsed:6.2f} s from enqueue to stored results, worker CPU {cpu:6.2f} s "
            f"({per_part}); results equal to the unsplit computation: {same}",
            flush=True,
        )


def _close(left, right) -> bool:
    import pandas as pd

    try:
        pd.testing.assert_frame_equal(left, right, check_dtype=False)
    except AssertionError:
        return False
    return True


if __name__ == "__main__":
    main()
