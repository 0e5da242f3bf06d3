"""python manage.py publish_form PATH.xlsx [--attach FILE …] [--draft]

Prints the form_id and version (contract: `<form_id> <version>` on the last line)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backend.core.errors import Problem
from backend.surveys.services import form_publish


class Command(BaseCommand):
    help = "Publish (or update) an XLSForm and its media files."

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

    def handle(self, *args, path, attach, draft, **options):
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"No such file: {path}")
        media = {}
        for item in attach:
            media_path = Path(item)
            if not media_path.is_file():
                raise CommandError(f"No such media file: {item}")
            media[media_path.name] = media_path.read_bytes()
        try:
            result = form_publish(
                xlsform=source.read_bytes(), filename=source.name, attachments=media, publish=not draft
            )
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
