"""Run the real `runback` command line in-process and capture what it prints.

    from clirun import invoke
    result = invoke("pain", "add", "4", "--timing", "after")
    assert result.exit_code == 0 and "Logged pain 4/10" in result.stdout
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from runback.cli import run


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str
    output: str
    """stdout and stderr interleaved, as a terminal shows them."""
    exception: BaseException | None = None
    """An exception that escaped the command line (only with RUNBACK_DEBUG=1)."""


class _Tee(io.StringIO):
    """Keeps its own text and copies every write into the shared ``output``."""

    def __init__(self, output: io.StringIO) -> None:
        super().__init__()
        self._output = output

    def write(self, s: str) -> int:
        self._output.write(s)
        return super().write(s)


@contextlib.contextmanager
def _environment(env: Mapping[str, str | None]) -> Iterator[None]:
    old = {key: os.environ.get(key) for key in env}
    try:
        for key, value in env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def invoke(*args: str, env: Mapping[str, str | None] | None = None) -> Result:
    """``runback ARGS...`` in this process: exit status, stdout, stderr and both interleaved."""
    output = io.StringIO()
    out, err = _Tee(output), _Tee(output)
    exception: BaseException | None = None
    with _environment({"COLUMNS": "80", **(env or {})}), contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err):
        try:
            code = run([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except Exception as exc:  # RUNBACK_DEBUG=1 lets a bug's exception through
            exception, code = exc, 1
    return Result(code, out.getvalue(), err.getvalue(), output.getvalue(), exception)
