"""python manage.py import_hamlet_boundaries PATH [--code-field code] [--name-field name]"""

from django.core.management.base import BaseCommand, CommandError

from backend.core.errors import Problem
from backend.places.boundaries import BoundaryError, boundaries_read
from backend.places.services import ap_csv_publish, hamlet_boundaries_save


class Command(BaseCommand):
    help = "Import hamlet boundaries from GeoJSON, GeoPackage or Shapefile (updates in place)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--code-field", default="code")
        parser.add_argument("--name-field", default="name")

    def handle(self, *args, path, code_field, name_field, **options):
        try:
            features = boundaries_read(path, code_field=code_field, name_field=name_field)
            report = hamlet_boundaries_save(features=features)
        except BoundaryError as exc:
            raise CommandError("Nothing imported / Không nhập gì:\n  " + "\n  ".join(exc.problems))
        except Problem as exc:
            raise CommandError(exc.message)
        for line in report.lines():
            self.stdout.write(line)
        for form_id, changed in ap_csv_publish().items():
            self.stdout.write(f"ap.csv for {form_id}: {'updated' if changed else 'unchanged'}")
