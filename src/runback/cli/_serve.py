"""`runback serve` and `runback users ...`: the web server and its accounts; thin over runback.serve."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys

from runback.cli._app import echo, fail
from runback.errors import OptionError
from runback.store import open_store

try:
    from runback.serve import Accounts, serve
except ImportError as exc:  # the server's packages are an extra: runback[serve]
    _MISSING: str | None = str(exc)
else:
    _MISSING = None


def _need_server() -> None:
    if _MISSING is not None:
        fail(f"runback serve needs its extra packages ({_MISSING}): pip install 'runback[serve]'")


def serve_command(args: argparse.Namespace) -> None:
    """Serve the store on HOST:PORT until Ctrl-C."""
    _need_server()
    st = open_store(args.store)
    try:
        serve(st, host=args.host, port=args.port, allowed_hosts=tuple(args.allow_host or ()),
              max_upload_bytes=args.max_upload_mb * 1024 * 1024,
              announce=_announce)
    except KeyboardInterrupt:
        pass


def _announce(line: str) -> None:
    echo(line)
    sys.stdout.flush()  # a pipe (a test, a service manager) sees the address at once


def _password() -> str:
    """The new password: asked twice on a terminal, else the first line of stdin."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise OptionError("the two passwords differ")
    return first


def users_add_command(args: argparse.Namespace) -> None:
    _need_server()
    accounts = Accounts(open_store(args.store).accounts_path())
    user = accounts.add_user(args.name, args.role, _password(), athlete=args.athlete)
    whose = f" for athlete {user.athlete}" if user.athlete else ""
    echo(f"Added {user.role} {user.name}{whose}.")


def users_list_command(args: argparse.Namespace) -> None:
    _need_server()
    users = Accounts(open_store(args.store).accounts_path()).users()
    if not users:
        echo("no accounts: `runback serve` runs in the personal mode on 127.0.0.1 only", err=True)
        return
    for user, created in users:
        day = dt.datetime.fromtimestamp(created, dt.timezone.utc).date().isoformat()
        echo(f"{user.name}\t{user.role}\t{user.athlete or '-'}\t{day}")


def users_remove_command(args: argparse.Namespace) -> None:
    _need_server()
    Accounts(open_store(args.store).accounts_path()).remove_user(args.name)
    echo(f"Removed {args.name} and their sessions (their runs and journal stay in the store).")
