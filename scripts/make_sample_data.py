#!/usr/bin/env python3
"""Write runback's sample data: two fictional runners over 24 weeks.

    python3 scripts/make_sample_data.py            # rewrites sample_data/
    python3 scripts/make_sample_data.py OUT_DIR    # writes somewhere else

The output is deterministic: fixed seeds, fixed timestamps, fixed zip member
dates; nothing depends on today's date, the machine's time zone or the hash
seed. Running it twice gives the same bytes (``tests/test_sample_data.py``
checks this against the committed files).

The runners and what their training contains
---------------------------------------------
Period: Monday 2025-03-03 to Sunday 2025-08-17 (24 ISO weeks, W1..W24).

anna (FIT files from a Garmin Forerunner 255, Amsterdam, Europe/Amsterdam):
    W1-W10   base, 4 runs a week, 25-34 km, long run 9-12.5 km, one progression
             run a week (the last 3 km near threshold), rest days every week
    W11      ramp: 48.5 km after 33.5 km (+45%), 6 runs
    W11-W12  no rest day from Tue 13 May to Wed 21 May (9 running days)
    W12      intervals week: 6x800 m, 2x15 min tempo, 5x1000 m
             (zone 4-5 minutes several times the usual)
    W13      long run of 18.5 km on Sun 1 June, 42% beyond the longest run of
             the previous 30 days (13 km), with a fast finish
    W13-W19  back pain: begins after the long run (NRS 3 after, 5 next morning),
             peaks at 6 during a run on Wed 4 June, fades to 0 by 29 June
             while the weeks are lighter (15, 17.5, 20, 22 km); she walks on
             rest days
    W19-W24  gradual rebuild (<= 20% a week, long runs +5% a time), nothing
             flagged in the last weeks
    journal  an entry after almost every run (pain, RPE, often sleep and stress),
             poor sleep / high stress on hard days (17 May, 20 May, 1 June)

bram (GPX and TCX files, plus a Strava bulk export, Utrecht):
    W1-W3    GPX files from Garmin Connect, W4 TCX files (including a ride),
             W5-W24 in ``strava_export.zip`` (``activities/*.gpx.gz``,
             ``*.tcx.gz``, rides from a bike computer as ``*.fit.gz``, and an
             ``activities.csv`` with name, type and perceived exertion)
    W1-W6    base, 4 runs a week, 33-40 km, long run 12-14 km
    W7       intervals week: 8x400 m, 3x10 min tempo, 5x1000 m
    W9       ramp: 56 km after 39 km (+44%); no rest day from Sat 26 April to
             Mon 5 May (10 running days)
    W10-W21  steady 35-42 km weeks, long runs up to 16.5 km
    W22      a 24 km hilly trail race on Sat 2 August, 45% beyond the longest run
             of the previous 30 days (16.5 km)
    W22-W24  back pain from the morning after the race (peak NRS 5 on 5-6
             August), fading to 1 by 17 August in two lighter weeks (20, 21.5 km):
             at the end of the period he is the runner a coach looks at
    journal  sparser: a few entries around hard weeks (work stress, short
             nights) and daily entries during the pain episode

The runners, their routes, heart rates and journals are invented.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import io
import math
import random
import shutil
import sys
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "sample_data"

PERIOD_START = dt.date(2025, 3, 3)  # a Monday
N_WEEKS = 24
PERIOD_END = PERIOD_START + dt.timedelta(weeks=N_WEEKS, days=-1)

DT_S = 5  # record spacing, seconds (keeps the committed files small)

# Europe/Amsterdam in 2025: CET (+1 h) until 30 March 01:00 UTC, then CEST (+2 h)
# until 26 October 01:00 UTC. Written out so the output never depends on the
# machine's tz database.
_DST_START_UTC = dt.datetime(2025, 3, 30, 1, 0)
_DST_END_UTC = dt.datetime(2025, 10, 26, 1, 0)

FIT_EPOCH_S = 631065600  # 1989-12-31T00:00:00Z in Unix seconds

# Zip members get this date, so the archive is byte-identical on every run.
ZIP_DATE = (2025, 8, 18, 7, 30, 0)

EARTH_M_PER_DEG = 6371008.8 * math.pi / 180  # metres per degree of latitude


def utc_offset_s(local: dt.datetime) -> int:
    """UTC offset of Europe/Amsterdam at a 2025 local wall-clock time, seconds."""
    # compare as if it were CET; no session starts in the hour the clocks skip
    summer = _DST_START_UTC <= local - dt.timedelta(hours=1) < _DST_END_UTC
    return 7200 if summer else 3600


# --------------------------------------------------------------------------
# runners and their plans
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Runner:
    name: str
    sex: str
    hr_max: float  # bpm
    hr_rest: float  # bpm
    easy_mps: float  # easy pace
    threshold_mps: float  # pace held for about an hour
    cadence_spm: float  # steps per minute at easy pace
    weight_kg: float
    home: tuple[float, float]  # lat, lon of the usual start
    hills: tuple[float, float] | None  # where the hilly runs start (lat, lon)


ANNA = Runner(
    name="anna", sex="female", hr_max=190, hr_rest=52, easy_mps=2.90,
    threshold_mps=3.45, cadence_spm=168, weight_kg=60,
    home=(52.35790, 4.86820), hills=None,  # Vondelpark, Amsterdam
)
BRAM = Runner(
    name="bram", sex="male", hr_max=193, hr_rest=46, easy_mps=3.10,
    threshold_mps=3.75, cadence_spm=174, weight_kg=74,
    home=(52.08710, 5.13560),  # Maliebaan, Utrecht
    hills=(52.01420, 5.45790),  # Amerongse Berg, Utrechtse Heuvelrug
)

# One line per ISO week: weekday (0 = Monday) -> session spec.
#   "easy 6"      easy run of 6 km           "long 12"    long run, slightly slower
#   "prog 7"      easy, last 3 km near threshold
#   "fastlong 18.5" long run whose last 2 km are fast
#   "int 6x800"   intervals (2 km warm-up, 90 s jog between, 1.5 km cool-down)
#   "tempo 2x15"  tempo blocks of 15 min at threshold, 3 min jog between
#   "race 24"     hilly trail race            "walk 4"     "ride 25"
ANNA_WEEKS: list[dict[int, str]] = [
    {0: "long 9", 2: "easy 6", 4: "prog 7", 6: "long 9.5"},            # W1  03-03 base
    {1: "easy 6", 3: "prog 7", 5: "easy 5", 6: "long 10"},             # W2  03-10
    {1: "easy 6.5", 3: "prog 7", 5: "easy 6", 6: "long 10.5"},         # W3  03-17
    {1: "easy 5.5", 3: "prog 6", 5: "easy 5", 6: "long 9"},            # W4  03-24 easier
    {1: "easy 6.5", 3: "prog 7", 5: "easy 6", 6: "long 11"},           # W5  03-31
    {1: "easy 6.5", 3: "prog 7.5", 5: "easy 6", 6: "long 11.5"},       # W6  04-07
    {1: "easy 7", 3: "prog 7.5", 5: "easy 6", 6: "long 12"},           # W7  04-14
    {1: "easy 6", 3: "prog 6.5", 5: "easy 5", 6: "long 10"},           # W8  04-21 easier
    {1: "easy 7", 3: "prog 7.5", 5: "easy 6.5", 6: "long 12"},         # W9  04-28
    {1: "easy 7", 3: "prog 8", 5: "easy 6", 6: "long 12.5"},           # W10 05-05
    {1: "easy 7", 2: "easy 6.5", 3: "prog 8", 4: "easy 6.5",           # W11 05-12 ramp +45%
     5: "easy 7.5", 6: "long 13"},
    {0: "easy 6", 1: "int 6x800", 2: "easy 6", 4: "tempo 2x15",        # W12 05-19 intervals
     5: "easy 5", 6: "int 5x1000"},
    {1: "easy 7", 3: "easy 6.5", 5: "easy 5", 6: "fastlong 18.5"},     # W13 05-26 long run +42%
    {1: "walk 4", 2: "easy 5", 4: "easy 4", 5: "walk 5", 6: "easy 6"},  # W14 06-02 back pain
    {1: "easy 5", 3: "easy 5", 4: "walk 5", 6: "long 7.5"},            # W15 06-09
    {1: "easy 5.5", 3: "easy 6", 6: "long 8.5"},                       # W16 06-16
    {1: "easy 6", 3: "easy 6.5", 6: "long 9.5"},                       # W17 06-23
    {1: "easy 6", 3: "easy 6.5", 5: "easy 4.5", 6: "long 9.5"},        # W18 06-30
    {1: "easy 6.5", 3: "prog 7", 5: "easy 5", 6: "long 10"},           # W19 07-07
    {1: "easy 6.5", 3: "prog 7", 5: "easy 5.5", 6: "long 10.5"},       # W20 07-14
    {1: "easy 7", 3: "prog 7.5", 5: "easy 5.5", 6: "long 11"},         # W21 07-21
    {1: "easy 6", 3: "prog 6.5", 5: "easy 5", 6: "long 9.5"},          # W22 07-28 easier
    {1: "easy 6.5", 3: "prog 7", 5: "easy 5.5", 6: "long 10.5"},       # W23 08-04
    {1: "easy 7", 3: "prog 7.5", 5: "easy 6", 6: "long 11.5"},         # W24 08-11
]

BRAM_WEEKS: list[dict[int, str]] = [
    {0: "long 12", 2: "easy 8", 4: "prog 8", 6: "long 12.5"},          # W1  03-03 base
    {1: "easy 8", 3: "prog 8.5", 5: "easy 7", 6: "long 13"},           # W2  03-10
    {1: "easy 8", 3: "prog 8.5", 5: "easy 7.5", 6: "long 13.5"},       # W3  03-17
    {1: "easy 8.5", 2: "ride 22", 3: "prog 9", 5: "easy 7.5",          # W4  03-24
     6: "long 14"},
    {1: "easy 7.5", 3: "prog 7.5", 5: "easy 6.5", 6: "long 12"},       # W5  03-31 easier
    {1: "easy 8.5", 3: "prog 9", 5: "easy 7.5", 6: "long 14"},         # W6  04-07
    {1: "int 8x400", 3: "tempo 3x10", 5: "int 5x1000", 6: "long 13"},  # W7  04-14 intervals
    {1: "easy 8", 3: "prog 9", 5: "easy 7.5", 6: "long 14.5"},         # W8  04-21
    {0: "easy 6", 1: "easy 8", 2: "easy 6", 3: "prog 9", 4: "easy 6",  # W9  04-28 ramp +44%
     5: "easy 6", 6: "long 15"},
    {0: "easy 6", 2: "easy 8", 4: "prog 9", 6: "long 15.5"},           # W10 05-05
    {1: "easy 8.5", 3: "prog 9", 5: "easy 8", 6: "long 16"},           # W11 05-12
    {1: "easy 7.5", 2: "ride 30", 3: "prog 8", 5: "easy 7",            # W12 05-19 easier
     6: "long 13"},
    {1: "easy 8.5", 3: "prog 9", 5: "easy 8", 6: "long 16"},           # W13 05-26
    {1: "easy 8.5", 2: "ride 25", 3: "prog 9", 5: "easy 5",            # W14 06-02
     6: "long 16.5"},
    {1: "easy 8.5", 3: "prog 9", 5: "easy 7.5", 6: "long 15"},         # W15 06-09
    {1: "easy 8.5", 3: "prog 9", 5: "easy 8", 6: "long 16"},           # W16 06-16
    {1: "easy 7.5", 2: "ride 30", 3: "prog 8", 5: "easy 7",            # W17 06-23 easier
     6: "long 13"},
    {1: "easy 8.5", 3: "prog 9", 5: "easy 7.5", 6: "long 16"},         # W18 06-30
    {1: "easy 8.5", 3: "prog 9", 5: "easy 8", 6: "long 16.5"},         # W19 07-07
    {1: "easy 8.5", 2: "ride 25", 3: "prog 9", 5: "easy 7.5",          # W20 07-14
     6: "long 16.5"},
    {1: "easy 8.5", 3: "prog 9", 5: "easy 7", 6: "long 16"},           # W21 07-21
    {1: "easy 8", 3: "easy 7", 5: "race 24"},                          # W22 07-28 race +45%
    {1: "easy 6", 3: "easy 6", 6: "long 8"},                           # W23 08-04 back pain
    {1: "easy 6.5", 3: "easy 6", 6: "long 9"},                         # W24 08-11
]


@dataclass(frozen=True)
class Session:
    runner: Runner
    day: dt.date
    kind: str  # easy, long, prog, fastlong, int, tempo, race, walk, ride
    arg: str  # "6", "6x800", "2x15"
    start_local: dt.datetime

    @property
    def sport(self) -> str:
        return {"walk": "walking", "ride": "cycling"}.get(self.kind, "running")

    @property
    def is_run(self) -> bool:
        return self.sport == "running"

    @property
    def slug(self) -> str:
        label = {"easy": "easy-run", "long": "long-run", "prog": "progression-run",
                 "fastlong": "long-run", "race": "trail-race", "walk": "walk",
                 "ride": "ride"}.get(self.kind)
        if label is None:
            label = f"{self.kind}-{self.arg}"
        return f"{self.day.isoformat()}-{label}"

    @property
    def title(self) -> str:
        part = "Morning" if self.start_local.hour < 12 else "Evening" if self.start_local.hour >= 17 else "Afternoon"
        if self.kind == "int":
            return f"Intervals {self.arg.replace('x', ' x ')} m"
        if self.kind == "tempo":
            return f"Tempo {self.arg.replace('x', ' x ')} min"
        if self.kind == "race":
            return "Heuvelrug Trail 24K"
        if self.kind in ("long", "fastlong"):
            return "Long Run"
        return f"{part} {dict(walk='Walk', ride='Ride').get(self.kind, 'Run')}"


def plan(runner: Runner, weeks: Sequence[dict[int, str]]) -> list[Session]:
    """The runner's sessions in date order, with fixed local start times."""
    out = []
    for w, week in enumerate(weeks):
        for weekday, spec in sorted(week.items()):
            day = PERIOD_START + dt.timedelta(weeks=w, days=weekday)
            kind, arg = spec.split()
            if runner is ANNA:
                hh, mm = (9, 30) if weekday >= 5 else (18, 20)
                if kind == "walk":
                    hh, mm = 12, 40
            else:
                hh, mm = (9, 15) if weekday >= 5 else (6, 50)
                if kind == "ride":
                    hh, mm = 17, 35
            # a few minutes' jitter so starts do not look machine-made
            jitter = (day.toordinal() * 7 + weekday * 3) % 11
            out.append(Session(runner, day, kind, arg,
                               dt.datetime.combine(day, dt.time(hh, mm)) + dt.timedelta(minutes=jitter)))
    return out


