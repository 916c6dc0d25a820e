"""A fast reader engine against its reference: equal frames, or the same error naming the file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from polars.testing import assert_frame_equal

from runback.errors import RunbackError
from runback.io import Frames

Outcome = Frames | tuple[type, str]


def outcome(read: Callable[..., Frames], source: Path | bytes, engine: str) -> Outcome:
    """The frames, or the error's class and message."""
    try:
        return read(source, engine=engine)
    except Exception as exc:  # noqa: BLE001 - the reference's own failures must be matched too
        return type(exc), str(exc)


def assert_same(read: Callable[..., Any], source: Path | bytes, fast: str, reference: str) -> Outcome:
    """Both engines give equal frames (to 1e-9) or the same error naming the file; returns the reference's outcome."""
    got, want = outcome(read, source, fast), outcome(read, source, reference)
    if isinstance(want, tuple) or isinstance(got, tuple):
        assert got == want
        kind, message = want if isinstance(want, tuple) else (None, "")
        if isinstance(source, Path) and kind is not None and issubclass(kind, RunbackError):
            assert message.startswith(str(source)) and "\n" not in message
        return want
    for name in ("activities", "samples", "laps"):
        assert_frame_equal(getattr(got, name), getattr(want, name), rel_tol=1e-9, abs_tol=1e-9)
    assert got.warnings == want.warnings
    return want
