from django.db import models


class Blob(models.Model):
    """A file stored once by its content (sha256), shared by form media and submission files.

    The bytes live in Django's default storage under `blob_path(sha256)`; they are written
    before this row, so a crash leaves at most an orphan file, never a row without bytes.
    """

    sha256 = models.CharField(max_length=64, primary_key=True)
    md5 = models.CharField(max_length=32)
    size = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.sha256[:12]}… ({self.size} B)"


class Change(models.Model):
    """One row of the change feed (DESIGN.md "One change feed"): something a client may need
    to pull changed — a form, a household of the register, a submission (its review, comments,
    deletion). Append-only, written by the service that made the change, in its transaction.

    The row names *what* changed and in which scope, not the new state: the feed serves the
    current state of each object (or a tombstone), so a client that applies every page in
    order ends exactly where the server is, however many changes it skipped over.

    `xid` is the writing transaction's id (`pg_current_xact_id()`, a PostgreSQL `xid8`, set by
    the raw INSERT in `backend/core/changes.py`; the migration changes the column type). The
    feed is read in (xid, id) order, and only below the oldest transaction still running, so a
    transaction that started first and committed last is never skipped. NULL on SQLite.
    """

    kind = models.CharField(max_length=12)  # "form" | "household" | "submission"
    key = models.CharField(max_length=64, help_text="The object's id: form pk, household uuid, submission pk")
    form_id = models.IntegerField(null=True, blank=True, help_text="Scope: the form (forms, submissions)")
    hamlet_code = models.CharField(max_length=32, blank=True, help_text="Scope: the hamlet (households, submissions)")
    volunteer_id = models.IntegerField(null=True, blank=True, help_text="Scope: the submitting volunteer")
    xid = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["xid", "id"], name="change_commit_order")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
