"""The README and the CLI agree: every command has help and is shown; every command shown exists."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer
import typer.main

import runback.cli  # noqa: F401  (registers the commands)
from runback.cli._app import app

README = Path(__file__).resolve().parents[1] / "README.md"


def _commands() -> dict[str, Any]:
    """Every command path ("import", "pain add", ...) of the click tree typer builds."""
    root = typer.main.get_command(app)
    out: dict[str, Any] = {}

    # typer vendors its own click, so duck-type groups instead of isinstance(click.Group)
    def walk(cmd: Any, path: tuple[str, ...]) -> None:
        if path:
            out[" ".join(path)] = cmd
        if _is_group(cmd):
            ctx = typer.Context(cmd)
            for name in cmd.list_commands(ctx):
                sub = cmd.get_command(ctx, name)
                if sub is not None and not sub.hidden:
                    walk(sub, (*path, name))

    walk(root, ())
    return out


def _is_group(cmd: Any) -> bool:
    return hasattr(cmd, "list_commands") and hasattr(cmd, "get_command")


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
    cmd = COMMANDS[path]
    assert (cmd.help or cmd.short_help or "").strip(), f"`runback {path}` has no help text"
    for param in cmd.params:
        if param.param_type_name == "option":
            assert (param.help or "").strip(), f"`runback {path}` option {param.opts[0]} has no help text"


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_command_appears_in_the_readme(path: str) -> None:
    text = README.read_text(encoding="utf-8")
    assert re.search(rf"runback {re.escape(path)}\b", text), f"README.md never shows `runback {path}`"


@pytest.mark.parametrize("path,line", _shown_commands())
def test_every_command_the_readme_shows_exists(path: str, line: str) -> None:
    assert path in COMMANDS, f"README.md shows `{line}`, but `runback {path}` is not a command"


def test_the_readme_shows_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert "python3 -m pip install -e . && python3 -m runback demo" in text
    assert "bash scripts/test.sh" in text
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "bash scripts/test.sh" in ci
