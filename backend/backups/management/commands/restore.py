"""Rebuild a server from a backup archive, into an empty database.

createdb phulam_new && DATABASE_URL=postgres://…/phulam_new python manage.py restore ARCHIVE
python manage.py restore ARCHIVE --verify-only      # check every checksum, change nothing
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backend.backups.archive import ArchiveError, ArchiveReader
from backend.backups.services import backup_restore


class Command(BaseCommand):
    help = "Khôi phục từ bản sao lưu / Restore from a backup archive (into an empty database)."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--verify-only", action="store_true", help="check the archive, restore nothing")

    def handle(self, *args, archive: Path, verify_only=False, **options):
        try:
            if verify_only:
                reader = ArchiveReader(archive)
                checked = reader.verify()
                reader.close()
                self.stdout.write(f"ok: {len(reader.manifest['files'])} files, {checked} bytes match the manifest")
                return
            report = backup_restore(path=archive)
        except ArchiveError as exc:
            raise CommandError(str(exc)) from exc
        for table, count in report.counts.items():
            self.stdout.write(f"{table:<36} {count:>9}")
        self.stdout.write(f"restored: {report.blobs} files, {report.bytes_checked} bytes verified")