# --------------------------------------------------------------------------
# simulating one session: speed, heart rate, cadence, altitude, position
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    until: str  # "d": a distance in metres; "t": a duration in seconds
    amount: float
    speed: float  # target m/s
    new_lap: bool
    intensity: str  # active, rest, warmup, cooldown


@dataclass
class Track:
    t: list[int] = field(default_factory=list)  # seconds since start
    d: list[float] = field(default_factory=list)  # metres
    v: list[float] = field(default_factory=list)  # m/s
    hr: list[int] = field(default_factory=list)  # bpm
    cad: list[float] = field(default_factory=list)  # steps/min (runs, walks), rpm (rides)
    alt: list[float] = field(default_factory=list)  # m
    lat: list[float] = field(default_factory=list)
    lon: list[float] = field(default_factory=list)
    laps: list[tuple[int, int, str, str]] = field(default_factory=list)  # i0, i1, intensity, trigger


def segments(s: Session) -> tuple[list[Segment], float | None]:
    """The session's planned segments and the auto-lap distance (None: laps per segment)."""
    r = s.runner
    easy, thr = r.easy_mps, r.threshold_mps
    if s.kind in ("easy", "long", "prog", "fastlong"):
        km = float(s.arg)
        speed = easy * (0.96 if s.kind in ("long", "fastlong") else 1.0)
        fast = {"prog": 3000.0, "fastlong": 2000.0}.get(s.kind, 0.0)
        segs = [Segment("d", 1000 * km - fast, speed, True, "active")]
        if s.kind in ("long", "fastlong") and km >= 11:
            # a drink at a tap halfway: the watch keeps recording at standstill
            half = 1000 * km / 2
            segs = [Segment("d", half, speed, True, "active"), Segment("t", 40, 0.0, False, "active"),
                    Segment("d", 1000 * km - fast - half, speed, False, "active")]
        if fast:
            segs.append(Segment("d", fast, thr * (0.97 if s.kind == "prog" else 0.95), False, "active"))
        return segs, 1000.0
    if s.kind == "int":
        reps, metres = (int(x) for x in s.arg.split("x"))
        segs = [Segment("d", 2000, easy * 0.95, True, "warmup")]
        for i in range(reps):
            segs.append(Segment("d", metres, thr * (1.14 if metres <= 400 else 1.10), True, "active"))
            if i < reps - 1:
                segs.append(Segment("t", 90 if metres <= 800 else 120, easy * 0.62, True, "rest"))
        segs.append(Segment("d", 1500, easy * 0.9, True, "cooldown"))
        return segs, None
    if s.kind == "tempo":
        blocks, minutes = (int(x) for x in s.arg.split("x"))
        segs = [Segment("d", 2000, easy * 0.95, True, "warmup")]
        for i in range(blocks):
            segs.append(Segment("t", 60 * minutes, thr * 1.0, True, "active"))
            if i < blocks - 1:
                segs.append(Segment("t", 180, easy * 0.7, True, "rest"))
        segs.append(Segment("d", 1500, easy * 0.9, True, "cooldown"))
        return segs, None
    if s.kind == "race":
        km = float(s.arg)
        return [Segment("d", 1000 * km, thr * 0.86, True, "active")], 1000.0
    if s.kind == "walk":
        return [Segment("d", 1000 * float(s.arg), 1.45, True, "active")], 1000.0
    if s.kind == "ride":
        return [Segment("d", 1000 * float(s.arg), 7.2, True, "active")], 5000.0
    raise ValueError(f"unknown session kind {s.kind!r}")


