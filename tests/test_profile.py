"""The athlete profile: given values, profile files, and stated estimates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from test_load_helpers import activities, activity, samples

from runback.errors import OptionError
from runback.load import Profile, estimate_profile, parse_pace, profile_path, read_profile
from runback.load.profile import read_profiles, resolve_profiles, resolve_store_profiles


def test_given_values_carry_their_source() -> None:
    p = Profile.given(hr_max_bpm=190, sex="female", timezone=None)
    assert (p.hr_max_bpm, p.hr_max_bpm_source) == (190, "given")
    assert (p.sex, p.sex_source) == ("female", "given")
    assert p.timezone is None and p.timezone_source is None


def test_read_profile_file(tmp_path: Path) -> None:
    f = tmp_path / "anna.toml"
    f.write_text(
        'sex = "female"\nhr_max_bpm = 188\nhr_rest_bpm = 52\nthreshold_pace = "4:45"\ntimezone = "Europe/Amsterdam"\n',
        encoding="utf-8",
    )
    p = read_profile(f)
    assert (p.sex, p.hr_max_bpm, p.hr_rest_bpm, p.timezone) == ("female", 188, 52, "Europe/Amsterdam")
    assert p.threshold_pace_s_per_km == 285.0  # 4 x 60 + 45
    assert p.threshold_speed_mps == pytest.approx(1000 / 285)
    assert {p.sex_source, p.hr_max_bpm_source, p.threshold_pace_s_per_km_source, p.timezone_source} == {"profile file"}
    assert profile_path(tmp_path, "anna") == tmp_path / "profiles" / "anna.toml"


@pytest.mark.parametrize(
    "text,match",
    [
        ("hr_max_bpm = 400\n", "hr_max_bpm = 400 is outside"),
        ('hr_max_bpm = "fast"\n', "must be a number"),
        ('sex = "x"\n', "sex must be"),
        ('threshold_pace = "4.45"\n', "bad pace"),
        ('timezone = "Mars/Olympus"\n', "unknown time zone"),
        ("hr_max_bpm = 110\nhr_rest_bpm = 115\n", "must be below"),
        ("hrmax = 180\n", "unknown profile key"),
        ("hr_max_bpm = \n", "not a valid TOML"),
    ],
)
def test_bad_profile_files_name_the_file(tmp_path: Path, text: str, match: str) -> None:
    f = tmp_path / "p.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(OptionError, match=match) as info:
        read_profile(f)
    assert str(f) in str(info.value)


def test_missing_profile_file(tmp_path: Path) -> None:
    with pytest.raises(OptionError, match="cannot read profile"):
        read_profile(tmp_path / "nope.toml")


@pytest.mark.parametrize("text,seconds", [("4:45", 285.0), ("10:05", 605.0), (" 3:30 ", 210.0)])
def test_parse_pace(text: str, seconds: float) -> None:
    assert parse_pace(text) == seconds


@pytest.mark.parametrize("text", ["4.45", "4:75", "abc", "4:", "-1:30"])
def test_parse_pace_rejects(text: str) -> None:
    with pytest.raises(OptionError, match="MM:SS|minutes:seconds"):
        parse_pace(text)


def test_estimate_profile_methods() -> None:
    acts = activities(
        [
            activity(0, 10.0, minutes=50, aid="r1", max_hr_bpm=199.0),  # 5:00/km for 50 min
            activity(2, 5.0, minutes=22, aid="r2"),  # 4:24/km for 22 min
            activity(3, 20.0, minutes=20, aid="bike-as-run"),  # 16.7 m/s: a GPS error or a ride, ignored
            activity(4, 40.0, minutes=80, sport="cycling", aid="c1"),  # not a run
        ]
    )
    # one heart-rate spike of 215 in r1 must not count: a 5-sample rolling median ignores it
    hr = [150, 160, 215, 170, 180, 182, 181, 183, 150, 48]
    smp = samples("r1", dt.datetime(2024, 1, 1, 7), list(range(0, 100, 10)), heart_rate_bpm=hr)
    p = estimate_profile(acts, smp)
    # rolling medians of 5: [150,160,215,170,180] -> 170; [160,215,170,180,182] -> 180;
    # [215,170,180,182,181] -> 181; [170,180,182,181,183] -> 181; [180,182,181,183,150] -> 181;
    # [182,181,183,150,48] -> 181.  The 215 spike and the summary max of 199 do not count.
    assert p.hr_max_bpm == 181.0
    assert p.hr_max_bpm_source is not None and p.hr_max_bpm_source.startswith("estimated: highest heart rate held")
    # the lowest sample (48 bpm) is below the 60 bpm default
    assert p.hr_rest_bpm == 48.0
    # Riegel: r1 predicts 10 km x (60/50)^(1/1.06) = 11.878 km in 60 min;
    # r2: 5 km x (60/22)^(1/1.06) = 5 x e^(0.943396 x ln 2.727273) = 5 x 2.576769 = 12.884 km
    # -> best 12.884 km in an hour -> 3600 / 12.884 = 279.4 s/km (4:39)
    assert p.threshold_pace_s_per_km == pytest.approx(3600 / (5 * (60 / 22) ** (1 / 1.06)), rel=1e-9)
    assert p.threshold_pace_s_per_km == pytest.approx(279.4, abs=0.05)
    assert p.sex is None and p.timezone is None


def test_estimate_profile_keeps_given_values_and_falls_back_to_summaries() -> None:
    acts = activities([activity(0, 10.0, minutes=50, max_hr_bpm=191.0)])
    p = estimate_profile(acts, None, given=Profile.given(hr_rest_bpm=45, sex="male"))
    assert (p.hr_rest_bpm, p.hr_rest_bpm_source) == (45, "given")
    assert (p.hr_max_bpm, p.hr_max_bpm_source) == (191.0, "estimated: highest activity maximum heart rate")
    # no samples: resting heart rate would be the 60 bpm default, but it was given
    q = estimate_profile(acts, None)
    assert q.hr_rest_bpm == 60.0 and "typical adult" in (q.hr_rest_bpm_source or "")


def test_merged_prefers_own_values() -> None:
    cli = Profile.given(hr_max_bpm=185)
    from_file = Profile(hr_max_bpm=190, hr_rest_bpm=50, hr_max_bpm_source="profile file", hr_rest_bpm_source="profile file")
    m = cli.merged(from_file)
    assert (m.hr_max_bpm, m.hr_max_bpm_source) == (185, "given")
    assert (m.hr_rest_bpm, m.hr_rest_bpm_source) == (50, "profile file")


def test_profile_from_the_store(tmp_path: Path) -> None:
    from runback.load import load_profile
    from runback.store import open_store

    assert load_profile(tmp_path, "anna") is None
    assert read_profile(tmp_path, "anna") is None
    path = profile_path(tmp_path, "anna")
    path.parent.mkdir()
    path.write_text("hr_max_bpm = 186\n", encoding="utf-8")
    for store in (tmp_path, open_store(tmp_path)):
        p = read_profile(store, "anna")
        assert p is not None and (p.hr_max_bpm, p.hr_max_bpm_source) == (186, "profile file")
        assert load_profile(store, "anna") == p


# ---------------------------------------------------------------- which value wins
def _two_runners() -> pl.DataFrame:
    return activities(
        [
            activity(0, 10.0, minutes=50, athlete="anna", max_hr_bpm=191.0),  # 5:00/km for 50 min
            activity(1, 8.0, minutes=48, athlete="bram", max_hr_bpm=183.0),  # 6:00/km for 48 min
        ]
    )


def test_given_beats_the_profile_file_beats_the_estimate() -> None:
    from_file = Profile(
        hr_max_bpm=188, hr_rest_bpm=50, timezone="Europe/Amsterdam",
        hr_max_bpm_source="profile file", hr_rest_bpm_source="profile file", timezone_source="profile file",
    )
    out = resolve_profiles(_two_runners(), None, Profile.given(hr_max_bpm=195), stored={"anna": from_file, "bram": None})
    assert list(out) == ["anna", "bram"]
    anna, bram = out["anna"], out["bram"]
    assert (anna.hr_max_bpm, anna.hr_max_bpm_source) == (195, "given")
    assert (anna.hr_rest_bpm, anna.hr_rest_bpm_source) == (50, "profile file")
    assert (anna.timezone, anna.timezone_source) == ("Europe/Amsterdam", "profile file")
    # Riegel: 10 km in 50 min predicts 10 x (60/50)^(1/1.06) km in an hour
    assert anna.threshold_pace_s_per_km == pytest.approx(3600 / (10 * 1.2 ** (1 / 1.06)), rel=1e-9)
    assert (anna.threshold_pace_s_per_km_source or "").startswith("estimated: Riegel")
    assert (bram.hr_max_bpm, bram.hr_max_bpm_source) == (195, "given")
    assert (bram.hr_rest_bpm, bram.timezone) == (60.0, None)
    # nothing given, nothing stored: every value estimated (as flags() did before)
    assert resolve_profiles(_two_runners())["bram"].hr_max_bpm_source == "estimated: highest activity maximum heart rate"


def test_no_estimate_when_every_value_is_known() -> None:
    bare = pl.DataFrame({"athlete": ["anna"]})  # none of the columns an estimate reads
    full = Profile.given(hr_max_bpm=190, hr_rest_bpm=50, threshold_pace_s_per_km=280)
    assert resolve_profiles(bare, None, full) == {"anna": full}
    assert estimate_profile(bare, None, given=full) == full
    # a value from the file completes the given ones just as well
    rest = Profile(hr_rest_bpm=50, hr_rest_bpm_source="profile file")
    given = Profile.given(hr_max_bpm=190, threshold_pace_s_per_km=280)
    assert resolve_profiles(bare, None, given, stored=rest)["anna"].hr_rest_bpm_source == "profile file"
    # one value short: the estimate runs, and needs the activities' columns
    with pytest.raises(pl.exceptions.ColumnNotFoundError):
        resolve_profiles(bare, None, Profile.given(hr_max_bpm=190, hr_rest_bpm=50))


def test_an_athlete_without_activities_gets_file_values_and_defaults() -> None:
    from_file = Profile(hr_max_bpm=186, hr_max_bpm_source="profile file")
    out = resolve_profiles(activities([]), None, stored={"anna": from_file}, athletes=["anna"])
    assert (out["anna"].hr_max_bpm, out["anna"].hr_max_bpm_source) == (186, "profile file")
    assert out["anna"].hr_rest_bpm == 60.0 and out["anna"].threshold_pace_s_per_km is None


def test_a_given_value_that_contradicts_the_file_is_an_error() -> None:
    from_file = Profile(hr_max_bpm=110, hr_max_bpm_source="profile file")
    with pytest.raises(OptionError, match="must be below"):
        resolve_profiles(_two_runners(), None, Profile.given(hr_rest_bpm=115), stored=from_file)


def test_store_profiles_and_the_profile_option(tmp_path: Path) -> None:
    from runback.store import open_store

    store = open_store(tmp_path / "s")
    path = store.profile_file("anna")
    assert path == tmp_path / "s" / "profiles" / "anna.toml" == profile_path(tmp_path / "s", "anna")
    path.parent.mkdir(parents=True)
    path.write_text('hr_max_bpm = 186\nsex = "female"\n', encoding="utf-8")
    assert store.profile_bytes("anna") == path.read_bytes() and store.profile_bytes("bram") is None
    assert read_profiles(store, ["anna", "bram"]) == {"anna": read_profile(path), "bram": None}

    out = resolve_store_profiles(store, _two_runners(), given=Profile.given(timezone="Asia/Tokyo"))
    assert (out["anna"].hr_max_bpm_source, out["anna"].sex, out["anna"].timezone_source) == ("profile file", "female", "given")
    assert out["bram"].hr_max_bpm_source == "estimated: highest activity maximum heart rate"
    # --profile FILE stands for every athlete, instead of the store's files
    option = tmp_path / "p.toml"
    option.write_text("hr_rest_bpm = 48\n", encoding="utf-8")
    out = resolve_store_profiles(store, _two_runners(), profile_file=option)
    assert {a: (p.hr_rest_bpm, p.hr_rest_bpm_source, p.sex) for a, p in out.items()} == {
        "anna": (48, "profile file", None),
        "bram": (48, "profile file", None),
    }
    # one athlete, as the report asks
    (only,) = resolve_store_profiles(store, _two_runners().filter(pl.col("athlete") == "anna"), athletes=["anna"]).values()
    assert only == estimate_profile(_two_runners().filter(pl.col("athlete") == "anna"), None, given=read_profile(path))


def test_profile_files_follow_the_athlete_name_rule(tmp_path: Path) -> None:
    with pytest.raises(OptionError, match="cannot be used"):
        profile_path(tmp_path, "../x")  # would point outside the store
