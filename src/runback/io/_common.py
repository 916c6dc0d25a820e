"""What every reader shares: the source normaliser, the content id, the result container."""

from __future__ import annotations

import gzip
import hashlib
import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Union

import polars as pl

from runback import schema
from runback.errors import UnreadableFileError

Source = Union[str, os.PathLike[str], bytes, IO[bytes]]
"""A path, the file's bytes, or a binary file object."""

GZIP_MAGIC = b"\x1f\x8b"
"""The first two bytes of gzip-compressed data."""


def cannot_read(label: str, exc: OSError) -> UnreadableFileError:
    """The error for a file the operating system would not let us read (gone, no permission ...)."""
    return UnreadableFileError(label, f"cannot read file: {exc.strerror or exc}")


@dataclass(frozen=True)
class RawFile:
    """A file's decompressed bytes and the name to report it by."""

    data: bytes
    name: str


def load_source(source: Source, name: str | None = None) -> RawFile:
    """Read ``source`` fully into memory and gunzip it if it is gzip-compressed.

    Gzip is recognised by its magic bytes, not the file name, so ``run.fit``
    that is really gzipped and ``run.fit.gz`` both work.
    """
    if isinstance(source, bytes):
        data, label = source, name or "<bytes>"
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        label = name or str(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise cannot_read(label, exc) from exc
    else:
        label = name or str(getattr(source, "name", "<stream>"))
        data = source.read()
    if data[:2] == GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise UnreadableFileError(label, f"corrupt gzip data: {exc}") from exc
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
    """

    activities: pl.DataFrame = field(default_factory=lambda: schema.empty(schema.ACTIVITIES))
    samples: pl.DataFrame = field(default_factory=lambda: schema.empty(schema.SAMPLES))
    laps: pl.DataFrame = field(default_factory=lambda: schema.empty(schema.LAPS))
    warnings: tuple[str, ...] = ()
    wellness: pl.DataFrame = field(default_factory=lambda: schema.empty(schema.WELLNESS))

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
        )
