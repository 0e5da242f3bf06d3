"""The CSV tables of a submission export written by PostgreSQL itself: `COPY (SELECT …) TO
STDOUT (FORMAT csv)` over the export's own queryset, the answers read out of the version's
`parsed` JSON by path, repeat instances unnested with their 1-based index, the formula guard
applied in SQL. Python only forwards the bytes, so 20,000 households with ~130 columns cost
PostgreSQL's time, not a Python loop's (the Python writers in export_formats.py build the
same tables row by row: XLSX, GeoJSON, and the reference the tests compare this with).

CSV details differ from Python's csv module only where CSV allows it: LF line ends, `""`
for an empty text.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, OuterRef, Subquery

from analytics.spreadsheet_safety import neutralise_row
from analytics.submission_tables import Layout, Table
from backend.registers.models import HouseholdVisit
from backend.reports.submission_export import (
    ExportSpec,
    RegisterStatuses,
    export_submissions,
    main_columns,
    round_of_submission,
)

FLUSH_AT = 1 << 16
INNER = "{inner}"
# The guard of analytics/spreadsheet_safety.py in SQL: a text starting with = + - @ TAB or
# CR gets a leading apostrophe (applied to a computed column: no parameters inside).
GUARD = "CASE WHEN {v} ~ '^[-=+@\\t\\r]' THEN '''' || {v} ELSE {v} END"

Sql = tuple[str, list]  # a fragment and its parameters, in order


def available() -> bool:
    return connection.vendor == "postgresql"


def _path(relative: str) -> list[str]:
    return relative.split("/")


@dataclass(frozen=True)
class Cell:
    """One output column: `sql` is evaluated once per row in the middle query (with
    `params`); the outer query guards it when `text`."""

    sql: str
    params: list
    text: bool = True


def _array(source: str, relative: str) -> Sql:
    """A repeat's instances as a JSON array (the parser always makes a list; anything else,
    or nothing, is no instance)."""
    path = _path(relative)
    return f"CASE WHEN jsonb_typeof({source} #> %s) = 'array' THEN {source} #> %s ELSE '[]'::jsonb END", [path, path]


def _answer(source: str, column: str) -> Cell:
    if column.endswith("[count]"):
        path = _path(column.removesuffix("[count]"))
        sql = f"jsonb_array_length(CASE WHEN jsonb_typeof({source} #> %s) = 'array' THEN {source} #> %s END)"
        return Cell(sql, [path, path], text=False)
    return Cell(f"{source} #>> %s", [_path(column)])


def _inner(spec: ExportSpec):
    """The export's rows, with explicit aliases the outer SELECT refers to."""
    household = HouseholdVisit.objects.filter(submission=OuterRef("pk")).values("household_id")[:1]
    aliases = {
        "x_pk": F("id"),
        "x_key": F("instance_id"),
        "x_current": F("current_version__instance_id"),
        "x_state": F("review_state"),
        "x_hamlet": F("hamlet_code"),
        "x_volunteer": F("volunteer__name"),
        "x_day": F("survey_date"),
        "x_received": F("received_at"),
        "x_lat": F("lat"),
        "x_lon": F("lon"),
        "x_round": round_of_submission(),
        "x_household": Subquery(household),
        "x_parsed": F("current_version__parsed"),
    }
    return export_submissions(spec).annotate(**aliases).values(*aliases)


def _statuses_json(spec: ExportSpec) -> str:
    """{"<round>|<household uuid>": status} for the rounds this export's rows are in."""
    rounds = (
        export_submissions(spec)
        .annotate(x_round=round_of_submission())
        .order_by()
        .values_list("x_round", flat=True)
        .distinct()
    )
    registers = RegisterStatuses()
    mapping = {
        f"{name}|{household}": status
        for name in rounds
        if name
        for household, status in registers.for_round(name).items()
    }
    return json.dumps(mapping)


