"""python manage.py publish_form PATH.xlsx [--attach FILE …] [--draft] [--no-house-checks]

Checks the workbook against the commune's house rules (backend/surveys/xlsform_check.py:
NFC text, Vietnamese and English labels and messages, snake_case names unique in the form),
then publishes it. Prints the form_id and version (contract: `<form_id> <version>` on the
last line)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backend.core.errors import Problem
from backend.surveys.services import form_publish
from backend.surveys.xlsform_check import XLSFormCheckError, xlsform_check


class Command(BaseCommand):
    help = "Check an XLSForm against the house rules, then publish (or update) it and its media files."

    def add_arguments(self, parser):
        parser.add_argument("path", help="XLSForm .xlsx file")
        parser.add_argument(
            "--attach",
            nargs="+",
            action="extend",
            default=[],
            metavar="FILE",
            help="media files the form references (e.g. ap.csv)",
        )
        parser.add_argument("--draft", action="store_true", help="store as a draft instead of publishing")
        parser.add_argument(
            "--no-house-checks",
            action="store_true",
            help="publish a form that does not follow the commune's house rules (any valid XLSForm)",
        )

    def handle(self, *args, path, attach, draft, no_house_checks, **options):
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"No such file: {path}")
        media = {}
        for item in attach:
            media_path = Path(item)
            if not media_path.is_file():
                raise CommandError(f"No such media file: {item}")
            media[media_path.name] = media_path.read_bytes()
        data = source.read_bytes()
        if not no_house_checks:
            self._check(source, data)
        try:
            result = form_publish(xlsform=data, filename=source.name, attachments=media, publish=not draft)
        except Problem as problem:
            details = problem.details.get("stage")
            raise CommandError(f"{problem.message}" + (f" [{details}]" if details else "")) from problem
        out = result.as_json()
        self.stdout.write(f"status: {out['status']}")
        self.stdout.write(f"validation: {out['validation']['message']}")
        if out["form_id_note"]:
            self.stdout.write(f"form id: {out['form_id_note']}")
        for warning in out["warnings"]:
            self.stdout.write(f"warning: {warning}")
        if out["missing_media"]:
            self.stdout.write(f"missing media: {', '.join(out['missing_media'])}")
        if out["draft_token"]:
            self.stdout.write(f"draft test URL token: {out['draft_token']}")
        self.stdout.write(f"{out['form_id']} {out['version']}")

    def _check(self, source: Path, data: bytes) -> None:
        try:
            report = xlsform_check(data, file_type=source.suffix.lower() or ".xlsx")
        except XLSFormCheckError as exc:
            raise CommandError(str(exc)) from exc
        if not report.ok:
            listing = "\n".join(f"  {problem}" for problem in report.problems)
            raise CommandError(
                f"{source.name} breaks the house rules in {len(report.problems)} place(s) (forms_xlsform/README.md, "
                f"Conventions); nothing was published:\n{listing}\n"
                "Fix the workbook, or publish it with --no-house-checks if it is not one of the commune's forms."
            )
        self.stdout.write(f"checks: {source.name} follows the house rules")
