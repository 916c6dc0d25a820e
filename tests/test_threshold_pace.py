"""The threshold-pace estimate: the best sustained efforts inside runs that agree, never one recording."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import polars as pl
import pytest

from runback import schema
from runback.load import estimate_profile
from runback.load.profile import sustained_efforts, threshold_pace_runs
from runback.store import Store, open_store

SAMPLE = Path(__file__).resolve().parents[1] / "sample_data"
RIEGEL = "estimated: Riegel (exponent 1.06) 60-min pace from the best run of 10 min to 3 h"
AGREE = "estimated: median of the best 20-60 min efforts (Riegel-adjusted to 60 min) of 3 runs that agree within 10%"


def recording(
    aid: str,
    start: dt.datetime,
    segments: Sequence[tuple[float, float | None]],
    *,
    every_s: float = 5.0,
    summary: dict[str, object] | None = None,
) -> tuple[dict[str, object], pl.DataFrame]:
    """An activity row and its samples: ``segments`` of (seconds, m/s); a speed of None is a gap without samples."""
    t, d = 0.0, 0.0
    times, dists = [0.0], [0.0]
    for seconds, speed in segments:
        if speed is None:  # no samples: the watch saw nothing
            t += seconds
            times.append(t)
            dists.append(d)
            continue
        for _ in range(round(seconds / every_s)):
            t += every_s
            d += speed * every_s
            times.append(t)
            dists.append(d)
    start = start.replace(tzinfo=dt.timezone.utc)
    samples = schema.conform(
        pl.DataFrame(
            {
                "activity_id": aid,
                "timestamp_utc": [start + dt.timedelta(seconds=x) for x in times],
                "elapsed_s": times,
                "distance_m": dists,
            }
        ),
        schema.SAMPLES,
    )
    row: dict[str, object] = {
        "activity_id": aid,
        "athlete": "me",
        "sport": "running",
        "format": "fit",
        "start_time_utc": start,
        "start_time_local": start.replace(tzinfo=None),
        "elapsed_s": t,
        "moving_s": t,
        "distance_m": d,
    }
    row.update(summary or {})
    return row, samples


def frames(recs: Sequence[tuple[dict[str, object], pl.DataFrame]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    acts = schema.conform(pl.DataFrame([r for r, _ in recs], infer_schema_length=None), schema.ACTIVITIES)
    return acts, pl.concat([s for _, s in recs])


def normal_runs() -> list[tuple[dict[str, object], pl.DataFrame]]:
    """Six runs: 10 min easy, 25 min of tempo at 3.00-3.15 m/s (5:17-5:33/km), 10 min easy."""
    tempos = [3.10, 3.05, 3.12, 3.08, 3.00, 3.15]
    day0 = dt.datetime(2025, 3, 3, 7)
    return [
        recording(f"run{i}", day0 + dt.timedelta(days=2 * i), [(600, 2.7), (1500, v), (600, 2.7)])
        for i, v in enumerate(tempos)
    ]


def broken(hours: float) -> tuple[dict[str, object], pl.DataFrame]:
    """A watch left recording: 30 min at 4.6 m/s (a bike), 20 min at 9 m/s (a car), then standing and a long gap.

    Its summary (21.7 km in 88 moving minutes) makes Riegel predict a 3:58/km hour.
    """
    return recording(
        "broken",
        dt.datetime(2025, 3, 20, 9),
        [(600, 0.2), (1800, 4.6), (1200, 9.0), (600, 0.1), (hours * 3600 - 4200 - 3600, None), (3600, 0.2)],
        summary={"elapsed_s": hours * 3600, "moving_s": 5280.0, "distance_m": 21700.0},
    )


def test_one_broken_recording_does_not_move_the_estimate() -> None:
    acts, smp = frames(normal_runs())
    p = estimate_profile(acts, smp)
    assert p.threshold_pace_s_per_km_source == AGREE
    # the tempos' 20-30 min stretches, Riegel-adjusted to an hour: between 5:30 and 5:50 per km
    assert p.threshold_pace_s_per_km is not None and 330 < p.threshold_pace_s_per_km < 350
    for hours in (5.5, 24.0):
        with_broken, smp_broken = frames([*normal_runs(), broken(hours)])
        q = estimate_profile(with_broken, smp_broken)
        assert (q.threshold_pace_s_per_km, q.threshold_pace_s_per_km_source) == (
            p.threshold_pace_s_per_km,
            p.threshold_pace_s_per_km_source,
        )
        # its own best effort is the bike's half hour, far from every run: no run agrees with it
        efforts = sustained_efforts(with_broken, smp_broken)
        assert efforts["activity_id"][0] == "broken" and efforts["effort_pace_s_per_km"][0] < 240
        assert "broken" not in threshold_pace_runs(with_broken, smp_broken)["activity_ids"].item()
    # the summaries alone cannot tell: Riegel from a 5.5 h recording's 21.7 km in 88 min says 3:58/km
    five_h, _ = frames([*normal_runs(), broken(5.5)])
    assert estimate_profile(five_h, None).threshold_pace_s_per_km == pytest.approx(
        3600 / (21.7 * (3600 / 5280) ** (1 / 1.06)), rel=1e-9
    )
    # ... but a recording of more than 6 h is never trusted as one run
    day, _ = frames([*normal_runs(), broken(24.0)])
    assert estimate_profile(day, None).threshold_pace_s_per_km == estimate_profile(acts, None).threshold_pace_s_per_km


def test_efforts_are_measured_on_moving_time_and_plausible_speeds_only() -> None:
    runs = [
        # 25 min at 3 m/s broken by a 20 min stop (samples at 0.1 m/s): moving time is still 25 min
        recording("stop", dt.datetime(2025, 1, 1, 7), [(750, 3.0), (1200, 0.1), (750, 3.0)]),
        # 30 min at 7 m/s: not running, whatever the label says
        recording("too-fast", dt.datetime(2025, 1, 2, 7), [(1800, 7.0)]),
        # 19 min: too short for the shortest window
        recording("short", dt.datetime(2025, 1, 3, 7), [(1140, 3.0)]),
    ]
    acts, smp = frames(runs)
    efforts = sustained_efforts(acts, smp)
    assert efforts["activity_id"].to_list() == ["stop"]
    row = efforts.row(0, named=True)
    assert row["window_min"] == 20 and row["window_speed_mps"] == pytest.approx(3.0, rel=1e-3)
    # 20 min at 3 m/s predicts 3600 * 3 * 3 ** (1 / 1.06 - 1) m in an hour
    assert row["effort_pace_s_per_km"] == pytest.approx(1000 / (3.0 * 3 ** (1 / 1.06 - 1)), rel=1e-3)


def test_fewer_than_three_runs_fall_back_to_riegel_and_say_so() -> None:
    acts, smp = frames(normal_runs()[:2])
    p = estimate_profile(acts, smp)
    assert p.threshold_pace_s_per_km_source == RIEGEL
    assert p.threshold_pace_s_per_km == estimate_profile(acts, None).threshold_pace_s_per_km
    assert threshold_pace_runs(acts, smp).is_empty()
    # no runs at all: no estimate
    assert estimate_profile(schema.empty(schema.ACTIVITIES), None).threshold_pace_s_per_km is None


def test_runs_that_do_not_agree_give_the_median_of_the_best_three() -> None:
    day0 = dt.datetime(2025, 1, 1, 7)
    recs = [recording(f"r{i}", day0 + dt.timedelta(days=i), [(1200, v)]) for i, v in enumerate([3.0, 3.6, 4.3])]
    acts, smp = frames(recs)
    p = estimate_profile(acts, smp)
    assert p.threshold_pace_s_per_km_source is not None and "do not agree" in p.threshold_pace_s_per_km_source
    assert p.threshold_pace_s_per_km == pytest.approx(1000 / (3.6 * 3 ** (1 / 1.06 - 1)), rel=1e-3)


# ---------------------------------------------------------------- the sample data and the real year
@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = open_store(tmp_path_factory.mktemp("store"))
    assert store.import_paths(SAMPLE / "anna", athlete="anna", workers=1).ok
    assert store.import_paths(SAMPLE / "bram", athlete="bram", workers=1).ok
    return store


@pytest.mark.parametrize(
    "athlete,riegel,efforts",
    [
        # anna (FIT): Riegel from one run said 5:29/km; the efforts of 3 runs agree on 5:21/km
        ("anna", 329.2, 320.8),
        # bram (GPX, TCX, a Strava export): 5:01/km either way
        ("bram", 300.5, 300.8),
    ],
)
def test_sample_data_estimates(sample_store: Store, athlete: str, riegel: float, efforts: float) -> None:
    acts, smp = sample_store.activities(athlete), sample_store.samples(athlete)
    before = estimate_profile(acts, None)
    assert before.threshold_pace_s_per_km == pytest.approx(riegel, abs=0.05)
    after = estimate_profile(acts, smp)
    assert after.threshold_pace_s_per_km == pytest.approx(efforts, abs=0.05)
    assert after.threshold_pace_s_per_km_source == AGREE
    runs = threshold_pace_runs(acts, smp)["activity_ids"].item()
    assert len(set(runs)) == 3 and set(runs) <= set(acts["activity_id"])


def test_the_real_year_ignores_the_recording_left_running(corpus: Path, tmp_path: Path) -> None:
    store = open_store(tmp_path / "store")
    assert store.import_paths(corpus / "corriporai-runpandas" / "examples" / "session", workers=1).ok
    acts, smp = store.activities(), store.samples()
    assert acts.height == 67
    # 2021-01-17: 21.7 km over 24 h, 88 moving minutes; Riegel from it said 3:58/km (237.6 s)
    day = acts.filter(pl.col("elapsed_s") > 6 * 3600).row(0, named=True)
    assert day["activity_id"] == "aa351394f3e5f080" and day["distance_m"] == pytest.approx(21738, abs=1)
    p = estimate_profile(acts, smp)
    assert p.threshold_pace_s_per_km == pytest.approx(353.4, abs=0.05) and p.threshold_pace_s_per_km_source == AGREE
    assert "aa351394f3e5f080" not in threshold_pace_runs(acts, smp)["activity_ids"].item()
    # the summaries' fallback no longer trusts a recording of more than 6 h; it takes the next best
    # single run (2020-09-18, 5.33 km in 20.8 min -> 4:09/km for an hour): one run, hence only a fallback
    riegel = estimate_profile(acts, None).threshold_pace_s_per_km
    assert riegel == pytest.approx(3600 / (5.3287 * (3600 / 1250.911) ** (1 / 1.06)), abs=0.05)
    # excluding the recording changes nothing: it never counted
    store.exclude("aa351394f3e5f080")
    assert estimate_profile(store.activities(), store.samples()) == p
