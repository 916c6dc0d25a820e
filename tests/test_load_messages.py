"""The flag messages: numbers and dates in each language, and the wording rules of EVIDENCE.md."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
import pytest
from test_load_helpers import activities, activity

from runback.load import Profile
from runback.model import flags
from runback.fmt import fmt_date, fmt_num

PROFILE = Profile.given(hr_max_bpm=190, hr_rest_bpm=55, threshold_pace_s_per_km=300)


def test_numbers_and_dates_for_values_and_expressions() -> None:
    assert fmt_num(1234.56, "en") == "1,234.6" and fmt_num(1234.56, "nl") == "1.234,6"
    assert fmt_num(2.28, "nl", 2) == "2,28" and fmt_num(7.0, "en", 0) == "7"
    assert fmt_date(dt.date(2024, 3, 4), "en") == "4 March 2024"
    assert fmt_date(dt.date(2024, 3, 4), "nl") == "4 maart 2024"
    df = pl.DataFrame({"x": [1234.56, 0.35, 12.0], "d": [dt.date(2024, 3, 4), dt.date(2024, 12, 31), dt.date(2025, 1, 1)]})
    out = df.select(
        en=fmt_num(pl.col("x"), "en"), nl=fmt_num(pl.col("x"), "nl"), nl2=fmt_num(pl.col("x"), "nl", 2),
        d_en=fmt_date(pl.col("d"), "en"), d_nl=fmt_date(pl.col("d"), "nl"),
    )
    assert out["en"].to_list() == ["1,234.6", "0.4", "12.0"]
    assert out["nl"].to_list() == ["1.234,6", "0,4", "12,0"]
    assert out["nl2"].to_list() == ["1.234,56", "0,35", "12,00"]
    assert out["d_en"].to_list() == ["4 March 2024", "31 December 2024", "1 January 2025"]
    assert out["d_nl"].to_list() == ["4 maart 2024", "31 december 2024", "1 januari 2025"]


@pytest.fixture(scope="module")
def every_rule() -> pl.DataFrame:
    """A history that raises every load rule (and acwr) at least once."""
    rows = [activity(i, 8.0, minutes=48, avg_hr_bpm=140.0) for i in range(0, 60, 2)]  # easy, every other day
    rows += [activity(60 + i, 8.0, minutes=40, avg_hr_bpm=175.0) for i in range(10)]  # 10 days in a row, harder
    rows += [activity(72, 30.0, minutes=180, avg_hr_bpm=150.0)]  # a long run
    rows += [activity(i, 3.0, minutes=30, sport="walking") for i in range(100, 140, 3)]
    rows += [activity(140, 40.0, minutes=250, avg_hr_bpm=150.0)]  # back after a month without running
    return flags(activities(rows), profile=PROFILE, include_acwr=True)


def test_every_rule_has_both_messages_and_evidence(every_rule: pl.DataFrame) -> None:
    assert {"session_spike", "weekly_jump", "intensity_jump", "no_rest", "monotony", "acwr"} <= set(every_rule["rule"])
    assert "no_baseline" in set(every_rule["band"])
    for col in ("message_en", "message_nl", "evidence"):
        assert every_rule[col].null_count() == 0
        assert (every_rule[col].str.len_chars() > 80).all()


FORBIDDEN_EN = r"\b(caused?|causing|because of your|safe|you are injured|injury risk is|diagnos\w*|will get injured)\b"
FORBIDDEN_NL = r"\b(veroorza\w*|door deze|veilig|je bent geblesseerd|diagnose\w*)\b"


def test_wording_never_diagnoses_or_claims_a_cause(every_rule: pl.DataFrame) -> None:
    for text in every_rule["message_en"]:
        assert not re.search(FORBIDDEN_EN, text, re.IGNORECASE), text
    for text in every_rule["message_nl"]:
        assert not re.search(FORBIDDEN_NL, text, re.IGNORECASE), text
    # and every message names the measured value with its unit or percentage
    assert every_rule.filter(pl.col("rule") != "no_rest")["message_en"].str.contains(r"\d").all()


def test_weak_evidence_is_said_so(every_rule: pl.DataFrame) -> None:
    weak = every_rule.filter(pl.col("rule").is_in(["weekly_jump", "intensity_jump", "no_rest", "monotony", "acwr"]))
    en = weak["message_en"].str.contains(r"weak|no direct evidence|no study-based|contested|no clear link")
    nl = weak["message_nl"].str.contains(r"zwak|geen direct bewijs|grens is er niet|ter discussie|geen duidelijk verband")
    assert en.all() and nl.all()
