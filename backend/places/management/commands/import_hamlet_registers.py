"""python manage.py import_hamlet_registers PATH.csv  (code, registered_households, population[, pilot_dra])"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backend.core.errors import Problem
from backend.places.registers import RegisterError, registers_parse
from backend.places.services import ap_csv_publish, hamlet_registers_save


class Command(BaseCommand):
    help = "Import hamlet registers (household counts, population, pilot flag) from CSV."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"File not found / Không tìm thấy tệp: {path}")
        try:
            report = hamlet_registers_save(rows=registers_parse(file.read_bytes()))
        except RegisterError as exc:
            raise CommandError("Nothing imported / Không nhập gì:\n  " + "\n  ".join(exc.problems))
        except Problem as exc:
            raise CommandError(exc.message)
        for line in report.lines():
            self.stdout.write(line)
        for form_id, changed in ap_csv_publish().items():
            self.stdout.write(f"ap.csv for {form_id}: {'updated' if changed else 'unchanged'}")