def _select(cells: list[Cell], *, joins: list[Sql], order: list[str]) -> Sql:
    """Three levels, so that each value is computed once per row: the export's rows (inner,
    OFFSET 0 keeps it from being merged upwards); the middle reads each answer once out of
    a copy of `parsed` taken once per row (`|| '{}'`: a TOASTed JSON would otherwise be
    decompressed again for every one of ~130 columns); the outer applies the guard."""
    middle = ", ".join(f"{c.sql} AS c{n}" for n, c in enumerate(cells))
    outer = ", ".join(GUARD.format(v=f"y.c{n}") if c.text else f"y.c{n}" for n, c in enumerate(cells))
    ordinals = "".join(f", {o} AS o{n}" for n, o in enumerate(order))
    # No ORDER BY out here: sorting 20,000 rows of ~130 columns spills to disk and costs more
    # than the rest of the query. The inner query is ordered by id and kept whole (OFFSET 0),
    # the lateral joins are nested loops over it in that order, and the ordinals (o0, o1, …)
    # are selected so the order stays checkable (tests/reports/test_export_copy.py).
    text = (
        f"SELECT {outer} FROM (SELECT {middle}{ordinals} FROM ({INNER} OFFSET 0) x "
        f"CROSS JOIN LATERAL (SELECT x.x_parsed || '{{}}'::jsonb AS doc OFFSET 0) d "
        f"{' '.join(t for t, _ in joins)} OFFSET 0) y"
    )
    params: list = [p for c in cells for p in c.params]
    params.append(INNER)
    params += [p for _text, ps in joins for p in ps]
    return text, params


def _main_select(layout: Layout, has_register: bool, statuses: str | None) -> Sql:
    cells = [
        Cell("x.x_key", []),
        Cell("x.x_current", []),
        Cell("x.x_state", []),
        Cell("x.x_hamlet", []),
        Cell("x.x_volunteer", []),
        Cell("x.x_day", [], text=False),
        Cell("to_json(x.x_received) #>> '{}'", [], text=False),  # ISO 8601, as Python's isoformat()
        Cell("x.x_lat", [], text=False),
        Cell("x.x_lon", [], text=False),
        Cell("x.x_round", []),
    ]
    if has_register:
        cells.append(Cell("%s::jsonb ->> (x.x_round || '|' || x.x_household::text)", [statuses]))
    cells += [_answer("d.doc", column) for column in layout.main.columns]
    cells.append(Cell("x.x_key", []))
    return _select(cells, joins=[], order=["x.x_pk"])


def _chain(layout: Layout, table: Table) -> list[str]:
    """The repeats from the outermost down to `table` (a nested repeat's ancestors)."""
    chain, path = [], table.path
    while path:
        chain.insert(0, path)
        path = max((r for r in layout.repeats if path.startswith(r + "/")), key=len, default="")
    return chain


def _child_select(layout: Layout, table: Table) -> Sql:
    joins: list[Sql] = []
    key = Cell("x.x_key", [])
    parent_key = key
    source, parent = "d.doc", ""
    for level, repeat in enumerate(_chain(layout, table), 1):
        relative = repeat[len(parent) + 1 :] if parent else repeat
        array, params = _array(source, relative)
        joins.append(
            (f"CROSS JOIN LATERAL jsonb_array_elements({array}) WITH ORDINALITY AS e{level}(item, ord)", params)
        )
        parent_key = key
        key = Cell(f"{key.sql} || %s || e{level}.ord || ']'", [*key.params, f"/{relative}["])
        source, parent = f"e{level}.item", repeat
    cells = [key, parent_key, *(_answer(source, column) for column in table.columns)]
    return _select(cells, joins=joins, order=["x.x_pk", *(f"e{n}.ord" for n in range(1, len(joins) + 1))])


def _copy(select: Sql, spec: ExportSpec) -> Iterator[bytes]:
    template, params = select
    inner_sql, inner_params = _inner(spec).query.sql_with_params()
    at = params.index(INNER)
    values = params[:at] + list(inner_params) + params[at + 1 :]
    sql = "COPY (" + template.replace(INNER, inner_sql) + ") TO STDOUT (FORMAT csv)"
    with connection.cursor() as cursor:
        buffer, size = [], 0
        with cursor.cursor.copy(sql, values) as copy:
            for data in copy:
                buffer.append(bytes(data))
                size += len(data)
                if size >= FLUSH_AT:
                    yield b"".join(buffer)
                    buffer, size = [], 0
        if buffer:
            yield b"".join(buffer)


def _header(columns: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(neutralise_row(columns))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def main_table_chunks(spec: ExportSpec, layout: Layout, *, has_register: bool) -> Iterator[bytes]:
    statuses = _statuses_json(spec) if has_register else None
    yield _header(main_columns(layout, has_register))
    yield from _copy(_main_select(layout, has_register, statuses), spec)


def child_table_chunks(spec: ExportSpec, layout: Layout, table: Table) -> Iterator[bytes]:
    yield _header(["KEY", "PARENT_KEY", *table.columns])
    yield from _copy(_child_select(layout, table), spec)
