"""Who is asking: the one shape every read path receives.

An Actor is a web user (role from their profile), a volunteer's device (from the token in
the URL), or a draft-testing link. Selectors decide what each may see from this alone, through
the named capabilities of `backend.accounts.policy`.

`request.actor` is set once per request: `ActorMiddleware` (backend/accounts/middleware.py)
builds the web user's Actor lazily on first use (after DRF has authenticated a Bearer token),
and the routes whose credential is in the path (`/key/<token>/…`, `/test/<token>/…`) or in a
Basic header put the Actor they resolved there instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.accounts.models import DeviceToken, Role, Volunteer


@dataclass(frozen=True)
class Actor:
    kind: str  # "user" | "device" | "draft"
    role: str | None = None
    user: object | None = None
    device: DeviceToken | None = None
    volunteer: Volunteer | None = None
    draft_version_id: int | None = None
    # Path prefix under which this actor reached us ("/key/<token>"); URLs we hand back keep it.
    url_prefix: str = ""
    hamlet_codes: frozenset[str] = field(default_factory=frozenset)

    @property
    def label(self) -> str:
        if self.kind == "device" and self.volunteer is not None:
            return f"device:{self.device.pk}:{self.volunteer.name}"
        if self.user is not None:
            return f"user:{self.user.username}"
        return self.kind


def actor_for_device(device: DeviceToken, *, url_prefix: str) -> Actor:
    volunteer = device.volunteer
    return Actor(kind="device", role=Role.VOLUNTEER, device=device, volunteer=volunteer, url_prefix=url_prefix)


def actor_for_device_token(token: str) -> Actor | None:
    """The Actor of the device key in a URL (`/key/<token>/…`), or None when the key is
    malformed, unknown or revoked. The one place a device token becomes an Actor."""
    from backend.accounts.selectors import device_for_token

    device = device_for_token(token)
    if device is None:
        return None
    return actor_for_device(device, url_prefix=f"/key/{token}")


def actor_for_user(user, *, url_prefix: str = "") -> Actor:
    from backend.accounts.selectors import user_role

    role = user_role(user)
    volunteer = Volunteer.objects.filter(user=user).first() if role == Role.VOLUNTEER else None
    hamlets = frozenset()
    if hasattr(user, "profile"):
        hamlets = frozenset(user.profile.hamlets.values_list("code", flat=True))
    return Actor(kind="user", role=role, user=user, volunteer=volunteer, url_prefix=url_prefix, hamlet_codes=hamlets)


def actor_for_draft(version_id: int, *, url_prefix: str) -> Actor:
    return Actor(kind="draft", draft_version_id=version_id, url_prefix=url_prefix)


def actor_for_request(request) -> Actor:
    """The Actor `request.actor` holds (see the module docstring). A request that did not pass
    through `ActorMiddleware` (a view called directly) gets the user's, built once."""
    actor = getattr(request, "actor", None)
    if actor is None:
        actor = actor_for_user(getattr(request, "user", None))
        request.actor = actor
    return actor
