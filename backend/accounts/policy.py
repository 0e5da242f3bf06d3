"""Who may do what: every capability named once, decided from the Actor alone.

This is the single source of the role rules. Selectors, services, DRF permissions and the
pages ask a named capability here (`policy.can_review(actor)`), never compare roles
themselves, so widening or narrowing a role is a change to one function whose name says what
it grants. The role × URL table test (tests/access/test_url_access_table.py) is the
behaviour contract these functions must keep.

Kinds of actor: a signed-in web user (role from their profile), a volunteer's device (the
key in the URL; always a volunteer) and a draft-testing link (reads one draft, nothing else).
"""

from __future__ import annotations

from backend.accounts.actors import Actor
from backend.accounts.models import Role

# The commune-wide roles: every hamlet, every form, unsuppressed figures.
COMMUNE_WIDE = frozenset({Role.ADMIN, Role.LEADERSHIP})
REVIEWERS = frozenset({Role.ADMIN, Role.LEADERSHIP, Role.HAMLET_HEAD})
# Roles that read household answers at all; which ones is `submissions_visible_to`'s job.
SUBMISSION_READERS = frozenset({Role.ADMIN, Role.LEADERSHIP, Role.HAMLET_HEAD, Role.VOLUNTEER})
DASHBOARD_VIEWERS = frozenset({Role.ADMIN, Role.LEADERSHIP, Role.HAMLET_HEAD, Role.VIEWER})


def _user_role(actor: Actor) -> str | None:
    """The role of a web user; None for devices, draft links and anonymous visitors."""
    return actor.role if actor.kind == "user" else None


# --- commune administration ---------------------------------------------------------------


def can_administer(actor: Actor) -> bool:
    """Commune admin: users, devices, forms, rounds, figures, recomputation, the audit log."""
    return _user_role(actor) == Role.ADMIN


def can_manage_rounds(actor: Actor) -> bool:
    """Edit the survey rounds' windows and put unassigned submissions in a round."""
    return _user_role(actor) in COMMUNE_WIDE


def can_manage_users(actor: Actor) -> bool:
    """Create and edit users, issue and revoke devices, see everyone's API tokens."""
    return can_administer(actor)


def can_manage_volunteers(actor: Actor) -> bool:
    """The volunteers page: create volunteers, assign them, revoke and reissue their links,
    print a hamlet's QR sheet. Commune admin and leadership."""
    return _user_role(actor) in (Role.ADMIN, Role.LEADERSHIP)


# --- forms and submitting -----------------------------------------------------------------


def sees_all_forms(actor: Actor) -> bool:
    """Every form, assigned or not (others see the forms assigned to their volunteer)."""
    return _user_role(actor) in COMMUNE_WIDE


def can_submit_any_form(actor: Actor) -> bool:
    """May send a submission to a form nobody assigned to them."""
    return _user_role(actor) in COMMUNE_WIDE


def submits_assigned_forms(actor: Actor) -> bool:
    """A volunteer (device or web account) sends the forms assigned to them."""
    return actor.kind in ("user", "device") and actor.volunteer is not None


# --- reading submissions (microdata) ------------------------------------------------------


def reads_submissions(actor: Actor) -> bool:
    """May call the submission read routes at all (what they return is scoped below)."""
    return _user_role(actor) in SUBMISSION_READERS


def sees_all_hamlets(actor: Actor) -> bool:
    """Reads every hamlet's submissions and households."""
    return _user_role(actor) in COMMUNE_WIDE


def sees_own_hamlets(actor: Actor) -> bool:
    """Reads the submissions and households of the hamlets in `actor.hamlet_codes`."""
    return _user_role(actor) == Role.HAMLET_HEAD


def sees_own_submissions(actor: Actor) -> bool:
    """Reads the submissions they sent themselves (a volunteer, by device or web account)."""
    return actor.kind in ("user", "device") and actor.role == Role.VOLUNTEER and actor.volunteer is not None


def sees_microdata(actor: Actor) -> bool:
    """Unsuppressed aggregates (no small-cell hiding) and commune-wide household lists."""
    return actor.role in COMMUNE_WIDE


# --- reviewing ----------------------------------------------------------------------------


def can_review(actor: Actor, hamlet_code: str | None = None) -> bool:
    """May approve, flag, reject and comment; with `hamlet_code`, a submission of that hamlet."""
    if _user_role(actor) not in REVIEWERS:
        return False
    if hamlet_code is None or sees_all_hamlets(actor):
        return True
    return hamlet_code in actor.hamlet_codes


# --- background jobs ---------------------------------------------------------------------


def sees_every_job(actor: Actor) -> bool:
    """Follows every background job (others follow the jobs they started)."""
    return _user_role(actor) in COMMUNE_WIDE


# --- publication -------------------------------------------------------------------------


def can_publish_results(actor: Actor) -> bool:
    """Publish a round's results on the public page (the dashboard's publish button, the API)."""
    return _user_role(actor) in COMMUNE_WIDE


# --- pages --------------------------------------------------------------------------------


def can_open_hamlet_pages(actor: Actor) -> bool:
    """The hamlet head's map, list, review and coverage pages (/hamlet/)."""
    return can_review(actor)


def can_view_dashboard(actor: Actor) -> bool:
    """The leadership dashboard (/dashboard/); who sees suppressed figures is `sees_microdata`."""
    return _user_role(actor) in DASHBOARD_VIEWERS


def starts_on_hamlet_page(actor: Actor) -> bool:
    """The site root sends hamlet heads to their map, everyone else to the dashboard."""
    return _user_role(actor) == Role.HAMLET_HEAD


# --- webhooks ------------------------------------------------------------------------------


def can_manage_webhooks(actor: Actor) -> bool:
    """Add, change and delete a form's webhooks, read their delivery log, retry a delivery."""
    return _user_role(actor) in COMMUNE_WIDE
