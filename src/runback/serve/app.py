"""``runback serve``: runners upload exports and log pain from a phone; the coach sees the team.

A Starlette application over the same store, import pipeline and reports as the
command line.  What it guards, and where:

* :class:`Guard` (outermost, plain ASGI): the Host header must name the configured
  host (defeats DNS rebinding against the personal mode), a cross-site Origin on a
  POST is refused, the security headers go on every response, and one log line per
  request names the method, the path (invite tokens cut) and the status: no address,
  no user name.
* :func:`_context`: who is asking (the personal mode's local owner, a session's user,
  or nobody) and the CSRF token their forms carry; :func:`_form` refuses any POST
  whose token does not match.
* :meth:`Server.athlete`: a runner reaches only their own athlete (403 otherwise).

Imports and reports run in worker threads (at most :data:`IMPORT_SLOTS` imports at
once, the store's lock orders two imports into one athlete), so page views never
wait for them.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
import logging
import queue
import re
import secrets
import shutil
import tempfile
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import anyio
import polars as pl
from starlette.applications import Starlette
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from runback.athletes import check_athlete
from runback.errors import OptionError, RunbackError
from runback.pain.journal import add_entry
from runback.report import runner_report, write_team_report
from runback.report._inputs import report_inputs
from runback.serve import _pages as pages
from runback.serve.accounts import OWNER, Accounts, User
from runback.store import Store

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger("runback.serve")

LOOPBACK = ("127.0.0.1", "localhost", "::1")
IMPORT_SLOTS = 2
"""Imports at once: the machine's cores; more would only slow page views down."""
MAX_UPLOAD_BYTES = 512 * 1024 * 1024
"""One upload request's size (a full Strava export of several years is a few hundred MB)."""
MAX_FILES = 500
LOGIN_ATTEMPTS = 5
LOGIN_WINDOW_S = 15 * 60
"""Five failed sign-ins per address or per name within 15 minutes, then 429 until the window passes."""
JOURNAL_SHOWN = 10
ACTIVITIES_SHOWN = 10

SESSION_COOKIE = "rb_session"
CSRF_COOKIE = "rb_csrf"

PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    # same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on our own forms
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    (b"cache-control", b"no-store"),
)
_INLINE_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S)


def report_csp(html_text: str, *, self_scripts: bool = False) -> str:
    """A Content-Security-Policy that lets exactly this report's own inline scripts run.

    The reports embed plotly.js and their drawing code inline; each script's
    SHA-256 is allowed, nothing else (JSON data blocks are not run, so need none).
    plotly sets styles on its elements, hence ``style-src 'unsafe-inline'``.
    """
    hashes = []
    for m in _INLINE_SCRIPT.finditer(html_text):
        if "src=" in m["attrs"] or "application/json" in m["attrs"]:
            continue
        digest = base64.b64encode(hashlib.sha256(m["body"].encode("utf-8")).digest()).decode("ascii")
        hashes.append(f"'sha256-{digest}'")
    scripts = " ".join(sorted(set(hashes)) + (["'self'"] if self_scripts else [])) or "'none'"
    return (f"default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; img-src data: blob:; "
            "font-src data:; connect-src 'none'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'")


