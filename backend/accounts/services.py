"""Writes for people and credentials. Every write leaves one audit row.

`actor` is who does it (an Actor, a user, or None for the system: management commands,
setup_demo); `ip` gives the audit row its address.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.accounts.models import ApiToken, DeviceToken, Profile, Role, Volunteer
from backend.accounts.tokens import token_hash, token_new
from backend.audit.services import audit_record
from backend.core import errors


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    role: str = Role.VIEWER,
    is_staff: bool = False,
    hamlets: Iterable = (),
    forms: Iterable = (),
    name: str = "",
    with_volunteer: bool = False,
    actor=None,
    ip: str | None = None,
) -> object:
    """A web user with a role; a hamlet head's hamlets decide which submissions they see.
    With `with_volunteer` (the users API sets it for the volunteer role) a linked Volunteer is
    created too: its forms and hamlets decide the user's formList and "my submissions".
    A username already taken is 409; forms are for volunteers only (400)."""
    User = get_user_model()
    # Django stores usernames in NFKC (`normalize_username`); checking the name as typed let
    # an NFD or ligature spelling of an existing name through to the UNIQUE index (issue 17:
    # IntegrityError, 500). Normalise first, then the taken name is the catalogue's 409.10.
    username = User.normalize_username(username)
    if User.objects.filter(username=username).exists():
        raise errors.username_taken(username)
    forms = list(forms)
    if forms and role != Role.VOLUNTEER:
        raise errors.bad_request("Forms are assigned to volunteers only.")
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, password=password)
    except IntegrityError:  # created by a concurrent request in between
        raise errors.username_taken(username) from None
    if name:
        user.first_name = name[:150]
    _staff_flags_set(user, role=role, is_staff=is_staff)
    user.save()
    profile = Profile.objects.create(user=user, role=role)
    hamlets = list(hamlets)
    profile.hamlets.set(hamlets)
    if role == Role.VOLUNTEER and with_volunteer:
        volunteer = Volunteer.objects.create(name=name or username, user=user)
        volunteer.forms.set(list(forms))
        volunteer.hamlets.set(hamlets)
    audit_record(
        actor=actor,
        action="user.create",
        obj=user,
        ip=ip,
        username=username,
        role=role,
        hamlets=sorted(h.code for h in hamlets),
    )
    return user


@transaction.atomic
def user_update(
    *,
    actor,
    user,
    role: str | None = None,
    hamlets: Iterable | None = None,
    forms: Iterable | None = None,
    is_active: bool | None = None,
    password: str | None = None,
    name: str | None = None,
    ip: str | None = None,
) -> object:
    """Change a user's role, assignments, activity or password. Only what is given changes.
    An admin cannot deactivate or demote themselves (400): the commune keeps an admin."""
    if _acting_user_pk(actor) == user.pk and (is_active is False or (role or Role.ADMIN) != Role.ADMIN):
        raise errors.bad_request("An admin cannot deactivate or demote themselves.")
    profile, _ = Profile.objects.get_or_create(user=user)
    changed: dict = {}
    if role is not None and role != profile.role:
        changed["role"] = [profile.role, role]
        profile.role = role
        profile.save(update_fields=["role"])
        _staff_flags_set(user, role=role, is_staff=False)
    if is_active is not None and is_active != user.is_active:
        changed["is_active"] = [user.is_active, is_active]
        user.is_active = is_active
    if password:
        user.set_password(password)
        changed["password"] = "set"
    if name is not None and name != user.first_name:
        changed["name"] = [user.first_name, name]
        user.first_name = name[:150]
    user.save()
    if hamlets is not None:
        hamlets = list(hamlets)
        changed["hamlets"] = sorted(h.code for h in hamlets)
        profile.hamlets.set(hamlets)
    volunteer = Volunteer.objects.filter(user=user).first()
    if profile.role == Role.VOLUNTEER:
        if volunteer is None and (hamlets is not None or forms is not None):
            volunteer = Volunteer.objects.create(name=user.first_name or user.username, user=user)
        if volunteer is not None and hamlets is not None:
            volunteer.hamlets.set(hamlets)
        if volunteer is not None and forms is not None:
            forms = list(forms)
            changed["forms"] = sorted(f.form_id for f in forms)
            volunteer.forms.set(forms)
    if not user.is_active:
        # A deactivated person keeps nothing that still opens a door.
        for api_token in ApiToken.objects.filter(user=user, revoked_at__isnull=True):
            api_token_revoke(api_token=api_token, actor=actor, ip=ip)
    audit_record(actor=actor, action="user.update", obj=user, ip=ip, changed=changed)
    return user


def _acting_user_pk(actor) -> int | None:
    """The pk of the web user behind `actor` (an Actor or a user), None for the system."""
    user = getattr(actor, "user", None) if hasattr(actor, "kind") else actor
    return getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None


def _staff_flags_set(user, *, role: str, is_staff: bool) -> None:
    # Commune admins use the Django admin; nobody else does.
    user.is_superuser = role == Role.ADMIN
    user.is_staff = role == Role.ADMIN or is_staff


@transaction.atomic
def volunteer_create(
    *, name: str, forms: Iterable, code: str = "", hamlets: Iterable = (), actor=None, ip: str | None = None
) -> tuple[Volunteer, str]:
    """Create a volunteer with one device token. Returns the volunteer and the raw token,
    which is shown once and never stored."""
    volunteer = Volunteer.objects.create(name=name, code=code)
    volunteer.forms.set(list(forms))
    volunteer.hamlets.set(list(hamlets))
    token = device_token_issue(volunteer=volunteer)
    audit_record(actor=actor, action="volunteer.create", obj=volunteer, ip=ip, name=name)
    return volunteer, token


@transaction.atomic
def volunteer_assign(
    *,
    actor,
    volunteer: Volunteer,
    forms: Iterable | None = None,
    hamlets: Iterable | None = None,
    ip: str | None = None,
) -> Volunteer:
    changed: dict = {}
    if forms is not None:
        forms = list(forms)
        volunteer.forms.set(forms)
        changed["forms"] = sorted(f.form_id for f in forms)
    if hamlets is not None:
        hamlets = list(hamlets)
        volunteer.hamlets.set(hamlets)
        changed["hamlets"] = sorted(h.code for h in hamlets)
    audit_record(actor=actor, action="volunteer.assign", obj=volunteer, ip=ip, changed=changed)
    return volunteer


def device_token_issue(*, volunteer: Volunteer) -> str:
    token = token_new()
    DeviceToken.objects.create(volunteer=volunteer, token_hash=token_hash(token))
    return token


@transaction.atomic
def device_token_revoke(*, device: DeviceToken, actor=None, ip: str | None = None) -> bool:
    """Revoke at once: the next request with this token gets 403. True when it was active;
    revoking an already revoked token changes nothing and records nothing."""
    revoked = DeviceToken.objects.filter(pk=device.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if revoked:
        audit_record(actor=actor, action="device_token.revoke", obj=device, ip=ip, volunteer_id=device.volunteer_id)
    return bool(revoked)


@transaction.atomic
def device_token_reissue(*, volunteer: Volunteer, actor=None, ip: str | None = None) -> str:
    """A new key for a volunteer whose link was lost or shared: every active key is revoked
    (the old link gets 403 at once) and the new raw token is returned, shown once."""
    for device in volunteer.tokens.filter(revoked_at__isnull=True):
        device_token_revoke(device=device, actor=actor, ip=ip)
    token = device_token_issue(volunteer=volunteer)
    audit_record(actor=actor, action="device_token.reissue", obj=volunteer, ip=ip)
    return token


@transaction.atomic
def api_token_create(*, user, name: str = "", actor=None, ip: str | None = None) -> str:
    token = token_new()
    api_token = ApiToken.objects.create(user=user, name=name, token_hash=token_hash(token))
    audit_record(actor=actor, action="api_token.create", obj=api_token, ip=ip, user=user.get_username(), name=name)
    return token


@transaction.atomic
def api_token_revoke(*, api_token: ApiToken, actor=None, ip: str | None = None) -> bool:
    """Revoke at once. True when it was active; a second revocation records nothing."""
    revoked = ApiToken.objects.filter(pk=api_token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if revoked:
        audit_record(actor=actor, action="api_token.revoke", obj=api_token, ip=ip, user=api_token.user.get_username())
    return bool(revoked)
