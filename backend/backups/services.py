"""Back up the whole server to one archive and rebuild a server from it.

Consistency: the database dump and the list of files come from ONE PostgreSQL snapshot — this
process opens a repeatable-read transaction, exports its snapshot and hands it to
`pg_dump --snapshot`, then lists the blobs in that same transaction. Blob files are written
before their rows and never changed (content-addressed), so every row in the dump has its file.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder

from backend.backups.archive import (
    DATABASE,
    FORMAT,
    FORMAT_VERSION,
    PREFIX,
    ArchiveError,
    ArchiveReader,
    ArchiveWriter,
    archives_in,
)
from backend.core.blobs import blob_open, blob_path, blob_store

logger = logging.getLogger(__name__)

# Row counts written to the manifest and checked after a restore.
COUNTED_TABLES = (
    "submissions_submission",
    "submissions_submissionversion",
    "submissions_submissionattachment",
    "review_comment",
    "audit_auditevent",
    "core_blob",
    "surveys_form",
    "surveys_formversion",
    "auth_user",
)


@dataclass
class BackupReport:
    path: Path
    size: int
    blobs: int
    counts: dict[str, int]
    removed: list[Path] = field(default_factory=list)


def _require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise ArchiveError(
            "Sao lưu cần PostgreSQL (DATABASE_URL). Với SQLite của bản chạy thử, hãy chép var/db.sqlite3 và "
            "var/media. / Backups need PostgreSQL (DATABASE_URL); with the quickstart's SQLite, copy "
            "var/db.sqlite3 and var/media."
        )


def _pg_env() -> tuple[dict[str, str], list[str]]:
    """Environment and connection arguments of pg_dump/pg_restore for the default database."""
    db = settings.DATABASES["default"]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = ["--host", db.get("HOST") or "127.0.0.1", "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    return env, args + ["--dbname", db["NAME"]]


def _tool(name: str) -> str:
    path = os.environ.get(name.upper().replace("-", "_")) or shutil.which(name)
    if not path:
        raise ArchiveError(f"{name} not found: install the PostgreSQL client (Debian: postgresql-client)")
    return path


def _counts(cursor) -> dict[str, int]:
    counts = {}
    for table in COUNTED_TABLES:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # names from the constant above
        counts[table] = cursor.fetchone()[0]
    return counts


def backup_create(*, directory: Path, keep: int | None = None) -> BackupReport:
    """Write `phulam-backup-<UTC time>.tar` into `directory`; then, with `keep`, delete all
    but the newest `keep` archives there."""
    _require_postgresql()
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    final = directory / f"{PREFIX}{stamp}.tar"
    partial = directory / f".partial-{stamp}.tar"
    with tempfile.TemporaryDirectory(dir=directory, prefix=".dump-") as scratch:
        dump = Path(scratch) / DATABASE
        try:
            writer = ArchiveWriter(partial)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
                snapshot, server_version = cursor.fetchone()
                env, args = _pg_env()
                subprocess.run(
                    [_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}", "--file", str(dump), *args],
                    env=env,
                    check=True,
                    capture_output=True,
                )
                cursor.execute("SELECT sha256, size FROM core_blob ORDER BY sha256")
                blobs = cursor.fetchall()
                counts = _counts(cursor)
                migrations = sorted(MigrationRecorder.Migration.objects.values_list("app", "name"))
            writer.add_file(DATABASE, dump)
            for sha256, size in blobs:
                with blob_open(sha256) as stream:
                    digest = writer.add_stream(blob_path(sha256), stream, size)
                if digest != sha256:
                    raise ArchiveError(f"stored file {sha256} is damaged (its content hashes to {digest})")
            writer.close(
                {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "created_at": datetime.now(UTC).isoformat(),
                    "postgresql": server_version,
                    "counts": counts,
                    "blobs": {"count": len(blobs), "bytes": sum(size for _, size in blobs)},
                    "migrations": [f"{app}.{name}" for app, name in migrations],
                }
            )
            os.replace(partial, final)
        except subprocess.CalledProcessError as exc:
            partial.unlink(missing_ok=True)
            raise ArchiveError(f"pg_dump failed: {exc.stderr.decode(errors='replace').strip()}") from exc
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    report = BackupReport(path=final, size=final.stat().st_size, blobs=len(blobs), counts=counts)
    if keep is not None:
        report.removed = backups_prune(directory=directory, keep=keep)
    return report


def backups_prune(*, directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` archives (never the last one)."""
    keep = max(1, keep)
    archives = archives_in(directory)
    doomed = archives[:-keep] if len(archives) > keep else []
    for path in doomed:
        path.unlink()
    return doomed


@dataclass
class RestoreReport:
    counts: dict[str, int]
    expected: dict[str, int]
    blobs: int
    bytes_checked: int


def _database_empty(cursor) -> bool:
    cursor.execute(
        "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')"
    )
    return cursor.fetchone()[0] == 0


def backup_restore(*, path: Path) -> RestoreReport:
    """Rebuild this server from an archive: into an EMPTY database (refused otherwise) and the
    configured file storage; then migrate, so an archive of an older version comes up to date."""
    _require_postgresql()
    archive = ArchiveReader(path)
    try:
        checked = archive.verify()
        with connection.cursor() as cursor:
            if not _database_empty(cursor):
                raise ArchiveError(
                    f"Cơ sở dữ liệu {settings.DATABASES['default']['NAME']} không trống: chỉ khôi phục vào cơ sở dữ "
                    "liệu mới. / The database is not empty: restore into a new, empty database."
                )
        with tempfile.TemporaryDirectory(prefix="phulam-restore-") as scratch:
            dump = Path(scratch) / DATABASE
            with archive.open(DATABASE) as source, dump.open("wb") as target:
                shutil.copyfileobj(source, target, 1 << 20)
            env, args = _pg_env()
            result = subprocess.run(
                [_tool("pg_restore"), "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
                + args
                + [str(dump)],
                env=env,
                capture_output=True,
            )
            if result.returncode != 0:
                raise ArchiveError(f"pg_restore failed: {result.stderr.decode(errors='replace').strip()}")
        connection.close()  # the restored schema: no cached state from before
        restored = 0
        for name, sha256 in archive.blobs():
            with archive.open(name) as stream:
                blob = blob_store(stream)
            if blob.sha256 != sha256:
                raise ArchiveError(f"{name}: restored file hashes to {blob.sha256}")
            restored += 1
        call_command("migrate", interactive=False, verbosity=0)
        with connection.cursor() as cursor:
            counts = _counts(cursor)
        expected = archive.manifest["counts"]
        if counts != expected:
            raise ArchiveError(f"row counts after restore {counts} differ from the archive's {expected}")
        return RestoreReport(counts=counts, expected=expected, blobs=restored, bytes_checked=checked)
    finally:
        archive.close()
