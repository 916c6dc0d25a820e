"""The load model from per-activity summaries gives today's figures from samples, to 1e-9.

tests/reference_load.py keeps the sample-level code the load model ran before
runback.summaries (the oracle, as fitparse is for the FIT decoder).  Here every
readable corpus activity file and the sample data's two runners go through
both: the oracle on samples against the new code on summaries, and the new code
given samples against the same code given summaries, for several profiles
(given for a man, a woman and a runner of unknown sex, and estimated).
"""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

import reference_load as ref
from runback import checks, schema
from runback.cli._demo import ACTIVITY_SUFFIXES
from runback.io import read
from runback.load import Profile, daily_load, estimate_profile, resolve_profiles, session_load
from runback.load.profile import (
    complete_profile,
    estimates_by_athlete,
    sustained_efforts,
    threshold_pace_runs,
)
from runback.model import flags, localize_runs
from runback.pain.journal import apply_journal_rpe, read_journal
from runback.report._inputs import report_inputs
from runback.samples import SAMPLE_ATHLETES, sample_data_dir
from runback.summaries import SUMMARIES, summarize_samples, summarize_windows

from clirun import invoke
from samplestore import sample_store



def _same(got: pl.DataFrame, expected: pl.DataFrame) -> None:
    """Equal frames, floats to 1e-9 (relative or absolute)."""
    assert_frame_equal(got, expected, rel_tol=1e-9, abs_tol=1e-9)

#: profile values given for every athlete; None: every value estimated
PROFILES: dict[str, Profile | None] = {
    "male": Profile.given(sex="male", hr_max_bpm=192, hr_rest_bpm=48, threshold_pace_s_per_km=255),
    "female": Profile.given(sex="female", hr_max_bpm=178, hr_rest_bpm=58, threshold_pace_s_per_km=330),
    "unknown_sex": Profile.given(hr_max_bpm=205, hr_rest_bpm=40, threshold_pace_s_per_km=400),
    "female_estimated": Profile.given(sex="female"),
    "estimated": None,
}


