"""The change-feed rows of submissions (backend/core/changes.py): what the sync feed serves the
submitting device (review state, comments, deletion) is keyed by the submission's pk and scoped
by its form, hamlet and volunteer."""

from __future__ import annotations

from backend.core.changes import ChangeRow, changes_insert_sql, changes_record
from backend.submissions.models import Submission


def submission_changed(submission: Submission, *, previous_hamlet: str = "") -> None:
    """Record that `submission` changed, in the caller's transaction. `previous_hamlet`: the
    hamlet it had before an edit moved it, whose readers must learn that it left them."""
    changes_record(_rows(submission, previous_hamlet))


def submission_created_sql(submission: Submission, *, key_sql: str) -> tuple[str, list]:
    """The change row of a new submission as an INSERT to fold into the ingest's one
    statement, its key the id drawn there (`key_sql`)."""
    return changes_insert_sql(_rows(submission, ""), key_sql=key_sql)


def submission_change_rows(submission: Submission) -> list[ChangeRow]:
    """The change row of a new submission (the batch path inserts many in one statement)."""
    return _rows(submission, "")


def _rows(submission: Submission, previous_hamlet: str) -> list[ChangeRow]:
    rows = [
        ChangeRow("submission", str(submission.pk), submission.form_id, submission.hamlet_code, submission.volunteer_id)
    ]
    if previous_hamlet and previous_hamlet != submission.hamlet_code:
        rows.append(
            ChangeRow("submission", str(submission.pk), submission.form_id, previous_hamlet, submission.volunteer_id)
        )
    return rows
