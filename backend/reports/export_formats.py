"""The submission export's formats, each a stream of byte chunks (or, for XLSX, a file on
disk) built from `ExportRecord`s one at a time:

- `csv`: the submission table alone (repeats as `name[count]`), UTF-8 with a BOM;
- `csv.zip`: one CSV per table, `<form>.csv` and `<form>-<repeat>.csv`, joined by
  KEY / PARENT_KEY (ODK Central's `submissions.csv.zip` layout);
- `xlsx`: the same tables as sheets (openpyxl write-only: rows go to disk as written);
- `geojson`: a FeatureCollection of the submissions that have a point;
- `attachments.zip`: every file present, as `media/<instanceID>/<file name>`.

Every text cell of the CSV and XLSX tables goes through the formula-injection guard.
Repeat rows of a zip's child tables are spooled to temporary files while the submission
table is written, then appended: one pass over the database, constant memory.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from analytics.spreadsheet_safety import neutralise_formula, neutralise_row
from analytics.submission_tables import MAIN, Layout, instance_rows
from backend.core.blobs import blob_chunks
from backend.core.zip_stream import zip_chunks
from backend.reports import export_copy
from backend.reports.submission_export import (
    KEY,
    ExportRecord,
    ExportSpec,
    export_attachments,
    export_layout,
    export_records,
    main_columns,
)

BOM = "\ufeff"
FLUSH_CHARS = 1 << 16
CHILD_FIXED = ["KEY", "PARENT_KEY"]

Progress = Callable[[int], None]  # called with the number of submissions written so far

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "csv.zip": "application/zip",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
    "attachments.zip": "application/zip",
}


def file_name(form_id: str, fmt: str) -> str:
    return f"{form_id}_attachments.zip" if fmt == "attachments.zip" else f"{form_id}_submissions.{fmt}"


class _Columns:
    """The header and a row's cells of one table, guarded."""

    def __init__(self, fixed: list[str], answers: Iterable[str]) -> None:
        self.fixed = fixed
        self.answers = list(answers)
        self.header = neutralise_row([*fixed, *self.answers])

    def cells(self, fixed_values: list[Any], row: dict[str, Any]) -> list[Any]:
        return neutralise_row([*fixed_values, *(row.get(c, "") for c in self.answers)])


def _main_columns(layout: Layout, has_register: bool) -> _Columns:
    columns = main_columns(layout, has_register)
    fixed_count = len(columns) - len(layout.main.columns) - 1
    return _Columns(columns[:fixed_count], [*layout.main.columns, KEY])


def _main_cells(columns: _Columns, record: ExportRecord, row: dict[str, Any]) -> list[Any]:
    return columns.cells(record.fixed, {**row, KEY: record.instance_id})


class _CsvChunks:
    """A csv.writer whose output is taken in chunks."""

    def __init__(self, bom: bool = True) -> None:
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer)
        if bom:
            self.buffer.write(BOM)

    def write(self, cells: list[Any]) -> str | None:
        self.writer.writerow(cells)
        if self.buffer.tell() >= FLUSH_CHARS:
            return self.take()
        return None

    def take(self) -> str:
        out = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return out


def _counting(records: Iterable[ExportRecord], progress: Progress | None) -> Iterator[ExportRecord]:
    for n, record in enumerate(records, 1):
        yield record
        if progress is not None and n % 1000 == 0:
            progress(n)


def csv_chunks(
    records: Iterable[ExportRecord], layout: Layout, *, has_register: bool, progress: Progress | None = None
) -> Iterator[bytes]:
    columns = _main_columns(layout, has_register)
    out = _CsvChunks()
    out.write(columns.header)
    for record in _counting(records, progress):
        _table, row = next(instance_rows(record.parsed, record.instance_id, layout))
        chunk = out.write(_main_cells(columns, record, row))
        if chunk:
            yield chunk.encode("utf-8")
    yield out.take().encode("utf-8")


