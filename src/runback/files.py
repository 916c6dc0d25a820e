"""Writing files so that a reader, or a crash, sees the old file or the new one, never half of one.

The one atomic-write helper of the package: the store's Parquet parts,
manifests and file indexes, the pain journal's parts and the reports all go
through :func:`write_atomic`.  It sits at the bottom of the pipeline (it needs
nothing from runback) so that every layer can use it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["fsync_dir", "write_atomic"]


def write_atomic(path: str | os.PathLike[str], data: bytes, *, mode: int | None = None) -> Path:
    """Write ``data`` to ``path`` atomically; return the path.

    The bytes go to a temporary file beside ``path`` (``.<name>.<random>.tmp``,
    which no ``*.parquet`` or ``*.html`` glob matches), are flushed to disk,
    then the file is renamed over ``path`` and the folder itself is flushed:
    ``os.replace`` is atomic on POSIX and Windows when both sides are on one
    filesystem, and the folder's fsync makes the rename survive a power cut.
    Missing parent folders are created.

    Parameters
    ----------
    path
        Where the file goes.
    data
        Its whole content (text: encode it, e.g. ``text.encode("utf-8")``).
    mode
        Permission bits for the file (e.g. ``0o644`` for a report meant to be
        shared).  ``None`` keeps the temporary file's: readable by its owner only.

    Raises
    ------
    OSError
        When the folder or the file cannot be written; no temporary file is left behind.
        Callers turn it into their own error (a store error, a file error).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)
    return target


def fsync_dir(path: str | os.PathLike[str]) -> None:
    """Flush a folder's entries (new names, renames) to disk, where the OS allows it."""
    with contextlib.suppress(OSError):  # not every OS/filesystem allows opening a folder
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
