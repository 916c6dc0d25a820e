"""``runback serve`` as people use it: a real server on loopback, real headless Chromium, real sample exports.

Screenshots go to a temporary folder printed at the start (pytest -s shows it).
"""

from __future__ import annotations

import http.client
import json
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette", reason="runback serve needs its extra: pip install 'runback[serve]'")
pytest.importorskip("uvicorn", reason="runback serve needs its extra: pip install 'runback[serve]'")
pytest.importorskip("argon2", reason="runback serve needs its extra: pip install 'runback[serve]'")

from runback.serve.app import report_csp  # noqa: E402
from runback.store import open_store  # noqa: E402
from headless import PHONE, launched_chromium  # noqa: E402
from serve_client import SAMPLES, Client, raw_get, runback, served  # noqa: E402

STRAVA = SAMPLES / "bram" / "strava_export.zip"
ANNA = sorted((SAMPLES / "anna").glob("*.fit"))[:12]
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def shots() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="runback-serve-screens-"))
    print(f"\nscreenshots: {folder}")
    return folder


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launched_chromium()


class Tab:
    """A phone-sized page with its console errors recorded (a CSP violation is one)."""

    def __init__(self, browser: Any, base: str) -> None:
        self.context = browser.new_context(viewport=PHONE)
        self.page = self.context.new_page()
        self.base = base
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("response", lambda r: self.errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    def go(self, path: str) -> Any:
        return self.page.goto(self.base + path)

    def fits_phone(self) -> bool:
        return bool(self.page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"))

    def sign_in(self, name: str) -> None:
        self.go("/login")
        self.page.fill("#name", name)
        self.page.fill("#password", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state()

    def close(self) -> None:
        self.context.close()


def _team_store(root: Path) -> Path:
    """anna (FIT files) and bram (the Strava export), a coach and both runners."""
    store = open_store(root)
    store.import_paths(ANNA, athlete="anna", workers=1)
    store.import_paths([STRAVA], athlete="bram", workers=1)
    for args in (("coach", "--role", "coach"), ("anna", "--role", "runner"), ("bram", "--role", "runner")):
        done = runback("users", "add", *args, "--store", str(root), stdin=PASSWORD + "\n")
        assert done.returncode == 0, done.stderr
    return root


@pytest.fixture(scope="module")
def team_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    root = _team_store(tmp_path_factory.mktemp("team") / "store")
    with served(root) as base:
        yield base, root


@pytest.fixture
def team(team_served: tuple[str, Path]) -> str:
    return team_served[0]


@pytest.mark.browser
def test_runner_uploads_logs_pain_and_opens_the_report_on_a_phone(
    browser: Any, tmp_path: Path, shots: Path
) -> None:
    with served(tmp_path / "store") as base:
        tab = Tab(browser, base)
        tab.go("/")
        tab.page.fill("#open-athlete", "bram")
        tab.page.click("form[action='/open'] button")
        tab.page.wait_for_url("**/a/bram")
        assert tab.fits_phone()

        tab.page.set_input_files("#upload input[type=file]", [str(STRAVA)])
        tab.page.click("#upload button[type=submit]")
        tab.page.wait_for_function("() => document.getElementById('upload-status').textContent.startsWith('Done')",
                                   timeout=120_000)
        summary = tab.page.inner_text("#upload-summary")
        tab.page.screenshot(path=str(shots / "upload.png"), full_page=True)
        acts = open_store(tmp_path / "store").activities("bram")
        # one line per count, as `runback import` prints them (the export's members are the files)
        assert f"imported: {acts.height} file(s), {acts.height} activities" in summary
        assert "failed: 0" in summary
        assert acts.height > 10

        tab.go("/a/bram")
        tab.page.click(".scores label:has-text('4')")
        tab.page.click("text=next morning")
        tab.page.click("summary")
        tab.page.fill("#sleep", "6.5")
        tab.page.fill("#stress", "3")
        tab.page.fill("#note", "stiff after the long run")
        tab.page.click("#pain button[type=submit]")
        tab.page.wait_for_load_state()
        assert "Saved: pain 4/10." in tab.page.inner_text("main")
        first = tab.page.inner_text("#journal tbody tr")
        assert "4/10" in first and "next morning" in first and "stiff after the long run" in first
        assert tab.fits_phone()
        tab.page.screenshot(path=str(shots / "pain.png"), full_page=True)
        journal = open_store(tmp_path / "store").journal("bram")
        assert journal.select("pain", "timing", "sleep_h", "stress").row(0) == (4, "next_morning", 6.5, 3)

        # an entry logged by mistake: the journal leaves it out (append-only), the page no longer lists it
        tab.page.click(".scores label:has-text('9')")
        tab.page.click("summary")
        tab.page.fill("#note", "wrong button")
        tab.page.click("#pain button[type=submit]")
        tab.page.wait_for_load_state()
        assert "wrong button" in tab.page.inner_text("#journal")
        assert open_store(tmp_path / "store").journal("bram").height == 2
        tab.page.locator("#journal tr:has-text('wrong button') button:has-text('Remove')").click()
        tab.page.wait_for_load_state()
        assert "removed journal entry" in tab.page.inner_text("main .msg")
        assert "wrong button" not in tab.page.inner_text("#journal")
        assert open_store(tmp_path / "store").journal("bram")["note"].to_list() == ["stiff after the long run"]

        # a walk recorded as a run: set its sport, then exclude another run and bring it back
        first_run = tab.page.locator("#activities tbody tr").first
        run_id = first_run.get_attribute("data-activity")
        first_run.locator("select").select_option("walking")
        first_run.locator("button:has-text('Set')").click()
        tab.page.wait_for_load_state()
        assert "walking" in tab.page.inner_text("main .msg")
        acts = open_store(tmp_path / "store").activities("bram")
        assert acts.filter(acts["activity_id"] == run_id)["sport"].to_list() == ["walking"]
        tab.page.locator("#activities tbody tr").nth(1).locator("button:has-text('Exclude')").click()
        tab.page.wait_for_load_state()
        assert f"{acts.height - 1} activities stored" in tab.page.inner_text("main")
        assert open_store(tmp_path / "store").activities("bram").height == acts.height - 1
        tab.page.locator("#activities tbody tr").nth(1).locator("button:has-text('Include')").click()
        tab.page.wait_for_load_state()
        assert open_store(tmp_path / "store").activities("bram").height == acts.height
        assert tab.fits_phone()
        tab.page.screenshot(path=str(shots / "activities.png"), full_page=True)

        tab.go("/a/bram")
        tab.page.click("text=Report")
        tab.page.wait_for_selector("svg.main-svg", timeout=60_000)
        assert "bram" in tab.page.title()
        drawn = tab.page.evaluate("() => document.querySelectorAll('div.rb-plot svg.main-svg').length")
        assert drawn > 0
        tab.page.screenshot(path=str(shots / "report.png"))
        # the report's inline plotly.js and drawing code ran under the server's CSP, with no violation
        assert tab.errors == []
        tab.close()


def test_report_csp_allows_exactly_the_inline_scripts() -> None:
    page = '<script>a()</script><script type="application/json">{"x":1}</script><script src="p.js"></script>'
    csp = report_csp(page)
    assert csp.count("'sha256-") == 1 and "'unsafe-eval'" not in csp and "script-src 'self'" not in csp


@pytest.mark.browser
def test_coach_sees_both_runners_and_their_reports(browser: Any, team: str, shots: Path) -> None:
    tab = Tab(browser, team)
    tab.sign_in("coach")
    rows = tab.page.inner_text("#athletes")
    assert "anna" in rows and "bram" in rows
    tab.page.click("text=Team overview")
    tab.page.wait_for_load_state()
    overview = tab.page.inner_text("body")
    assert "anna" in overview and "bram" in overview
    tab.page.screenshot(path=str(shots / "team.png"), full_page=True)
    tab.page.click("a[href='bram.html']")
    tab.page.wait_for_selector("svg.main-svg", timeout=60_000)
    assert "bram" in tab.page.title()
    assert tab.errors == []
    tab.close()


@pytest.mark.browser
def test_coach_invites_a_runner_who_creates_an_account(browser: Any, team: str, shots: Path) -> None:
    coach = Tab(browser, team)
    coach.sign_in("coach")
    coach.page.fill("#invite-athlete", "cara")
    coach.page.click("text=Make an invite link")
    link = coach.page.inner_text("#invite-link code")
    assert "/invite/" in link
    runner = Tab(browser, team)
    runner.page.goto(link)
    runner.page.fill("#name", "cara.r")
    runner.page.fill("#password", PASSWORD)
    runner.page.click("button[type=submit]")
    runner.page.wait_for_load_state()
    assert runner.page.url.endswith("/a/cara")
    assert runner.page.inner_text("h1") == "cara"
    runner.page.screenshot(path=str(shots / "invited.png"), full_page=True)
    # the link works once
    assert runner.go(link.removeprefix(team)).status == 404
    coach.close()
    runner.close()


def test_a_runner_gets_403_on_another_runners_report_or_upload(team_served: tuple[str, Path]) -> None:
    team, root = team_served
    anna = Client(team)
    status, body = anna.sign_in("anna", PASSWORD)
    assert status == 200 and "<h1>anna</h1>" in body
    token = anna.csrf("/a/anna")
    assert anna.get("/a/bram/report")[0] == 403
    assert anna.get("/a/bram")[0] == 403
    assert anna.get("/team/")[0] == 403
    before = open_store(root).activities("bram").height
    status, _ = anna.upload("/a/bram/upload", [ANNA[0]], token)
    assert status == 403
    assert anna.post("/a/bram/pain", {"csrf": token, "pain": "9", "timing": "after"})[0] == 403
    assert open_store(root).activities("bram").height == before
    assert anna.get("/a/anna/report")[0] == 200


def test_nobody_signed_in_sees_nothing(team: str) -> None:
    visitor = Client(team)
    status, body = visitor.get("/a/anna/report")
    assert status == 403
    status, body = visitor.get("/")
    assert status == 200 and "Sign in" in body  # redirected to the sign-in page


def test_sign_in_is_rate_limited(team: str) -> None:
    visitor = Client(team)
    statuses = [visitor.sign_in("bram", "wrong password")[0] for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    # the right password too, while blocked
    assert visitor.sign_in("bram", PASSWORD)[0] == 429


def test_a_post_without_the_csrf_token_is_refused(tmp_path: Path) -> None:
    with served(tmp_path / "store") as base:
        me = Client(base)
        token = me.csrf("/a/me")
        assert me.post("/a/me/pain", {"pain": "3", "timing": "after"})[0] == 403
        assert me.post("/a/me/pain", {"csrf": "x" * 43, "pain": "3", "timing": "after"})[0] == 403
        assert me.upload("/a/me/upload", [ANNA[0]], None)[0] == 403
        # a visitor who never loaded a page has no token to send
        assert Client(base).post("/a/me/pain", {"csrf": token, "pain": "3", "timing": "after"})[0] == 403
        assert open_store(tmp_path / "store").journal().height == 0
        status, body = me.post("/a/me/pain", {"csrf": token, "pain": "3", "timing": "after"})
        assert status == 200 and "Saved: pain 3/10." in body
        assert open_store(tmp_path / "store").journal().height == 1


def test_a_foreign_host_header_is_refused(tmp_path: Path) -> None:
    with served(tmp_path / "store") as base:
        port = base.rsplit(":", 1)[1]
        assert raw_get(base, "/", f"127.0.0.1:{port}") == 200
        assert raw_get(base, "/", f"localhost:{port}") == 200
        assert raw_get(base, "/", f"attacker.example:{port}") == 400
        assert raw_get(base, "/a/me/report", "attacker.example") == 400


def test_another_host_refuses_to_start_without_accounts(tmp_path: Path) -> None:
    done = runback("serve", "--store", str(tmp_path / "store"), "--host", "0.0.0.0", "--port", "0")
    assert done.returncode == 1
    assert "without accounts" in done.stderr and "runback users add" in done.stderr


def test_users_commands(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    assert runback("users", "add", "kim", "--role", "runner", "--athlete", "kim_r", "--store", store,
                   stdin=PASSWORD + "\n").returncode == 0
    short = runback("users", "add", "lee", "--role", "coach", "--store", store, stdin="short\n")
    assert short.returncode == 1 and "at least 8 characters" in short.stderr
    again = runback("users", "add", "kim", "--role", "coach", "--store", store, stdin=PASSWORD + "\n")
    assert again.returncode == 1 and "already a user 'kim'" in again.stderr
    listed = runback("users", "list", "--store", store)
    assert listed.stdout.split("\t")[:3] == ["kim", "runner", "kim_r"]
    assert PASSWORD not in Path(store, "accounts.sqlite3").read_bytes().decode("latin-1")
    assert runback("users", "remove", "kim", "--store", store).returncode == 0
    assert runback("users", "list", "--store", store).stdout == ""


def test_two_uploads_into_one_athlete_at_once_both_land_once(tmp_path: Path) -> None:
    gpx = sorted((SAMPLES / "bram").glob("*.gpx"))
    tcx = sorted((SAMPLES / "bram").glob("*.tcx"))
    with served(tmp_path / "store") as base:
        me = Client(base)
        token = me.csrf("/a/bram")
        results: list[tuple[int, str]] = []

        def send(files: list[Path]) -> None:
            results.append(me.upload("/a/bram/upload", files, token))

        # two different batches, and the same Strava export twice, all at once
        threads = [threading.Thread(target=send, args=(batch,)) for batch in (gpx, tcx, [STRAVA], [STRAVA])]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert [status for status, _ in results] == [200] * 4
    assert all(json.loads(body)["ok"] for _, body in results)
    acts = open_store(tmp_path / "store").activities("bram", corrected=False)
    assert acts["activity_id"].n_unique() == acts.height
    # the loose files and the export hold the same runs: every run is stored once
    solo = open_store(tmp_path / "solo")
    solo.import_paths(gpx + tcx, athlete="bram", workers=1)
    solo.import_paths([STRAVA], athlete="bram", workers=1)
    assert acts.height == solo.activities("bram", corrected=False).height


def test_a_bad_file_is_a_failure_line_and_an_oversized_upload_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "broken.fit"
    bad.write_bytes(b"\x0e\x10this is not a FIT file at all")
    with served(tmp_path / "store", "--max-upload-mb", "1") as base:
        me = Client(base)
        token = me.csrf("/a/me")
        status, body = me.upload("/a/me/upload", [bad, ANNA[0]], token)
        answer = json.loads(body)
        assert status == 200 and not answer["ok"]
        assert "imported: 1 file(s), 1 activity" in answer["lines"]
        assert any(line.startswith("  broken.fit") and "not a FIT file" in line for line in answer["lines"])
        assert not any(str(tmp_path) in line or "runback-upload-" in line for line in answer["lines"])
        # the size is refused from the header, before a byte of the body is read: send none
        # (a client still sending when the server closes would see a reset instead of the answer)
        name, port = base.removeprefix("http://").rsplit(":", 1)
        con = http.client.HTTPConnection(name, int(port), timeout=30)
        con.putrequest("POST", "/a/me/upload")
        for header, value in (("Content-Type", "multipart/form-data; boundary=x"), ("Accept", "application/json"),
                              ("Content-Length", str(2 * 1024 * 1024))):
            con.putheader(header, value)
        con.endheaders()
        response = con.getresponse()
        assert response.status == 413 and "larger than 1 MB" in json.loads(response.read())["error"]
        con.close()


def test_the_log_names_no_address_user_or_token(tmp_path: Path) -> None:
    root = tmp_path / "store"
    assert runback("users", "add", "trainer-jo", "--role", "coach", "--store", str(root),
                   stdin=PASSWORD + "\n").returncode == 0
    log = tmp_path / "serve.log"
    with served(root, log_file=log) as base:
        coach = Client(base)
        assert coach.sign_in("trainer-jo", "not the password")[0] == 401
        status, body = coach.sign_in("trainer-jo", PASSWORD)
        assert status == 200
        status, body = coach.post("/invites", {"csrf": coach.csrf("/"), "athlete": "dana"})
        token = body.split("/invite/", 1)[1].split("<", 1)[0]
        runner = Client(base)
        status, body = runner.post(f"/invite/{token}", {"csrf": runner.csrf(f"/invite/{token}"), "name": "dana-k",
                                                         "password": PASSWORD})
        assert status == 200 and "<h1>dana</h1>" in body
    text = log.read_text(encoding="utf-8")
    assert "POST /login 401" in text and "POST /invite/… 303" in text and "account created for dana" in text
    for secret in ("127.0.0.1", "trainer-jo", "dana-k", token, PASSWORD):
        assert secret not in text


def test_an_upload_streams_its_progress_then_the_summary(tmp_path: Path) -> None:
    with served(tmp_path / "store") as base:
        me = Client(base)
        status, body = me.upload("/a/bram/upload", [STRAVA], me.csrf("/a/bram"), accept="application/x-ndjson")
    events = [json.loads(line) for line in body.splitlines()]
    assert status == 200
    progress = [e for e in events if "total" in e]
    stored = open_store(tmp_path / "store").activities("bram").height
    assert [e["done"] for e in progress] == list(range(1, stored + 1))
    assert {e["total"] for e in progress} == {stored}
    assert events[-1]["ok"] and f"imported: {stored} file(s), {stored} activities" in events[-1]["lines"]
