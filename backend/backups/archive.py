"""The backup archive: one uncompressed tar (the dump is compressed already, photos do not
shrink) holding

    database.pgdump                 pg_dump --format=custom of the whole database
    blobs/ab/cd/abcd…               every content-addressed file, named by its sha256
    manifest.json                   what is inside, with the sha256 of every member; last

An archive is written under a temporary name and renamed when complete, so a file named
`phulam-backup-*.tar` is always whole.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

FORMAT = "phulam-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "database.pgdump"
PREFIX = "phulam-backup-"
CHUNK = 1 << 20


class ArchiveError(Exception):
    """The archive is not whole or not ours; the message says what is wrong."""


class _Hashing(io.RawIOBase):
    """Reads through a stream and hashes what passes."""

    def __init__(self, stream: BinaryIO):
        self.stream, self.sha256, self.size = stream, hashlib.sha256(), 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        data = self.stream.read(n)
        self.sha256.update(data)
        self.size += len(data)
        return data


class ArchiveWriter:
    def __init__(self, path: Path):
        self.path = path
        self.tar = tarfile.open(path, "w", format=tarfile.PAX_FORMAT)
        self.files: dict[str, str] = {}

    def add_stream(self, name: str, stream: BinaryIO, size: int) -> str:
        """Add `size` bytes from `stream`; returns their sha256."""
        info = tarfile.TarInfo(name)
        info.size, info.mode = size, 0o644
        hashing = _Hashing(stream)
        self.tar.addfile(info, hashing)
        if hashing.size != size:
            raise ArchiveError(f"{name}: expected {size} bytes, read {hashing.size}")
        digest = hashing.sha256.hexdigest()
        self.files[name] = digest
        return digest

    def add_file(self, name: str, path: Path) -> str:
        with path.open("rb") as stream:
            return self.add_stream(name, stream, path.stat().st_size)

    def close(self, manifest: dict) -> None:
        manifest = {**manifest, "files": self.files}
        body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mode = len(body), 0o644
        self.tar.addfile(info, io.BytesIO(body))
        self.tar.close()


@dataclass
class ArchiveReader:
    path: Path

    def __post_init__(self):
        try:
            self.tar = tarfile.open(self.path, "r:")
        except (OSError, tarfile.TarError) as exc:
            raise ArchiveError(f"{self.path} is not a readable tar archive: {exc}") from exc
        try:
            raw = self.tar.extractfile(MANIFEST).read()
        except (KeyError, AttributeError) as exc:
            raise ArchiveError(f"{self.path} has no {MANIFEST}: not a complete backup") from exc
        self.manifest = json.loads(raw)
        if self.manifest.get("format") != FORMAT:
            raise ArchiveError(f"{self.path} is not a {FORMAT} archive")
        if self.manifest.get("format_version", 0) > FORMAT_VERSION:
            raise ArchiveError(f"{self.path} was written by a newer server (format {self.manifest['format_version']})")

    def open(self, name: str) -> BinaryIO:
        member = self.tar.extractfile(name)
        if member is None:
            raise ArchiveError(f"{name} is missing from the archive")
        return member

    def verify(self) -> int:
        """Check every member against the manifest's sha256 (and blobs against their names).
        Returns the number of bytes checked."""
        listed = self.manifest["files"]
        present = {m.name for m in self.tar.getmembers() if m.isfile()} - {MANIFEST}
        if missing := sorted(set(listed) - present):
            raise ArchiveError(f"missing from the archive: {', '.join(missing[:5])}")
        if extra := sorted(present - set(listed)):
            raise ArchiveError(f"not in the manifest: {', '.join(extra[:5])}")
        total = 0
        for name, expected in listed.items():
            digest = hashlib.sha256()
            with self.open(name) as stream:
                for chunk in iter(lambda: stream.read(CHUNK), b""):
                    digest.update(chunk)
                    total += len(chunk)
            if digest.hexdigest() != expected:
                raise ArchiveError(f"{name}: checksum does not match the manifest (damaged archive)")
            if name.startswith("blobs/") and name.rsplit("/", 1)[-1] != expected:
                raise ArchiveError(f"{name}: content does not match its name")
        return total

    def blobs(self) -> Iterator[tuple[str, str]]:
        """(member name, sha256) of every stored file."""
        for name, digest in self.manifest["files"].items():
            if name.startswith("blobs/"):
                yield name, digest

    def close(self) -> None:
        self.tar.close()


def archives_in(directory: Path) -> list[Path]:
    """Complete archives in a folder, oldest first (names sort by time)."""
    return sorted(p for p in directory.glob(f"{PREFIX}*.tar") if p.is_file())
