"""runback's command line: a thin layer over the public Python API.

Each area registers its commands on the one typer app:
``_import`` (import, activities), ``_flags`` (flags), ``_pain`` (pain ...),
``_report`` (report, team-report), ``_demo`` (demo).
"""

from __future__ import annotations

from runback.cli import _demo, _flags, _import, _pain, _report, _schema  # noqa: F401  (register commands)
from runback.cli._app import app


def main() -> None:
    """Console-script entry point."""
    app()


__all__ = ["app", "main"]
