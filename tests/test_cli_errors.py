"""A RunbackError in any command becomes one 'Error:' line and exit 1, never a traceback."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

import runback.cli  # noqa: F401  (registers the commands)
from runback.cli._app import app
from runback.errors import OptionError


def test_runback_error_becomes_one_line(monkeypatch) -> None:
    def boom() -> None:
        raise OptionError("--since: 'yesterdayish' is not a date (use YYYY-MM-DD)")

    sub = typer.Typer()
    sub.command("boom")(boom)
    app.add_typer(sub, name="test-boom")
    try:
        result = CliRunner().invoke(app, ["test-boom", "boom"])
    finally:
        app.registered_groups.pop()
    assert result.exit_code == 1
    assert "Error: --since: 'yesterdayish' is not a date" in result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, OptionError)


def test_an_unexpected_error_is_one_line_too(monkeypatch) -> None:
    def bug() -> None:
        raise KeyError("activity_id")

    sub = typer.Typer()
    sub.command("bug")(bug)
    app.add_typer(sub, name="test-bug")
    try:
        monkeypatch.delenv("RUNBACK_DEBUG", raising=False)
        result = CliRunner().invoke(app, ["test-bug", "bug"])
        assert result.exit_code == 1
        assert "Error: unexpected KeyError: 'activity_id'" in result.output
        assert "Traceback" not in result.output
        monkeypatch.setenv("RUNBACK_DEBUG", "1")
        result = CliRunner().invoke(app, ["test-bug", "bug"])
        assert isinstance(result.exception, KeyError)
    finally:
        app.registered_groups.pop()


def test_usage_errors_keep_their_exit_status() -> None:
    result = CliRunner().invoke(app, ["flags", "--format", "xml"])
    assert result.exit_code == 2


def test_a_closed_pipe_is_not_reported_as_a_bug() -> None:
    """`runback schema | head -1`: the reader leaving early is no error of runback's."""
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "runback", "schema"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # like `head` exiting before runback writes
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    proc.stderr.close()
    assert "bug in runback" not in err
    assert "Traceback" not in err and "BrokenPipeError" not in err
