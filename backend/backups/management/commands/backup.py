"""Write a consistent backup archive (database + files + manifest with checksums).

python manage.py backup [--dir var/backups] [--keep 14]      # last line: the archive's path
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from backend.backups.archive import ArchiveError
from backend.backups.services import backup_create


class Command(BaseCommand):
    help = "Sao lưu cơ sở dữ liệu và tệp / Back up the database and the stored files."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir", default=None, help=f"folder of the archives (default BACKUP_DIR: {settings.BACKUP_DIR})"
        )
        parser.add_argument("--keep", type=int, default=None, help="then delete all but the newest N archives there")

    def handle(self, *args, dir=None, keep=None, **options):
        try:
            report = backup_create(directory=Path(dir or settings.BACKUP_DIR), keep=keep)
        except ArchiveError as exc:
            raise CommandError(str(exc)) from exc
        for table, count in report.counts.items():
            self.stdout.write(f"{table:<36} {count:>9}")
        self.stdout.write(f"files: {report.blobs}; archive: {report.size} bytes")
        for removed in report.removed:
            self.stdout.write(f"removed (retention): {removed}")
        self.stdout.write(str(report.path))