def altitude_profile(s: Session, rng: random.Random) -> Callable[[float], float]:
    """Altitude in metres as a function of distance along the route."""
    p1, p2, p3 = (rng.uniform(0, 2 * math.pi) for _ in range(3))
    if s.kind == "race":
        # the Heuvelrug: moraine ridges up to ~65 m
        return lambda d: 32 + 20 * math.sin(d / 2600 + p1) + 9 * math.sin(d / 700 + p2) + 3 * math.sin(d / 230 + p3)
    if s.runner is BRAM:
        base = 4.0
        return lambda d: base + 1.6 * math.sin(d / 900 + p1) + 0.8 * math.sin(d / 260 + p2)
    # Amsterdam: around sea level, with bridges over the canals
    bridge_every = rng.uniform(900, 1400)

    def alt(d: float) -> float:
        x = (d % bridge_every) - bridge_every / 2
        return -0.5 + 0.7 * math.sin(d / 1100 + p1) + 2.8 * math.exp(-((x / 35) ** 2))

    return alt


def heart_rate_target(r: Runner, kind: str, v: float) -> float:
    """Steady-state heart rate at speed ``v`` (bpm): linear between easy and threshold."""
    reserve = r.hr_max - r.hr_rest
    if kind == "walk":
        return r.hr_rest + 0.35 * reserve + 8 * (v - 1.45)
    if kind == "ride":
        return r.hr_rest + 0.55 * reserve + 3 * (v - 7.2)
    hr_easy = r.hr_rest + 0.65 * reserve
    hr_thr = r.hr_rest + 0.88 * reserve
    ratio = (v - r.easy_mps) / (r.threshold_mps - r.easy_mps)
    target = hr_easy + ratio * (hr_thr - hr_easy)
    if v < 0.3:  # standing still
        target = r.hr_rest + 0.35 * reserve
    return min(r.hr_max - 2, max(r.hr_rest + 0.45 * reserve, target))


def simulate(s: Session) -> Track:
    """Sample the session every DT_S seconds."""
    rng = random.Random(f"{s.runner.name}/{s.day.isoformat()}/{s.kind}/{s.arg}")
    segs, auto_lap = segments(s)
    alt_at = altitude_profile(s, rng)
    r = s.runner
    tr = Track()

    t, d = 0, 0.0
    v = 0.0
    hr = r.hr_rest + 0.30 * (r.hr_max - r.hr_rest) + rng.uniform(-4, 4)
    v_noise = 0.0
    hr_noise = 0.0
    cad_noise = 0.0
    drift_per_min = 0.07 if s.is_run else 0.02  # cardiac drift, bpm per minute after 15 min
    seg_i, seg_t0, seg_d0 = 0, 0, 0.0
    lap_starts: list[tuple[int, str, str]] = [(0, segs[0].intensity, "manual")]
    next_auto = auto_lap if auto_lap else math.inf

    def record() -> None:
        tr.t.append(t)
        tr.d.append(d)
        tr.v.append(v)
        tr.hr.append(int(round(min(r.hr_max, hr + hr_noise))))
        if s.kind == "ride":
            c = 0.0 if v < 0.5 else 84 + 6 * (v - 7.2) + cad_noise
        elif v < 0.3:
            c = 0.0
        elif s.kind == "walk":
            c = 112 + 10 * (v - 1.45) + cad_noise
        else:
            c = min(194.0, max(148.0, r.cadence_spm + 9 * (v - r.easy_mps) + cad_noise))
        tr.cad.append(c)
        tr.alt.append(alt_at(d))

    record()
    while seg_i < len(segs):
        seg = segs[seg_i]
        grade = (alt_at(d + 10) - alt_at(d)) / 10
        v_noise = 0.85 * v_noise + rng.gauss(0, 0.018)
        target = seg.speed * (1 + v_noise) * (1 - (4.0 if s.is_run else 6.0) * grade)
        if seg.speed == 0:
            target = 0.0
        # runners reach their pace in a few seconds, but not instantly
        v = max(0.0, v + (target - v) * (1 - math.exp(-DT_S / 6)))
        d += v * DT_S
        t += DT_S
        # effort, not speed, sets the heart rate: uphill is slower at the same effort
        v_effort = v / max(0.5, 1 - (4.0 if s.is_run else 6.0) * grade)
        hr_target = heart_rate_target(r, s.kind, v_effort) + drift_per_min * max(0.0, t / 60 - 15)
        tau = 28.0 if hr_target > hr else 45.0
        hr += (hr_target - hr) * (1 - math.exp(-DT_S / tau))
        hr_noise = 0.8 * hr_noise + rng.gauss(0, 0.7)
        cad_noise = 0.7 * cad_noise + rng.gauss(0, 0.9)
        # finish the segment on its planned distance or time
        done = d - seg_d0 >= seg.amount if seg.until == "d" else t - seg_t0 >= seg.amount
        if done and seg.until == "d":
            d = seg_d0 + seg.amount  # the watch's lap ends on the mark
        record()
        if done:
            seg_i += 1
            seg_t0, seg_d0 = t, d
            if seg_i < len(segs) and segs[seg_i].new_lap:
                lap_starts.append((len(tr.t) - 1, segs[seg_i].intensity, "manual"))
        elif d >= next_auto and d < sum(x.amount for x in segs if x.until == "d") - 200:
            lap_starts.append((len(tr.t) - 1, seg.intensity, "distance"))
            next_auto += auto_lap or math.inf
    # laps: each runs from its start record to the next lap's start record
    ends = [i for i, _, _ in lap_starts[1:]] + [len(tr.t) - 1]
    for (i0, intensity, _), i1, nxt in zip(lap_starts, ends, lap_starts[1:] + [(0, "", "session_end")]):
        tr.laps.append((i0, i1, intensity, nxt[2]))

    _place_on_route(s, tr, rng)
    return tr