def csv_zip_chunks(
    records: Iterable[ExportRecord],
    layout: Layout,
    *,
    form_id: str,
    has_register: bool,
    progress: Progress | None = None,
) -> Iterator[bytes]:
    main = _main_columns(layout, has_register)
    children = {t.path: (t, _Columns(CHILD_FIXED, t.columns)) for t in layout.children}
    spools = {path: tempfile.TemporaryFile(mode="w+", encoding="utf-8", newline="") for path in children}
    try:
        writers = {path: csv.writer(spool) for path, spool in spools.items()}
        for path, (_table, columns) in children.items():
            spools[path].write(BOM)
            writers[path].writerow(columns.header)

        def main_table() -> Iterator[bytes]:
            out = _CsvChunks()
            out.write(main.header)
            for record in _counting(records, progress):
                for path, row in instance_rows(record.parsed, record.instance_id, layout):
                    if path == MAIN:
                        chunk = out.write(_main_cells(main, record, row))
                        if chunk:
                            yield chunk.encode("utf-8")
                    elif path in writers:
                        writers[path].writerow(children[path][1].cells([row["KEY"], row["PARENT_KEY"]], row))
            yield out.take().encode("utf-8")

        def spooled(path: str) -> Iterator[bytes]:
            spool = spools[path]
            spool.flush()
            spool.seek(0)
            for text in iter(lambda: spool.read(FLUSH_CHARS), ""):
                yield text.encode("utf-8")

        def entries():
            yield f"{form_id}.csv", main_table(), True
            for path, (table, _columns) in children.items():
                yield f"{form_id}-{table.name}.csv", spooled(path), True

        yield from zip_chunks(entries)
    finally:
        for spool in spools.values():
            spool.close()


# openpyxl refuses control characters in cells (they are not valid XML).
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, str):
        return neutralise_formula(_ILLEGAL_XML.sub("", value))
    return value


def _sheet_title(name: str, used: set[str]) -> str:
    title = re.sub(r"[\[\]:*?/\\]", "-", name)[:31] or "data"
    base, n = title, 2
    while title.lower() in used:
        suffix = f"~{n}"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title.lower())
    return title


