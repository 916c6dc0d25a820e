"""Help that reads well: every `-h` page, rendered at 80 columns, is whole and plain."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys

import pytest

from clirun import invoke
from runback.cli._app import FRAMES, build_parser
from test_docs import COMMANDS

PATHS = ["", *sorted(COMMANDS)]


def _help(path: str) -> str:
    result = invoke(*path.split(), "-h", env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return result.stdout


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p or "runback")
def test_help_at_80_columns_reads_well(path: str) -> None:
    text = _help(path)
    assert text.startswith(f"Usage: runback {path}".rstrip())
    # flags take no value: nothing like `--open <bool>`; no type names in angle brackets at all
    assert not re.search(r"<(bool|str|int|float|path|list\[\w+\])>", text, flags=re.I)
    # fits the terminal
    assert max(len(line) for line in text.splitlines()) <= 80
    # choices are written out as words, not as {a,b,c} sets
    assert "{" not in text and "}" not in text


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_no_word_is_broken_across_lines(path: str) -> None:
    """Every word of every help text appears whole on one line ("daily", "--threshold-pace")."""
    text = _help(path)
    words_on_lines = {word for line in text.splitlines() for word in line.split()}
    parser = COMMANDS[path]
    texts = [parser.description or ""] + [a.help or "" for a in parser._actions if a.help != argparse.SUPPRESS]
    for help_text in texts:
        for word in help_text.split():
            assert word in words_on_lines, f"`runback {path} -h` breaks {word!r}"


def test_choices_are_listed_as_words() -> None:
    text = _help("schema")
    assert "one of: " + ", ".join(FRAMES) in " ".join(text.split())
    for path in ("flags", "activities", "pain list"):
        assert "Output format: table, csv or json (default: table)." in " ".join(_help(path).split())
    for path in ("report", "team-report"):
        assert "Language of the report: en or nl (default: en)." in " ".join(_help(path).split())


PROFILE_OPTIONS = ("--profile", "--hr-max", "--hr-rest", "--sex", "--threshold-pace", "--tz")


def test_every_command_keeps_its_options() -> None:
    """The options runback has always had: names, short forms and defaults are promises."""
    expected = {
        "demo": {"--out", "--open", "--data", "--store"},
        "flags": {"--store", "--athlete", "--since", "--format", "--acwr", "--profile", "--hr-max", "--hr-rest",
                  "--sex", "--threshold-pace", "--tz", "--scheduler"},
        "import": {"--store", "--athlete", "--tz", "--quiet", "-q", "--scheduler"},
        "activities": {"--store", "--athlete", "--format", "--all"},
        "activities exclude": {"--store", "--athlete", "--note"},
        "activities include": {"--store", "--athlete"},
        "activities set": {"--store", "--athlete", "--sport"},
        "activities merge": {"--store", "--athlete"},
        "check": {"--store", "--athlete", "--format", *PROFILE_OPTIONS},
        "report": {"--store", "--athlete", "--since", "-o", "--output", "--lang", "--open", "--physio", "--pdf",
                   *PROFILE_OPTIONS},
        "team-report": {"-o", "--output", "--store", "--lang", *PROFILE_OPTIONS, "--scheduler"},
        "cohort": {"--store", "--format", *PROFILE_OPTIONS, "--scheduler"},
        "schema": set(),
        "pain add": {"--timing", "--date", "--time", "--location", "--sleep", "--sleep-quality", "--stress", "--rpe",
                     "--activity", "--note", "--store", "--athlete"},
        "pain list": {"--store", "--athlete", "--format"},
        "pain import": {"--store", "--athlete"},
        "pain template": set(),
    }
    for path, options in expected.items():
        have = {o for a in COMMANDS[path]._actions for o in a.option_strings} - {"-h", "--help"}
        assert have == options, path
    args = build_parser().parse_args(["import", "x.fit"])
    assert (args.athlete, args.quiet, args.tz, args.store) == ("me", False, None, None)
    args = build_parser().parse_args(["report"])
    assert (args.lang, args.open_, args.output) == ("en", False, None)


def test_help_starts_without_polars() -> None:
    """`runback --help` loads the parser only: no polars, numpy, plotly, typer, rich or typing."""
    code = ("import sys; from runback.cli import run; run(['--help']); "
            "heavy = ('polars', 'numpy', 'plotly', 'typer', 'rich', 'click', 'typing', 'runback.errors'); "
            "print(sorted(m for m in heavy if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "[]"


def test_the_parsers_default_athlete_is_the_librarys() -> None:
    from runback.athletes import DEFAULT_ATHLETE
    from runback.cli import _app

    assert _app.DEFAULT_ATHLETE == DEFAULT_ATHLETE
