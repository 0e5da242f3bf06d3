"""OData feed benchmark: every household submission of pl_ho through `Submissions` (and the
member repeat `Submissions.tv`) from a real gunicorn on PostgreSQL.

Not collected by pytest (no test_ prefix). Run from the repository root:

    .venv/bin/python -m tests.bench.bench_odata --households 20000

It creates (or reuses) the database, publishes forms_xlsform/pl_ho.xlsx, tops the form up to
--households submissions (three members each, received through the real ingest service in
this process, like tests/bench/bench_submissions.py makes them), issues an admin API token,
starts gunicorn and reads the whole feed with `requests` (streamed). Prints wall time, bytes,
rows and the serving worker's peak RSS, for each run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.bench_submissions import HouseholdWriter, database_prepare, form_and_device  # noqa: E402


def households_fill(form_id: str, token: str, xform: bytes, wanted: int, *, received: int) -> int:
    """Up to `received` households through the real ingest service, then copies of them
    (new instanceIDs, same answers) written with bulk INSERTs up to `wanted`: on a shared
    2-core machine ingest runs at a few per second, and the feed reads rows, not history."""
    from backend.accounts.actors import actor_for_device_token
    from backend.submissions.models import Submission, SubmissionVersion
    from backend.submissions.services import submission_receive

    visible = Submission.objects.filter(form__form_id=form_id, deleted_at__isnull=True)
    writer, actor = HouseholdWriter(xform), actor_for_device_token(token)
    for _ in range(visible.count(), min(received, wanted)):
        submission_receive(actor=actor, xml=writer.xml(instance_id=f"uuid:{uuid.uuid4()}", photo=None), files={})
    templates = list(visible.select_related("current_version")[:received])
    while (have := visible.count()) < wanted:
        batch = []
        for n in range(min(2000, wanted - have)):
            t = templates[n % len(templates)]
            batch.append((t, f"uuid:{uuid.uuid4()}"))
        subs = Submission.objects.bulk_create(
            [
                Submission(
                    form_id=t.form_id,
                    instance_id=iid,
                    form_version_id=t.form_version_id,
                    volunteer_id=t.volunteer_id,
                    hamlet_code=t.hamlet_code,
                    survey_date=t.survey_date,
                    survey_round=t.survey_round,
                    lat=t.lat,
                    lon=t.lon,
                    review_state=t.review_state,
                )
                for t, iid in batch
            ]
        )
        versions = []
        for sub, (t, iid) in zip(subs, batch, strict=True):
            v = t.current_version
            parsed = {**v.parsed, "meta": {**v.parsed.get("meta", {}), "instanceID": iid}}
            versions.append(
                SubmissionVersion(
                    submission=sub,
                    form_id=t.form_id,
                    instance_id=iid,
                    xml=bytes(v.xml),
                    sha256=uuid.uuid4().hex,
                    parsed=parsed,
                    form_version_id=v.form_version_id,
                )
            )
        versions = SubmissionVersion.objects.bulk_create(versions)
        for sub, v in zip(subs, versions, strict=True):
            sub.current_version_id = v.pk
        Submission.objects.bulk_update(subs, ["current_version"], batch_size=2000)
        print(f"  … {visible.count()} households", flush=True)
    return visible.count()


def admin_token() -> str:
    from django.contrib.auth import get_user_model

    from backend.accounts.models import Role
    from backend.accounts.services import api_token_create, user_create

    user = get_user_model().objects.filter(username="bench_odata").first()
    if user is None:
        user = user_create(username="bench_odata", password=None, role=Role.ADMIN)
    return api_token_create(user=user)


def timed_read(url: str, token: str, server) -> dict:
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], server.rss_bytes())
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.perf_counter()
    size, first_byte = 0, None
    with requests.get(url, headers={"Authorization": f"Bearer {token}"}, stream=True, timeout=600) as response:
        response.raise_for_status()
        for chunk in response.iter_content(chunk_size=1 << 16):
            if first_byte is None:
                first_byte = time.perf_counter() - started
            size += len(chunk)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    return {"wall": wall, "first": first_byte or wall, "bytes": size, "peak_rss": peak[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/phulam_odata_bench")
    parser.add_argument("--households", type=int, default=20000)
    parser.add_argument("--received", type=int, default=300, help="households sent through ingest first")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    media_root = tempfile.mkdtemp(prefix="bench-odata-media-")
    database_prepare(args.database_url)
    form_id, device_token, xform = form_and_device(args.database_url, media_root)
    total = households_fill(form_id, device_token, xform, args.households, received=args.received)
    token = admin_token()
    from tests.submissions.live import GunicornServer

    server = GunicornServer(database_url=args.database_url, media_root=media_root, workers=1, threads=2).start()
    base = f"{server.base}/api/v1/forms/{form_id}.svc"
    try:
        requests.get(f"{base}/Submissions?$top=1", headers={"Authorization": f"Bearer {token}"}, timeout=60)
        print(f"form {form_id}: {total} households; gunicorn 1 worker x 2 threads")
        print(
            f"{'entity set':<18}{'run':>4}{'rows':>8}{'MB':>8}{'first byte s':>14}{'total s':>9}{'server RSS MB':>15}"
        )
        for entity_set in ("Submissions", "Submissions.tv"):
            for run in range(1, args.runs + 1):
                result = timed_read(f"{base}/{entity_set}", token, server)
                rows = requests.get(
                    f"{base}/{entity_set}/$count", headers={"Authorization": f"Bearer {token}"}, timeout=120
                ).text
                print(
                    f"{entity_set:<18}{run:>4}{rows:>8}{result['bytes'] / 2**20:>8.1f}{result['first']:>14.2f}"
                    f"{result['wall']:>9.2f}{result['peak_rss'] / 2**20:>15.0f}",
                    flush=True,
                )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
