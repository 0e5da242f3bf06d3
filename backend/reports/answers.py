"""Writes of the answers projection (the tables are in `backend/reports/models.py`).

`submission_answers_store` runs inside the ingest transaction of `submission_receive`: a
committed submission always has the answers of its current version, and an edit replaces
them under the same row lock. That costs one small INSERT per submission (the form's row
and its repeat rows) and saves the indicator recomputation from decompressing every JSON
document again; a projection written after commit could be missing while a recomputation
reads, and this one cannot.

`submission_answers_repair` re-extracts answers from the stored JSON: for submissions stored
before the projection existed, stored by other means (imports, tests), or extracted under
an older field layout. The reader calls it for whatever it finds missing or stale.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence

from django.db import connection, transaction

from analytics.frames import FIELDS, REPEATS, Answers, answers_extract, answers_layout
from backend.core.locks import rows_lock
from backend.core.rows import rows_insert_together
from backend.reports.models import ANSWERS_BY_KEY
from backend.submissions.models import Submission

REPAIR_BATCH = 5000
COPY_MIN_ROWS = 500  # below this an INSERT is as quick, and visible to query counters
ANALYZE_AFTER_ROWS = 50_000


def on_submission_version_stored(sender, *, submission_id, version_id, form_id, parsed, replace, **kwargs) -> None:
    """Receiver of `backend.submissions.signals.submission_version_stored` (connected in
    ReportsConfig.ready): the answers follow the stored version in the same transaction."""
    submission_answers_store(
        submission_id=submission_id, version_id=version_id, form_id=form_id, parsed=parsed, replace=replace
    )


def on_submission_versions_stored(sender, *, items, **kwargs) -> None:
    """Receiver of the batch signal `submission_versions_stored`: the answers of a batch of
    new submissions in one write per table (an edit in it goes on its own, in order)."""
    new: dict[str, list] = {}
    for item in items:
        if item["replace"]:
            _batch_insert(new)
            new = {}
            on_submission_version_stored(sender, **item)
        elif item["form_id"] in FIELDS:
            new.setdefault(item["form_id"], []).append(
                (item["submission_id"], item["version_id"], answers_extract(item["form_id"], item["parsed"]))
            )
    _batch_insert(new)


def _batch_insert(new: dict[str, list]) -> None:
    for form_id, rows in new.items():
        _answers_insert(form_id, rows)


def submission_answers_store(
    *, submission_id: int, version_id: int, form_id: str, parsed: Mapping, replace: bool
) -> None:
    """Store the answers of one submission's current version; `replace` drops the previous
    version's (an edit). Forms the catalogue does not read store nothing."""
    if form_id not in FIELDS:
        return
    if replace:
        _answers_delete(form_id, [submission_id])
    _answers_insert(form_id, [(submission_id, version_id, answers_extract(form_id, parsed))])


def submission_answers_repair(*, submission_ids: Iterable[int]) -> int:
    """Extract again, from their current version, the answers of these submissions; returns
    how many were written. Each batch locks its submissions, so an edit arriving meanwhile
    waits and then replaces what the repair wrote."""
    ids = sorted(set(submission_ids))
    written = 0
    for start in range(0, len(ids), REPAIR_BATCH):
        with transaction.atomic():
            rows = rows_lock(
                Submission.objects.filter(
                    id__in=ids[start : start + REPAIR_BATCH],
                    form__form_id__in=list(FIELDS),
                    current_version__isnull=False,
                ).values_list("id", "current_version_id", "form__form_id", "current_version__parsed"),
                of=("self",),
            )
            for form_id in FIELDS:
                items = [
                    (sid, vid, answers_extract(form_id, parsed or {}))
                    for sid, vid, fid, parsed in rows
                    if fid == form_id
                ]
                if items:
                    _answers_delete(form_id, [sid for sid, _, _ in items])
                    _answers_insert(form_id, items)
                    written += len(items)
    if written >= ANALYZE_AFTER_ROWS and connection.vendor == "postgresql":
        # The reader's join plan depends on row counts: after a mass repair (a layout
        # change, a first run on old data) refresh them now rather than when autovacuum does.
        with connection.cursor() as cursor:
            for model in ANSWERS_BY_KEY.values():
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    return written


def _answers_delete(form_id: str, submission_ids: Sequence[int]) -> None:
    for key in [form_id, *REPEATS[form_id]]:
        ANSWERS_BY_KEY[key].objects.filter(submission_id__in=submission_ids).delete()


def _answers_insert(form_id: str, items: Sequence[tuple[int, int, Answers]]) -> None:
    layout = answers_layout(form_id)
    groups = [
        (
            form_id,
            [
                {"submission_id": sid, "version_id": vid, "layout": layout, **answers.fields}
                for sid, vid, answers in items
            ],
        )
    ]
    for repeat in REPEATS[form_id]:
        groups.append(
            (
                repeat,
                [
                    {"submission_id": sid, "position": position, **instance}
                    for sid, _, answers in items
                    for position, instance in enumerate(answers.repeats[repeat], start=1)
                ],
            )
        )
    if connection.vendor == "postgresql" and sum(len(rows) for _, rows in groups) < COPY_MIN_ROWS:
        # One submission at ingest: its row and its members' in one statement (one round trip).
        rows_insert_together([[ANSWERS_BY_KEY[key](**row) for row in rows] for key, rows in groups])
        return
    for key, rows in groups:
        _rows_write(key, rows)


def _rows_write(key: str, rows: list[dict]) -> None:
    if not rows:
        return
    model = ANSWERS_BY_KEY[key]
    if connection.vendor != "postgresql" or len(rows) < COPY_MIN_ROWS:
        model.objects.bulk_create([model(**row) for row in rows])
        return
    columns = list(rows[0])
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(_copy_text(row[c]) for c in columns) + "\n")
    with connection.cursor() as cursor:
        names = ", ".join(connection.ops.quote_name(model._meta.get_field(c).column) for c in columns)
        with cursor.cursor.copy(f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy:
            copy.write(buffer.getvalue())


def _copy_text(value) -> str:
    # COPY's text format: backslash, tab and line breaks are escaped; answers are never NULL.
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