def host_name(host: str) -> str:
    """``example.org:8765`` -> ``example.org``; ``[::1]:8765`` -> ``::1``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _log_path(path: str) -> str:
    return re.sub(r"^/invite/[^/]+", "/invite/…", path)


class Guard:
    """Host check, Origin check, security headers and the access log, around the whole app."""

    def __init__(self, app: ASGIApp, allowed_hosts: frozenset[str]) -> None:
        self.app = app
        self.allowed = allowed_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        status = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                have = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in have]
                if b"content-security-policy" not in have:
                    extra.append((b"content-security-policy", PAGE_CSP.encode("ascii")))
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        refusal = None
        if host_name(headers.get("host", "")) not in self.allowed:
            refusal = (400, "This server does not answer to that host name (runback serve --allow-host NAME adds one).")
        elif scope["method"] not in ("GET", "HEAD"):
            origin = headers.get("origin")
            # "null" (a sandboxed frame, a privacy setting) says nothing: the CSRF token decides
            if origin not in (None, "null") and host_name(str(origin).split("://", 1)[-1]) not in self.allowed:
                refusal = (403, "Cross-site request refused.")
        if refusal is not None:
            response: Response = HTMLResponse(pages.page("Refused", pages.error_page(*refusal), user=None, csrf="",
                                                         personal=False), status_code=refusal[0])
            await response(scope, receive, send_with_headers)
        else:
            await self.app(scope, receive, send_with_headers)
        log.info("%s %s %s", scope["method"], _log_path(scope["path"]), status)


class RateLimit:
    """Failed sign-ins per key (address, name) in a sliding window."""

    def __init__(self, attempts: int = LOGIN_ATTEMPTS, window_s: float = LOGIN_WINDOW_S) -> None:
        self.attempts = attempts
        self.window_s = window_s
        self._failures: dict[str, deque[float]] = {}

    def blocked(self, *keys: str) -> bool:
        now = time.monotonic()
        for key in keys:
            q = self._failures.get(key)
            while q and now - q[0] > self.window_s:
                q.popleft()
            if q and len(q) >= self.attempts:
                return True
        return False

    def failed(self, *keys: str) -> None:
        for key in keys:
            self._failures.setdefault(key, deque()).append(time.monotonic())


@dataclasses.dataclass
class Context:
    """Who asks, the CSRF token of their forms, and a CSRF cookie to set (a new visitor's)."""

    user: User | None
    csrf: str
    new_csrf_cookie: str | None = None


@dataclasses.dataclass
class Server:
    """The running server's state: the store, the accounts, the mode and the last team overview."""

    store: Store
    personal: bool
    allowed_hosts: frozenset[str]
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    logins: RateLimit = dataclasses.field(default_factory=RateLimit)
    team_pages: dict[str, bytes] = dataclasses.field(default_factory=dict)
    import_slots: threading.Semaphore = dataclasses.field(default_factory=lambda: threading.Semaphore(IMPORT_SLOTS))

    @property
    def accounts(self) -> Accounts:
        return Accounts(self.store.accounts_path())

    # -- who is asking ---------------------------------------------------------
    def context(self, request: Request) -> Context:
        if self.personal:
            return self._csrf_visitor(request, OWNER)
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            found = self.accounts.session(token)
            if found is not None:
                return Context(found[0], found[1])
        return self._csrf_visitor(request, None)

    @staticmethod
    def _csrf_visitor(request: Request, user: User | None) -> Context:
        cookie = request.cookies.get(CSRF_COOKIE)
        if cookie and len(cookie) >= 32:
            return Context(user, cookie)
        fresh = secrets.token_urlsafe(32)
        return Context(user, fresh, new_csrf_cookie=fresh)

    def athlete(self, ctx: Context, name: str) -> str:
        """``name`` when ``ctx``'s user may see it: 404 for a name no athlete can have, 403 for another's."""
        try:
            check_athlete(name)
        except RunbackError:
            raise HTTPException(404, "No such runner.") from None
        if ctx.user is None:
            raise HTTPException(403, "Sign in first.")
        if not ctx.user.may_see(name):
            raise HTTPException(403, "This is another runner's page.")
        return name

    # -- responses ---------------------------------------------------------------
    def html(self, request: Request, ctx: Context, title: str, body: str, status: int = 200) -> Response:
        text = pages.page(title, body, user=ctx.user, csrf=ctx.csrf, personal=self.personal)
        return self.finish(request, ctx, HTMLResponse(text, status_code=status))

    def finish(self, request: Request, ctx: Context, response: Response) -> Response:
        if ctx.new_csrf_cookie:
            response.set_cookie(CSRF_COOKIE, ctx.new_csrf_cookie, httponly=True, samesite="strict",
                                secure=request.url.scheme == "https")
        return response

    async def form(self, request: Request, ctx: Context, *, files: bool = False) -> FormData:
        """The request's form once its CSRF token matches (403 otherwise)."""
        form = await request.form(max_files=MAX_FILES if files else 0, max_fields=50, max_part_size=64 * 1024)
        sent = form.get("csrf")
        if ctx.new_csrf_cookie is not None or not isinstance(sent, str) or not hmac.compare_digest(sent, ctx.csrf):
            await form.close()
            raise HTTPException(403, "The form's security token is missing or stale: reload the page and try again.")
        return form


def _text(form: FormData, key: str) -> str | None:
    value = form.get(key)
    return value.strip() or None if isinstance(value, str) else None


def _safe_name(name: str | None, i: int, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name or "").name).strip("._") or f"upload-{i}"
    out = base
    while out.lower() in taken:
        out = f"{i}-{base}"
        i += 1
    taken.add(out.lower())
    return out


