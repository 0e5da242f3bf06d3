"""The sync feed a device pulls (`GET /api/v1/sync/changes`, issue 13): the change rows in its
scope, in commit order (backend/core/changes.py), each answered with the object's *current*
state or a tombstone.

Serving the current state rather than the state at the time of the change keeps the log one
narrow row per change and makes pages idempotent: a client that applies every page in order
(upsert on "upsert", drop on "delete") holds exactly what the server holds for its scope, after
any mix of edits, reviews, deletes and restores, and re-applying a page changes nothing.
An object that left the reader's scope (a deleted or purged submission, a household moved to
another hamlet or taken off the register, a closed or unassigned form) is a tombstone.

Scope (who sees which rows) is the same rule as everywhere else: forms as in the form list,
households as in the entity list, submissions as `submissions_visible_to`.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.accounts import policy
from backend.accounts.actors import Actor
from backend.core import errors
from backend.core.changes import Cursor, FeedScope, changes_after, cursor_decode
from backend.core.urlbuild import form_download_path, form_manifest_path, phone_url
from backend.registers.selectors import household_hamlets_for, households_for
from backend.review.models import Comment
from backend.submissions.selectors import submissions_visible_to
from backend.surveys.models import Form
from backend.surveys.selectors import forms_for_form_list

DEFAULT_LIMIT = 500
MAX_LIMIT = 2000


@dataclass(frozen=True)
class FeedPage:
    changes: list[dict]
    cursor: str
    more: bool
    reset: bool


def feed_scope_for(actor: Actor) -> FeedScope:
    """The change rows this actor may read; 403 for those who read no submissions (viewers,
    draft links): the feed is for devices and for the people who review their work."""
    if actor.kind == "draft" or not (
        policy.sees_all_hamlets(actor) or policy.sees_own_hamlets(actor) or policy.sees_own_submissions(actor)
    ):
        raise errors.forbidden(
            "The sync feed is for devices and reviewers. / Luồng đồng bộ dành cho thiết bị và người duyệt."
        )
    if policy.sees_all_forms(actor):
        form_ids = None
    else:
        form_ids = (
            frozenset(Form.objects.filter(volunteers=actor.volunteer).values_list("pk", flat=True))
            if actor.volunteer
            else frozenset()
        )
    households = household_hamlets_for(actor)
    if policy.sees_all_hamlets(actor):
        return FeedScope(form_ids, households, None, submissions_all=True)
    if policy.sees_own_hamlets(actor):
        return FeedScope(form_ids, households, frozenset(actor.hamlet_codes))
    return FeedScope(form_ids, households, None, submission_volunteer=actor.volunteer.pk)


def changes_page(actor: Actor, *, since: str = "", limit: int = DEFAULT_LIMIT) -> FeedPage:
    """One page of the feed after the cursor `since` ("" = from the start).

    `reset` is true when the cursor was given under another scope (a form or hamlet assigned
    since): changes before it may now concern the reader, so the page starts from the beginning
    and the client must drop what it holds before applying it."""
    if not 1 <= limit <= MAX_LIMIT:
        raise errors.bad_request(
            f"`limit` must be between 1 and {MAX_LIMIT}. / `limit` phải từ 1 đến {MAX_LIMIT}.", field="limit"
        )
    scope = feed_scope_for(actor)
    tag = scope.fingerprint()
    cursor = cursor_decode(since)
    reset = cursor is not None and cursor.scope != tag
    if reset:
        cursor = None
    rows = changes_after(scope, cursor, limit)
    # Several changes of one object in a page: its current state once, at its last position.
    last: dict[tuple[str, str], int] = {(r.kind, r.key): i for i, r in enumerate(rows)}
    ordered = [rows[i] for i in sorted(last.values())]
    states = _current_states(actor, ordered)
    changes = []
    for row in ordered:
        data = states.get((row.kind, row.key))
        changes.append({"kind": row.kind, "id": row.key, "op": "upsert" if data else "delete", "data": data})
    if rows:
        next_cursor = Cursor(rows[-1].xid, rows[-1].id, tag)
    else:
        next_cursor = cursor or Cursor(0, 0, tag)
    return FeedPage(changes=changes, cursor=next_cursor.encode(), more=len(rows) == limit, reset=reset)


def _current_states(actor: Actor, rows) -> dict[tuple[str, str], dict]:
    keys: dict[str, list[str]] = {"form": [], "household": [], "submission": []}
    for row in rows:
        keys.setdefault(row.kind, []).append(row.key)
    states: dict[tuple[str, str], dict] = {}
    if keys["form"]:
        states.update(_form_states(actor, keys["form"]))
    if keys["household"]:
        states.update(_household_states(actor, keys["household"]))
    if keys["submission"]:
        states.update(_submission_states(actor, keys["submission"]))
    return states


def _ints(keys: list[str]) -> list[int]:
    return [int(k) for k in keys if k.isdigit()]


def _form_states(actor: Actor, keys: list[str]) -> dict:
    states = {}
    for form in forms_for_form_list(actor).filter(pk__in=_ints(keys)):
        version = form.current_version
        states[("form", str(form.pk))] = {
            "form_id": form.form_id,
            "title": version.title or form.form_id,
            "version": version.version,
            "hash": f"md5:{version.md5}",
            "download_url": phone_url(actor, form_download_path(form.form_id)),
            "manifest_url": phone_url(actor, form_manifest_path(form.form_id)) if version.expected_media else None,
        }
    return states


def _household_states(actor: Actor, keys: list[str]) -> dict:
    rows = households_for(actor).filter(pk__in=keys).values_list("id", "label", "version", "hamlet__code", "properties")
    return {
        ("household", str(pk)): {"label": label, "version": version, "hamlet": hamlet, "properties": properties or {}}
        for pk, label, version, hamlet, properties in rows
    }


def _submission_states(actor: Actor, keys: list[str]) -> dict:
    submissions = (
        submissions_visible_to(actor)
        .filter(pk__in=_ints(keys))
        .values_list(
            "pk",
            "form__form_id",
            "instance_id",
            "current_version__instance_id",
            "current_version__sha256",
            "review_state",
            "hamlet_code",
            "received_at",
            "updated_at",
        )
    )
    states = {}
    for pk, form_id, first_id, current_id, sha256, state, hamlet, received, updated in submissions:
        states[("submission", str(pk))] = {
            "form_id": form_id,
            "instance_id": first_id,
            "current_instance_id": current_id,
            "sha256": sha256,
            "review_state": state,
            "hamlet_code": hamlet,
            "received_at": received.isoformat(),
            "updated_at": updated.isoformat(),
            "comments": [],
        }
    if states:
        comments = Comment.objects.filter(submission_id__in=[int(k[1]) for k in states]).values_list(
            "submission_id", "pk", "author_label", "body", "review_state", "created_at"
        )
        for submission_id, pk, author, body, state, created in comments.order_by("created_at", "id"):
            states[("submission", str(submission_id))]["comments"].append(
                {"id": pk, "author": author, "body": body, "review_state": state, "created_at": created.isoformat()}
            )
    return states
