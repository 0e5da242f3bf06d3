"""Reads for credentials: who is behind a token."""

from __future__ import annotations

from backend.accounts.models import ApiToken, DeviceToken, Profile, Role
from backend.accounts.tokens import token_hash, token_well_formed


def device_for_token(token: str) -> DeviceToken | None:
    """The active device for a raw token, or None when malformed, unknown or revoked."""
    if not token_well_formed(token):
        return None
    return (
        DeviceToken.objects.select_related("volunteer")
        .filter(token_hash=token_hash(token), revoked_at__isnull=True)
        .first()
    )


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


def api_tokens_visible_to(user):
    """A user's own API tokens; a commune admin sees everyone's."""
    tokens = ApiToken.objects.select_related("user").order_by("-created_at")
    if user_role(user) == Role.ADMIN:
        return tokens
    return tokens.filter(user=user)
