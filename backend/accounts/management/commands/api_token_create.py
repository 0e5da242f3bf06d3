"""python manage.py api_token_create USERNAME [--name NAME]

Contract: the token is printed on the last line (shown once; stored hashed)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from backend.accounts.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for a user (Authorization: Bearer <token>)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No such user: {username}")
        token = api_token_create(user=user, name=name)
        self.stdout.write(f"API token for {username} (shown once):")
        self.stdout.write(token)
