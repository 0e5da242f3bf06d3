"""python manage.py setup_demo — what the quickstart runs after migrating.

Idempotent: creates (or keeps) the admin, publishes every XLSForm in forms_xlsform/ with
the media files beside it, and gives the demo volunteer a fresh device link and QR code.
"""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from backend.accounts.models import Role, Volunteer
from backend.accounts.services import device_token_issue, device_token_revoke, user_create
from backend.core.collect_qr import collect_qr_render, collect_settings, collect_settings_encode
from backend.core.urlbuild import volunteer_server_url
from backend.core.xform_schema import xform_schema
from backend.places.models import Hamlet
from backend.places.services import ap_csv_publish
from backend.submissions.models import Submission
from backend.surveys.models import Form, FormState
from backend.surveys.services import form_publish
from backend.surveys.xlsform_convert import xlsform_convert

FORMS_DIR = Path(settings.BASE_DIR) / "forms_xlsform"
DEMO_VOLUNTEER = "Tình nguyện viên demo"


class Command(BaseCommand):
    help = "Create the admin and demo volunteer and publish the commune's XLSForms."

    def add_arguments(self, parser):
        parser.add_argument(
            "--households", type=int, default=3000, help="size of the synthetic commune to load (0 to skip)"
        )

    def handle(self, *args, households, **options):
        password = self._admin()
        # Forms first: the synthetic commune submits to the published versions and then
        # replaces their ap.csv with the one rendered from its hamlets.
        self._publish_forms()
        self._demo_data(households)
        staff = self._demo_staff(password)
        server_url, qr_path = self._demo_volunteer()
        self.stdout.write("")
        self.stdout.write(f"Admin login:        {settings.PUBLIC_BASE_URL}/admin/  user 'admin'  password '{password}'")
        for username, role_label in staff:
            self.stdout.write(
                f"{role_label:<20}{settings.PUBLIC_BASE_URL}/accounts/login/  user '{username}'  password '{password}'"
            )
        self.stdout.write(f"Collect server URL: {server_url}")
        self.stdout.write(f"Volunteer web app:  {server_url}/app/  (open it in the phone's browser)")
        self.stdout.write(f"Volunteers page:    {settings.PUBLIC_BASE_URL}/staff/volunteers/  (links, QR sheets)")
        self.stdout.write(f"Collect QR code:    {qr_path}  (also at {server_url}/qr.png)")

    def _admin(self) -> str:
        password_file = Path(settings.VAR_DIR) / "admin_password.txt"
        User = get_user_model()
        if password_file.exists() and User.objects.filter(username="admin").exists():
            return password_file.read_text().strip()
        password = secrets.token_urlsafe(12)
        user = User.objects.filter(username="admin").first()
        if user is None:
            user = user_create(username="admin", password=password, role=Role.ADMIN)
        else:
            user.set_password(password)
            user.save()
        password_file.parent.mkdir(parents=True, exist_ok=True)
        password_file.write_text(password + "\n")
        password_file.chmod(0o600)
        return password

    def _demo_data(self, households: int) -> None:
        """Hook for the synthetic commune (places + submissions), when it is installed."""
        from django.core.management import get_commands

        if households and "make_demo_commune" in get_commands():
            from backend.demo.loader import demo_existing_data

            existing = demo_existing_data()
            if existing:
                # A second quickstart keeps what is there; replacing it is an explicit choice.
                have = ", ".join(f"{key} {n:,}" for key, n in existing.items())
                self.stdout.write(
                    f"demo commune not loaded: the database already has data ({have}); "
                    "`manage.py make_demo_commune --replace` rebuilds it."
                )
            else:
                call_command("make_demo_commune", households=households, rounds="2025,2027", stdout=self.stdout)
        if Hamlet.objects.exists():
            # The hamlet table, not the authored sample, is the source of ap.csv.
            ap_csv_publish()
        if Submission.objects.exists():
            call_command("compute_indicators", stdout=self.stdout)

    def _demo_staff(self, password: str) -> list[tuple[str, str]]:
        """A hamlet head of the first hamlet and a commune leader, to see the pages (demo only:
        they share the admin's generated password)."""
        hamlet = Hamlet.objects.order_by("code").first()
        if hamlet is None:
            return []
        User = get_user_model()
        wanted = [
            ("truongap", Role.HAMLET_HEAD, [hamlet], f"Hamlet head ({hamlet.code}):"),
            ("lanhdao", Role.LEADERSHIP, [], "Leadership:"),
        ]
        for username, role, hamlets, _label in wanted:
            user = User.objects.filter(username=username).first()
            if user is None:
                user_create(username=username, password=password, role=role, hamlets=hamlets)
            else:
                user.set_password(password)
                user.save()
        return [(username, label) for username, _, _, label in wanted]

    def _publish_forms(self) -> None:
        for path in sorted(FORMS_DIR.glob("*.xlsx")):
            conversion = xlsform_convert(path.read_bytes(), file_type=".xlsx", validate=False)
            expected = xform_schema(conversion.xform).uploaded_media_names
            media = {name: (FORMS_DIR / name).read_bytes() for name in expected if (FORMS_DIR / name).exists()}
            result = form_publish(xlsform=path.read_bytes(), filename=path.name, attachments=media)
            out = result.as_json()
            missing = f" (missing media: {', '.join(out['missing_media'])})" if out["missing_media"] else ""
            self.stdout.write(f"form {out['form_id']} {out['version']}: {out['status']}{missing}")

    def _demo_volunteer(self) -> tuple[str, Path]:
        volunteer, _ = Volunteer.objects.get_or_create(name=DEMO_VOLUNTEER, defaults={"code": "DEMO01"})
        volunteer.forms.set(Form.objects.filter(state=FormState.OPEN))
        # Revoke (not delete) the previous link: audit rows keep pointing at a real device.
        for device in volunteer.tokens.filter(revoked_at__isnull=True):
            device_token_revoke(device=device)
        token = device_token_issue(volunteer=volunteer)
        server_url = volunteer_server_url(token)
        qr_path = Path(settings.VAR_DIR) / "demo_volunteer_qr.png"
        payload = collect_settings_encode(collect_settings(server_url=server_url, project_name=settings.PROJECT_NAME))
        qr_path.write_bytes(collect_qr_render(payload, kind="png"))
        return server_url, qr_path
