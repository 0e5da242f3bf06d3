"""Writes for people and credentials."""
from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from backend.accounts.models import ApiToken, DeviceToken, Profile, Role, Volunteer
from backend.accounts.tokens import token_hash, token_new


@transaction.atomic
def user_create(*, username: str, password: str | None, role: str = Role.VIEWER, is_staff: bool = False,
                hamlets: Iterable = ()) -> object:
    User = get_user_model()
    user = User.objects.create_user(username=username, password=password)
    if role == Role.ADMIN:
        user.is_staff = True
        user.is_superuser = True
    user.is_staff = user.is_staff or is_staff
    user.save()
    profile = Profile.objects.create(user=user, role=role)
    profile.hamlets.set(list(hamlets))
    return user


@transaction.atomic
def volunteer_create(*, name: str, forms: Iterable, code: str = "", hamlets: Iterable = ()) -> tuple[Volunteer, str]:
    """Create a volunteer with one device token. Returns the volunteer and the raw token,
    which is shown once and never stored."""
    volunteer = Volunteer.objects.create(name=name, code=code)
    volunteer.forms.set(list(forms))
    volunteer.hamlets.set(list(hamlets))
    token = device_token_issue(volunteer=volunteer)
    return volunteer, token


def device_token_issue(*, volunteer: Volunteer) -> str:
    token = token_new()
    DeviceToken.objects.create(volunteer=volunteer, token_hash=token_hash(token))
    return token


def device_token_revoke(*, device: DeviceToken) -> None:
    DeviceToken.objects.filter(pk=device.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def api_token_create(*, user, name: str = "") -> str:
    token = token_new()
    ApiToken.objects.create(user=user, name=name, token_hash=token_hash(token))
    return token


def api_token_revoke(*, api_token: ApiToken) -> None:
    ApiToken.objects.filter(pk=api_token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
