"""Write the periodic report of a round (for cron or a scheduler): last line is the path.

python manage.py periodic_report --round 2027 [--pdf] [--output var/reports/bc.docx]
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from backend.core.errors import Problem
from backend.publication.services import periodic_report_build


class Command(BaseCommand):
    help = "Write the commune's periodic report (Word, or PDF with --pdf) of a survey round."

    def add_arguments(self, parser):
        parser.add_argument("--round", default=None, help="survey round (default: the latest computed)")
        parser.add_argument("--output", default=None, help="file to write (default: VAR_DIR/reports/…)")
        parser.add_argument("--pdf", action="store_true", help="write the PDF (needs LibreOffice)")
        parser.add_argument(
            "--suppressed", action="store_true", help="the version for readers without microdata access"
        )

    def handle(self, *args, **options):
        try:
            report = periodic_report_build(round_name=options["round"], microdata=not options["suppressed"])
            body = report.pdf() if options["pdf"] else report.docx
        except Problem as problem:
            raise CommandError(problem.message) from problem
        suffix = "pdf" if options["pdf"] else "docx"
        path = Path(options["output"] or Path(settings.VAR_DIR) / "reports" / f"{report.filename}.{suffix}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        self.stdout.write(str(path))
