"""Content-addressed file storage through Django's storage API."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from typing import BinaryIO

from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers
from django.db import connection

from backend.core.models import Blob
from backend.core.rows import rows_insert_sql

CHUNK = 1 << 16


def blob_path(sha256: str) -> str:
    return f"blobs/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def _digest_stream(stream: BinaryIO) -> tuple[str, str, int]:
    sha, md5, size = hashlib.sha256(), hashlib.md5(), 0
    for chunk in iter(lambda: stream.read(CHUNK), b""):
        sha.update(chunk)
        md5.update(chunk)
        size += len(chunk)
    return sha.hexdigest(), md5.hexdigest(), size


def stream_sha256(stream: BinaryIO) -> str:
    """The sha256 of a seekable stream's bytes (the name its blob has or would have), read
    from the start and rewound after (or known already: a `BlobUpload`)."""
    if isinstance(stream, BlobUpload):
        return stream.sha256
    stream.seek(0)
    sha256, _md5, _size = _digest_stream(stream)
    stream.seek(0)
    return sha256


def blob_store(stream: BinaryIO) -> Blob:
    """Store the stream's bytes (once per content) and return its Blob row.

    The stream must be seekable (Django's uploaded files are). Safe to call concurrently
    for the same content: the file write is skipped when it exists and the row insert
    ignores conflicts. A `BlobUpload` was hashed and written to disk while it arrived: it is
    published under its name by a hard link, without reading it again.
    """
    if isinstance(stream, BlobUpload):
        stream.publish()
        return _blob_row(stream.sha256, stream.md5, stream.size)
    stream.seek(0)
    sha256, md5, size = _digest_stream(stream)
    path = blob_path(sha256)
    if not default_storage.exists(path):
        stream.seek(0)
        # Write to a temporary name, then rename, so a concurrent reader never sees a
        # half-written blob (local storage); object stores write atomically anyway.
        target = _local_path(path)
        if target is not None:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".tmp-")
            with os.fdopen(fd, "wb") as out:
                for chunk in iter(lambda: stream.read(CHUNK), b""):
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        else:
            default_storage.save(path, File(stream))
    return _blob_row(sha256, md5, size)


def _blob_row(sha256: str, md5: str, size: int) -> Blob:
    # A raw INSERT (the ORM's bulk_create costs more CPU to compose than the write, issue 18).
    blob = Blob(sha256=sha256, md5=md5, size=size)
    sql, params = rows_insert_sql([blob])
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} ON CONFLICT DO NOTHING", params)
    return blob


# STREAMING UPLOADS ------------------------------------------------------------------------
INCOMING = "blobs/.incoming"


class BlobUpload(UploadedFile):
    """An uploaded file already on disk beside the blob store, with its digests: written and
    hashed chunk by chunk while the multipart body arrived (`BlobUploadHandler`)."""

    def __init__(self, file, *, name, content_type, size, charset, sha256: str, md5: str):
        super().__init__(file, name, content_type, size, charset)
        self.sha256, self.md5 = sha256, md5

    def temporary_file_path(self) -> str:
        return self.file.name

    def publish(self) -> None:
        """Give the bytes their content address: durable on disk first, then a hard link (atomic;
        an existing blob of the same content is left as it is). The temporary name goes when the
        request closes its files."""
        target = _local_path(blob_path(self.sha256))
        if os.path.exists(target):
            return
        self.file.flush()
        os.fsync(self.file.fileno())
        os.makedirs(os.path.dirname(target), exist_ok=True)
        try:
            os.link(self.file.name, target)
        except FileExistsError:
            pass  # a concurrent request stored the same bytes first

    def close(self):
        try:
            return self.file.close()
        except FileNotFoundError:
            pass  # already removed


class BlobUploadHandler(FileUploadHandler):
    """Multipart upload handler for submissions' files (issue 18): each file part goes to a
    temporary file in the blob store's own directory while its sha256 and md5 are computed, so a
    200 KB photo is never held whole in memory nor read twice, and storing it is a hard link.
    Parts named in `skip` (the submission XML, which is parsed in memory) and every part when
    the storage is not a local file system go to the next handlers as usual."""

    def __init__(self, request=None, *, skip: tuple[str, ...] = ()):
        super().__init__(request)
        self.skip = skip
        self.incoming = _local_path(INCOMING)
        self.active = False

    def new_file(self, field_name, file_name, content_type, content_length, charset=None, content_type_extra=None):
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        self.active = self.incoming is not None and field_name not in self.skip
        if not self.active:
            return
        os.makedirs(self.incoming, exist_ok=True)
        self.file = tempfile.NamedTemporaryFile(dir=self.incoming, prefix="upload-")  # noqa: SIM115 — closed with the request
        self.sha, self.md5 = hashlib.sha256(), hashlib.md5()
        raise StopFutureHandlers()

    def receive_data_chunk(self, raw_data, start):
        if not self.active:
            return raw_data
        self.file.write(raw_data)
        self.sha.update(raw_data)
        self.md5.update(raw_data)
        return None

    def file_complete(self, file_size):
        if not self.active:
            return None
        self.active = False
        self.file.seek(0)
        return BlobUpload(
            self.file,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            sha256=self.sha.hexdigest(),
            md5=self.md5.hexdigest(),
        )

    def upload_interrupted(self):
        if self.active and hasattr(self, "file"):
            self.file.close()


def _local_path(name: str) -> str | None:
    """The file system path of a stored name, or None for object storage (S3 and the like
    raise NotImplementedError from `path`; having the method says nothing)."""
    try:
        return default_storage.path(name)
    except NotImplementedError:
        return None


def blob_store_bytes(data: bytes) -> Blob:
    import io

    return blob_store(io.BytesIO(data))


def blob_open(sha256: str) -> BinaryIO:
    return default_storage.open(blob_path(sha256), "rb")


def blob_read(sha256: str) -> bytes:
    with blob_open(sha256) as fh:
        return fh.read()


def blob_chunks(sha256: str) -> Iterator[bytes]:
    with blob_open(sha256) as fh:
        yield from iter(lambda: fh.read(CHUNK), b"")


def blobs_delete_unused(sha256s) -> list[str]:
    """Delete the Blob rows (and, after commit, their files) that no row points to any more;
    return the ones deleted. Every reference to a Blob is a PROTECT foreign key, so a blob
    another row still needs (an identical photo in another submission, form media, an export)
    is kept: the refused delete is rolled back to a savepoint and the blob stays."""
    from django.db import IntegrityError, transaction
    from django.db.models import ProtectedError

    deleted = []
    for sha256 in sorted(set(sha256s)):
        try:
            with transaction.atomic():
                Blob.objects.filter(sha256=sha256).delete()
        except (ProtectedError, IntegrityError):
            continue
        deleted.append(sha256)
    if deleted:
        transaction.on_commit(lambda: [_file_delete(s) for s in deleted])
    return deleted


def _file_delete(sha256: str) -> None:
    # Only if no one stored the same bytes again since the row went (blob_store writes the
    # file, then the row). Known gap: a blob_store that found the old file a moment before this
    # delete and inserts its row after it leaves a row without bytes; it needs identical bytes
    # arriving in the same instant as the purge of their last holder.
    if Blob.objects.filter(sha256=sha256).exists():
        return
    path = blob_path(sha256)
    if default_storage.exists(path):
        default_storage.delete(path)
