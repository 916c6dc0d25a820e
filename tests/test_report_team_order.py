"""The coach overview lists the runners to look at first on top: pain before load, evidence before heuristics."""

from __future__ import annotations

import datetime as dt

import polars as pl

from runback import schema
from runback.pain.rules import pain_high
from runback.report import build_team_index, runner_status, team_frame
from runback.report._i18n import T
from synthetic import flag_row, synthetic_frames

D0 = dt.date(2024, 1, 1)
DAYS = 120
END = D0 + dt.timedelta(days=DAYS - 1)


def _runner(name: str, flags: list[dict[str, object]], journal: pl.DataFrame | None = None,
            days: int = DAYS, start: dt.date = D0) -> dict[str, object]:
    frames = synthetic_frames(athlete=name, days=days, start=start)
    frames["flags"] = schema.conform(pl.DataFrame(flags), schema.FLAGS) if flags else schema.empty(schema.FLAGS)
    frames["journal"] = schema.empty(schema.JOURNAL) if journal is None else journal
    return frames


def _pain(name: str, rows: list[tuple[int, int]]) -> pl.DataFrame:
    return schema.conform(
        pl.DataFrame({"athlete": [name] * len(rows), "date": [END - dt.timedelta(days=d) for d, _ in rows],
                      "pain": [p for _, p in rows], "timing": ["other"] * len(rows),
                      "entry_id": [f"{name}{i}" for i in range(len(rows))]}),
        schema.JOURNAL,
    )


def test_high_pain_first_then_load_flags_by_evidence_then_stale() -> None:
    # pam: 6/10 on three days of the last week and no load flag (the runner shown as "none")
    pam_journal = _pain("pam", [(5, 6), (3, 6), (1, 6)])
    pam = _runner("pam", pain_high(pam_journal).to_dicts(), pam_journal)
    # ivo: a weak-evidence intensity rise only; sam: a session spike (moderate evidence)
    ivo = _runner("ivo", [flag_row("ivo", END - dt.timedelta(days=2), "intensity_jump", band="large", value=1.5)])
    sam = _runner("sam", [flag_row("sam", END - dt.timedelta(days=4), "session_spike", band="small", value=0.2)])
    # old: last ran 8 months before the others' last day, last pain logged then too
    old = _runner("old", [], _pain("old", [(240, 1)]), days=10, start=END - dt.timedelta(days=250))
    rows = [runner_status(**r, as_of=END) for r in (ivo, old, sam, pam)]  # type: ignore[arg-type]
    team = team_frame(rows)
    assert team["athlete"].to_list() == ["pam", "sam", "ivo", "old"]
    assert team["priority"].to_list() == [3, 1, 1, 0]
    assert team["evidence_rank"].to_list() == [1, 3, 1, 0]
    assert team["stale"].to_list() == [False, False, False, True]
    html = build_team_index(team, as_of=END, links={n: f"{n}.html" for n in ("pam", "ivo", "sam", "old")}, lang="en")
    body = html[html.index("<tbody>"):]
    assert body.index("pam.html") < body.index("sam.html") < body.index("ivo.html") < body.index("old.html")
    # pam's badge is the high-pain one; ivo's weak-evidence flag is drawn quieter
    assert '<span class="badge pain-high"' in body and '<span class="badge quiet"' in body
    # old is marked stale with the date of the last data, and that date has its year (another year)
    old_row = body[body.index("old.html"):]
    old_row = old_row[: old_row.index("</tr>")]
    assert T["stale_badge"]["en"] in old_row and "2023" in old_row
    # a key explains the colours; the table scrolls sideways with a cue on phones
    assert T["team_key"]["en"][:40] in html and T["scroll_cue"]["en"] in html


def test_high_and_rising_pain_lead_the_status() -> None:
    from runback.report.runner import recent_flags

    flags = schema.conform(pl.DataFrame([
        flag_row("me", END, "session_spike", band="large", value=1.5),
        flag_row("me", END - dt.timedelta(days=1), "pain_persistent", band="persistent", value=30),
        flag_row("me", END - dt.timedelta(days=5), "pain_rising", band="rising", value=2),
        flag_row("me", END - dt.timedelta(days=2), "pain_high", band="severe", value=8, threshold=7),
        flag_row("me", END, "intensity_jump", band="large", value=2.0),
    ]), schema.FLAGS)
    assert recent_flags(flags, END)["rule"].to_list()[:2] == ["pain_high", "pain_rising"]
