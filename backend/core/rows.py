"""Raw INSERTs built from a model's own field definitions, for the hot ingest path (issue 18).

`Model.objects.create` and `bulk_create` spend more CPU composing their SQL (~0.3 ms each on
this machine) than PostgreSQL spends running it. Here the column list and placeholders of a
model are built once per process, and each row's parameters come from the fields themselves
(`pre_save` for defaults and auto_now, `get_db_prep_save` for JSON, binary, dates), so what
is stored is exactly what the ORM would store. No model signals are sent: nothing in this
project listens to `post_save` (ingest announces itself with `submission_version_stored`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache

from django.db import connection, models


@cache
def insert_fields(model: type[models.Model], *, with_pk: bool = False) -> tuple:
    """The concrete fields an INSERT writes, in a stable order (an auto-increment pk only on
    request; a pk that is a plain column, such as a one-to-one, always)."""
    return tuple(f for f in model._meta.concrete_fields if with_pk or f is not model._meta.auto_field)


@cache
def insert_head(model: type[models.Model], *, with_pk: bool = False) -> str:
    """`INSERT INTO "table" ("col", …)` for the rows of `model`."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in insert_fields(model, with_pk=with_pk))
    return f"INSERT INTO {quote(model._meta.db_table)} ({columns})"


# Fields whose `pre_save` returns the attribute and whose `get_db_prep_save` returns a value of
# these exact types unchanged (and None as None): such a value is its own parameter. Exact
# classes only (a subclass may convert), exact value types only (a bool for an integer column
# still goes through the field). On the household path this skips ~90 field calls per request.
_PLAIN_TYPES: dict[type, tuple[type, ...]] = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.IntegerField: (int,),
    models.BigIntegerField: (int,),
    models.SmallIntegerField: (int,),
    models.PositiveIntegerField: (int,),
    models.PositiveSmallIntegerField: (int,),
    models.AutoField: (int,),
    models.BigAutoField: (int,),
    models.FloatField: (float,),
}


def _plain_types(field: models.Field) -> tuple[type, ...]:
    if type(field) in (models.ForeignKey, models.OneToOneField):
        return _plain_types(field.target_field)  # a foreign key stores its target's value
    return _PLAIN_TYPES.get(type(field), ())


@cache
def insert_plan(model: type[models.Model], *, with_pk: bool = False) -> tuple[tuple[models.Field, tuple], ...]:
    """(field, value types it stores unchanged) for each field of `insert_fields`."""
    return tuple((f, _plain_types(f)) for f in insert_fields(model, with_pk=with_pk))


class Sql(str):
    """A field value that is an SQL expression, written as is instead of a parameter: an id drawn
    from a sequence, or a CTE's value, in the statement that inserts the row."""


def row_sql(obj: models.Model, *, with_pk: bool = False) -> tuple[str, list]:
    """`(%s, …)` for one row of `obj` and its parameters, as the ORM's INSERT computes them
    (`pre_save` for defaults and auto_now, `get_db_prep_save` for JSON, bytes, dates)."""
    values, params = [], []
    for f, plain in insert_plan(type(obj), with_pk=with_pk):
        value = getattr(obj, f.attname)
        if isinstance(value, Sql):
            values.append(value)
        else:
            values.append("%s")
            params.append(_param(obj, f, plain, value))
    return "(" + ", ".join(values) + ")", params


def _param(obj: models.Model, f: models.Field, plain: tuple, value):
    """The parameter the ORM's INSERT would send for `f` of `obj` (whose attribute is `value`)."""
    if plain and (value is None or type(value) in plain):
        return value
    return f.get_db_prep_save(f.pre_save(obj, True), connection)


def rows_insert_sql(objs: Sequence[models.Model], *, with_pk: bool = False) -> tuple[str, list]:
    """`INSERT … VALUES (…), (…)` for `objs` of one model, and its parameters."""
    head = insert_head(type(objs[0]), with_pk=with_pk)
    rows, params = [], []
    for obj in objs:
        row, row_params = row_sql(obj, with_pk=with_pk)
        rows.append(row)
        params += row_params
    return f"{head} VALUES {', '.join(rows)}", params


def rows_insert_together(groups: Sequence[Sequence[models.Model]], *, with_pk: bool = False) -> None:
    """INSERT several models' rows in one statement (data-modifying CTEs), no pks returned:
    one round trip for rows that belong together (a household's answers and its members')."""
    parts = [rows_insert_sql(objs, with_pk=with_pk) for objs in groups if objs]
    if not parts:
        return
    *first, (last_sql, last_params) = parts
    ctes = ", ".join(f"w{i} AS ({sql})" for i, (sql, _) in enumerate(first))
    params = [p for _, ps in first for p in ps] + last_params
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {ctes} {last_sql}" if first else last_sql, params)


def rows_insert(objs: Sequence[models.Model], *, returning: bool = True) -> None:
    """INSERT all `objs` (one model) in one statement; with `returning`, set their pks."""
    if not objs:
        return
    model = type(objs[0])
    sql, params = rows_insert_sql(objs)
    pk = model._meta.pk
    if returning:
        sql += f" RETURNING {connection.ops.quote_name(pk.column)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids: Iterable = cursor.fetchall() if returning else ()
    for obj, row in zip(objs, ids, strict=False):
        setattr(obj, pk.attname, row[0])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def rows_copy(objs: Sequence[models.Model], *, with_pk: bool = False) -> None:
    """Write `objs` (one model) with COPY, for batches (issue 18): no SQL text to build and
    parse per row. The values are those of `row_sql` (`_param`); no pks
    are returned, so give them (`with_pk`) or do not need them. PostgreSQL only."""
    if not objs:
        return
    model = type(objs[0])
    plan = insert_plan(model, with_pk=with_pk)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f, _ in plan)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([_param(obj, f, plain, getattr(obj, f.attname)) for f, plain in plan])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


def model_from_row(model: type[models.Model], values: dict) -> models.Model:
    """An instance holding only `values` (attnames), every other field deferred (loaded on
    first access, as `.only()` would): for answers built from a raw query."""
    names = set(values)
    ordered = [values[f.attname] for f in model._meta.concrete_fields if f.attname in names]
    return model.from_db(
        connection.alias, [f.attname for f in model._meta.concrete_fields if f.attname in names], ordered
    )


@cache
def select_columns(model: type[models.Model], alias: str) -> tuple[str, tuple[str, ...]]:
    """(`alias."col", …`, attnames) of every concrete field of `model`, for a raw SELECT whose
    rows `instances_from_row` turns back into instances."""
    quote = connection.ops.quote_name
    fields = model._meta.concrete_fields
    return ", ".join(f"{alias}.{quote(f.column)}" for f in fields), tuple(f.attname for f in fields)


def instance_from_row(model: type[models.Model], row: Sequence, start: int = 0) -> models.Model:
    """The instance whose `select_columns(model, …)` begin at `row[start]`."""
    count = len(model._meta.concrete_fields)
    return model.from_db(connection.alias, None, list(row[start : start + count]))
