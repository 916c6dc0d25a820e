"""The reports in a real browser: Debian's headless Chromium opens them from file://.

Checks what only a browser can: no console error, no network request, every
chart drawn, the page in the chosen language, the table sorting.  Screenshots
go to pytest's tmp dir (printed with -s).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from headless import PHONE, launched_chromium
from runback.report import build_runner_report, write_team_pages
from runback.report._i18n import T
from synthetic import synthetic_frames

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}

# every plot div holds plotly's svg, and that svg has drawn traces in it
CHART_STATE = """() => Array.from(document.querySelectorAll('div.rb-plot')).map(d => ({
    id: d.id,
    svgs: d.querySelectorAll('svg.main-svg').length,
    marks: d.querySelectorAll('svg.main-svg g.trace path').length,
    width: d.getBoundingClientRect().width,
}))"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launched_chromium()


class Visit:
    """A page opened from file://, with its console messages and requests recorded."""

    def __init__(self, browser: Any, path: Path, viewport: dict[str, int]) -> None:
        self.console: list[tuple[str, str]] = []
        self.requests: list[str] = []
        self.page = browser.new_page(viewport=viewport)
        self.page.on("console", lambda m: self.console.append((m.type, m.text)))
        self.page.on("pageerror", lambda e: self.console.append(("error", str(e))))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_load_state("load")

    @property
    def errors(self) -> list[tuple[str, str]]:
        # plotly reports bad figure specs as console.trace/warn: any of these is a failure
        return [(t, m) for t, m in self.console if t in ("error", "warning", "trace", "assert")]

    def charts(self) -> list[dict[str, Any]]:
        return self.page.evaluate(CHART_STATE)

    def close(self) -> None:
        self.page.close()


def _assert_charts_drawn(visit: Visit, n: int) -> None:
    # open the collapsed PMC/ACWR section: its charts must draw (and fit) too
    if visit.page.locator("details#pmc").count():
        visit.page.click("details#pmc summary")
        visit.page.wait_for_timeout(300)
    charts = visit.charts()
    assert len(charts) == n
    for chart in charts:
        assert chart["svgs"] >= 1 and chart["marks"] > 0, chart
        assert 0 < chart["width"] <= visit.page.viewport_size["width"], chart


def test_runner_report_offline_and_drawn(browser: Any, tmp_path: Path) -> None:
    frames = synthetic_frames(days=200)
    path = tmp_path / "report_en.html"
    path.write_text(build_runner_report(**frames, lang="en"), encoding="utf-8")  # type: ignore[arg-type]
    visit = Visit(browser, path, DESKTOP)
    try:
        _assert_charts_drawn(visit, 6)
        assert visit.errors == []
        assert visit.requests == [path.resolve().as_uri()]
        headings = visit.page.locator("h2").all_inner_texts()
        assert T["sec_weekly"]["en"] in headings and T["sec_flags"]["en"] in headings
        # the flags table sorts on a header click: by value, ascending then descending
        header = visit.page.locator("table.flags thead th").nth(2)
        header.click()
        values = visit.page.eval_on_selector_all(
            "table.flags tbody tr td:nth-child(3)", "tds => tds.map(td => parseFloat(td.dataset.sort))")
        assert values == sorted(values)
        header.click()
        values = visit.page.eval_on_selector_all(
            "table.flags tbody tr td:nth-child(3)", "tds => tds.map(td => parseFloat(td.dataset.sort))")
        assert values == sorted(values, reverse=True)
        shot = tmp_path / "report_en_desktop.png"
        visit.page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        print(f"screenshot: {shot}")
    finally:
        visit.close()


def test_dutch_report_on_a_phone(browser: Any, tmp_path: Path) -> None:
    frames = synthetic_frames(days=200)
    path = tmp_path / "rapport_nl.html"
    html = build_runner_report(**frames, since=dt.date(2024, 3, 1), lang="nl")  # type: ignore[arg-type]
    path.write_text(html, encoding="utf-8")
    visit = Visit(browser, path, PHONE)
    try:
        _assert_charts_drawn(visit, 6)
        assert visit.errors == []
        assert visit.requests == [path.resolve().as_uri()]
        # nothing wider than the phone (charts are responsive, tables scroll inside their box)
        assert visit.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        headings = visit.page.locator("h2, summary").all_inner_texts()
        for key in ("sec_weekly", "sec_sessions", "sec_pain", "sec_painload", "sec_calendar", "sec_flags",
                    "sec_profile", "status_heading"):
            assert T[key]["nl"] in headings, key
            assert T[key]["en"] not in headings, key
        text = visit.page.inner_text("body")
        assert "Wat runback niet is" in text and "What runback is not" not in text
        # the charts speak Dutch: axis titles, legends and month names drawn by plotly
        svg_text = visit.page.evaluate(
            "() => Array.from(document.querySelectorAll('svg.main-svg text')).map(t => t.textContent).join(' ')")
        assert T["longest_30"]["nl"] in svg_text and T["longest_30"]["en"] not in svg_text
        assert T["km_day"]["nl"] in svg_text
        assert any(m in svg_text.split() for m in ("mrt", "mei", "okt")), svg_text[:500]
        shot = tmp_path / "rapport_nl_phone.png"
        visit.page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        print(f"screenshot: {shot}")
    finally:
        visit.close()


def test_team_overview_links_sorts_and_shares_plotly(browser: Any, tmp_path: Path) -> None:
    runners = []
    for i, name in enumerate(("anna", "bram", "Chris de Vries")):
        frames = synthetic_frames(athlete=name, days=60 + 30 * i)
        if name == "bram":
            frames["flags"] = frames["flags"].head(0)  # type: ignore[attr-defined]
        runners.append(frames)
    out = tmp_path / "team"
    index = write_team_pages(runners, out, lang="en")
    assert sorted(p.name for p in out.iterdir()) == ["Chris-de-Vries.html", "anna.html", "bram.html", "index.html",
                                                     "plotly.min.js"]
    visit = Visit(browser, index, PHONE)
    try:
        assert visit.errors == []
        assert visit.requests == [index.resolve().as_uri()]
        rows = lambda: visit.page.eval_on_selector_all(  # noqa: E731
            "table.team tbody tr td:first-child", "tds => tds.map(td => td.innerText)")
        # most severe status first: bram has no flag (and anna/Chris are judged on the same 14 days)
        assert rows()[-1] == "bram"
        visit.page.locator("table.team thead th").nth(0).click()
        assert rows() == ["anna", "bram", "Chris de Vries"]
        visit.page.locator("table.team thead th").nth(0).click()
        assert rows() == ["Chris de Vries", "bram", "anna"]
        # this week's distance, numerically
        visit.page.locator("table.team thead th").nth(4).click()
        km = visit.page.eval_on_selector_all(
            "table.team tbody tr td:nth-child(5)", "tds => tds.map(td => parseFloat(td.dataset.sort))")
        assert km == sorted(km)
        visit.page.screenshot(path=str(tmp_path / "team_phone.png"), full_page=True)
        # follow the link: the runner page loads the shared plotly.min.js and nothing else
        visit.page.click("text=Chris de Vries")
        visit.page.wait_for_load_state("load")
        runner = out / "Chris-de-Vries.html"
        assert visit.requests == [index.resolve().as_uri(), runner.resolve().as_uri(),
                                  (out / "plotly.min.js").resolve().as_uri()]
        _assert_charts_drawn(visit, 6)
        assert visit.errors == []
    finally:
        visit.close()
