"""The change feed's table (`core.Change`): one INSERT per change, written by the service that
made it, in its transaction; and the one read of it, in commit order.

Commit order, not insert order (issue 13): ids are handed out at INSERT time, so a transaction
that took id 10 and commits after the one that took id 11 would be skipped by a reader that
already returned 11. Each row therefore carries its transaction's id (`pg_current_xact_id()`,
64-bit, never wraps) and the feed is read in (xid, id) order, only below the oldest
transaction of this database still running (`SETTLED_BELOW`): every row the reader
returns belongs to a finished transaction, and every transaction that could still add a row
has a larger xid than the cursor it will be read after. The price: a transaction left open in
this database holds the feed back (not its data) until it ends (see SETTLED_BELOW).

SQLite (the quickstart) has one writer at a time, so id order is commit order there.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from backend.core import errors

KINDS = ("form", "household", "submission")


@dataclass(frozen=True)
class ChangeRow:
    kind: str
    key: str
    form_id: int | None = None
    hamlet_code: str = ""
    volunteer_id: int | None = None


@dataclass(frozen=True)
class FeedScope:
    """Which change rows a reader may see. None means "all" for that kind; an empty set, none."""

    form_ids: frozenset[int] | None
    hamlet_codes: frozenset[str] | None
    submission_hamlets: frozenset[str] | None  # for readers who see submissions by hamlet
    submission_volunteer: int | None = None  # for readers who see only their own submissions
    submissions_all: bool = False

    def fingerprint(self) -> str:
        """A short tag of the scope, carried in the cursor: when it changes (a form or a hamlet
        assigned), rows written before the cursor may now be in scope, so the reader restarts."""
        parts = [
            "*" if self.form_ids is None else ",".join(map(str, sorted(self.form_ids))),
            "*" if self.hamlet_codes is None else ",".join(sorted(self.hamlet_codes)),
            "*" if self.submission_hamlets is None else ",".join(sorted(self.submission_hamlets)),
            str(self.submission_volunteer or ""),
            "all" if self.submissions_all else "",
        ]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:10]


@dataclass(frozen=True)
class Cursor:
    xid: int
    id: int
    scope: str

    def encode(self) -> str:
        raw = f"1:{self.xid}:{self.id}:{self.scope}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(text: str) -> Cursor | None:
    """The cursor a client sent back, or None for "from the start"; 400 when it is not one of ours."""
    if not text:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        version, xid, row_id, scope = raw.split(":")
        if version != "1":
            raise ValueError(version)
        return Cursor(int(xid), int(row_id), scope)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise errors.bad_request(
            "The cursor is not one this server gave out; start again without `since`. / "
            "Con trỏ `since` không hợp lệ; hãy đồng bộ lại từ đầu (bỏ `since`).",
            field="since",
        )


def changes_record(rows: Iterable[ChangeRow]) -> None:
    """Append change rows, in the caller's transaction (one INSERT whatever their number)."""
    rows = list(rows)
    if not rows:
        return
    sql, params = changes_insert_sql(rows)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def changes_insert_sql(rows: Sequence[ChangeRow], *, key_sql: str | None = None) -> tuple[str, list]:
    """The INSERT of `changes_record`, for a caller that folds it into a statement of its own
    (the ingest's one-statement insert, issue 18). `key_sql`: an SQL expression for every
    row's key instead of `row.key` (an id drawn inside that statement)."""
    xid = "pg_current_xact_id()" if connection.vendor == "postgresql" else "NULL"
    key = f"{key_sql}::text" if key_sql else "%s"
    values = ", ".join([f"(%s, {key}, %s, %s, %s, {xid}, %s)"] * len(rows))
    now = timezone.now()
    params: list = []
    for row in rows:
        keys = [] if key_sql else [str(row.key)[:64]]
        params += [row.kind, *keys, row.form_id, (row.hamlet_code or "")[:32], row.volunteer_id, now]
    return (
        f"INSERT INTO core_change (kind, key, form_id, hamlet_code, volunteer_id, xid, created_at) VALUES {values}",
        params,
    )


def change_record(*, kind: str, key: str, form_id: int | None = None, hamlet_code: str = "", volunteer_id=None):
    changes_record([ChangeRow(kind, key, form_id, hamlet_code, volunteer_id)])


# The feed may serve rows below this xid: the oldest transaction still running *in this
# database* at the statement's snapshot (else the snapshot's xmax). Transaction ids are
# cluster-wide, so the plain `pg_snapshot_xmin` would let a transaction left open in another
# database of the cluster hold this feed back. A running xid is skipped only when
# pg_stat_activity shows it belongs to another database; when that cannot be seen (a session
# of another role, or one that ended since the snapshot) it is kept: late, never skipped.
SETTLED_BELOW = """
    SELECT COALESCE(
        (SELECT min(running) FROM pg_snapshot_xip(pg_current_snapshot()) AS running
          WHERE (running::text::bigint %% 4294967296) NOT IN (
              SELECT backend_xid::text::bigint FROM pg_stat_activity
               WHERE backend_xid IS NOT NULL AND datname IS DISTINCT FROM current_database())),
        pg_snapshot_xmax(pg_current_snapshot()))
"""


@dataclass(frozen=True)
class FeedRow:
    xid: int
    id: int
    kind: str
    key: str


def changes_after(scope: FeedScope, cursor: Cursor | None, limit: int) -> list[FeedRow]:
    """Up to `limit` committed change rows in scope after `cursor`, in commit order."""
    where, params = _scope_sql(scope)
    postgres = connection.vendor == "postgresql"
    if postgres:
        # A transaction sees its own rows too (a service that reads back what it wrote, tests
        # inside one transaction); a request that only reads has no xid of its own.
        settled = f"(xid < ({SETTLED_BELOW}) OR xid = pg_current_xact_id_if_assigned())"
        after, order, xid_col = "(xid, id) > (%s::text::xid8, %s)", "xid, id", "xid::text"
    else:
        settled, after, order, xid_col = "TRUE", "id > %s", "id", "0"
    clauses = [settled, f"({where})"]
    if cursor is not None:
        clauses.append(after)
        params += [str(cursor.xid), cursor.id] if postgres else [cursor.id]
    sql = f"SELECT {xid_col}, id, kind, key FROM core_change WHERE {' AND '.join(clauses)} ORDER BY {order} LIMIT %s"
    with connection.cursor() as db:
        db.execute(sql, [*params, limit])
        return [FeedRow(int(xid), row_id, kind, key) for xid, row_id, kind, key in db.fetchall()]


def _any(column: str, values) -> tuple[str, list]:
    values = sorted(values)
    if not values:
        return "FALSE", []
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values


def _scope_sql(scope: FeedScope) -> tuple[str, list]:
    parts, params = [], []

    def add(kind: str, condition: str, values: list) -> None:
        parts.append(f"(kind = %s AND {condition})")
        params.extend([kind, *values])

    if scope.form_ids is None:
        add("form", "TRUE", [])
    else:
        add("form", *_any("form_id", scope.form_ids))
    if scope.hamlet_codes is None:
        add("household", "TRUE", [])
    else:
        add("household", *_any("hamlet_code", scope.hamlet_codes))
    if scope.submissions_all:
        add("submission", "TRUE", [])
    elif scope.submission_hamlets is not None:
        add("submission", *_any("hamlet_code", scope.submission_hamlets))
    elif scope.submission_volunteer is not None:
        add("submission", "volunteer_id = %s", [scope.submission_volunteer])
    return " OR ".join(parts) or "FALSE", params
