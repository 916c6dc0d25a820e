"""The README and the CLI agree: every command has help and is shown; every command shown exists."""

from __future__ import annotations

import argparse
import re
import shlex
from pathlib import Path

import pytest

from runback.cli._app import build_parser

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"


def _commands() -> dict[str, argparse.ArgumentParser]:
    """Every command path ("import", "pain add", ...) of the command line's parser tree."""
    out: dict[str, argparse.ArgumentParser] = {}

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        if path:
            out[" ".join(path)] = parser
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, (*path, name))

    walk(build_parser(), ())
    return out


def _is_group(parser: argparse.ArgumentParser) -> bool:
    return any(isinstance(a, argparse._SubParsersAction) for a in parser._actions)


COMMANDS = _commands()


def _readme_code_lines() -> list[str]:
    """Lines inside fenced code blocks and inline code spans of the README."""
    text = README.read_text(encoding="utf-8")
    lines: list[str] = []
    for block in re.findall(r"```[^\n]*\n(.*?)```", text, flags=re.S):
        lines += block.splitlines()
    lines += re.findall(r"(?<!`)`([^`\n]+)`(?!`)", re.sub(r"```.*?```", "", text, flags=re.S))
    return lines


def _shown_commands() -> list[tuple[str, str]]:
    """(command path, the line) for every `runback ...` invocation the README shows."""
    shown = []
    for line in _readme_code_lines():
        line = line.split(" #")[0].strip().removeprefix("$ ")
        for part in re.split(r"&&|\|\||;|\|", line):
            try:
                words = shlex.split(part)
            except ValueError:
                words = part.split()
            # `runback demo` or `python3 -m runback demo`; not `pip install runback`
            if words[:1] == ["runback"]:
                rest = words[1:]
            elif "-m" in words and words[words.index("-m") + 1:][:1] == ["runback"]:
                rest = words[words.index("-m") + 2:]
            else:
                continue
            if not rest or rest[0].startswith("-"):
                continue
            path = rest[0]
            if path in COMMANDS and _is_group(COMMANDS[path]) and len(rest) > 1:
                if not rest[1].startswith("-"):
                    path = f"{path} {rest[1]}"
            shown.append((path, line))
    return shown


def test_the_cli_has_commands() -> None:
    assert "demo" in COMMANDS


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_command_has_help(path: str) -> None:
    parser = COMMANDS[path]
    assert (parser.format_help() and (parser.description or "")).strip(), f"`runback {path}` has no help text"
    for action in parser._actions:
        if action.option_strings or not isinstance(action, argparse._SubParsersAction):
            assert (action.help or "").strip(), f"`runback {path}` {action.option_strings or action.dest} has no help"


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_command_appears_in_the_readme(path: str) -> None:
    text = README.read_text(encoding="utf-8")
    assert re.search(rf"runback {re.escape(path)}\b", text), f"README.md never shows `runback {path}`"


@pytest.mark.parametrize("path,line", _shown_commands())
def test_every_command_the_readme_shows_exists(path: str, line: str) -> None:
    assert path in COMMANDS, f"README.md shows `{line}`, but `runback {path}` is not a command"


def test_the_readme_shows_the_two_commands() -> None:
    """The demo command and the test command, each in a virtual environment of its own."""
    text = README.read_text(encoding="utf-8")
    assert DEMO_COMMAND in text
    assert TEST_COMMAND in text
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert TEST_COMMAND in ci


DEMO_COMMAND = "python3 -m venv .venv && .venv/bin/pip install -c constraints.txt . && .venv/bin/runback demo"
TEST_COMMAND = "bash scripts/test.sh"


STANDS_ALONE = [README, *sorted((REPO / "docs").rglob("*.md")), REPO / "notebooks" / "quickstart.ipynb",
                REPO / "sample_data" / "README.md"]


@pytest.mark.parametrize("path", STANDS_ALONE, ids=lambda p: str(p.relative_to(REPO)))
def test_user_text_stands_alone(path: Path) -> None:
    """No path outside the repository, no "seed": readers have neither the shared folder nor its numbering."""
    text = path.read_text(encoding="utf-8")
    assert "../shared" not in text and "/work/" not in text
    assert re.findall(r"\bseeds?\b", text, flags=re.I) == [], f"{path.name} mentions a seed"
    assert "EVIDENCE.md" not in text, f"{path.name}: the evidence is docs/evidence.md"


def test_evidence_document_covers_every_rule() -> None:
    text = (REPO / "docs" / "evidence.md").read_text(encoding="utf-8")
    for rule in ("session_spike", "weekly_jump", "intensity_jump", "no_rest", "monotony", "acwr",
                 "stress_or_poor_sleep", "pain_during_run", "pain_next_morning", "pain_persistent"):
        assert f"`{rule}`" in text, rule
    assert "Dutch physiotherapy guidance" in text
