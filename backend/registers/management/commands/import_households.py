"""python manage.py import_households FILE.csv [--dry-run] [--replace]

The commune's own household list into the register (columns: backend/registers/csv_import.py).
Prints what it creates, updates and leaves unchanged; a list that would change households
already held is refused until --replace (after printing what would change)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backend.core.errors import Problem
from backend.registers.services import households_import


class Command(BaseCommand):
    help = "Import the commune's household list (CSV) into the register. / Nhập danh sách hộ (CSV) vào sổ hộ."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true", help="report what would change, change nothing")
        parser.add_argument("--replace", action="store_true", help="allow changes to households already held")

    def handle(self, *args, path, dry_run, replace, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"Không tìm thấy tệp / File not found: {path}")
        try:
            report = households_import(data=file.read_bytes(), filename=file.name, dry_run=dry_run, replace=replace)
        except Problem as exc:
            lines = [exc.message]
            lines += [f"  line {e['line']}: {e['message']}" for e in exc.details.get("errors", [])]
            lines += _change_lines(exc.details.get("report", {}).get("changes", []))
            if "report" in exc.details:
                lines.append("Chạy lại với --replace để áp dụng. / Run again with --replace to apply.")
            raise CommandError("\n".join(lines))
        for line in _change_lines(report.changes or []):
            self.stdout.write(line)
        prefix = "dry run (nothing changed): " if dry_run else ""
        self.stdout.write(
            f"{prefix}created {report.created}, updated {report.updated}, unchanged {report.unchanged}, errors 0"
        )


def _change_lines(changes):
    for change in changes:
        if change["action"] == "create":
            yield f"  line {change['line']}: create {change['ap']} {change['ma_ho']}"
        else:
            fields = ", ".join(f"{k}: {v['before']!r} → {v['after']!r}" for k, v in change["fields"].items())
            yield f"  line {change['line']}: update {change['ap']} {change['ma_ho']} ({fields or 'confirmed'})"