def _read_corpus(corpus: Path) -> tuple[pl.DataFrame, pl.DataFrame, list[pl.DataFrame]]:
    """Every readable corpus activity file, each read alone: (activities, samples, each file's samples).

    Each source repository is one athlete, so the estimates differ between
    athletes; a file kept by several repositories counts once.
    """
    with (corpus / "MANIFEST.tsv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    acts, per_file = [], []
    seen: set[str] = set()
    for row in rows:
        frames = read(corpus / row["path"], athlete=row["path"].split("/")[0], workers=1)
        new = frames.activities.filter(~pl.col("activity_id").is_in(list(seen)))
        seen.update(new["activity_id"].to_list())
        acts.append(new)
        kept = frames.samples.filter(pl.col("activity_id").is_in(new["activity_id"].to_list()))
        if kept.height:
            per_file.append(kept)
    return pl.concat(acts, how="vertical"), pl.concat(per_file, how="vertical"), per_file


@pytest.fixture(scope="module")
def corpus_frames(corpus: Path) -> tuple[pl.DataFrame, pl.DataFrame, list[pl.DataFrame]]:
    return _read_corpus(corpus)


@pytest.fixture(scope="module")
def sample_frames() -> tuple[pl.DataFrame, pl.DataFrame]:
    data = sample_data_dir()
    acts, smps = [], []
    for athlete in SAMPLE_ATHLETES:
        files = sorted(p for p in (data / athlete).iterdir() if p.suffix.lower() in ACTIVITY_SUFFIXES)
        frames = read(files, athlete=athlete, workers=1)
        acts.append(frames.activities)
        smps.append(frames.samples)
    return pl.concat(acts, how="vertical"), pl.concat(smps, how="vertical")


@pytest.fixture(scope="module", params=["corpus", "sample_data"])
def data(
    request: pytest.FixtureRequest,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(activities, samples, summaries) of the corpus or of the sample data."""
    if request.param == "corpus":
        activities, samples, _ = request.getfixturevalue("corpus_frames")
    else:
        activities, samples = request.getfixturevalue("sample_frames")
    return activities, samples, summarize_samples(samples)


def _by_id(df: pl.DataFrame) -> pl.DataFrame:
    return df.sort("activity_id")


def test_the_data_has_what_the_model_reads(data: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]) -> None:
    """The comparisons below are not vacuous: runs with heart rate, efforts, and (corpus) long gaps."""
    activities, samples, summaries = data
    assert summaries.schema == pl.Schema(SUMMARIES)
    assert summaries.height == samples["activity_id"].n_unique()
    with_hr = summaries.filter(pl.col("hr_bpm").list.len() > 0)
    assert with_hr.height >= 10
    assert summaries["effort_pace_s_per_km"].drop_nulls().len() >= 5
    sessions = ref.session_load(activities, samples, profiles=resolve_profiles(activities, samples))
    assert sessions.filter(pl.col("is_run"))["trimp_banister"].sum() > 0
    assert sessions["above_threshold_min"].sum() > 0


@pytest.mark.parametrize("variant", list(PROFILES))
def test_session_and_daily_load_equal_the_sample_oracle(
    data: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame], variant: str
) -> None:
    activities, samples, summaries = data
    profiles = resolve_profiles(activities, samples, PROFILES[variant])
    # the profiles resolved from samples and from summaries are the same
    assert resolve_profiles(activities, profile=PROFILES[variant], summaries=summaries) == profiles
    expected = ref.session_load(activities, samples, profiles=profiles)
    from_summaries = session_load(activities, profiles=profiles, summaries=summaries)
    from_samples = session_load(activities, samples, profiles=profiles)
    _same(_by_id(from_summaries), _by_id(expected))
    _same(_by_id(from_samples), _by_id(from_summaries))
    # and the profile resolved inside session_load, from samples or from summaries
    inside = session_load(activities, profile=PROFILES[variant], summaries=summaries)
    _same(_by_id(inside), _by_id(expected))
    _same(daily_load(activities, profile=PROFILES[variant], summaries=summaries),
        daily_load(activities, sessions=expected))


def _profiles_from(estimates: pl.DataFrame) -> dict[str, Profile]:
    return {row["athlete"]: complete_profile(None, row) for row in estimates.iter_rows(named=True)}


def test_estimates_equal_the_sample_oracle(data: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]) -> None:
    activities, samples, summaries = data
    expected = ref.estimates_by_athlete(activities, samples).sort("athlete")
    from_summaries = estimates_by_athlete(activities, summaries=summaries).sort("athlete")
    _same(from_summaries, expected)
    _same(estimates_by_athlete(activities, samples).sort("athlete"), from_summaries)
    assert expected["hr_max"].drop_nulls().len() >= 1
    # the profiles those estimates make, athlete by athlete and pooled
    assert resolve_profiles(activities, summaries=summaries) == _profiles_from(expected)
    one = activities["athlete"][0]
    mine = activities.filter(pl.col("athlete") == one)
    assert estimate_profile(mine, summaries=summaries) == estimate_profile(mine, samples)


def test_efforts_and_threshold_runs_equal_the_sample_oracle(
    data: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame],
) -> None:
    activities, samples, summaries = data
    expected = ref.sustained_efforts(activities, samples)
    assert expected.height >= 3
    _same(sustained_efforts(activities, summaries=summaries), expected)
    _same(sustained_efforts(activities, samples), expected)
    runs = ref.threshold_pace_runs(activities, samples)
    _same(threshold_pace_runs(activities, summaries=summaries), runs)
    _same(threshold_pace_runs(activities, samples), runs)


def test_a_sport_correction_counts_for_the_efforts(sample_frames: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    """The efforts are in every activity's summary: a run corrected to cycling drops out, and back."""
    activities, samples = sample_frames
    summaries = summarize_samples(samples)
    before = sustained_efforts(activities, summaries=summaries)
    first = before["activity_id"][0]
    ridden = activities.with_columns(
        sport=pl.when(pl.col("activity_id") == first).then(pl.lit("cycling")).otherwise(pl.col("sport"))
    )
    after = sustained_efforts(ridden, summaries=summaries)
    assert first not in after["activity_id"].to_list()
    _same(after, ref.sustained_efforts(ridden, samples))
    assert after.height == before.height - 1


def test_long_gap_checks_equal_the_sample_oracle(data: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]) -> None:
    activities, samples, summaries = data
    acts = schema.conform(activities, schema.ACTIVITIES)
    expected = _by_id(schema.conform(ref._long_gaps(acts, samples), schema.CHECKS))
    got = _by_id(schema.conform(checks._long_gaps(acts, summaries), schema.CHECKS))
    _same(got, expected)
    profiles = resolve_profiles(activities, summaries=summaries)
    assert_frame_equal(
        checks.check_activities(activities, samples, profiles=profiles),
        checks.check_activities(activities, profiles=profiles, summaries=summaries),
    )


def test_long_gaps_are_found_in_the_corpus(corpus_frames: tuple[pl.DataFrame, pl.DataFrame, list[pl.DataFrame]]) -> None:
    activities, samples, _ = corpus_frames
    found = checks._long_gaps(schema.conform(activities, schema.ACTIVITIES), summarize_samples(samples))
    assert found.height >= 1


def test_flags_from_summaries_equal_flags_from_samples(sample_frames: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    activities, samples = sample_frames
    summaries = summarize_samples(samples)
    profiles = resolve_profiles(activities, summaries=summaries)
    _same(flags(activities, samples), flags(activities, summaries=summaries, profiles=profiles))


def _summaries_alone(per_file: list[pl.DataFrame]) -> pl.DataFrame:
    return pl.concat([summarize_samples(s) for s in per_file], how="vertical")


def test_a_batch_summarises_as_each_activity_alone(
    corpus_frames: tuple[pl.DataFrame, pl.DataFrame, list[pl.DataFrame]],
) -> None:
    _, samples, per_file = corpus_frames
    alone = _summaries_alone(per_file)
    assert_frame_equal(_by_id(summarize_samples(samples)), _by_id(alone))
    # in another order of the activities, too
    shuffled = samples.sample(fraction=1.0, shuffle=True, seed=7)
    assert_frame_equal(_by_id(summarize_samples(shuffled)), _by_id(alone))



def test_windows_of_a_batch_summarise_as_the_whole(
    corpus_frames: tuple[pl.DataFrame, pl.DataFrame, list[pl.DataFrame]],
) -> None:
    """Windows that cut activities in two give the whole batch's rows; activities out of order give None."""
    _, samples, per_file = corpus_frames
    whole = _by_id(summarize_samples(samples))
    for rows in (997, 20_000, samples.height):
        found = summarize_windows(samples.iter_slices(rows))
        assert found is not None
        assert_frame_equal(_by_id(found), whole)
    assert summarize_windows(iter(())) is not None and summarize_windows(iter(())).is_empty()
    two = [f for f in per_file if f.height > 10][:2]
    assert len(two) == 2
    interleaved = pl.concat([two[0].head(5), two[1], two[0].tail(5)])
    assert summarize_windows(interleaved.iter_slices(interleaved.height // 2)) is None


# --------------------------------------------------------------------------
# the commands: a report's load is flags' load (the journal's RPE in both)
# --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> object:
    return sample_store(tmp_path_factory.mktemp("summaries") / "store")


def test_a_reports_daily_srpe_is_the_flags_one(store: object) -> None:
    """Deliberate: a report's load now fills missing RPE from the journal, as flags() always did."""
    athlete = "anna"
    inputs = report_inputs(store, athlete)
    activities = store.activities(athlete)  # type: ignore[attr-defined]
    journal = read_journal(store, athlete)  # type: ignore[arg-type]
    profiles = {athlete: inputs.profile}
    filled = apply_journal_rpe(localize_runs(activities, profiles), journal)
    summaries = store.summaries(athlete)  # type: ignore[attr-defined]
    # what flags() computes its load from
    as_flags = daily_load(filled, sessions=session_load(filled, profiles=profiles, summaries=summaries))
    _same(inputs.daily, as_flags)
    # the journal gives RPE the activities lack, so this is not the raw activities' load
    raw = daily_load(activities, sessions=session_load(activities, profiles=profiles, summaries=summaries))
    assert inputs.daily["srpe_au"].sum() > raw["srpe_au"].sum()
    # and the report's flags are those of flags()
    got = inputs.flags
    expected = flags(activities, journal=journal, profile=inputs.profile, summaries=summaries,
                     wellness=store.wellness(athlete))  # type: ignore[attr-defined]
    _same(got, expected)


def test_store_summaries_give_the_samples_figures(store: object) -> None:
    for athlete in SAMPLE_ATHLETES:
        activities = store.activities(athlete)  # type: ignore[attr-defined]
        samples = store.samples(athlete)  # type: ignore[attr-defined]
        summaries = store.summaries(athlete)  # type: ignore[attr-defined]
        profiles = resolve_profiles(activities, samples)
        assert resolve_profiles(activities, summaries=summaries) == profiles
        _same(_by_id(session_load(activities, profiles=profiles, summaries=summaries)),
            _by_id(ref.session_load(activities, samples, profiles=profiles)))


def test_runback_schema_lists_the_summaries() -> None:
    result = invoke("schema", "summaries")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "summaries:"
    assert [line.split()[0] for line in lines[1:]] == list(SUMMARIES)


def test_runback_check_reads_summaries_as_samples(store: object) -> None:
    """check_store reads Store.summaries: its items are those computed from the samples."""
    for athlete in SAMPLE_ATHLETES:
        activities = store.activities(athlete)  # type: ignore[attr-defined]
        samples = store.samples(athlete)  # type: ignore[attr-defined]
        profiles = resolve_profiles(activities, samples)
        expected = checks.check_activities(activities, samples, profiles=profiles)
        got = checks.check_store(store, athlete)  # type: ignore[arg-type]
        _same(got.drop("fix"), expected.drop("fix"))
