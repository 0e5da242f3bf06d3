"""`manage.py webhooks_sweep`: what beat's `webhooks.sweep` does, once, from the command line
(for a server without beat, e.g. the quickstart under cron). Last line: "published N, interrupted N"."""

from django.core.management.base import BaseCommand

from backend.webhooks.delivery import webhook_deliveries_sweep


class Command(BaseCommand):
    help = "Publish (or, without a broker, try) every webhook delivery that is due."

    def handle(self, *args, **options):
        result = webhook_deliveries_sweep()
        self.stdout.write(f"published {result['published']}, interrupted {result['interrupted']}")