def _place_on_route(s: Session, tr: Track, rng: random.Random) -> None:
    """Positions along a closed loop of the session's length, starting at home."""
    r = s.runner
    start = r.hills if s.kind == "race" and r.hills else r.home
    length = tr.d[-1]
    phase = rng.uniform(0, 2 * math.pi)
    a3, a5 = rng.uniform(0.10, 0.22), rng.uniform(0.04, 0.12)
    p3, p5 = rng.uniform(0, 2 * math.pi), rng.uniform(0, 2 * math.pi)
    n = 720
    pts = []
    for k in range(n + 1):
        th = phase + 2 * math.pi * k / n
        rad = 1 + a3 * math.sin(3 * th + p3) + a5 * math.cos(5 * th + p5)
        # flattened a little: canals and parks are longer than wide
        pts.append((1.25 * rad * math.cos(th), 0.8 * rad * math.sin(th)))
    cum = [0.0]
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        cum.append(cum[-1] + math.hypot(x1 - x0, y1 - y0))
    scale = length / cum[-1] if cum[-1] else 1.0
    x_origin, y_origin = pts[0]
    m_per_deg_lon = EARTH_M_PER_DEG * math.cos(math.radians(start[0]))
    gx = gy = 0.0
    j = 0
    for d in tr.d:
        target = d / scale
        while j < n - 1 and cum[j + 1] < target:
            j += 1
        seg_len = cum[j + 1] - cum[j]
        f = 0.0 if seg_len == 0 else min(1.0, max(0.0, (target - cum[j]) / seg_len))
        x = (pts[j][0] + f * (pts[j + 1][0] - pts[j][0]) - x_origin) * scale
        y = (pts[j][1] + f * (pts[j + 1][1] - pts[j][1]) - y_origin) * scale
        # GPS error: smooth, a metre or two
        gx = 0.95 * gx + rng.gauss(0, 0.35)
        gy = 0.95 * gy + rng.gauss(0, 0.35)
        tr.lat.append(start[0] + (y + gy) / EARTH_M_PER_DEG)
        tr.lon.append(start[1] + (x + gx) / m_per_deg_lon)


# --------------------------------------------------------------------------
# summaries shared by the writers
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    elapsed_s: float
    distance_m: float
    avg_speed: float
    max_speed: float
    avg_hr: int
    max_hr: int
    avg_cad: float
    max_cad: float
    ascent: int
    descent: int
    calories: int


def summarise(s: Session, tr: Track, i0: int, i1: int) -> Summary:
    elapsed = tr.t[i1] - tr.t[i0]
    dist = tr.d[i1] - tr.d[i0]
    hrs = tr.hr[i0 + 1: i1 + 1] or tr.hr[i0:i1 + 1]
    cads = [c for c in tr.cad[i0 + 1: i1 + 1] if c > 0] or [0.0]
    up = down = 0.0
    for a, b in zip(tr.alt[i0:i1], tr.alt[i0 + 1:i1 + 1]):
        if b > a:
            up += b - a
        else:
            down += a - b
    kcal_per_km = {"walk": 0.8, "ride": 0.35}.get(s.kind, 1.0) * s.runner.weight_kg
    return Summary(
        elapsed_s=float(elapsed), distance_m=dist,
        avg_speed=dist / elapsed if elapsed else 0.0,
        max_speed=max(tr.v[i0:i1 + 1]),
        avg_hr=int(round(sum(hrs) / len(hrs))), max_hr=max(hrs),
        avg_cad=sum(cads) / len(cads), max_cad=max(cads),
        ascent=int(round(up)), descent=int(round(down)),
        calories=int(round(kcal_per_km * dist / 1000)),
    )


def start_utc(s: Session) -> dt.datetime:
    return s.start_local - dt.timedelta(seconds=utc_offset_s(s.start_local))


