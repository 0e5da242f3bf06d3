"""A ZIP archive written as a stream of byte chunks, in constant memory, with the standard
library's `zipfile` (no extra dependency).

`zipfile` writes to an unseekable file by putting each entry's sizes and CRC in a data
descriptor after its bytes, which every unzip tool (and Excel, and Python) reads. The sink
below is that unseekable file: what zipfile writes is handed out by the generator as soon
as a chunk is complete, so an HTTP response or a temporary file receives the archive while
it is being made.
"""

from __future__ import annotations

import time
import zipfile
from collections.abc import Callable, Iterable, Iterator

FLUSH_AT = 1 << 16


class _Sink:
    """Collects what zipfile writes; `take()` empties it."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data) -> int:
        if data:
            self.parts.append(bytes(data))
            self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        out = b"".join(self.parts)
        self.parts, self.size = [], 0
        return out


# An entry: (name inside the archive, chunks of its bytes, compress?)
Entry = tuple[str, Iterable[bytes], bool]


def zip_chunks(entries: Iterable[Entry] | Callable[[], Iterator[Entry]], *, level: int = 1) -> Iterator[bytes]:
    """The archive of `entries`, chunk by chunk. Entries are read lazily, one after the other;
    compressed ones use deflate at `level` (1: fast; CSV still shrinks about 5×), the others
    (photos, already compressed) are stored."""
    sink = _Sink()
    stamp = time.localtime()[:6]
    with zipfile.ZipFile(sink, "w", allowZip64=True) as archive:
        for name, chunks, compress in entries() if callable(entries) else entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            if compress:
                info._compresslevel = level  # Python 3.11's open("w") reads the level here
            info.external_attr = 0o644 << 16
            with archive.open(info, "w", force_zip64=True) as member:
                for chunk in chunks:
                    member.write(chunk)
                    if sink.size >= FLUSH_AT:
                        yield sink.take()
            if sink.size:
                yield sink.take()
    tail = sink.take()
    if tail:
        yield tail
