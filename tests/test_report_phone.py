"""Issue 14 in a real browser: pain first, events, evidence once, honest drawing and phones (390 px).

Debian's headless Chromium (driven by playwright, never downloaded) opens the reports of the sample
runners and of a store built from a real year of running plus a journal with high pain in its last
two weeks.  Assertions are on measured sizes (bounding boxes, computed font sizes), not on
screenshots; the screenshots go to a folder printed with -s, to look at.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from samplestore import sample_store
from test_report_browser import PHONE, Visit, browser  # noqa: F401  (the browser fixture)

from runback.pain.journal import add_entry
from runback.report import write_runner_report, write_team_report
from runback.report._i18n import RULE_LABEL, T
from runback.store import Store, open_store

pytestmark = pytest.mark.browser

# every visible text node's computed font size, and anything wider than the viewport
SMALLEST_TEXT = """() => {
  const sizes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    if (el.closest('script, style, details:not([open]) > :not(summary)')) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    sizes.push([parseFloat(style.fontSize), node.textContent.trim().slice(0, 40)]);
  }
  sizes.sort((a, b) => a[0] - b[0]);
  return sizes.slice(0, 5);
}"""

SVG_TEXT = """() => Array.from(document.querySelectorAll('div.rb-plot svg text')).filter(t => {
  const b = t.getBoundingClientRect(); return b.width > 0 && t.textContent.trim();
}).map(t => [parseFloat(getComputedStyle(t).fontSize), t.textContent.trim(), t.getBoundingClientRect().right])"""


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("screenshots")
    print(f"\nscreenshots: {folder}")
    return folder


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return sample_store(tmp_path_factory.mktemp("samples"))


@pytest.fixture(scope="module")
def real_year(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    """A real year of irregular training (67 GPX files), and 7, 8 and 8/10 back pain in its last two weeks."""
    st = open_store(tmp_path_factory.mktemp("year"))
    st.import_paths(sorted((corpus / "corriporai-runpandas" / "examples" / "session").glob("*.gpx")),
                    athlete="x", workers=1)
    last = st.activities("x")["start_time_local"].max().date()  # type: ignore[union-attr]
    for back, pain in ((11, 2), (9, 7), (5, 8), (1, 8)):
        add_entry(st, pain, "other", date=last - dt.timedelta(days=back), note="sharp low back pain",
                  athlete="x", today=last)
    return st


@pytest.fixture(scope="module")
def phone(browser: Any) -> Iterator[Any]:  # noqa: F811
    yield browser


def _visit(browser: Any, path: Path) -> Visit:
    visit = Visit(browser, path, PHONE)
    visit.page.wait_for_timeout(300)
    return visit


def _fits_the_phone(visit: Visit) -> None:
    """Nothing wider than the phone, every chart legend inside it, every text at least 11 px."""
    page = visit.page
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for box in page.eval_on_selector_all(
        ".chart-legend, div.rb-plot g.legend", "els => els.map(e => e.getBoundingClientRect().toJSON())"
    ):
        assert box["left"] >= 0 and box["right"] <= PHONE["width"] + 0.5, box
    smallest = page.evaluate(SMALLEST_TEXT)
    assert smallest and smallest[0][0] >= 11, smallest
    for size, text, right in page.evaluate(SVG_TEXT):
        assert size >= 11, (size, text)
        assert right <= PHONE["width"] + 1, (text, right)


def test_real_year_with_high_pain_on_a_phone(phone: Any, real_year: Store, shots: Path, tmp_path: Path) -> None:
    path = write_runner_report(real_year, "x", tmp_path / "year.html")
    visit = _visit(phone, path)
    try:
        assert visit.errors == [] and visit.requests == [path.resolve().as_uri()]
        _fits_the_phone(visit)
        # severe pain leads the status box, whatever its timing
        first = visit.page.locator("#status + .status li").first.inner_text()
        assert first.startswith(RULE_LABEL["pain_high"]["en"]), first
        # the period is the span of the activities: the axes end with the runs, not with a later entry
        period = visit.page.locator("ul.facts li").first.inner_text()
        assert "2020" in period and "2021" in period
        # evidence once per rule: one collapsible per rule, and the flag rows carry no study text
        rules = visit.page.eval_on_selector_all("details.rule-evidence", "ds => ds.map(d => d.id)")
        assert len(rules) == len(set(rules)) and "ev-intensity_jump" in rules
        assert "5,205 runners" not in visit.page.inner_text("table.flags")
        # weak-evidence flags are drawn quieter: grey rows
        quiet = visit.page.eval_on_selector_all("table.flags tr.quiet td", "tds => tds.map(td => getComputedStyle(td).color)")
        strong = visit.page.eval_on_selector_all("table.flags tr:not(.quiet) td", "tds => tds.map(td => getComputedStyle(td).color)")
        assert quiet and strong and set(quiet).isdisjoint(set(strong))
        height = visit.page.evaluate("document.documentElement.scrollHeight")
        visit.page.screenshot(path=str(shots / "real_year_phone.png"), full_page=True)
        print(f"real year report on a phone: {height} px tall")
    finally:
        visit.close()


def test_bram_event_story_and_honest_pain_line(phone: Any, samples: Store, shots: Path, tmp_path: Path) -> None:
    path = write_runner_report(samples, "bram", tmp_path / "bram.html")
    visit = _visit(phone, path)
    try:
        assert visit.errors == []
        _fits_the_phone(visit)
        events = visit.page.inner_text("#events")
        assert "the 24.0 km run on 2 Aug (+45% on the longest of the previous 30 days)" in events
        assert "pain 0 the week before" in events and "3–5 on 6 of the 7 days after" in events
        # the events come before the averages
        headings = visit.page.locator("h2").all_inner_texts()
        assert headings.index(T["sec_events"]["en"]) < headings.index(T["sec_painload"]["en"])
        # the pain line breaks where a day has no entry: the trace's y holds nulls between logged days
        gaps = visit.page.evaluate(
            """() => { for (const d of document.querySelectorAll('div.rb-plot')) {
                 for (const t of d.data || []) { if (t.name === %s) return t.y.filter(v => v === null).length; } }
               return -1; }""" % repr(T["pain_daily_max"]["en"]).replace("'", '"'))
        assert gaps > 0
        # one marker per meaning: the flag markers use shapes no pain entry uses
        symbols = visit.page.evaluate(
            """() => { const out = {}; for (const d of document.querySelectorAll('div.rb-plot'))
                 for (const t of d.data || []) if (t.mode === 'markers' && t.marker && t.name) out[t.name] = t.marker.symbol;
               return out; }""")
        flag_shapes = {symbols.get(T["pain_flag"]["en"]), symbols.get(T["load_flag"]["en"])} - {None}
        pain_shapes = {symbols.get(T[f"timing_{t}"]["en"]) for t in ("during", "after", "next_morning", "other")} - {None}
        assert flag_shapes and pain_shapes and flag_shapes.isdisjoint(pain_shapes), symbols
        visit.page.screenshot(path=str(shots / "bram_phone.png"), full_page=True)
    finally:
        visit.close()


def test_coach_overview_scrolls_on_a_phone(phone: Any, samples: Store, real_year: Store, shots: Path,
                                           tmp_path: Path) -> None:
    index = write_team_report(samples, tmp_path / "coach")
    visit = _visit(phone, index)
    try:
        assert visit.errors == []
        _fits_the_phone(visit)
        wrap = visit.page.locator("div.table-wrap").first
        sizes = wrap.evaluate("w => [w.scrollWidth, w.clientWidth, w.getBoundingClientRect().right]")
        assert sizes[0] > sizes[1] and sizes[2] <= PHONE["width"]  # the table scrolls inside its box
        assert visit.page.locator(".scroll-cue").is_visible()
        # the key explains the colours
        assert T["team_key"]["en"][:30] in visit.page.inner_text("body")
        # scrolled to its right end, the last column is reachable
        wrap.evaluate("w => { w.scrollLeft = w.scrollWidth; }")
        last = visit.page.locator("table.team thead th").last.bounding_box()
        assert last is not None and last["x"] + last["width"] <= PHONE["width"] + 1
        visit.page.screenshot(path=str(shots / "coach_phone.png"), full_page=True)
    finally:
        visit.close()
