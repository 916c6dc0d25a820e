"""Accounts, sessions and invites of ``runback serve``: one SQLite file inside the store.

Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106's second
recommended setting).  Session and invite tokens are random; only their SHA-256
is stored, so a copy of the file opens no session.  Each call opens its own
connection: SQLite serialises writers, and WAL lets readers go on meanwhile.
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from runback.athletes import check_athlete
from runback.errors import OptionError

ROLES = ("coach", "runner")
SESSION_S = 30 * 24 * 3600
"""A login lasts 30 days."""
INVITE_S = 7 * 24 * 3600
"""An invite link works for 7 days, once."""
MIN_PASSWORD = 8

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('coach', 'runner')),
    athlete TEXT,
    password_hash TEXT NOT NULL,
    created_utc INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token_sha256 TEXT PRIMARY KEY,
    user_name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
    csrf TEXT NOT NULL,
    expires_utc INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS invites (
    token_sha256 TEXT PRIMARY KEY,
    athlete TEXT NOT NULL,
    created_by TEXT NOT NULL,
    expires_utc INTEGER NOT NULL
);
"""

_HASHER = PasswordHasher()
# verified against when the name is unknown, so a wrong name takes as long as a wrong password
_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))


@dataclasses.dataclass(frozen=True)
class User:
    """Who is signed in: ``role`` coach, runner or owner (the personal mode's one local user)."""

    name: str
    role: str
    athlete: str | None

    def may_see(self, athlete: str) -> bool:
        """Whether this user may see and change ``athlete``'s data."""
        return self.role in ("owner", "coach") or athlete == self.athlete


OWNER = User("local", "owner", None)


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise OptionError(f"a password needs at least {MIN_PASSWORD} characters")
    return password


class Accounts:
    """The accounts database at ``path`` (created on first write)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA foreign_keys=ON")
            con.executescript(_SCHEMA)
            yield con
        finally:
            con.close()

    # -- users ---------------------------------------------------------------
    def has_users(self) -> bool:
        if not self.path.exists():
            return False
        with self._db() as con:
            return con.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None

    def add_user(self, name: str, role: str, password: str, *, athlete: str | None = None) -> User:
        """Add an account; a runner's athlete defaults to their name.  Raises OptionError when taken."""
        if role not in ROLES:
            raise OptionError(f"role must be coach or runner, not {role!r}")
        check_athlete(name)  # the same rule keeps user names short and printable
        if role == "runner":
            athlete = check_athlete(athlete or name)
        elif athlete is not None:
            raise OptionError("--athlete is for runners: a coach sees every runner")
        digest = _HASHER.hash(check_password(password))
        with self._db() as con:
            try:
                con.execute(
                    "INSERT INTO users (name, role, athlete, password_hash, created_utc) VALUES (?, ?, ?, ?, ?)",
                    (name, role, athlete, digest, int(time.time())),
                )
            except sqlite3.IntegrityError:
                raise OptionError(f"there is already a user {name!r}") from None
        return User(name, role, athlete)

    def users(self) -> list[tuple[User, int]]:
        """Every account with its creation time (Unix seconds), by name."""
        if not self.path.exists():
            return []
        with self._db() as con:
            rows = con.execute("SELECT name, role, athlete, created_utc FROM users ORDER BY name").fetchall()
        return [(User(n, r, a), c) for n, r, a, c in rows]

    def remove_user(self, name: str) -> None:
        """Remove an account and its sessions (its athlete's data stays in the store)."""
        with self._db() as con:
            if con.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount == 0:
                raise OptionError(f"there is no user {name!r}")

    def verify(self, name: str, password: str) -> User | None:
        """The user when the password is right, else None (in the same time either way)."""
        with self._db() as con:
            row = con.execute("SELECT role, athlete, password_hash FROM users WHERE name = ?", (name,)).fetchone()
        try:
            _HASHER.verify(row[2] if row else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            return None
        return User(name, row[0], row[1]) if row else None

    # -- sessions ------------------------------------------------------------
    def new_session(self, user: User) -> tuple[str, str]:
        """(session token, CSRF token) for a fresh login."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = int(time.time())
        with self._db() as con:
            con.execute("DELETE FROM sessions WHERE expires_utc < ?", (now,))
            con.execute("INSERT INTO sessions VALUES (?, ?, ?, ?)", (_sha(token), user.name, csrf, now + SESSION_S))
        return token, csrf

    def session(self, token: str) -> tuple[User, str] | None:
        """The user and CSRF token of a live session."""
        if not self.path.exists():
            return None
        with self._db() as con:
            row = con.execute(
                "SELECT u.name, u.role, u.athlete, s.csrf FROM sessions s JOIN users u ON u.name = s.user_name "
                "WHERE s.token_sha256 = ? AND s.expires_utc >= ?",
                (_sha(token), int(time.time())),
            ).fetchone()
        return (User(row[0], row[1], row[2]), row[3]) if row else None

    def end_session(self, token: str) -> None:
        with self._db() as con:
            con.execute("DELETE FROM sessions WHERE token_sha256 = ?", (_sha(token),))

    # -- invites -------------------------------------------------------------
    def new_invite(self, athlete: str, created_by: str) -> str:
        """A one-time token that lets a runner create their account for ``athlete``."""
        check_athlete(athlete)
        token = secrets.token_urlsafe(24)
        with self._db() as con:
            con.execute("INSERT INTO invites VALUES (?, ?, ?, ?)",
                        (_sha(token), athlete, created_by, int(time.time()) + INVITE_S))
        return token

    def invite(self, token: str) -> str | None:
        """The athlete of a live invite."""
        if not self.path.exists():
            return None
        with self._db() as con:
            row = con.execute("SELECT athlete FROM invites WHERE token_sha256 = ? AND expires_utc >= ?",
                              (_sha(token), int(time.time()))).fetchone()
        return str(row[0]) if row else None

    def accept_invite(self, token: str, name: str, password: str) -> User:
        """Create the runner's account and use the invite up (both or neither)."""
        athlete = self.invite(token)
        if athlete is None:
            raise OptionError("this invite link has expired or was used already")
        check_athlete(name)
        digest = _HASHER.hash(check_password(password))
        with self._db() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                if con.execute("DELETE FROM invites WHERE token_sha256 = ?", (_sha(token),)).rowcount == 0:
                    raise OptionError("this invite link has expired or was used already")
                con.execute(
                    "INSERT INTO users (name, role, athlete, password_hash, created_utc) VALUES (?, 'runner', ?, ?, ?)",
                    (name, athlete, digest, int(time.time())),
                )
            except sqlite3.IntegrityError:
                con.execute("ROLLBACK")
                raise OptionError(f"there is already a user {name!r}: choose another name") from None
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        return User(name, "runner", athlete)
