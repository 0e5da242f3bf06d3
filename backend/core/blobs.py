"""Content-addressed file storage through Django's storage API."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from typing import BinaryIO

from django.core.files import File
from django.core.files.storage import default_storage

from backend.core.models import Blob

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
    from the start and rewound after."""
    stream.seek(0)
    sha256, _md5, _size = _digest_stream(stream)
    stream.seek(0)
    return sha256


def blob_store(stream: BinaryIO) -> Blob:
    """Store the stream's bytes (once per content) and return its Blob row.

    The stream must be seekable (Django's uploaded files are). Safe to call concurrently
    for the same content: the file write is skipped when it exists and the row insert
    ignores conflicts.
    """
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
    Blob.objects.bulk_create([Blob(sha256=sha256, md5=md5, size=size)], ignore_conflicts=True)
    return Blob(sha256=sha256, md5=md5, size=size)


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
