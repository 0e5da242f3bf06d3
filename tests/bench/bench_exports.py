"""Submission export benchmark: time and peak Python memory of exporting N household
submissions (pl_ho, with its repeat of members) as a CSV zip through the real view, at two
sizes, to show the export streams in constant memory. A script, not a test.

    .venv/bin/python -m tests.bench.bench_exports --sizes 2000,20000

See tests/bench/README.md ("Submission exports") for what it measures and the results.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
import tracemalloc
import uuid
import zipfile

from tests.bench.bench_submissions import ROOT, HouseholdWriter, database_prepare

TEMPLATES = 60  # distinct households really ingested; the rest are copies of their rows
FORMATS = ("csv.zip", "csv", "xlsx", "geojson")


def setup(database_url: str, media_root: str):
    os.environ["DATABASE_URL"] = database_url
    os.environ["MEDIA_ROOT"] = media_root
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    import django

    django.setup()


def form_with_templates():
    """pl_ho published, a volunteer, TEMPLATES households received by the real ingest (1 to 6
    members each), an admin account, and a declared round around their survey date."""
    import datetime as dt

    from backend.accounts.actors import actor_for_device
    from backend.accounts.models import Role
    from backend.accounts.services import user_create, volunteer_create
    from backend.reports.models import SurveyRound
    from backend.submissions.models import Submission
    from backend.submissions.services import submission_receive
    from backend.surveys.models import Form
    from backend.surveys.services import form_publish

    path = ROOT / "forms_xlsform" / "pl_ho.xlsx"
    media = {"ap.csv": (ROOT / "forms_xlsform" / "ap.csv").read_bytes()}
    form = Form.objects.filter(form_id="pl_ho").first()
    if form is None:
        form = form_publish(xlsform=path.read_bytes(), filename=path.name, attachments=media).form
    SurveyRound.objects.get_or_create(
        name="bench-2026", defaults={"start": dt.date(2026, 11, 1), "end": dt.date(2026, 11, 30)}
    )
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.filter(username="bench_admin").first() or user_create(
        username="bench_admin", password="bench-pass-123456", role=Role.ADMIN
    )
    if Submission.objects.filter(form=form).count() < TEMPLATES:
        volunteer, _token = volunteer_create(name="Tình nguyện viên đo tải", forms=[form])
        actor = actor_for_device(volunteer.tokens.get(revoked_at__isnull=True), url_prefix="")
        writer = HouseholdWriter(bytes(form.current_version.xform))
        for n in range(TEMPLATES):
            xml = writer.xml(instance_id=f"uuid:{uuid.uuid4()}", photo=None, members=1 + n % 6)
            submission_receive(actor=actor, xml=xml, files={})
    return form, admin


def grow_to(form, total: int) -> None:
    """Copy template rows (submission + version, as ingested) until the form has `total`."""
    from django.db import connection, transaction

    from backend.submissions.models import Submission, SubmissionVersion

    have = Submission.objects.filter(form=form, deleted_at__isnull=True).count()
    templates = list(Submission.objects.filter(form=form).select_related("current_version").order_by("id")[:TEMPLATES])
    rnd = random.Random(total)
    while have < total:
        batch = min(2000, total - have)
        with transaction.atomic():
            picks = [rnd.choice(templates) for _ in range(batch)]
            subs = Submission.objects.bulk_create(
                [
                    Submission(
                        form_id=t.form_id,
                        instance_id=f"uuid:{uuid.uuid4()}",
                        form_version_id=t.form_version_id,
                        volunteer_id=t.volunteer_id,
                        review_state=t.review_state,
                        hamlet_code=t.hamlet_code,
                        lat=t.lat,
                        lon=t.lon,
                        altitude=t.altitude,
                        accuracy=t.accuracy,
                        survey_date=t.survey_date,
                        survey_round=t.survey_round,
                    )
                    for t in picks
                ]
            )
            SubmissionVersion.objects.bulk_create(
                [
                    SubmissionVersion(
                        submission=s,
                        form_id=s.form_id,
                        instance_id=s.instance_id,
                        xml=bytes(t.current_version.xml),
                        sha256=uuid.uuid4().hex * 2,
                        parsed=t.current_version.parsed,
                        form_version_id=t.form_version_id,
                    )
                    for s, t in zip(subs, picks, strict=True)
                ]
            )
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE submissions_submission s SET current_version_id = v.id "
                    "FROM submissions_submissionversion v "
                    "WHERE v.submission_id = s.id AND s.current_version_id IS NULL AND s.form_id = %s",
                    [form.pk],
                )
        have += batch
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE submissions_submission; ANALYZE submissions_submissionversion")


def export_once(client, fmt: str, params: dict) -> tuple[float, int, int]:
    """(seconds, bytes, rows) of one export through the view, consumed chunk by chunk."""
    started = time.perf_counter()
    response = client.get(f"/api/v1/forms/pl_ho/submissions.{fmt}", params)
    size = 0
    for chunk in response.streaming_content:
        size += len(chunk)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.status_code
    return elapsed, size, int(response["X-Export-Rows"])


def check_zip(client) -> str:
    """Open the CSV zip once and say what it holds (the run exported real files)."""
    response = client.get("/api/v1/forms/pl_ho/submissions.csv.zip")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return ", ".join(f"{i.filename} {i.file_size / 1e6:.1f} MB" for i in archive.infolist())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/phulam_exports")
    )
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per size and format (best is printed)")
    parser.add_argument("--formats", default=",".join(FORMATS))
    args = parser.parse_args()
    import tempfile

    database_prepare(args.database_url)
    setup(args.database_url, tempfile.mkdtemp(prefix="bench-exports-"))
    from django.test import Client

    form, admin = form_with_templates()
    client = Client()
    client.force_login(admin)
    print(f"{'rows':>6} {'format':>8} {'best s':>7} {'median s':>8} {'MB':>7} {'peak MiB (tracemalloc)':>22}")
    for size in [int(s) for s in args.sizes.split(",")]:
        grow_to(form, size)
        for fmt in args.formats.split(","):
            times = []
            for _ in range(args.repeat):
                elapsed, nbytes, rows = export_once(client, fmt, {})
                times.append(elapsed)
            tracemalloc.start()
            export_once(client, fmt, {})
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            times.sort()
            print(
                f"{rows:>6} {fmt:>8} {times[0]:>7.2f} {times[len(times) // 2]:>8.2f} "
                f"{nbytes / 1e6:>7.1f} {peak / 2**20:>22.1f}",
                flush=True,
            )
    print("csv.zip holds:", check_zip(client))


if __name__ == "__main__":
    sys.exit(main())
