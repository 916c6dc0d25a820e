"""``runback serve``: a small web server over a runback store (Starlette on uvicorn).

:func:`build_app` makes the ASGI application; :func:`serve` checks the set-up,
binds the socket, prints the address and runs uvicorn until Ctrl-C.
"""

from __future__ import annotations

import logging
import socket
import sys
from collections.abc import Callable

import uvicorn

from runback.errors import OptionError
from runback.serve.accounts import Accounts, User
from runback.serve.app import LOOPBACK, MAX_UPLOAD_BYTES, build_app, host_name
from runback.store import Store


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port`` (port 0: a free one)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OptionError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(128)
    return sock


def serve(
    store: Store,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    allowed_hosts: tuple[str, ...] = (),
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
    announce: Callable[[str], None] = print,
) -> None:
    """Serve ``store`` until interrupted.

    Raises
    ------
    OptionError
        On a host other than loopback while the store has no accounts (anyone on the
        network would own the store), or when the port cannot be bound.
    """
    has_users = Accounts(store.accounts_path()).has_users()
    loopback = host_name(host) in LOOPBACK
    if not loopback and not has_users:
        raise OptionError(
            f"refusing to serve on {host} without accounts: anyone who reaches it would own the store. "
            "Add one first with `runback users add NAME --role coach`, or serve on 127.0.0.1."
        )
    app = build_app(store, host=host, allowed_hosts=allowed_hosts, max_upload_bytes=max_upload_bytes)
    sock = bind(host, port)
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{shown}:{sock.getsockname()[1]}/"
    mode = "personal mode: you own this store, no sign-in" if loopback and not has_users else "accounts: sign in"
    announce(f"runback serve: {address} ({mode}; store {store.root}). Ctrl-C stops it.")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,  # its lines carry client addresses: Guard logs without them
        server_header=False,
        proxy_headers=True,  # X-Forwarded-Proto/For from a reverse proxy on this machine only
        timeout_graceful_shutdown=5,
        h11_max_incomplete_event_size=64 * 1024,
    )
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


__all__ = ["Accounts", "User", "build_app", "serve"]
