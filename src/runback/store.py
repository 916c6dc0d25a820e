"""The local store: Parquet files that polars and DuckDB read directly.

Layout under the store root (partitioned by athlete, hive style, so a cluster
engine can read it later)::

    <root>/activities/athlete=<name>/...parquet
    <root>/samples/athlete=<name>/...parquet
    <root>/laps/athlete=<name>/...parquet
    <root>/journal/athlete=<name>/...parquet

The default root is the user's data directory (``platformdirs``), overridden
by the ``RUNBACK_STORE`` environment variable, overridden in turn by ``--store``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import platformdirs
import polars as pl

STORE_ENV = "RUNBACK_STORE"
DEFAULT_ATHLETE = "me"


def default_store_dir() -> Path:
    """The store used when no ``--store`` is given: ``$RUNBACK_STORE`` or the user data dir."""
    env = os.environ.get(STORE_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("runback", appauthor=False)) / "store"


def atomic_write_parquet(df: pl.DataFrame, path: Path) -> None:
    """Write ``df`` to ``path`` so that a reader (or a crash) sees the old file or the new one.

    The frame goes to a temporary file in the same directory, is flushed to
    disk, then renamed over ``path``: ``os.replace`` is atomic on POSIX and
    Windows when both sides are on one filesystem.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            df.write_parquet(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
