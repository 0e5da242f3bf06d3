"""python manage.py publish_ap_csv — regenerate ap.csv from the hamlet table and push it to the forms."""

from django.core.management.base import BaseCommand

from backend.places.services import ap_csv_publish


class Command(BaseCommand):
    help = "Regenerate ap.csv from the hamlet table and attach it to every published form that expects it."

    def handle(self, *args, **options):
        result = ap_csv_publish()
        if not result:
            self.stdout.write("No published form expects ap.csv.")
        for form_id, changed in result.items():
            self.stdout.write(f"ap.csv for {form_id}: {'updated' if changed else 'unchanged'}")
