"""A real ``runback serve`` on loopback for tests and the load test, and a small HTTP client for it.

The server runs as a subprocess (``python -m runback serve --port 0``), exactly as a
person starts it; :class:`Client` is urllib with a cookie jar, so it keeps a session
and the CSRF cookie the way a browser does.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import os
import re
import secrets
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_data"


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")])}


def runback(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """``runback ARGS`` in a subprocess (not checked: the caller looks at the status)."""
    return subprocess.run([sys.executable, "-m", "runback", *args], input=stdin, capture_output=True, text=True,
                          env=_env(), timeout=120)


@contextmanager
def served(store: Path, *args: str, log_file: Path | None = None) -> Iterator[str]:
    """Start ``runback serve`` on a free loopback port; yields its address; stops it at the end.

    Its log goes to ``log_file`` (default a temporary file), not a pipe: a pipe nobody
    reads fills up and stops the server.
    """
    with (open(log_file, "w+", encoding="utf-8") if log_file else tempfile.TemporaryFile("w+", encoding="utf-8")) as log:
        proc = subprocess.Popen([sys.executable, "-m", "runback", "serve", "--store", str(store), "--port", "0", *args],
                                stdout=subprocess.PIPE, stderr=log, text=True, env=_env())
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            found = re.search(r"http://[^ ]+/", line)
            if not found:
                proc.kill()
                proc.wait()
                log.seek(0)
                raise AssertionError(f"runback serve did not start: {line!r} {log.read()!r}")
            yield found.group(0).rstrip("/")
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()


CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')


class Client:
    """One visitor: cookies kept, redirects followed, errors returned as (status, body)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=300) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8")

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path))

    def csrf(self, path: str = "/") -> str:
        status, body = self.get(path)
        found = CSRF_FIELD.search(body)
        assert found, f"no CSRF field on {path} ({status})"
        return found.group(1)

    def post(self, path: str, fields: dict[str, str], *, accept: str = "text/html") -> tuple[int, str]:
        data = urllib.parse.urlencode(fields).encode("ascii")
        return self._open(urllib.request.Request(self.base + path, data=data, headers={"Accept": accept}))

    def upload(self, path: str, files: Sequence[Path], csrf: str | None, *,
               accept: str = "application/json") -> tuple[int, str]:
        """POST ``files`` as the upload form does (multipart), asking for the JSON summary (or ``accept``)."""
        boundary = secrets.token_hex(16)
        parts = []
        if csrf is not None:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{csrf}\r\n'.encode())
        for f in files:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{f.name}"\r\n'
                         "Content-Type: application/octet-stream\r\n\r\n".encode() + f.read_bytes() + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        request = urllib.request.Request(self.base + path, data=body, headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}", "Accept": accept})
        return self._open(request)

    def sign_in(self, name: str, password: str) -> tuple[int, str]:
        return self.post("/login", {"csrf": self.csrf("/login"), "name": name, "password": password})


def raw_get(base: str, path: str, host: str) -> int:
    """GET with a Host header of our choosing (a DNS-rebinding page would send its own name)."""
    address = base.removeprefix("http://")
    name, port = address.rsplit(":", 1)
    con = http.client.HTTPConnection(name, int(port), timeout=30)
    try:
        con.request("GET", path, headers={"Host": host})
        return con.getresponse().status
    finally:
        con.close()
