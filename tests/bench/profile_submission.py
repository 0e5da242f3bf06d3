"""Where the server CPU of one OpenRosa submission goes: the real WSGI application, in-process.

Not collected by pytest. Run from the repository root:

    .venv/bin/python -m tests.bench.profile_submission --requests 300
    .venv/bin/python -m tests.bench.profile_submission --requests 300 --replays   # byte-identical resends
    .venv/bin/python -m tests.bench.profile_submission --requests 300 --photo-kb 200

It publishes pl_ho into --database-url (like bench_submissions), builds the same Collect-style
multipart bodies, and calls `backend.wsgi.application` with a WSGI environ, exactly as gunicorn's
worker would (middleware, multipart parser, view, service, commit), under cProfile. It prints the
process CPU per request without the profiler first (time.process_time, the steadiest figure on a
shared machine), the SQL statements per request, then the cumulative CPU-time profile of a second run.
For instruction counts run it under `valgrind --tool=callgrind --callgrind-out-file=... `
with `--no-profile` (see tests/bench/README.md).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.bench_submissions import (  # noqa: E402
    HEADERS,
    HouseholdWriter,
    database_prepare,
    form_and_device,
    multipart,
)


def environ_for(path: str, body: bytes, content_type: str) -> dict:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
        "HTTP_HOST": "127.0.0.1:8000",
    }
    for name, value in HEADERS.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/phulam_bench")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--photo-kb", type=int, default=0)
    parser.add_argument("--replays", action="store_true", help="byte-identical resends of stored submissions")
    parser.add_argument("--no-profile", action="store_true", help="only the timed run (for callgrind)")
    parser.add_argument("--top", type=int, default=45)
    args = parser.parse_args()

    os.environ.setdefault("DB_CONN_MAX_AGE", "600")
    os.environ.setdefault("PUBLIC_BASE_URL", "https://survey.example.org")
    database_prepare(args.database_url)
    _form_id, token, xform = form_and_device(args.database_url, tempfile.mkdtemp(prefix="profile-media-"))
    writer = HouseholdWriter(xform)
    from django.conf import settings
    from django.db import connection, reset_queries

    from backend.wsgi import application

    path = f"/key/{token}/submission"

    def body() -> tuple[bytes, str]:
        iid = f"uuid:{uuid.uuid4()}"
        if args.photo_kb:
            name = f"{uuid.uuid4().hex}.jpg"
            return multipart(writer.xml(instance_id=iid, photo=name), {name: os.urandom(args.photo_kb * 1024)})
        return multipart(writer.xml(instance_id=iid, photo=None), {})

    def post(payload: tuple[bytes, str]) -> str:
        status = []
        for _chunk in application(environ_for(path, *payload), lambda s, h, *a: status.append(s)):
            pass
        return status[0]

    def bodies(n: int) -> list:
        made = [body() for _ in range(n)]
        if args.replays:
            for payload in made:
                post(payload)  # stored once; the measured run resends the same bytes
        return made

    for payload in bodies(20):  # warm-up: connection, imports, form-shape cache
        post(payload)

    batch = bodies(args.requests)
    started = time.process_time()
    statuses = [post(payload) for payload in batch]
    cpu_ms = (time.process_time() - started) * 1000 / len(batch)
    print(f"{len(batch)} requests, statuses {sorted(set(statuses))}: {cpu_ms:.2f} ms CPU per request (no profiler)")

    settings.DEBUG = True  # query log for one request
    reset_queries()
    post(bodies(1)[0])
    print(f"SQL statements in one request: {len(connection.queries)}")
    for query in connection.queries:
        print("   ", query["sql"][:150])
    settings.DEBUG = False
    if args.no_profile:
        return

    batch = bodies(args.requests)
    # CPU time, not wall time: on a shared machine waiting for PostgreSQL or for a core would
    # otherwise dominate the profile.
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for payload in batch:
        post(payload)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
    print(out.getvalue())


if __name__ == "__main__":
    main()
