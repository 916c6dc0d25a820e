"""The typer app that every command module registers on."""

from __future__ import annotations

import os
import sys
from typing import Any

import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

from runback.errors import RunbackError


class _Group(TyperGroup):
    """Turns any error into one clear line and exit status 1, never a traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except RunbackError as exc:
            # typer vendors its own click, so a click.ClickException would escape
            # as a traceback: print the one line ourselves and exit 1.
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(1) from exc
        except (typer.Exit, typer.Abort, TyperException):
            raise  # typer's own exits and usage errors
        except BrokenPipeError:
            # the reader went away (`runback activities | head`): not an error of ours;
            # point stdout at devnull so the flush at exit does not raise again
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(1) from None
        except Exception as exc:
            # a bug of ours: still one line for the runner; RUNBACK_DEBUG=1 shows the traceback
            if os.environ.get("RUNBACK_DEBUG"):
                raise
            typer.echo(
                f"Error: unexpected {type(exc).__name__}: {exc} (a bug in runback; "
                "run again with RUNBACK_DEBUG=1 for the details)",
                err=True,
            )
            raise typer.Exit(1) from exc


app = typer.Typer(
    cls=_Group,
    name="runback",
    help=(
        "Does my training pattern look like the kind that goes with low-back overload, "
        "and does my back pain follow it? runback reports associations seen in groups "
        "of runners, never a diagnosis."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _root() -> None:
    """Does my training pattern look like the kind that goes with low-back overload, and
    does my back pain follow it? runback reports associations seen in groups of runners,
    never a diagnosis."""
