"""Row locks in one place, always in primary-key order.

Two transactions that lock overlapping sets of rows in different orders deadlock (PostgreSQL
aborts one with 40P01 after `deadlock_timeout`). Every lock here is one `SELECT … FOR UPDATE`
ordered by the primary key, so two writers of overlapping sets take the shared rows in the
same order: the second waits for the first instead of holding a row the first needs.
(Saleor keeps its locks in one `lock_objects.py` for the same reason.)

Call these inside `transaction.atomic()`; the locks last until it commits or rolls back.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Model, QuerySet


def rows_lock(queryset: QuerySet, pks: Iterable | None = None, *, of: tuple[str, ...] = ()) -> list[Model]:
    """Lock the rows of `queryset` (only those with these primary keys, when given) in one
    query, in primary-key order, and return them in that order. `of` names the tables to
    lock when the query joins others (PostgreSQL's FOR UPDATE OF)."""
    if pks is not None:
        queryset = queryset.filter(pk__in=list(pks))
    return list(queryset.select_for_update(of=of).order_by("pk"))


def row_lock(queryset: QuerySet, *, of: tuple[str, ...] = (), **lookup) -> Model:
    """Lock one row (DoesNotExist when there is none)."""
    return queryset.select_for_update(of=of).get(**lookup)


def row_lock_or_create(queryset: QuerySet, *, defaults: dict | None = None, **lookup) -> tuple[Model, bool]:
    """`get_or_create` with the row locked (a concurrent creator waits, then finds it)."""
    return queryset.select_for_update().get_or_create(defaults=defaults, **lookup)
