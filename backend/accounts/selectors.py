"""Reads for people and credentials: who is behind a token, and the forms and hamlets an
assignment names."""

from __future__ import annotations

from django.db import connection

from backend.accounts import policy
from backend.accounts.models import ApiToken, DeviceToken, Profile, Role, Volunteer
from backend.accounts.tokens import token_hash, token_well_formed
from backend.core import errors
from backend.core.rows import instance_from_row, select_columns
from backend.places.models import Hamlet
from backend.surveys.models import Form, FormState


def device_for_token(token: str) -> DeviceToken | None:
    """The active device for a raw token, or None when malformed, unknown or revoked."""
    if not token_well_formed(token):
        return None
    # Every OpenRosa request asks this first: one raw SELECT (the ORM's select_related query
    # costs more CPU to compose than PostgreSQL spends answering it, issue 18).
    devices, device_attnames = select_columns(DeviceToken, "d")
    volunteers, _ = select_columns(Volunteer, "v")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {devices}, {volunteers} FROM {DeviceToken._meta.db_table} d "
            f"JOIN {Volunteer._meta.db_table} v ON v.id = d.volunteer_id "
            "WHERE d.token_hash = %s AND d.revoked_at IS NULL LIMIT 1",
            [token_hash(token)],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    device = instance_from_row(DeviceToken, row)
    device.volunteer = instance_from_row(Volunteer, row, len(device_attnames))
    return device


def api_token_lookup(token: str) -> ApiToken | None:
    if not token_well_formed(token):
        return None
    return (
        ApiToken.objects.select_related("user")
        .filter(token_hash=token_hash(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def user_role(user) -> str | None:
    """The role of a web user; superusers are commune admins."""
    if user is None or not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMIN
    profile = Profile.objects.filter(user=user).only("role").first()
    return profile.role if profile else Role.VIEWER


def users_list():
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.select_related("profile", "volunteer")
        .prefetch_related("profile__hamlets", "volunteer__forms")
        .order_by("username")
    )


def api_tokens_visible_to(actor):
    """A user's own API tokens; a commune admin sees everyone's."""
    tokens = ApiToken.objects.select_related("user").order_by("-created_at")
    if policy.can_manage_users(actor):
        return tokens
    return tokens.filter(user=actor.user)


def forms_by_ids(form_ids: list[str]) -> list[Form]:
    """The forms named, all of them (404 naming the unknown ones); every open form when none
    is named (a new volunteer gets what is being collected)."""
    if not form_ids:
        return list(Form.objects.filter(state=FormState.OPEN))
    forms = list(Form.objects.filter(form_id__in=form_ids))
    unknown = sorted(set(form_ids) - {f.form_id for f in forms})
    if unknown:
        raise errors.not_found(f"form(s) {', '.join(unknown)}")
    return forms


def forms_exact(form_ids: list[str]) -> list[Form]:
    """The forms named, all of them (an empty list means none, unlike `forms_by_ids`)."""
    return forms_by_ids(form_ids) if form_ids else []


def hamlets_by_codes(codes: list[str]) -> list[Hamlet]:
    """The hamlets named, all of them (400 naming the unknown codes)."""
    hamlets = list(Hamlet.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {h.code for h in hamlets})
    if unknown:
        raise errors.bad_request(f"Unknown hamlet code(s): {', '.join(unknown)}", hamlets=unknown)
    return hamlets


def hamlets_known(codes: list[str]) -> list[Hamlet]:
    """The hamlets among these codes; unknown codes are dropped (what POST /volunteers has
    always done, unlike the users API)."""
    return list(Hamlet.objects.filter(code__in=codes))


def volunteers_list():
    return Volunteer.objects.prefetch_related("forms", "hamlets", "tokens")
