"""The nightly purge of the submission trash: the jobs app's maintenance job (beat, 03:30,
`maintenance.purge`) sends `purge_due`; this receiver removes the submissions deleted more than
30 days ago (backend/submissions/trash.py). It lives here because submissions and jobs are
sibling layers that may not import each other; review sits above both."""

from __future__ import annotations

from backend.submissions.trash import submissions_purge


def submissions_trash_purge(sender, now, **kwargs) -> dict:
    report = submissions_purge(actor=None)
    return {"submissions_purged": report.submissions, "blobs_deleted": report.blobs_deleted}
