"""A RunbackError in any command becomes one 'Error:' line and exit 1, never a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clirun import invoke
from runback.cli._app import guarded
from runback.errors import OptionError

REPO = Path(__file__).resolve().parents[1]


def test_runback_error_becomes_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    def boom() -> None:
        raise OptionError("--since: 'yesterdayish' is not a date (use YYYY-MM-DD)")

    assert guarded(boom) == 1
    err = capsys.readouterr().err
    assert err == "Error: --since: 'yesterdayish' is not a date (use YYYY-MM-DD)\n"


def test_an_unexpected_error_is_one_line_too(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def bug() -> None:
        raise KeyError("activity_id")

    monkeypatch.delenv("RUNBACK_DEBUG", raising=False)
    assert guarded(bug) == 1
    err = capsys.readouterr().err
    assert "Error: unexpected KeyError: 'activity_id'" in err and "Traceback" not in err
    monkeypatch.setenv("RUNBACK_DEBUG", "1")
    with pytest.raises(KeyError):
        guarded(bug)


def test_usage_errors_keep_their_exit_status() -> None:
    result = invoke("flags", "--format", "xml")
    assert result.exit_code == 2
    assert "Error: argument --format: invalid choice: 'xml'" in result.stderr
    assert invoke("pain", "add", "four", "--timing", "after").exit_code == 2
    assert invoke("no-such-command").exit_code == 2
    # `runback` and `runback pain` alone show their help, with the usage-error status
    for args in ((), ("pain",)):
        result = invoke(*args)
        assert result.exit_code == 2 and "Usage: runback" in result.stdout


def test_a_closed_pipe_is_not_reported_as_a_bug() -> None:
    """`runback schema | head -1`: the reader leaving early is no error of runback's."""
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


def test_ctrl_c_during_import_stores_nothing_and_exits_130(tmp_path: Path) -> None:
    """Ctrl-C (SIGINT) while the files are read: one line, exit 130, and the store is as it was.

    The signal goes to runback's own process. (A terminal's Ctrl-C reaches the import's
    worker processes too; they print their own tracebacks until the import pipeline
    makes them ignore SIGINT.)
    """
    runs = tmp_path / "runs"
    runs.mkdir()
    # the sample runner's FIT files, several times over: long enough to be interrupted mid-way
    fits = sorted((REPO / "sample_data" / "anna").glob("*.fit"))
    for copy in range(6):
        for fit in fits:
            (runs / f"{copy}-{fit.name}").write_bytes(fit.read_bytes())
    store = tmp_path / "store"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "runback", "import", str(runs), "--store", str(store), "-q"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )
    # the store folder appears when the import starts; then press Ctrl-C
    while not store.exists() and proc.poll() is None:
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=300)
    if proc.returncode == 0:
        pytest.skip("the import finished before Ctrl-C arrived (a very fast machine)")
    assert proc.returncode == 130, err.decode()
    assert err.decode().strip().splitlines() == ["interrupted: nothing from this run was stored"]
    assert out == b""
    from runback.store import open_store

    assert open_store(store).activities().is_empty()
