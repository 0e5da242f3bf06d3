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
