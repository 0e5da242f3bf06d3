"""python manage.py volunteer_create NAME [--form FORM_ID …] [--hamlet CODE …] [--qr PATH.png|.svg]

Contract: the last line printed is the volunteer's Collect server URL (`…/key/{token}`)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from backend.accounts.selectors import forms_by_ids
from backend.accounts.services import volunteer_create
from backend.core.collect_qr import collect_qr_render, collect_settings, collect_settings_encode
from backend.core.errors import Problem
from backend.core.urlbuild import volunteer_server_url
from backend.places.models import Hamlet


class Command(BaseCommand):
    help = "Create a volunteer device, assign forms and print its Collect server URL."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument(
            "--form",
            action="append",
            default=[],
            dest="forms",
            metavar="FORM_ID",
            help="assign this form (repeatable); all open forms when none is named",
        )
        parser.add_argument("--hamlet", action="append", default=[], dest="hamlets", metavar="CODE")
        parser.add_argument("--code", default="", help="volunteer code (tnv_ma)")
        parser.add_argument("--qr", metavar="PATH", help="write the Collect settings QR code (.png or .svg)")

    def handle(self, *args, name, forms, hamlets, code, qr, **options):
        from django.conf import settings

        try:
            form_objects = forms_by_ids(forms)
        except Problem as problem:
            raise CommandError(problem.message) from problem
        hamlet_objects = list(Hamlet.objects.filter(code__in=hamlets))
        missing = sorted(set(hamlets) - {h.code for h in hamlet_objects})
        if missing:
            raise CommandError(f"Unknown hamlet code(s): {', '.join(missing)}")
        volunteer, token = volunteer_create(name=name, code=code, forms=form_objects, hamlets=hamlet_objects)
        server_url = volunteer_server_url(token)
        if qr:
            target = Path(qr)
            kind = "svg" if target.suffix.lower() == ".svg" else "png"
            payload = collect_settings_encode(
                collect_settings(server_url=server_url, project_name=settings.PROJECT_NAME)
            )
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(collect_qr_render(payload, kind=kind))
            self.stdout.write(f"QR code: {target}")
        self.stdout.write(f"volunteer: {volunteer.name} (id {volunteer.pk})")
        self.stdout.write(f"forms: {', '.join(f.form_id for f in form_objects) or '(none)'}")
        self.stdout.write(server_url)
