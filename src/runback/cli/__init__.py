"""runback's command line: a thin layer over the public Python API.

:mod:`runback.cli._app` builds the argparse parser (standard library only, so
``runback --help`` starts fast); each command's work lives in its own module,
imported only when that command runs: ``_import`` (import, activities),
``_flags`` (flags), ``_pain`` (pain ...), ``_report`` (report, team-report), ``_doctor`` (doctor),
``_schema`` (schema), ``_demo`` (demo).
"""

from __future__ import annotations

import sys

from runback.cli._app import run

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point: run the command and exit with its status."""
    sys.exit(run(argv))


def __getattr__(name: str) -> object:
    """``app``: the CLI as a typer app (kept for code that drove it with typer's CliRunner)."""
    if name == "app":
        from runback.cli import _app

        return _app.app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["app", "main", "run"]
