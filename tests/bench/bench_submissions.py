"""Submission throughput benchmark against a real gunicorn on PostgreSQL.

Not collected by pytest (no test_ prefix). Run from the repository root:

    .venv/bin/python -m tests.bench.bench_submissions --workers 4 --threads 4 --seconds 10

It creates (or reuses) the database named by --database-url, migrates it, publishes the
commune's household form (forms_xlsform/pl_ho.xlsx), starts gunicorn, and posts realistic
household submissions at concurrency 1, 8 and 32, without and with a 200 KB photo, plus
byte-identical replays at concurrency 8. Prints submissions/s, p50/p95/p99 and server RSS.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

HEADERS = {"X-OpenRosa-Version": "1.0", "User-Agent": "org.odk.collect.android/v2025.2.1 (bench)"}
NAMES = ["Nguyễn Văn Hùng", "Trần Thị Mai", "Lê Văn Phúc", "Phạm Thị Lan", "Võ Minh Tâm", "Đỗ Thị Hạnh"]


def database_prepare(database_url: str) -> None:
    import psycopg

    parsed = urlparse(database_url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone():
            conn.execute(f'create database "{name}"')
    env = {**os.environ, "DATABASE_URL": database_url}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)


def form_and_device(database_url: str, media_root: str) -> tuple[str, str, bytes]:
    """Publish pl_ho (idempotent) and issue a device token; returns (form_id, token, xform)."""
    os.environ["DATABASE_URL"] = database_url
    os.environ["MEDIA_ROOT"] = media_root
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django

    django.setup()
    from backend.accounts.services import volunteer_create
    from backend.surveys.services import form_publish

    path = ROOT / "forms_xlsform" / "pl_ho.xlsx"
    media = {}
    if (ROOT / "forms_xlsform" / "ap.csv").exists():
        media["ap.csv"] = (ROOT / "forms_xlsform" / "ap.csv").read_bytes()
    result = form_publish(xlsform=path.read_bytes(), filename=path.name, attachments=media)
    _volunteer, token = volunteer_create(name="Tình nguyện viên đo tải", forms=[result.form])
    return result.form.form_id, token, bytes(result.version.xform)


class HouseholdWriter:
    """Instance XML for a form, filled from its schema like a volunteer would fill it."""

    def __init__(self, xform: bytes):
        from backend.core.xform_schema import ATTRIBUTE, xform_schema

        self.schema = xform_schema(xform)
        self.children: dict[str, list] = {}
        for node in self.schema.nodes:
            if node.kind != ATTRIBUTE:
                self.children.setdefault(node.parent, []).append(node)

    def xml(self, *, instance_id: str, photo: str | None, members: int = 3) -> bytes:
        rnd = random.Random(instance_id)
        out = [
            f'<?xml version="1.0"?><{self.schema.root} xmlns:jr="http://openrosa.org/javarosa" '
            f'xmlns:orx="http://openrosa.org/xforms" id="{self.schema.form_id}" '
            f'version="{self.schema.version}">'
        ]
        self._children("", out, rnd, instance_id, photo, members)
        out.append(f"</{self.schema.root}>")
        return "".join(out).encode()

    def _children(self, parent, out, rnd, instance_id, photo, members):
        from backend.core.xform_schema import FIELD, REPEAT

        for node in self.children.get(parent, []):
            if node.kind == FIELD:
                out.append(f"<{node.name}>{self._value(node, rnd, instance_id, photo)}</{node.name}>")
                continue
            for _ in range(members if node.kind == REPEAT else 1):
                out.append(f"<{node.name}>")
                self._children(node.path, out, rnd, instance_id, photo, members)
                out.append(f"</{node.name}>")

    def _value(self, node, rnd, instance_id, photo) -> str:
        if node.name == "instanceID":
            return instance_id
        if node.name == "ap":
            return f"AP{rnd.randint(1, 12):02d}"
        if node.control in ("select1", "select") and node.choices is not None and node.choices.choices:
            values = [c.value for c in node.choices.choices]
            return (
                " ".join(rnd.sample(values, 2)) if node.control == "select" and len(values) > 1 else rnd.choice(values)
            )
        return {
            "int": str(rnd.randint(0, 6)),
            "decimal": f"{rnd.uniform(0, 10):.2f}",
            "date": "2026-11-27",
            "dateTime": "2026-11-27T08:15:00.000+07:00",
            "geopoint": f"{10.88 + rnd.random() / 20:.6f} {106.78 + rnd.random() / 20:.6f} 12.0 4.5",
            "binary": photo or "",
        }.get(node.data_type, rnd.choice(NAMES))


def multipart(xml: bytes, files: dict[str, bytes]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    b = boundary.encode()
    parts = [
        b"--" + b + b'\r\nContent-Disposition: form-data; name="xml_submission_file"; filename="i.xml"\r\n'
        b"Content-Type: text/xml\r\n\r\n" + xml + b"\r\n"
    ]
    for name, data in files.items():
        parts.append(
            b"--"
            + b
            + f'\r\nContent-Disposition: form-data; name="{name}"; filename="{name}"\r\n'
            "Content-Type: image/jpeg\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
    return b"".join(parts) + b"--" + b + b"--\r\n", f"multipart/form-data; boundary={boundary}"


def run_level(url: str, concurrency: int, seconds: float, make_body) -> dict:
    latencies: list[float] = []
    errors: dict[int, int] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def phone(n: int) -> None:
        session = requests.Session()
        i = 0
        while time.monotonic() < deadline:
            body, content_type = make_body(n, i)
            i += 1
            started = time.perf_counter()
            r = session.post(url, data=body, headers={**HEADERS, "Content-Type": content_type}, timeout=60)
            elapsed = time.perf_counter() - started
            with lock:
                if r.status_code in (201, 202):
                    latencies.append(elapsed)
                else:
                    errors[r.status_code] = errors.get(r.status_code, 0) + 1

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(phone, range(concurrency)))
    wall = time.monotonic() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")

    return {
        "n": len(latencies),
        "rate": len(latencies) / wall,
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "mean": statistics.fmean(latencies) * 1000 if latencies else float("nan"),
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/phulam_bench")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--levels", default="1,8,32")
    parser.add_argument("--photo-kb", type=int, default=200)
    parser.add_argument(
        "--worker-class", default="gthread", help="gunicorn -k: gthread, or sync as the Dockerfile runs it"
    )
    parser.add_argument("--no-preload", action="store_true", help="do not load the app before forking workers")
    parser.add_argument("--replays-only", action="store_true", help="only the byte-identical replay scenario")
    args = parser.parse_args()

    media_root = tempfile.mkdtemp(prefix="bench-media-")
    database_prepare(args.database_url)
    form_id, token, xform = form_and_device(args.database_url, media_root)
    writer = HouseholdWriter(xform)
    sample = writer.xml(instance_id="uuid:sample", photo=None)
    from tests.submissions.live import GunicornServer

    server = GunicornServer(
        database_url=args.database_url,
        media_root=media_root,
        workers=args.workers,
        threads=args.threads,
        preload=not args.no_preload,
        worker_class=args.worker_class,
    ).start()
    url = f"{server.base}/key/{token}/submission"
    levels = [int(x) for x in args.levels.split(",")]
    photo_size = args.photo_kb * 1024
    print(
        f"form {form_id}: instance XML {len(sample)} bytes; gunicorn {args.workers} workers"
        f"{f' x {args.threads} threads' if args.worker_class == 'gthread' else ''} ({args.worker_class}"
        f"{'' if args.no_preload else ', --preload'}); {args.seconds:.0f} s per level; "
        f"CPUs {os.cpu_count()}"
    )
    print(
        f"{'scenario':<22}{'conc':>5}{'n':>7}{'subm/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'CPU ms':>8}{'RSS MB':>9}{'PSS MB':>9}  errors"
    )

    def new_body(photo: bool):
        def make(_n: int, _i: int):
            iid = f"uuid:{uuid.uuid4()}"
            if photo:
                name = f"{int(time.time() * 1000)}.jpg"
                return multipart(writer.xml(instance_id=iid, photo=name), {name: os.urandom(photo_size)})
            return multipart(writer.xml(instance_id=iid, photo=None), {})

        return make

    def measured(make_body, concurrency: int) -> dict:
        """One level, with the server's CPU seconds per answered request (CPU ms column)."""
        cpu_before = server.cpu_seconds()
        result = run_level(url, concurrency, args.seconds, make_body)
        result["cpu_ms"] = (server.cpu_seconds() - cpu_before) * 1000 / max(1, result["n"])
        return result

    def report(label: str, concurrency: int, result: dict) -> None:
        print(
            f"{label:<22}{concurrency:>5}{result['n']:>7}{result['rate']:>9.1f}{result['p50']:>9.1f}"
            f"{result['p95']:>9.1f}{result['p99']:>9.1f}{result['cpu_ms']:>8.2f}{server.rss_bytes() / 2**20:>9.0f}"
            f"{server.pss_bytes() / 2**20:>9.0f}  {result['errors'] or ''}",
            flush=True,
        )

    try:
        run_level(url, 4, 2, new_body(False))  # warm-up: connections, imports, form-shape cache
        for photo in () if args.replays_only else (False, True):
            for concurrency in levels:
                report(
                    "household + photo" if photo else "household", concurrency, measured(new_body(photo), concurrency)
                )
        # Byte-identical replays (a phone retrying what it already sent), at concurrency 8.
        stored = []
        for _ in range(64):
            body = new_body(False)(0, 0)
            requests.post(url, data=body[0], headers={**HEADERS, "Content-Type": body[1]}, timeout=30)
            stored.append(body)
        report("identical replays", 8, measured(lambda n, i: stored[(n * 7 + i) % 64], 8))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