def xlsx_write(
    records: Iterable[ExportRecord],
    layout: Layout,
    target,
    *,
    form_id: str,
    has_register: bool,
    progress: Progress | None = None,
) -> None:
    """Write the workbook to `target` (a path or a binary file): the submission sheet first,
    then one sheet per repeat. Write-only mode keeps each sheet's rows in a temporary file."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    used: set[str] = set()
    main = _main_columns(layout, has_register)
    main_sheet = workbook.create_sheet(_sheet_title(form_id, used))
    main_sheet.append([_xlsx_cell(h) for h in main.header])
    sheets = {}
    for table in layout.children:
        columns = _Columns(CHILD_FIXED, table.columns)
        sheet = workbook.create_sheet(_sheet_title(table.name, used))
        sheet.append([_xlsx_cell(h) for h in columns.header])
        sheets[table.path] = (sheet, columns)
    for record in _counting(records, progress):
        for path, row in instance_rows(record.parsed, record.instance_id, layout):
            if path == MAIN:
                cells = [*record.fixed, *(row.get(c, "") for c in layout.main.columns), record.instance_id]
                main_sheet.append([_xlsx_cell(v) for v in cells])
            elif path in sheets:
                sheet, columns = sheets[path]
                cells = [row["KEY"], row["PARENT_KEY"], *(row.get(c, "") for c in columns.answers)]
                sheet.append([_xlsx_cell(v) for v in cells])
    workbook.save(target)


def geojson_chunks(records: Iterable[ExportRecord], layout: Layout, *, has_register: bool, progress=None):
    """RFC 7946 FeatureCollection: a Point ([lon, lat] or [lon, lat, altitude]) per
    submission that has one, with the submission table's columns as properties. Not a
    spreadsheet: values are written as they are (no formula guard)."""
    names = main_columns(layout, has_register)
    yield b'{"type":"FeatureCollection","features":['
    first = True
    buffer: list[str] = []
    size = 0
    for record in _counting(records, progress):
        if record.lat is None or record.lon is None:
            continue
        _table, row = next(instance_rows(record.parsed, record.instance_id, layout))
        values = [*record.fixed, *(row.get(c) for c in layout.main.columns), record.instance_id]
        coordinates = [record.lon, record.lat] + ([record.altitude] if record.altitude is not None else [])
        feature = {
            "type": "Feature",
            "id": record.instance_id,
            "geometry": {"type": "Point", "coordinates": coordinates},
            "properties": dict(zip(names, values, strict=True)),
        }
        text = ("" if first else ",") + json.dumps(feature, ensure_ascii=False, default=str, separators=(",", ":"))
        first = False
        buffer.append(text)
        size += len(text)
        if size >= FLUSH_CHARS:
            yield "".join(buffer).encode("utf-8")
            buffer, size = [], 0
    buffer.append("]}")
    yield "".join(buffer).encode("utf-8")


def _safe_part(text: str) -> str:
    """A path segment that cannot climb out of its folder when unzipped."""
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = re.sub(r"[\x00-\x1f:*?\"<>|]", "_", text).strip(". ")
    return text or "_"


def attachments_zip_chunks(files: Iterable[tuple[str, str, str]], *, progress=None) -> Iterator[bytes]:
    """`media/<instanceID without "uuid:">/<name>` per file, stored (photos do not shrink)."""

    def entries():
        for n, (instance_id, name, sha256) in enumerate(files, 1):
            folder = _safe_part(instance_id.removeprefix("uuid:"))
            yield f"media/{folder}/{_safe_part(name)}", blob_chunks(sha256), False
            if progress is not None and n % 100 == 0:
                progress(n)

    yield from zip_chunks(entries)


FORMATS = tuple(CONTENT_TYPES)
STREAMED = ("csv", "csv.zip", "geojson", "attachments.zip")  # xlsx needs a file: zip central directory


def export_stream(spec: ExportSpec, fmt: str, *, progress: Progress | None = None) -> Iterator[bytes]:
    """The export in chunks, for every format but xlsx (see `export_to_file`)."""
    if fmt == "attachments.zip":
        return attachments_zip_chunks(export_attachments(spec), progress=progress)
    layout, has_register = export_layout(spec.form)
    if fmt in ("csv", "csv.zip") and export_copy.available():
        return _copied(spec, fmt, layout, has_register, progress)
    records = export_records(spec, has_register=has_register)
    if fmt == "csv":
        return csv_chunks(records, layout, has_register=has_register, progress=progress)
    if fmt == "csv.zip":
        return csv_zip_chunks(records, layout, form_id=spec.form.form_id, has_register=has_register, progress=progress)
    if fmt == "geojson":
        return geojson_chunks(records, layout, has_register=has_register, progress=progress)
    raise ValueError(f"not a streamed export format: {fmt!r}")


def _copied(spec: ExportSpec, fmt: str, layout: Layout, has_register: bool, progress) -> Iterator[bytes]:
    """CSV and CSV zip written by PostgreSQL (export_copy.py). Progress counts the submission
    table's lines (an answer with a line break makes it run ahead a little; it is a gauge)."""
    main = _lines_counted(export_copy.main_table_chunks(spec, layout, has_register=has_register), progress)
    if fmt == "csv":
        yield from main
        return

    def entries():
        yield f"{spec.form.form_id}.csv", main, True
        for table in layout.children:
            yield f"{spec.form.form_id}-{table.name}.csv", export_copy.child_table_chunks(spec, layout, table), True

    yield from zip_chunks(entries)


def _lines_counted(chunks: Iterable[bytes], progress: Progress | None) -> Iterator[bytes]:
    lines = -1  # the header
    for chunk in chunks:
        yield chunk
        if progress is not None:
            lines += chunk.count(b"\n")
            progress(max(lines, 0))


def export_to_file(spec: ExportSpec, fmt: str, target, *, progress: Progress | None = None) -> None:
    """Write the export to `target` (a binary file open for writing)."""
    if fmt == "xlsx":
        layout, has_register = export_layout(spec.form)
        records = export_records(spec, has_register=has_register)
        xlsx_write(records, layout, target, form_id=spec.form.form_id, has_register=has_register, progress=progress)
        return
    for chunk in export_stream(spec, fmt, progress=progress):
        target.write(chunk)
