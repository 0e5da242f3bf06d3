"""`manage.py backup` then `manage.py restore` into a fresh database (another process, another
file store) gives back every submission, file, review and audit row byte for byte."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from backend.accounts.actors import actor_for_user
from backend.backups.archive import ArchiveError, ArchiveReader, archives_in
from backend.backups.services import backups_prune
from backend.core.blobs import blob_path
from backend.core.models import Blob
from backend.review.services import submission_comment_add, submission_review_set
from tests.access.world import world_build
from tests.jobs.worker import database_url_under_test

pytestmark = pytest.mark.usefixtures("postgres_only")
ROOT = Path(__file__).resolve().parents[2]
# Every row the commune cannot lose, compared as PostgreSQL prints the whole row.
TABLES = [
    "submissions_submission",
    "submissions_submissionversion",
    "submissions_submissionattachment",
    "review_comment",
    "audit_auditevent",
    "core_blob",
    "auth_user",
    "accounts_profile",
    "surveys_form",
    "surveys_formversion",
]


def _admin_connection():
    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"], dbname="postgres", autocommit=True
    )


@pytest.fixture
def fresh_database():
    """An empty database beside the test database; its DATABASE_URL."""
    name = f"{connection.settings_dict['NAME']}_restored"
    with _admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield database_url_under_test().rsplit("/", 1)[0] + f"/{name}"
    with _admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def rows(url_or_connection, table: str) -> list[str]:
    sql = f"SELECT t::text FROM {table} t ORDER BY 1"
    if isinstance(url_or_connection, str):
        with psycopg.connect(url_or_connection) as other:
            return [r[0] for r in other.execute(sql)]
    with url_or_connection.cursor() as cursor:
        cursor.execute(sql)
        return [r[0] for r in cursor.fetchall()]


def a_commune_with_everything():
    world = world_build()
    head = actor_for_user(world.users["hamlet_head"])
    photographed = world.submit(hamlet="AP01")
    world.submit(hamlet="AP01", photo=False)
    world.submit(hamlet="AP02", other=True)
    submission_review_set(actor=head, submission=photographed, state="rejected", comment="Ảnh mờ, chụp lại giúp em.")
    submission_comment_add(actor=head, submission=photographed, body="Đã nhận bản sửa, cảm ơn em.")
    return world


def restore_in_another_process(archive: Path, database_url: str, media: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "MEDIA_ROOT": str(media), "REDIS_URL": ""}
    return subprocess.run(
        [sys.executable, "manage.py", "restore", str(archive)], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_a_restored_backup_has_every_submission_file_review_and_audit_row_byte_identical(
    transactional_db, tmp_path, fresh_database, settings
):
    a_commune_with_everything()
    out = io.StringIO()
    call_command("backup", "--dir", str(tmp_path / "backups"), stdout=out)
    archive = Path(out.getvalue().splitlines()[-1])
    assert archive.parent == tmp_path / "backups" and archive.name.startswith("phulam-backup-")
    manifest = ArchiveReader(archive).manifest
    assert manifest["counts"]["submissions_submission"] == 3 and manifest["counts"]["review_comment"] >= 2
    assert manifest["blobs"]["count"] == Blob.objects.count() > 0

    media = tmp_path / "restored-media"
    result = restore_in_another_process(archive, fresh_database, media)
    assert result.returncode == 0, result.stderr
    assert "restored:" in result.stdout

    for table in TABLES:
        original = rows(connection, table)
        assert original, f"{table} has rows to compare"
        assert rows(fresh_database, table) == original, table
    for blob in Blob.objects.all():
        stored = Path(settings.MEDIA_ROOT) / blob_path(blob.sha256)
        assert (media / blob_path(blob.sha256)).read_bytes() == stored.read_bytes()

    # The restored server works: a second restore over it is refused, the data is not touched.
    again = restore_in_another_process(archive, fresh_database, media)
    assert again.returncode != 0 and "not empty" in again.stderr


def test_a_damaged_archive_is_refused_before_anything_is_restored(transactional_db, tmp_path, fresh_database):
    a_commune_with_everything()
    out = io.StringIO()
    call_command("backup", "--dir", str(tmp_path), stdout=out)
    archive = Path(out.getvalue().splitlines()[-1])
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("blobs/") and member.size > 100:
                data = data[:50] + bytes([data[50] ^ 0xFF]) + data[51:]  # one flipped byte in a photo
            target.addfile(member, io.BytesIO(data))
    with pytest.raises(ArchiveError, match="checksum does not match"):
        ArchiveReader(damaged).verify()
    result = restore_in_another_process(damaged, fresh_database, tmp_path / "m")
    assert result.returncode != 0 and "checksum does not match" in result.stderr
    with psycopg.connect(fresh_database) as other:
        tables = other.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
    assert tables == 0  # nothing was restored
    with pytest.raises(CommandError, match="not a readable tar"):
        call_command("restore", str(tmp_path / "m"), "--verify-only")


def test_retention_keeps_the_newest_archives(transactional_db, tmp_path):
    world_build()
    for _ in range(3):
        call_command("backup", "--dir", str(tmp_path), "--keep", "2", stdout=io.StringIO())
    kept = archives_in(tmp_path)
    assert len(kept) == 2
    assert backups_prune(directory=tmp_path, keep=0) == [kept[0]]  # never the last one
    assert archives_in(tmp_path) == [kept[1]]
    assert not list(tmp_path.glob(".partial-*"))