def iso_z(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------
# FIT (fit-tool)
# --------------------------------------------------------------------------


def write_fit(s: Session, tr: Track, *, product: str = "FR255", serial: int = 3_412_345_678) -> bytes:
    """A Garmin-style FIT activity: file_id, device_info, events, records, laps, session, activity."""
    from fit_tool.data_message import DataMessage
    from fit_tool.endian import Endian
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages import record_message as rm
    from fit_tool.profile.messages.activity_message import ActivityMessage
    from fit_tool.profile.messages.common_fields import TimestampField
    from fit_tool.profile.messages.device_info_message import DeviceInfoMessage
    from fit_tool.profile.messages.event_message import EventMessage
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.lap_message import LapMessage
    from fit_tool.profile.messages.session_message import SessionMessage
    from fit_tool.profile.profile_type import (
        Activity, Event, EventType, FileType, GarminProduct, Intensity, LapTrigger,
        Manufacturer, SessionTrigger, SourceType, Sport, SubSport,
    )

    t0 = start_utc(s).replace(tzinfo=dt.timezone.utc)
    t0_ms = int(t0.timestamp()) * 1000
    sport = {"running": Sport.RUNNING, "walking": Sport.WALKING, "cycling": Sport.CYCLING}[s.sport]
    sub_sport = {"int": SubSport.TRACK, "race": SubSport.TRAIL, "ride": SubSport.ROAD}.get(s.kind, SubSport.GENERIC)
    is_cadence_rpm = s.kind == "ride"
    garmin_product = getattr(GarminProduct, product).value

    b = FitFileBuilder(auto_define=True, min_string_size=0)

    m = FileIdMessage()
    m.type = FileType.ACTIVITY
    m.manufacturer = Manufacturer.GARMIN.value
    m.product = garmin_product
    m.serial_number = serial
    m.time_created = t0_ms
    b.add(m)

    m = DeviceInfoMessage()
    m.timestamp = t0_ms
    m.device_index = 0  # the creator
    m.manufacturer = Manufacturer.GARMIN.value
    m.product = garmin_product
    m.serial_number = serial
    m.software_version = 21.19
    m.source_type = SourceType.LOCAL
    b.add(m)

    m = EventMessage()
    m.timestamp = t0_ms
    m.event = Event.TIMER
    m.event_type = EventType.START
    m.event_group = 0
    b.add(m)

    # A blank RecordMessage builds ~90 fields; these records only need nine.
    rec_fields = (TimestampField, rm.RecordPositionLatField, rm.RecordPositionLongField,
                  rm.RecordDistanceField, rm.RecordEnhancedSpeedField, rm.RecordEnhancedAltitudeField,
                  rm.RecordHeartRateField, rm.RecordCadenceField, rm.RecordFractionalCadenceField)

    def record(i: int) -> DataMessage:
        msg = rm.RecordMessage.__new__(rm.RecordMessage)
        DataMessage.__init__(msg, name=rm.RecordMessage.NAME, global_id=rm.RecordMessage.ID, local_id=0,
                             endian=Endian.LITTLE, definition_message=None,
                             fields=[f(size=0, growable=True) for f in rec_fields])
        msg.timestamp = t0_ms + tr.t[i] * 1000
        msg.position_lat = tr.lat[i]
        msg.position_long = tr.lon[i]
        msg.distance = round(tr.d[i], 2)
        msg.enhanced_speed = round(tr.v[i], 3)
        msg.enhanced_altitude = round(tr.alt[i], 1)
        msg.heart_rate = tr.hr[i]
        # FIT running cadence counts one foot (strides/min), with a fractional part
        per_foot = tr.cad[i] if is_cadence_rpm else tr.cad[i] / 2
        msg.cadence = int(per_foot)
        if not is_cadence_rpm:
            msg.fractional_cadence = math.floor((per_foot - int(per_foot)) * 128) / 128
        return msg

    lap_trigger = {"manual": LapTrigger.MANUAL, "distance": LapTrigger.DISTANCE,
                   "session_end": LapTrigger.SESSION_END}
    intensity = {"active": Intensity.ACTIVE, "rest": Intensity.REST, "warmup": Intensity.WARMUP,
                 "cooldown": Intensity.COOLDOWN}

    def fill_totals(msg: LapMessage | SessionMessage, sm: Summary, i0: int, i1: int) -> None:
        msg.timestamp = t0_ms + tr.t[i1] * 1000
        msg.start_time = t0_ms + tr.t[i0] * 1000
        msg.start_position_lat = tr.lat[i0]
        msg.start_position_long = tr.lon[i0]
        msg.total_elapsed_time = sm.elapsed_s
        msg.total_timer_time = sm.elapsed_s
        msg.total_distance = round(sm.distance_m, 2)
        msg.total_calories = sm.calories
        msg.enhanced_avg_speed = round(sm.avg_speed, 3)
        msg.enhanced_max_speed = round(sm.max_speed, 3)
        msg.avg_heart_rate = sm.avg_hr
        msg.max_heart_rate = sm.max_hr
        per_foot = 1 if is_cadence_rpm else 2
        msg.avg_cadence = int(round(sm.avg_cad / per_foot))
        msg.max_cadence = int(round(sm.max_cad / per_foot))
        msg.total_ascent = sm.ascent
        msg.total_descent = sm.descent
        msg.sport = sport
        msg.sub_sport = sub_sport

    next_record = 0
    for lap_i, (i0, i1, lap_intensity, trigger) in enumerate(tr.laps):
        while next_record <= i1:
            b.add(record(next_record))
            next_record += 1
        sm = summarise(s, tr, i0, i1)
        lap = LapMessage()
        lap.message_index = lap_i
        fill_totals(lap, sm, i0, i1)
        lap.end_position_lat = tr.lat[i1]
        lap.end_position_long = tr.lon[i1]
        lap.event = Event.LAP
        lap.event_type = EventType.STOP
        lap.lap_trigger = lap_trigger[trigger]
        lap.intensity = intensity[lap_intensity]
        b.add(lap)

    end_ms = t0_ms + tr.t[-1] * 1000
    m = EventMessage()
    m.timestamp = end_ms
    m.event = Event.TIMER
    m.event_type = EventType.STOP_ALL
    m.event_group = 0
    b.add(m)

    sm = summarise(s, tr, 0, len(tr.t) - 1)
    ses = SessionMessage()
    ses.message_index = 0
    fill_totals(ses, sm, 0, len(tr.t) - 1)
    ses.first_lap_index = 0
    ses.num_laps = len(tr.laps)
    ses.event = Event.SESSION
    ses.event_type = EventType.STOP
    ses.trigger = SessionTrigger.ACTIVITY_END
    b.add(ses)

    act = ActivityMessage()
    act.timestamp = end_ms
    act.total_timer_time = sm.elapsed_s
    act.num_sessions = 1
    act.type = Activity.MANUAL
    act.event = Event.ACTIVITY
    act.event_type = EventType.STOP
    # local_date_time: seconds since the FIT epoch on the runner's wall clock
    act.local_timestamp = end_ms // 1000 - FIT_EPOCH_S + utc_offset_s(s.start_local)
    b.add(act)

    return b.build().to_bytes()


# --------------------------------------------------------------------------
# GPX 1.1 with Garmin's TrackPointExtension, and TCX
# --------------------------------------------------------------------------


def write_gpx(s: Session, tr: Track, *, creator: str) -> bytes:
    """GPX 1.1 as Garmin Connect or Strava export it (times in UTC, hr/cad in gpxtpx)."""
    t0 = start_utc(s)
    gpx_type = {"running": "running", "cycling": "cycling", "walking": "walking"}[s.sport]
    out = io.StringIO()
    w = out.write
    w('<?xml version="1.0" encoding="UTF-8"?>\n')
    w(f'<gpx creator="{escape(creator)}" version="1.1" xmlns="http://www.topografix.com/GPX/1/1" '
      'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
      'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1" '
      'xsi:schemaLocation="http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/1/1/gpx.xsd '
      'http://www.garmin.com/xmlschemas/TrackPointExtension/v1 '
      'http://www.garmin.com/xmlschemas/TrackPointExtensionv1.xsd">\n')
    w(f" <metadata>\n  <time>{iso_z(t0)}</time>\n </metadata>\n")
    w(f" <trk>\n  <name>{escape(s.title)}</name>\n  <type>{gpx_type}</type>\n  <trkseg>\n")
    for i in range(len(tr.t)):
        # GPX cadence, like Garmin's, counts one foot for runs; rpm for rides
        cad = tr.cad[i] if s.kind == "ride" else tr.cad[i] / 2
        w(f'   <trkpt lat="{tr.lat[i]:.7f}" lon="{tr.lon[i]:.7f}">\n'
          f"    <ele>{tr.alt[i]:.1f}</ele>\n"
          f"    <time>{iso_z(t0 + dt.timedelta(seconds=tr.t[i]))}</time>\n"
          "    <extensions>\n     <gpxtpx:TrackPointExtension>\n"
          f"      <gpxtpx:hr>{tr.hr[i]}</gpxtpx:hr>\n"
          f"      <gpxtpx:cad>{int(round(cad))}</gpxtpx:cad>\n"
          "     </gpxtpx:TrackPointExtension>\n    </extensions>\n   </trkpt>\n")
    w("  </trkseg>\n </trk>\n</gpx>\n")
    return out.getvalue().encode("utf-8")


def write_tcx(s: Session, tr: Track, *, device: str = "Forerunner 965", product_id: int = 4315) -> bytes:
    """Training Center XML v2 as Garmin Connect exports it, with laps and RunCadence."""
    t0 = start_utc(s)
    tcx_sport = {"running": "Running", "cycling": "Biking"}.get(s.sport, "Other")
    out = io.StringIO()
    w = out.write
    w('<?xml version="1.0" encoding="UTF-8"?>\n')
    w('<TrainingCenterDatabase xsi:schemaLocation="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2 '
      'http://www.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd" '
      'xmlns:ns5="http://www.garmin.com/xmlschemas/ActivityGoals/v1" '
      'xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2" '
      'xmlns:ns2="http://www.garmin.com/xmlschemas/UserProfile/v2" '
      'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" '
      'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n')
    w(f' <Activities>\n  <Activity Sport="{tcx_sport}">\n   <Id>{iso_z(t0)}</Id>\n')
    for i0, i1, intensity, trigger in tr.laps:
        sm = summarise(s, tr, i0, i1)
        lap_start = t0 + dt.timedelta(seconds=tr.t[i0])
        w(f'   <Lap StartTime="{iso_z(lap_start)}">\n'
          f"    <TotalTimeSeconds>{sm.elapsed_s:.1f}</TotalTimeSeconds>\n"
          f"    <DistanceMeters>{sm.distance_m:.2f}</DistanceMeters>\n"
          f"    <MaximumSpeed>{sm.max_speed:.3f}</MaximumSpeed>\n"
          f"    <Calories>{sm.calories}</Calories>\n"
          f"    <AverageHeartRateBpm>\n     <Value>{sm.avg_hr}</Value>\n    </AverageHeartRateBpm>\n"
          f"    <MaximumHeartRateBpm>\n     <Value>{sm.max_hr}</Value>\n    </MaximumHeartRateBpm>\n"
          f"    <Intensity>{'Resting' if intensity == 'rest' else 'Active'}</Intensity>\n")
        if s.kind == "ride":
            w(f"    <Cadence>{int(round(sm.avg_cad))}</Cadence>\n")
        w(f"    <TriggerMethod>{'Distance' if trigger == 'distance' else 'Manual'}</TriggerMethod>\n"
          "    <Track>\n")
        # a lap's track starts after the previous lap's last point
        for i in range(i0 if i0 == 0 else i0 + 1, i1 + 1):
            when = t0 + dt.timedelta(seconds=tr.t[i])
            w(f"     <Trackpoint>\n      <Time>{iso_z(when)}</Time>\n"
              f"      <Position>\n       <LatitudeDegrees>{tr.lat[i]:.7f}</LatitudeDegrees>\n"
              f"       <LongitudeDegrees>{tr.lon[i]:.7f}</LongitudeDegrees>\n      </Position>\n"
              f"      <AltitudeMeters>{tr.alt[i]:.1f}</AltitudeMeters>\n"
              f"      <DistanceMeters>{tr.d[i]:.2f}</DistanceMeters>\n"
              f"      <HeartRateBpm>\n       <Value>{tr.hr[i]}</Value>\n      </HeartRateBpm>\n")
            if s.kind == "ride":
                w(f"      <Cadence>{int(round(tr.cad[i]))}</Cadence>\n"
                  f"      <Extensions>\n       <ns3:TPX>\n        <ns3:Speed>{tr.v[i]:.3f}</ns3:Speed>\n"
                  "       </ns3:TPX>\n      </Extensions>\n")
            else:
                w(f"      <Extensions>\n       <ns3:TPX>\n        <ns3:Speed>{tr.v[i]:.3f}</ns3:Speed>\n"
                  f"        <ns3:RunCadence>{int(round(tr.cad[i] / 2))}</ns3:RunCadence>\n"
                  "       </ns3:TPX>\n      </Extensions>\n")
            w("     </Trackpoint>\n")
        w("    </Track>\n    <Extensions>\n     <ns3:LX>\n"
          f"      <ns3:AvgSpeed>{sm.avg_speed:.3f}</ns3:AvgSpeed>\n")
        if s.kind != "ride":
            w(f"      <ns3:AvgRunCadence>{int(round(sm.avg_cad / 2))}</ns3:AvgRunCadence>\n"
              f"      <ns3:MaxRunCadence>{int(round(sm.max_cad / 2))}</ns3:MaxRunCadence>\n")
        w("     </ns3:LX>\n    </Extensions>\n   </Lap>\n")
    w("   <Creator xsi:type=\"Device_t\">\n"
      f"    <Name>{escape(device)}</Name>\n    <UnitId>3398765432</UnitId>\n"
      f"    <ProductID>{product_id}</ProductID>\n"
      "    <Version>\n     <VersionMajor>19</VersionMajor>\n     <VersionMinor>18</VersionMinor>\n"
      "     <BuildMajor>0</BuildMajor>\n     <BuildMinor>0</BuildMinor>\n    </Version>\n"
      "   </Creator>\n  </Activity>\n </Activities>\n"
      "</TrainingCenterDatabase>\n")
    return out.getvalue().encode("utf-8")


# --------------------------------------------------------------------------
# pain journals
# --------------------------------------------------------------------------

JOURNAL_COLUMNS = ["date", "time", "pain", "timing", "location", "sleep_h", "sleep_quality",
                   "stress", "rpe", "activity_id", "note"]


@dataclass(frozen=True)
class Entry:
    day: dt.date
    time: str
    pain: int
    timing: str
    sleep_h: float | None = None
    sleep_quality: int | None = None
    stress: int | None = None
    rpe: float | None = None
    note: str = ""
    location: str = "low back"


def _session_end_local(s: Session, tr: Track) -> dt.datetime:
    return s.start_local + dt.timedelta(seconds=tr.t[-1])


RPE_BY_KIND = {"easy": 3, "long": 5, "prog": 5, "fastlong": 8, "int": 8, "tempo": 7, "race": 9}


def anna_journal(sessions: Sequence[Session], tracks: dict[Session, Track]) -> list[Entry]:
    """Anna logs after almost every run; a pain episode follows the long run of 1 June."""
    rng = random.Random("anna/journal")
    episode = {  # date -> list of (time, pain, timing, note)
        "2025-06-01": [("after", 3, "after", "stiff low back after the long run, last 2 km hard")],
        "2025-06-02": [("07:30", 5, "next_morning", "hard to bend to tie shoes"), ("13:00", 4, "other", "")],
        "2025-06-03": [("07:30", 4, "next_morning", "walked at lunch")],
        "2025-06-04": [("07:30", 4, "next_morning", ""), ("during", 6, "during", "stopped twice, walked the last km"),
                       ("after", 6, "after", "")],
        "2025-06-05": [("07:30", 6, "next_morning", "worse than yesterday morning")],
        "2025-06-06": [("07:30", 5, "next_morning", ""), ("during", 4, "during", "very easy, flat"),
                       ("after", 4, "after", "")],
        "2025-06-07": [("07:30", 4, "next_morning", "")],
        "2025-06-08": [("07:30", 4, "next_morning", ""), ("during", 4, "during", ""), ("after", 3, "after", "")],
        "2025-06-09": [("07:30", 3, "next_morning", "")],
        "2025-06-10": [("07:30", 3, "next_morning", ""), ("after", 3, "after", "")],
        "2025-06-12": [("07:30", 3, "next_morning", ""), ("after", 3, "after", "")],
        "2025-06-14": [("07:30", 3, "next_morning", "")],
        "2025-06-15": [("after", 3, "after", "")],
        "2025-06-16": [("07:30", 2, "next_morning", "")],
        "2025-06-17": [("after", 2, "after", "")],
        "2025-06-19": [("after", 2, "after", "")],
        "2025-06-22": [("after", 1, "after", "")],
        "2025-06-23": [("07:30", 1, "next_morning", "")],
        "2025-06-24": [("after", 1, "after", "")],
        "2025-06-26": [("after", 1, "after", "long day at the desk")],
        "2025-06-29": [("after", 0, "after", "back feels normal again")],
        "2025-07-01": [("after", 0, "after", "")],
    }
    wellness = {  # date -> (sleep_h, sleep_quality, stress, note)
        "2025-05-17": (6.5, 2, 5, "deadline week, little sleep"),
        "2025-05-20": (5.5, 2, 4, "slept badly before the intervals"),
        "2025-06-01": (6.0, 2, 3, "late party the night before"),
    }
    by_day = {s.day: s for s in sessions if s.is_run}

    def clock(s: Session, when: str) -> str:
        """20 minutes into the run, or 25 minutes after it."""
        if when == "during":
            return (s.start_local + dt.timedelta(minutes=20)).strftime("%H:%M")
        return (_session_end_local(s, tracks[s]) + dt.timedelta(minutes=25)).strftime("%H:%M")

    entries: list[Entry] = []
    for day in _days():
        key = day.isoformat()
        s = by_day.get(day)
        wl = wellness.get(key)
        sleep_h, sq, stress, wl_note = wl if wl else (None, None, None, "")
        if not wl and (s or day.weekday() == 0) and rng.random() < 0.6:
            sleep_h = round(rng.uniform(6.8, 8.6) * 4) / 4
            sq = rng.choice([3, 3, 4, 4, 4, 5])
            stress = rng.choice([1, 2, 2, 2, 3])
        if key in episode:
            for i, (when, pain, timing, note) in enumerate(episode[key]):
                if when in ("during", "after"):
                    if s is None:
                        raise ValueError(f"anna's journal has a {when} entry on {key} without a run")
                    time_s = clock(s, when)
                else:
                    time_s = when
                first = i == 0
                entries.append(Entry(day, time_s, pain, timing,
                                     sleep_h if first else None, sq if first else None,
                                     stress if first else None,
                                     RPE_BY_KIND.get(s.kind) if s and timing == "after" else None,
                                     "; ".join(x for x in (note, wl_note if first else "") if x)))
        elif s is not None and (rng.random() < 0.85 or wl):
            # after the run: pain (almost always none before June), RPE, wellness
            rpe = RPE_BY_KIND.get(s.kind, 3)
            if s.kind == "easy" and rng.random() < 0.3:
                rpe = 4
            pain = 1 if (key == "2025-04-13") else 0
            entries.append(Entry(day, clock(s, "after"), pain, "after",
                                 sleep_h, sq, stress, rpe, wl_note))
        elif sleep_h is not None and day.weekday() == 0:
            entries.append(Entry(day, "07:30", 0, "next_morning", sleep_h, sq, stress, None, ""))
    return entries


def bram_journal(sessions: Sequence[Session], tracks: dict[Session, Track]) -> list[Entry]:
    """Bram logs now and then; daily during the pain episode after the race."""
    by_day = {s.day: s for s in sessions if s.is_run}

    def after(key: str) -> str:
        s = by_day[dt.date.fromisoformat(key)]
        return (_session_end_local(s, tracks[s]) + dt.timedelta(minutes=30)).strftime("%H:%M")

    def during(key: str) -> str:
        s = by_day[dt.date.fromisoformat(key)]
        return (s.start_local + dt.timedelta(minutes=25)).strftime("%H:%M")

    rows = [
        # date, time, pain, timing, sleep_h, sleep_quality, stress, rpe, note
        ("2025-03-09", after("2025-03-09"), 0, "after", 7.5, 4, 2, 5, "first log"),
        ("2025-03-23", after("2025-03-23"), 0, "after", 8.0, 4, 2, 5, ""),
        ("2025-04-06", after("2025-04-06"), 0, "after", 7.0, 3, 2, 5, ""),
        ("2025-04-15", after("2025-04-15"), 0, "after", 5.75, 2, 4, 8, "first track session; new job, short night"),
        ("2025-04-17", after("2025-04-17"), 0, "after", 6.5, 3, 4, 7, ""),
        ("2025-04-19", after("2025-04-19"), 1, "after", 6.0, 2, 4, 8, "legs heavy"),
        ("2025-04-20", after("2025-04-20"), 0, "after", 7.5, 3, 3, 5, ""),
        ("2025-05-01", after("2025-05-01"), 0, "after", 5.5, 2, 5, 6, "running every day to clear my head"),
        ("2025-05-04", after("2025-05-04"), 1, "after", 6.5, 3, 4, 6, ""),
        ("2025-05-18", after("2025-05-18"), 0, "after", 7.5, 4, 2, 5, ""),
        ("2025-06-01", after("2025-06-01"), 0, "after", 8.0, 4, 2, 5, ""),
        ("2025-06-15", after("2025-06-15"), 0, "after", 7.5, 4, 2, 5, ""),
        ("2025-07-06", after("2025-07-06"), 0, "after", 7.0, 3, 3, 5, ""),
        ("2025-07-20", after("2025-07-20"), 0, "after", 8.0, 4, 2, 5, "race in two weeks"),
        ("2025-08-01", "21:30", 0, "other", 6.0, 2, 4, None, "nervous before the race"),
        ("2025-08-02", after("2025-08-02"), 2, "after", None, None, None, 9, "hills were brutal"),
        ("2025-08-03", "07:45", 4, "next_morning", 7.0, 3, 2, None, "low back stiff, hard to get out of bed"),
        ("2025-08-04", "06:30", 3, "next_morning", None, None, None, None, ""),
        ("2025-08-05", "06:30", 3, "next_morning", None, None, None, None, ""),
        ("2025-08-05", during("2025-08-05"), 5, "during", None, None, None, None, "cut the run short"),
        ("2025-08-05", after("2025-08-05"), 5, "after", None, None, None, 5, ""),
        ("2025-08-06", "06:30", 5, "next_morning", 6.5, 3, 3, None, ""),
        ("2025-08-07", "06:30", 4, "next_morning", None, None, None, None, ""),
        ("2025-08-07", during("2025-08-07"), 4, "during", None, None, None, None, "slow and flat"),
        ("2025-08-07", after("2025-08-07"), 4, "after", None, None, None, 4, ""),
        ("2025-08-08", "06:30", 3, "next_morning", None, None, None, None, ""),
        ("2025-08-10", after("2025-08-10"), 3, "after", 7.5, 4, 2, 4, ""),
        ("2025-08-12", after("2025-08-12"), 2, "after", None, None, None, 3, ""),
        ("2025-08-14", after("2025-08-14"), 2, "after", None, None, None, 3, ""),
        ("2025-08-17", after("2025-08-17"), 1, "after", 8.0, 4, 2, 4, "much better"),
    ]
    return [Entry(dt.date.fromisoformat(d), t, p, tm, sh, sq, st, rpe, note)
            for d, t, p, tm, sh, sq, st, rpe, note in rows]


def _days() -> Iterable[dt.date]:
    day = PERIOD_START
    while day <= PERIOD_END:
        yield day
        day += dt.timedelta(days=1)


def journal_csv(entries: Sequence[Entry]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(JOURNAL_COLUMNS)

    def fmt(x: object) -> str:
        if x is None:
            return ""
        if isinstance(x, float):
            return f"{x:g}"
        return str(x)

    for e in sorted(entries, key=lambda e: (e.day, e.time)):
        w.writerow([e.day.isoformat(), e.time, e.pain, e.timing, e.location, fmt(e.sleep_h),
                    fmt(e.sleep_quality), fmt(e.stress), fmt(e.rpe), "", e.note])
    return out.getvalue().encode("utf-8")


# --------------------------------------------------------------------------
# Strava bulk export
# --------------------------------------------------------------------------

STRAVA_COLUMNS = ["Activity ID", "Activity Date", "Activity Name", "Activity Type", "Elapsed Time",
                  "Distance", "Perceived Exertion", "Filename"]


def strava_date(t: dt.datetime) -> str:
    """Strava's export format, in UTC: 'May 12, 2025, 4:53:00 AM'."""
    hour = t.hour % 12 or 12
    return f"{t.strftime('%b')} {t.day}, {t.year}, {hour}:{t.minute:02d}:{t.second:02d} {'AM' if t.hour < 12 else 'PM'}"


def zip_bytes(members: Sequence[tuple[str, bytes, bool]]) -> bytes:
    """A zip with fixed member dates; ``(name, data, deflate)``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data, deflate in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # unix, whatever machine writes it
            zf.writestr(info, data, compress_type=info.compress_type, compresslevel=9 if deflate else None)
    return buf.getvalue()


def gz(data: bytes) -> bytes:
    # mtime=0 and no file name: the same bytes every time
    return gzip.compress(data, compresslevel=9, mtime=0)


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------

README = """\
# Sample data

Generated, fictional runners, for `runback demo`, the notebook and the tests.
Nothing here comes from a real person: the routes, heart rates, journals and
names are simulated.

Regenerate (byte for byte the same files):

```bash
python3 scripts/make_sample_data.py            # writes sample_data/
python3 scripts/make_sample_data.py /tmp/out   # or anywhere else
```

Period: Monday 2025-03-03 to Sunday 2025-08-17 (24 ISO weeks). Records every
5 seconds with position, distance, speed, heart rate, cadence and altitude.

- `anna/`: FIT activity files (written with `fit-tool`, as a Garmin
  Forerunner 255 writes them: file_id, device_info, events, records, laps,
  session, and an activity message with the local time, Europe/Amsterdam)
  and `pain_journal.csv`.
- `bram/`: GPX 1.1 files with heart rate and cadence in Garmin's
  TrackPointExtension (weeks 1-3), TCX files (week 4), `strava_export.zip`
  (weeks 5-24: a Strava bulk export with `activities.csv` and
  `activities/*.gpx.gz`, `*.tcx.gz`, `*.fit.gz`), and `pain_journal.csv`.

What the training contains (weeks are ISO weeks, W1 = week of 3 March):

| pattern | anna | bram |
| --- | --- | --- |
| base | W1-W10, 25-34 km a week | W1-W6, 33-40 km a week |
| weekly distance up more than 30% | W11 (12 May): 48.5 km after 33.5 km | W9 (28 April): 56 km after 39 km |
| a week of intervals (zone 4-5 time up) | W12 (19 May) | W7 (14 April) |
| 7+ running days without rest | 13-21 May (9 days) | 26 April - 5 May (10 days) |
| run more than 30% beyond the longest of the previous 30 days | Sun 1 June, 18.5 km vs 13 km | Sat 2 August, 24 km trail race vs 16.5 km |
| back pain (journal) | from 1 June, peak NRS 6 on 4-5 June, gone by 29 June | from 3 August, peak NRS 5 on 5-6 August, down to 1 on 17 August |
| lighter weeks while the pain fades | W14-W18 (15-26.5 km) | W23-W24 (20, 21.5 km) |
| poor sleep or high stress on a hard day | 17 May, 20 May, 1 June | 15 April, 19 April, 1 May |

Both runners also have non-running activities (anna walks during her pain
weeks, bram rides a bike), which runback keeps but does not count as running.
"""


def generate(out: Path, *, quiet: bool = False) -> list[Path]:
    """Write every sample file under ``out``; returns the paths written."""
    written: list[Path] = []

    def put(rel: str, data: bytes) -> None:
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)

    def say(msg: str) -> None:
        if not quiet:
            print(msg, file=sys.stderr)

    for sub in ("anna", "bram"):
        if (out / sub).exists():
            shutil.rmtree(out / sub)

    # anna: FIT
    anna = plan(ANNA, ANNA_WEEKS)
    anna_tracks: dict[Session, Track] = {}
    say(f"anna: {len(anna)} FIT files")
    for s in anna:
        tr = simulate(s)
        anna_tracks[s] = tr
        put(f"anna/{s.slug}.fit", write_fit(s, tr))
    put("anna/pain_journal.csv", journal_csv(anna_journal(anna, anna_tracks)))

    # bram: GPX (W1-W3), TCX (W4), Strava export (W5-W24)
    bram = plan(BRAM, BRAM_WEEKS)
    bram_tracks: dict[Session, Track] = {}
    strava_rows: list[list[str]] = []
    members: list[tuple[str, bytes, bool]] = []
    say(f"bram: {len(bram)} activities")
    for n, s in enumerate(bram):
        tr = simulate(s)
        bram_tracks[s] = tr
        week = (s.day - PERIOD_START).days // 7 + 1
        if week <= 3:
            put(f"bram/{s.slug}.gpx", write_gpx(s, tr, creator="Garmin Connect"))
        elif week == 4:
            put(f"bram/{s.slug}.tcx", write_tcx(s, tr))
        else:
            activity_id = 13_800_000_000 + (s.day - PERIOD_START).days * 10_007 + n
            if s.kind == "ride":
                ext, data = "fit.gz", gz(write_fit(s, tr, product="EDGE_530", serial=3_387_001_234))
            elif s.kind in ("int", "tempo") or n % 5 == 0:
                ext, data = "tcx.gz", gz(write_tcx(s, tr))
            else:
                ext, data = "gpx.gz", gz(write_gpx(s, tr, creator="StravaGPX"))
            filename = f"activities/{activity_id}.{ext}"
            members.append((filename, data, False))
            rpe = RPE_BY_KIND.get(s.kind) if s.is_run and n % 3 != 1 else None
            strava_rows.append([str(activity_id), strava_date(start_utc(s)), s.title,
                                "Ride" if s.kind == "ride" else "Run", str(tr.t[-1]),
                                f"{tr.d[-1] / 1000:.2f}", "" if rpe is None else str(rpe), filename])
    csv_buf = io.StringIO()
    cw = csv.writer(csv_buf, lineterminator="\n")
    cw.writerow(STRAVA_COLUMNS)
    cw.writerows(strava_rows)
    members.insert(0, ("activities.csv", csv_buf.getvalue().encode("utf-8"), True))
    put("bram/strava_export.zip", zip_bytes(members))
    put("bram/pain_journal.csv", journal_csv(bram_journal(bram, bram_tracks)))

    put("README.md", README.encode("utf-8"))
    size = sum(p.stat().st_size for p in written)
    say(f"wrote {len(written)} files, {size / 1e6:.2f} MB, under {out}")
    return written


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", nargs="?", type=Path, default=DEFAULT_OUT,
                    help=f"output directory (default: {DEFAULT_OUT.relative_to(REPO)})")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args(argv)
    generate(args.out, quiet=args.quiet)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
