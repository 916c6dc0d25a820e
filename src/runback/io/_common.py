"""What every reader shares: the source normaliser, the content id, the result container."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import stat
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Union

import polars as pl

from runback import schema
from runback.errors import NotAnActivityError, UnreadableFileError
from runback.summaries import SUMMARIES

Source = Union[str, os.PathLike[str], bytes, IO[bytes]]
"""A path, the file's bytes, or a binary file object."""

GZIP_MAGIC = b"\x1f\x8b"
"""The first two bytes of gzip-compressed data."""


MiB = 1 << 20

MAX_FILE_BYTES = 128 * MiB
"""The most bytes any one activity file may hold (after gunzipping).

The per-format limits (:attr:`runback.io.readers.Reader.max_bytes`) are lower
or equal; this one bounds what :func:`load_source` reads from any source.
"""

_CHUNK = MiB


def _kind_of(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
    ):  # fmt: skip
        if test(mode):
            return name
    return "not a regular file"


def not_regular(label: str, mode: int) -> NotRegularFileError:
    """The note for a device, pipe or socket found where a file was expected: skipped, never read."""
    return NotRegularFileError(label, f"not a regular file ({_kind_of(mode)}): skipped, not read")


def too_large(label: str, size: int | None, limit: int, what: str = "file") -> UnreadableFileError:
    """The error for a file or member over its size limit."""
    got = f" ({size} bytes)" if size is not None else ""
    return UnreadableFileError(label, f"{what} too large{got}: runback reads at most {limit // MiB} MiB per {what}")


def read_limited(stream: IO[bytes], limit: int, label: str, what: str = "file") -> bytes:
    """Read ``stream`` to its end, but never more than ``limit`` bytes: a longer one is refused."""
    parts: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(min(_CHUNK, limit + 1 - total))
        if not chunk:
            return b"".join(parts)
        parts.append(chunk)
        total += len(chunk)
        if total > limit:
            raise too_large(label, None, limit, what)


def read_regular(path: str | os.PathLike[str], label: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """A regular file's bytes, refusing devices, pipes and sockets and anything over ``limit``.

    The file is opened without blocking and checked on the open descriptor, so a
    named pipe put in its place after the folder walk cannot hang the import.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise cannot_read(label, exc) from exc
    with os.fdopen(fd, "rb", buffering=0) as fh:
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise not_regular(label, st.st_mode)
            if st.st_size > limit:
                raise too_large(label, st.st_size, limit)
            return read_limited(fh, limit, label)
        except OSError as exc:
            raise cannot_read(label, exc) from exc


def gunzip_limited(data: bytes, limit: int, label: str) -> bytes:
    """Gunzip ``data`` streaming, stopping at ``limit`` decompressed bytes (a gzip bomb is refused, not expanded)."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
            return read_limited(gz, limit, label, "decompressed file")  # type: ignore[arg-type]
    except (OSError, EOFError, zlib.error) as exc:
        raise UnreadableFileError(label, f"corrupt gzip data: {exc}") from exc


def cannot_read(label: str, exc: OSError) -> UnreadableFileError:
    """The error for a file the operating system would not let us read (gone, no permission ...)."""
    return UnreadableFileError(label, f"cannot read file: {exc.strerror or exc}")


class NotRegularFileError(NotAnActivityError):
    """A device, named pipe or socket where a file was expected: skipped with the reason, never read."""


@dataclass(frozen=True)
class RawFile:
    """A file's decompressed bytes and the name to report it by."""

    data: bytes
    name: str


def load_source(source: Source, name: str | None = None, *, limit: int = MAX_FILE_BYTES) -> RawFile:
    """Read ``source`` into memory and gunzip it if it is gzip-compressed.

    Gzip is recognised by its magic bytes, not the file name, so ``run.fit``
    that is really gzipped and ``run.fit.gz`` both work.  Neither the file
    nor its decompressed content may exceed ``limit`` bytes; only regular
    files are read from a path.

    Raises
    ------
    UnreadableFileError
        Over the limit, corrupt gzip data, or the file cannot be read.
    NotRegularFileError
        A path that is a device, named pipe or socket.
    """
    if isinstance(source, bytes):
        data, label = source, name or "<bytes>"
        if len(data) > limit:
            raise too_large(label, len(data), limit)
    elif isinstance(source, (str, os.PathLike)):
        label = name or str(Path(source))
        data = read_regular(source, label, limit)
    else:
        label = name or str(getattr(source, "name", "<stream>"))
        data = read_limited(source, limit, label)
    if data[:2] == GZIP_MAGIC:
        data = gunzip_limited(data, limit, label)
    return RawFile(data=data, name=label)


def content_id(data: bytes) -> str:
    """Stable activity id: the first 16 hex digits of the SHA-256 of the (decompressed) bytes."""
    return hashlib.sha256(data).hexdigest()[:16]


@dataclass(frozen=True)
class Frames:
    """What a reader returns: the three frames, conformed to :mod:`runback.schema`.

    ``warnings`` holds one plain line per recoverable problem (a truncated file
    whose records before the break were kept, say).  ``wellness`` holds the
    days of sleep and stress an import found in a Garmin export
    (:data:`runback.schema.WELLNESS`); the activity readers leave it empty.
    ``summaries`` holds one row per activity with samples
    (:data:`runback.summaries.SUMMARIES`) where the import pipeline computed
    them; the readers leave it empty.
    """

    activities: pl.DataFrame = field(default_factory=lambda: schema.empty(schema.ACTIVITIES))
    samples: pl.DataFrame = field(default_factory=lambda: schema.empty(schema.SAMPLES))
    laps: pl.DataFrame = field(default_factory=lambda: schema.empty(schema.LAPS))
    warnings: tuple[str, ...] = ()
    wellness: pl.DataFrame = field(default_factory=lambda: schema.empty(schema.WELLNESS))
    summaries: pl.DataFrame = field(default_factory=lambda: schema.empty(SUMMARIES))

    @classmethod
    def concat(cls, parts: list[Frames]) -> Frames:
        """All parts in one ``Frames`` (empty parts are fine)."""
        if not parts:
            return cls()
        return cls(
            activities=pl.concat([p.activities for p in parts], how="vertical"),
            samples=pl.concat([p.samples for p in parts], how="vertical"),
            laps=pl.concat([p.laps for p in parts], how="vertical"),
            warnings=tuple(w for p in parts for w in p.warnings),
            wellness=pl.concat([p.wellness for p in parts], how="vertical"),
            summaries=pl.concat([p.summaries for p in parts], how="vertical"),
        )
