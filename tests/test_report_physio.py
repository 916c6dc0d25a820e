"""The physiotherapist's page: what it holds, and printed by Debian's headless Chromium on at most two A4 pages."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from clirun import invoke
from headless import CHROMIUM
from runback.errors import OptionError
from runback.pain.journal import add_entry
from runback.report import build_physio_report, write_pdf, write_physio_report
from runback.report._i18n import T
from runback.report._inputs import report_inputs
from runback.store import Store, open_store
from samplestore import sample_store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return sample_store(tmp_path_factory.mktemp("store"))


def pdf_pages(data: bytes) -> int:
    """Pages of a PDF: its /Type /Page objects (not /Pages)."""
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", data))


def test_physio_page_holds_what_a_physiotherapist_asks_for(store: Store) -> None:
    html = build_physio_report(**report_inputs(store, "bram"), lang="en")
    assert T["physio_pain"]["en"] in html and "<svg" in html  # the pain of the 12 weeks, no plotly
    assert "Plotly" not in html and "<script" in html  # only the table-sort script
    # the trail run and the pain around it
    assert "the 24.0 km run on 2 Aug (+45% on the longest of the previous 30 days)" in html
    assert "pain 0 the week before" in html and "3–5 on 6 of the 7 days after" in html
    # flags with value and evidence strength, the profile, what runback is not
    assert T["strength_3"]["en"] in html and "+45%" in html
    assert T["prof_hr_max"]["en"] in html and "What runback is not" in html
    assert "@media print" in html and "size: A4" in html
    nl = build_physio_report(**report_inputs(store, "bram"), lang="nl")
    assert "de loop van 24,0 km op 2 aug" in nl and "Wat runback niet is" in nl


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists() and not shutil.which("chromium"), reason="no headless Chromium")
def test_report_pdf_prints_on_at_most_two_pages(store: Store, tmp_path: Path) -> None:
    for athlete in ("anna", "bram"):
        out = tmp_path / f"{athlete}.pdf"
        result = invoke("report", "--store", str(store.root), "--athlete", athlete, "--pdf", "-o", str(out))
        assert result.exit_code == 0, result.output
        data = out.read_bytes()
        assert data.startswith(b"%PDF")
        assert 1 <= pdf_pages(data) <= 2, (athlete, pdf_pages(data))
        # A4: 595 x 842 points
        assert re.search(rb"/MediaBox\s*\[\s*0\s+0\s+59[45](?:\.\d+)?\s+84[12](?:\.\d+)?\s*\]", data)
        print(f"pdf: {out}")


def test_physio_html_from_the_command_line(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "bram-physio.html"
    result = invoke("report", "--store", str(store.root), "--athlete", "bram", "--physio", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert T["physio_title"]["en"].format(athlete="bram") in out.read_text(encoding="utf-8")


def test_pdf_without_chromium_is_one_clear_line(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = tmp_path / "p.html"
    page.write_text("<p>x</p>", encoding="utf-8")
    with pytest.raises(OptionError, match="headless Chromium was not found at /nowhere/chromium"):
        write_pdf(page, tmp_path / "p.pdf", chromium="/nowhere/chromium")
    monkeypatch.setenv("RUNBACK_CHROMIUM", "/nowhere/chromium")
    result = invoke("report", "--store", str(store.root), "--athlete", "bram", "--pdf", "-o", str(tmp_path / "b.pdf"))
    assert result.exit_code != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "chromium" in lines[0].lower() and "Traceback" not in result.output
    assert not (tmp_path / "b.pdf").exists()


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists() and not shutil.which("chromium"), reason="no headless Chromium")
def test_real_year_with_high_pain_prints_on_two_pages_at_most(corpus: Path, tmp_path: Path) -> None:
    st = open_store(tmp_path / "year")
    st.import_paths(sorted((corpus / "corriporai-runpandas" / "examples" / "session").glob("*.gpx")),
                    athlete="x", workers=1)
    last = st.activities("x")["start_time_local"].max().date()  # type: ignore[union-attr]
    for back, pain in ((11, 2), (9, 7), (5, 8), (1, 8)):
        add_entry(st, pain, "other", date=last - dt.timedelta(days=back), athlete="x", today=last)
    html = (write_physio_report(st, "x", tmp_path / "x.html")).read_text(encoding="utf-8")
    assert "High back pain" in html
    for lang in ("en", "nl"):
        out = write_physio_report(st, "x", tmp_path / f"x-{lang}.pdf", lang=lang, pdf=True)
        assert 1 <= pdf_pages(out.read_bytes()) <= 2