class ImportJob:
    """One upload's import, in a thread of its own: its progress and its summary, then its folder removed.

    The thread, not the request, owns the import: a browser that goes away does not
    stop it half-way, and a stopping server waits for it (the store's commit is
    atomic either way).  ``slots`` bounds the imports running at once.
    """

    def __init__(self, store: Store, athlete: str, folder: Path, names: list[str], slots: threading.Semaphore) -> None:
        self.store, self.athlete, self.folder, self.names, self.slots = store, athlete, folder, names, slots
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.done = threading.Event()
        self.lines: list[str] = []
        self.ok = False
        self.thread = threading.Thread(target=self._run, name=f"import-{athlete}")

    def start(self) -> ImportJob:
        self.thread.start()
        return self

    def _clean(self, text: str) -> str:
        return text.replace(str(self.folder) + "/", "")  # the runner's file names, not our temporary folder

    def _run(self) -> None:
        try:
            with self.slots:
                self.events.put({"state": "importing"})
                summary = self.store.import_paths(
                    [self.folder / n for n in self.names], athlete=self.athlete,
                    progress=lambda done, total, _: self.events.put({"done": done, "total": total}))
            self.lines, self.ok = [self._clean(line) for line in summary.lines()], summary.ok
        except RunbackError as exc:
            self.lines, self.ok = [self._clean(f"failed: {exc}")], False
        except Exception as exc:  # a bug of ours: one line for the runner, the traceback in the log
            log.exception("import failed")
            self.lines, self.ok = [f"failed: the import stopped ({type(exc).__name__})"], False
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
            log.info("upload for %s: %d file(s), %s", self.athlete, len(self.names), "ok" if self.ok else "failures")
            self.events.put({"ok": self.ok, "lines": self.lines})
            self.done.set()

    def result(self) -> tuple[list[str], bool]:
        self.done.wait()
        return self.lines, self.ok

    async def ndjson(self) -> AsyncIterator[bytes]:
        """The progress as JSON lines (``{"done": n, "total": m}``), the summary last."""
        while True:
            event = await anyio.to_thread.run_sync(self.events.get)
            yield (json.dumps(event) + "\n").encode("utf-8")
            if "lines" in event:
                return


def _last_days(store: Store, athlete: str) -> tuple[str, str]:
    runs = store.activities(athlete)
    journal = store.journal(athlete)
    last_run = runs["start_time_local"].max() if runs.height else None
    last_pain = journal["date"].max() if journal.height else None
    return (str(last_run)[:10] if last_run is not None else "never",
            str(last_pain) if last_pain is not None else "never")


def _journal_rows(store: Store, athlete: str) -> tuple[list[dict[str, Any]], int, list[dict[str, Any]]]:
    """The last journal entries and activities (newest first), and how many activities count."""
    journal = store.journal(athlete).tail(JOURNAL_SHOWN).reverse()
    shown = store.activities(athlete, keep_hidden=True)
    counted = shown.filter(~pl.col("correction").fill_null("").str.starts_with("not counted")).height
    return journal.to_dicts(), counted, shown.tail(ACTIVITIES_SHOWN).reverse().to_dicts()


def _team(store: Store) -> dict[str, bytes]:
    with tempfile.TemporaryDirectory(prefix="runback-team-") as tmp:
        write_team_report(store, tmp)
        return {p.name: p.read_bytes() for p in Path(tmp).iterdir() if p.is_file()}


