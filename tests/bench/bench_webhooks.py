"""Benchmark: what webhooks cost ingest, and how fast deliveries go out.

Not a test (pytest does not collect it). Run against a database of its own:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/phulam_bench_hooks \\
        .venv/bin/python tests/bench/bench_webhooks.py --submissions 300 --threads 1,8

It creates and migrates the database if needed, publishes a household-like form (a repeat of
members, a geopoint) and then calls `submission_receive` in this process, timing each call:
with no webhook on the form, with one active webhook and with three (the delivery row is
written, the task publication after commit is switched off so that only the write is timed).
It counts the statements of one submission in each case. Then it sends every delivery made
to a local threaded http.server receiver (answering 200 at once) through
`webhook_delivery_attempt` — the worker's code path: claim, signed POST, log the try — from 1
and from 8 threads, and prints deliveries per second.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")


def database_ensure(url: str) -> None:
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = url.replace(parts.path, "/postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=300, help="per scenario")
    parser.add_argument("--threads", default="1,8")
    args = parser.parse_args()
    database_ensure(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    from backend.accounts.actors import actor_for_device, actor_for_user
    from backend.accounts.models import Role
    from backend.accounts.services import user_create
    from backend.submissions.services import submission_receive
    from backend.webhooks import events
    from backend.webhooks.delivery import webhook_delivery_attempt
    from backend.webhooks.models import WebhookDelivery
    from backend.webhooks.services import webhook_create
    from tests.submissions.factories import device_for, instance_xml, new_instance_id, publish_household_form
    from tests.webhooks.receiver import Receiver

    run = uuid.uuid4().hex[:6]
    form_id = f"bench_{run}"
    form = publish_household_form(form_id=form_id)
    volunteer, _ = device_for(form)
    actor = actor_for_device(volunteer.tokens.get(), url_prefix="")
    leader = actor_for_user(user_create(username=f"bench_{run}", password="bench-pass-1234", role=Role.LEADERSHIP))
    receiver = Receiver().up("ok")
    events.deliveries_publish = lambda ids: None  # time the write only; deliveries are sent below

    def ingest(label: str) -> None:
        def one() -> None:
            xml = instance_xml(instance_id=new_instance_id(), form_id=form_id, audit=None, photo=None)
            submission_receive(actor=actor, xml=xml, files={})

        for _ in range(10):
            one()  # warm the schema cache and the connection
        with CaptureQueriesContext(connection) as queries:
            one()
        times = []
        for _ in range(args.submissions):
            began = time.perf_counter()
            one()
            times.append((time.perf_counter() - began) * 1000)
        print(
            f"{label:<22} n={args.submissions:<5} median {statistics.median(times):6.2f} ms  "
            f"p95 {percentile(times, 0.95):6.2f} ms  statements/submission {len(queries.captured_queries)}"
        )

    print("ingest (submission_receive in process, PostgreSQL, one submission at a time)")
    ingest("no webhook")
    webhook_create(actor=leader, form=form, name="one", url=receiver.url, events=["submission.created"])
    ingest("1 active webhook")
    for k in (2, 3):
        webhook_create(actor=leader, form=form, name=f"h{k}", url=receiver.url, events=["submission.created"])
    ingest("3 active webhooks")

    pending = list(WebhookDelivery.objects.filter(webhook__form=form).values_list("pk", flat=True))
    print(f"delivery (webhook_delivery_attempt to a local http.server answering 200), n={len(pending)} in all")
    offset = 0
    for threads in [int(t) for t in args.threads.split(",")]:
        batch = pending[offset : offset + len(pending) // 2]
        offset += len(batch)

        def send(pk) -> bool:
            try:
                return webhook_delivery_attempt(pk).state == "delivered"
            finally:
                connection.close()

        began = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool:
            delivered = sum(pool.map(send, batch))
        took = time.perf_counter() - began
        print(f"  {threads} thread(s): {delivered}/{len(batch)} delivered in {took:.2f} s = {delivered / took:.0f}/s")
    receiver.down()


if __name__ == "__main__":
    main()
