"""`runback doctor`: check every stored file; with --repair, make the store readable again."""

from __future__ import annotations

import argparse

from runback.cli._app import echo, fail
from runback.store import doctor, open_store


def doctor_command(args: argparse.Namespace) -> int:
    """Print what was found and done; exit status 1 when problems remain unrepaired."""
    store = open_store(args.store)
    if not store.root.is_dir():
        fail(f"{store.root}: no store here (nothing to check)")
    report = doctor(store, repair=args.repair)
    for line in report.problems:
        echo(f"problem: {line}")
    for line in report.actions:
        echo(f"{'done' if report.repair else 'to do'}: {line}")
    if report.ok:
        echo(f"{store.root}: {report.checked} stored files checked, no problems.")
        return 0
    n = len(report.problems)
    if report.repair:
        echo(f"{store.root}: {report.checked} stored files checked, {n} problem{'s' * (n != 1)} repaired; "
             f"set-aside files are in {store.root / '_quarantine'}.")
        return 0
    echo(f"{store.root}: {report.checked} stored files checked, {n} problem{'s' * (n != 1)}; "
         f"`runback doctor --repair --store {store.root}` repairs them.")
    return 1