def build_app(
    store: Store,
    *,
    host: str = "127.0.0.1",
    allowed_hosts: tuple[str, ...] = (),
    personal: bool | None = None,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
) -> ASGIApp:
    """The ASGI application of ``runback serve`` over ``store``.

    ``personal`` (default: on a loopback host with no accounts) makes every request
    the store's one local owner.  ``allowed_hosts`` are the names the Host header may
    carry besides ``host`` (behind a reverse proxy: its public name).
    """
    accounts = Accounts(store.accounts_path())
    loopback = host_name(host) in LOOPBACK
    if personal is None:
        personal = loopback and not accounts.has_users()
    allowed = {host_name(host), *(host_name(h) for h in allowed_hosts)}
    if loopback:
        allowed |= set(LOOPBACK)
    srv = Server(store, personal, frozenset(allowed), max_upload_bytes)

    def need_user(request: Request, ctx: Context) -> User:
        if ctx.user is None:
            raise HTTPException(303, headers={"Location": "/login"})
        return ctx.user

    async def home(request: Request) -> Response:
        ctx = srv.context(request)
        user = need_user(request, ctx)
        if user.role == "runner" and user.athlete:
            return RedirectResponse(f"/a/{user.athlete}", status_code=303)
        names = store.athletes()
        rows = [(a, *(await anyio.to_thread.run_sync(_last_days, store, a))) for a in names]
        invite = request.query_params.get("invite")
        link = f"{request.base_url}invite/{invite}" if invite and user.role == "coach" else None
        body = pages.home_page(rows, csrf=ctx.csrf, can_invite=user.role == "coach", invite_link=link)
        return srv.html(request, ctx, "Team", body)

    async def open_athlete(request: Request) -> Response:
        ctx = srv.context(request)
        name = srv.athlete(ctx, (request.query_params.get("athlete") or "").strip())
        return RedirectResponse(f"/a/{name}", status_code=303)

    async def athlete_page(request: Request, *, note: str | None = None, error: str | None = None,
                           summary: tuple[list[str], bool] | None = None, status: int = 200,
                           ctx: Context | None = None) -> Response:
        ctx = ctx or srv.context(request)
        name = srv.athlete(ctx, request.path_params["athlete"])
        rows, n, acts = await anyio.to_thread.run_sync(_journal_rows, store, name)
        saved = request.query_params.get("saved")
        if note is None and saved:
            note = f"Saved: pain {saved}/10."
        body = pages.athlete_page(name, csrf=ctx.csrf, journal_rows=rows, activities=n, activity_rows=acts,
                                  note=note, error=error, summary=summary)
        return srv.html(request, ctx, name, body, status)

    async def athlete_get(request: Request) -> Response:
        return await athlete_page(request)

    async def pain(request: Request) -> Response:
        ctx = srv.context(request)
        name = srv.athlete(ctx, request.path_params["athlete"])
        form = await srv.form(request, ctx)
        problems = []
        values: dict[str, Any] = {}
        for key, kind in (("pain", int), ("sleep_h", float), ("stress", int), ("rpe", float)):
            text = _text(form, key)
            if text is None:
                continue
            try:
                values[key] = kind(text)
            except ValueError:
                problems.append(f"{key}: {text!r} is not a number")
        if "pain" not in values and not problems:
            problems.append("choose a pain score from 0 to 10")
        if problems:
            return await athlete_page(request, error="; ".join(problems), status=400, ctx=ctx)
        try:
            await anyio.to_thread.run_sync(lambda: add_entry(
                store, values.pop("pain"), _text(form, "timing") or "after", note=_text(form, "note"),
                athlete=name, **values))
        except OptionError as exc:
            return await athlete_page(request, error=str(exc), status=400, ctx=ctx)
        log.info("pain logged for %s", name)
        return RedirectResponse(f"/a/{name}?saved={int(str(form.get('pain')))}", status_code=303)

    async def upload(request: Request) -> Response:
        ctx = srv.context(request)
        name = srv.athlete(ctx, request.path_params["athlete"])
        accept = request.headers.get("accept", "")
        wants_json = "application/json" in accept or "application/x-ndjson" in accept

        async def refuse(status: int, text: str) -> Response:
            if wants_json:
                return JSONResponse({"ok": False, "lines": [], "error": text}, status_code=status)
            return await athlete_page(request, error=text, status=status, ctx=ctx)

        length = request.headers.get("content-length")
        if length is None or not length.isdigit():
            return await refuse(411, "the upload needs a Content-Length")
        if int(length) > srv.max_upload_bytes:
            return await refuse(413, f"the upload is larger than {srv.max_upload_bytes // (1024 * 1024)} MB: "
                                "send fewer files at once")
        form = await srv.form(request, ctx, files=True)
        uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile) and (f.filename or f.size)]
        if not uploads:
            await form.close()
            return await refuse(400, "choose one or more files first")
        folder = Path(tempfile.mkdtemp(prefix="runback-upload-"))
        taken: set[str] = set()
        names = []
        try:
            for i, up in enumerate(uploads):
                fname = _safe_name(up.filename, i, taken)
                names.append(fname)

                def save(up: UploadFile = up, fname: str = fname) -> None:
                    up.file.seek(0)
                    with open(folder / fname, "wb") as out:
                        shutil.copyfileobj(up.file, out, 1024 * 1024)

                await anyio.to_thread.run_sync(save)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        finally:
            await form.close()
        job = ImportJob(store, name, folder, names, srv.import_slots).start()
        if "application/x-ndjson" in request.headers.get("accept", ""):
            return StreamingResponse(job.ndjson(), media_type="application/x-ndjson")
        lines, ok = await anyio.to_thread.run_sync(job.result)
        if wants_json:
            return JSONResponse({"ok": ok, "lines": lines, "error": None})
        return await athlete_page(request, summary=(lines, ok), ctx=ctx)

    async def correct(request: Request) -> Response:
        ctx = srv.context(request)
        name = srv.athlete(ctx, request.path_params["athlete"])
        form = await srv.form(request, ctx)
        activity, action = request.path_params["activity"], request.path_params["action"]
        if action not in ("exclude", "include", "sport"):
            raise HTTPException(404, "No such correction.")
        sport = _text(form, "sport") or ""

        def apply() -> str:
            if action == "exclude":
                return store.exclude(activity, name, note="excluded in runback serve").message
            if action == "include":
                return store.include(activity, name).message
            return store.set_sport(activity, sport, name).message

        try:
            done = await anyio.to_thread.run_sync(apply)
        except RunbackError as exc:
            return await athlete_page(request, error=str(exc), status=400, ctx=ctx)
        log.info("activity %s for %s", action, name)
        # the CLI's undo hint names a command; on the page the button beside the run undoes it
        return await athlete_page(request, note=done.split("; `runback")[0] + ".", ctx=ctx)

    async def remove_entry(request: Request) -> Response:
        ctx = srv.context(request)
        name = srv.athlete(ctx, request.path_params["athlete"])
        await srv.form(request, ctx)
        entry = request.path_params["entry"]
        try:
            fix = await anyio.to_thread.run_sync(
                lambda: store.remove_journal_entry(entry, name, note="removed in runback serve"))
        except RunbackError as exc:
            return await athlete_page(request, error=str(exc), status=400, ctx=ctx)
        log.info("journal entry removed for %s", name)
        return await athlete_page(request, note=fix.message, ctx=ctx)

    async def report(request: Request) -> Response:
        ctx = srv.context(request)
        name = srv.athlete(ctx, request.path_params["athlete"])
        try:
            text = await anyio.to_thread.run_sync(lambda: runner_report(store, name))
        except OptionError as exc:
            return srv.html(request, ctx, "Report", pages.error_page(404, f"No report yet: {exc}"), 404)
        return srv.finish(request, ctx, HTMLResponse(text, headers={"content-security-policy": report_csp(text)}))

    async def flags(request: Request) -> Response:
        ctx = srv.context(request)
        name = srv.athlete(ctx, request.path_params["athlete"])

        def compute() -> list[dict[str, Any]]:
            if name not in store.athletes():
                return []
            frame: pl.DataFrame = report_inputs(store, name)["flags"]
            return frame.sort("date", descending=True).to_dicts()

        rows = await anyio.to_thread.run_sync(compute)
        return srv.html(request, ctx, f"Flags {name}", pages.flags_page(name, rows))

    async def team(request: Request) -> Response:
        ctx = srv.context(request)
        user = need_user(request, ctx)
        if user.role == "runner":
            raise HTTPException(403, "The team overview is the coach's.")
        file = request.path_params.get("file") or "index.html"
        if file == "index.html" or not srv.team_pages:
            try:
                srv.team_pages = await anyio.to_thread.run_sync(_team, store)
            except OptionError as exc:
                return srv.html(request, ctx, "Team", pages.error_page(404, str(exc)), 404)
        body = srv.team_pages.get(file)
        if body is None:
            raise HTTPException(404, "No such page.")
        if file.endswith(".js"):
            return Response(body, media_type="text/javascript")
        text = body.decode("utf-8")
        return HTMLResponse(text, headers={"content-security-policy": report_csp(text, self_scripts=True)})

    async def login(request: Request) -> Response:
        ctx = srv.context(request)
        if srv.personal:
            return RedirectResponse("/", status_code=303)
        if request.method == "GET":
            return srv.html(request, ctx, "Sign in", pages.login_page(csrf=ctx.csrf))
        form = await srv.form(request, ctx)
        name = _text(form, "name") or ""
        password = form.get("password")
        client = request.client.host if request.client else "?"
        keys = (f"ip:{client}", f"name:{name.lower()}")
        if srv.logins.blocked(*keys):
            return srv.html(request, ctx, "Sign in", pages.login_page(
                csrf=ctx.csrf, error="Too many failed sign-ins: wait a quarter of an hour."), 429)
        user = await anyio.to_thread.run_sync(srv.accounts.verify, name, password if isinstance(password, str) else "")
        if user is None:
            srv.logins.failed(*keys)
            log.info("failed sign-in")
            return srv.html(request, ctx, "Sign in", pages.login_page(csrf=ctx.csrf, error="Wrong name or password."),
                            401)
        return signed_in(request, user)

    def signed_in(request: Request, user: User) -> Response:
        token, _ = srv.accounts.new_session(user)
        target = f"/a/{user.athlete}" if user.role == "runner" and user.athlete else "/"
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(SESSION_COOKIE, token, max_age=30 * 24 * 3600, httponly=True, samesite="lax",
                            secure=request.url.scheme == "https")
        return response

    async def logout(request: Request) -> Response:
        ctx = srv.context(request)
        await srv.form(request, ctx)
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            srv.accounts.end_session(token)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    async def invites(request: Request) -> Response:
        ctx = srv.context(request)
        user = need_user(request, ctx)
        form = await srv.form(request, ctx)
        if user.role != "coach":
            raise HTTPException(403, "Only a coach invites runners.")
        athlete = _text(form, "athlete") or ""
        try:
            token = srv.accounts.new_invite(athlete, user.name)
        except RunbackError as exc:
            raise HTTPException(400, str(exc)) from None
        log.info("invite made for %s", athlete)
        return RedirectResponse(f"/?invite={token}", status_code=303)

    async def invite(request: Request) -> Response:
        ctx = srv.context(request)
        token = request.path_params["token"]
        athlete = srv.accounts.invite(token)
        if athlete is None:
            return srv.html(request, ctx, "Invite", pages.error_page(404, "This invite link has expired or was used."),
                            404)
        if request.method == "GET":
            return srv.html(request, ctx, "Welcome", pages.invite_page(athlete, csrf=ctx.csrf, token=token))
        form = await srv.form(request, ctx)
        password = form.get("password")
        try:
            user = await anyio.to_thread.run_sync(
                srv.accounts.accept_invite, token, _text(form, "name") or "", password if isinstance(password, str) else "")
        except RunbackError as exc:
            return srv.html(request, ctx, "Welcome", pages.invite_page(athlete, csrf=ctx.csrf, token=token,
                                                                       error=str(exc)), 400)
        log.info("account created for %s", athlete)
        return signed_in(request, user)

    async def static(request: Request) -> Response:
        file = request.path_params["file"]
        if file == "app.css":
            return Response(pages.CSS, media_type="text/css")
        if file == "app.js":
            return Response(pages.JS, media_type="text/javascript")
        raise HTTPException(404, "No such file.")

    async def favicon(request: Request) -> Response:
        return Response(status_code=204)  # none: a browser asks on every page, and a 404 is a console error

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code in (301, 302, 303, 307):
            return Response(status_code=exc.status_code, headers=exc.headers)
        ctx = Context(None, "")
        return srv.html(request, ctx, str(exc.status_code), pages.error_page(exc.status_code, exc.detail),
                        exc.status_code)

    routes = [
        Route("/", home),
        Route("/open", open_athlete),
        Route("/a/{athlete}", athlete_get),
        Route("/a/{athlete}/pain", pain, methods=["POST"]),
        Route("/a/{athlete}/upload", upload, methods=["POST"]),
        Route("/a/{athlete}/activities/{activity}/{action:str}", correct, methods=["POST"]),
        Route("/a/{athlete}/journal/{entry}/remove", remove_entry, methods=["POST"]),
        Route("/a/{athlete}/report", report),
        Route("/a/{athlete}/flags", flags),
        Route("/team/", team),
        Route("/team/{file}", team),
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/invites", invites, methods=["POST"]),
        Route("/invite/{token}", invite, methods=["GET", "POST"]),
        Route("/static/{file}", static),
        Route("/favicon.ico", favicon),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error})
    return Guard(app, srv.allowed_hosts)
