"""History-scale benchmark (issue 15): a runner's five years of FIT files and a team of 20 runners.

Builds the histories with ``benchmarks/history.py`` (1,520 FIT files made from
the corpus's real-device runs over five years; 20 runners with about a year of
runs each), then runs each command as a user would, ``python -m runback ...``
in a fresh process on the source tree given by ``--src``, and prints its wall
time, CPU time and peak memory (the largest process's peak resident set, from
``getrusage(RUSAGE_CHILDREN)`` in a small wrapper process that starts only that
command; for imports also the sum over the command's processes, sampled every
20 ms) beside the issue's goal and the ratio to a reference measured in the
same run, between the commands, so that the figures hold on a busy machine:

- ``flags`` and ``report``: a plain polars pass over the same store's samples
  Parquet files (activity_id, timestamp_utc, heart_rate_bpm, speed_mps, summed
  and averaged per activity), in a process of its own;
- import: runback's FIT decoder alone (``read_fit`` over every file in one
  process) and fitparse (every message of a sample of the files, scaled to
  all of them by their samples).

Five years: import into a fresh store (default workers, then one process:
``--workers 1`` where the CLI has it, else the library's
``Store.import_paths(workers=1)``), re-import unchanged, ``flags``,
``report`` (the fastest of ``--repeat`` rounds).  Team: runners imported with
``--athlete``, five, then ten, then twenty; at each size ``flags`` and
``team-report``, and the peak memory per runner count.  Nothing is asserted:
figures, not tests.

Run it from a checkout's root with the development environment's Python (the
corpus is found beside the checkout, or give ``--corpus``); it takes 8-10
minutes on two busy cores at issue 15's start::

    python benchmarks/bench_history.py                      # this checkout's src
    git worktree add --detach ../before <commit>            # an older commit ...
    python benchmarks/bench_history.py --src ../before/src  # ... for its "before" figures
    python benchmarks/bench_history.py --runs 200 --runners 3 --runner-runs 60 --repeat 1   # a quick look

The histories are always written by this checkout's ``history.py`` (the same
bytes whatever ``--src``), into a temporary folder removed at the end, or into
``--work DIR`` (kept: a second run with the same DIR reuses the FIT files and
rebuilds the stores).  The load average is printed at the start and the end:
on a shared machine, read the ratios and CPU seconds rather than wall times.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))  # the histories are read from the corpus with this checkout's runback

import history  # noqa: E402

MiB = 1024 * 1024

# Runs one command and writes its wall time and peak memory as JSON: in a process of its own, so that
# RUSAGE_CHILDREN's ru_maxrss is that command's (its largest process, import workers included).
WRAPPER = r"""
import json, os, resource, subprocess, sys, time
out, log, tree = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
def rss_kib(pid):
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                total += next(int(l.split()[1]) for l in fh if l.startswith("VmRSS:"))
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except (OSError, StopIteration):
            pass
    return total
with open(log, "wb") as fh:
    start = time.perf_counter()
    proc = subprocess.Popen(sys.argv[4:], stdout=fh, stderr=subprocess.STDOUT)
    tree_kib = 0
    if tree:
        while proc.poll() is None:
            tree_kib = max(tree_kib, rss_kib(proc.pid))
            time.sleep(0.02)
    rc = proc.wait()
    wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(out, "w") as fh:
    cpu = usage.ru_utime + usage.ru_stime
    json.dump({"wall_s": wall, "cpu_s": cpu, "peak_kib": usage.ru_maxrss, "tree_kib": tree_kib, "rc": rc}, fh)
"""

POLARS_PASS = r"""
import sys
import polars as pl
parts = pl.scan_parquet(sys.argv[1] + "/samples/athlete=*/*.parquet")
out = (
    parts.select("activity_id", "timestamp_utc", "heart_rate_bpm", "speed_mps")
    .group_by("activity_id")
    .agg(pl.len(), pl.col("timestamp_utc").min(), pl.col("heart_rate_bpm").sum(), pl.col("speed_mps").mean())
    .collect()
)
print(out.height, "activities,", int(out["len"].sum()), "samples")
"""

DECODER = r"""
import sys
from runback.io.fit import read_fit
files = open(sys.argv[1], encoding="utf-8").read().split("\n")
print(sum(read_fit(f).samples.height for f in files), "samples")
"""

FITPARSE = r"""
import sys
import fitparse
n = 0
for path in sys.argv[1:]:
    for msg in fitparse.FitFile(path).get_messages():
        n += msg.name == "record"
print(n, "records")
"""

IMPORT_ONE_PROCESS = r"""
import sys
from runback.store import open_store
summary = open_store(sys.argv[1]).import_paths(sys.argv[2], workers=1)
print(f"imported: {len(summary.imported)} file(s)")
print(f"already present: {len(summary.already_present)}")
print(f"failed: {len(summary.failed)}")
"""


@dataclass
class Figure:
    wall_s: float
    cpu_s: float
    peak_mib: float
    tree_mib: float
    rc: int
    last_line: str
    lines: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.rc == 0


class Runner:
    """Runs commands in fresh processes with ``PYTHONPATH`` set to the measured source tree."""

    def __init__(self, src: Path, logs: Path) -> None:
        self.src = src
        self.logs = logs
        self.env = {k: v for k, v in os.environ.items() if k != "RUNBACK_STORE"}
        self.env["PYTHONPATH"] = str(src)
        self.count = 0

    def run(self, label: str, args: Sequence[str], *, tree: bool = False) -> Figure:
        self.count += 1
        stem = self.logs / f"{self.count:03d}-{label.replace(' ', '_').replace('/', '_')}"
        out, log = stem.with_suffix(".json"), stem.with_suffix(".log")
        cmd = [sys.executable, "-c", WRAPPER, str(out), str(log), "1" if tree else "0", sys.executable, *args]
        subprocess.run(cmd, env=self.env, check=True)
        got = json.loads(out.read_text(encoding="utf-8"))
        lines = [line for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
        last = lines[-1] if lines else ""
        fig = Figure(
            got["wall_s"], got["cpu_s"], got["peak_kib"] / 1024, got["tree_kib"] / 1024, got["rc"], last, tuple(lines)
        )
        if not fig.ok:
            print(f"  !! {label} exited with {fig.rc}; its output ends:", *lines[-8:], sep="\n     ")
        return fig

    def rounds(self, jobs: Sequence[tuple[str, Sequence[str]]], repeat: int) -> dict[str, Figure]:
        """Each job's fastest run (with the highest peak memory seen) over ``repeat`` rounds of all jobs.

        A round runs the jobs in turn, so that a busy moment of the machine
        hits the commands and their reference alike; a label given twice in a
        round (the reference between commands) is run twice.
        """
        figs: dict[str, list[Figure]] = {}
        for _ in range(max(1, repeat)):
            for label, args in jobs:
                figs.setdefault(label, []).append(self.run(label, args))
        out = {}
        for label, runs in figs.items():
            fastest = min(runs, key=lambda f: f.wall_s)
            fastest.cpu_s = min(f.cpu_s for f in runs)
            fastest.peak_mib = max(f.peak_mib for f in runs)
            fastest.rc = max(runs, key=lambda f: abs(f.rc)).rc
            out[label] = fastest
        return out

    def runback(self, *args: str) -> list[str]:
        return ["-m", "runback", *args]

    def help_mentions(self, command: str, option: str) -> bool:
        done = subprocess.run(
            [sys.executable, "-m", "runback", command, "-h"], env=self.env, capture_output=True, text=True, check=False
        )
        return option in done.stdout


# --------------------------------------------------------------------------
# printing
# --------------------------------------------------------------------------

ROW = "{:<47} {:>7} {:>6} {:>9}  {:<21} {}"


def _row(label: str, fig: Figure | None, goal: str = "", versus: str = "", *, tree: bool = False) -> None:
    if fig is None:
        print(ROW.format(label, "-", "-", "-", goal, versus).rstrip())
        return
    wall = f"{fig.wall_s:.2f}" if fig.ok else f"rc={fig.rc}"
    peak = f"{fig.peak_mib:.0f}"
    if tree:
        versus = f"all processes {fig.tree_mib:.0f} MiB; " + versus
    print(ROW.format(label, wall, f"{fig.cpu_s:.1f}", peak, goal, versus).rstrip())


def _import_summary(fig: Figure) -> str:
    """'imported: 1520 file(s), 1520 activities; already present: 0; failed: 0' from an import's output."""
    keep = ("imported:", "already present:", "failed:")
    return "; ".join(line for line in fig.lines if line.startswith(keep))


def _ratio(fig: Figure, ref: Figure, name: str, *, memory: bool = True) -> str:
    text = f"x{fig.wall_s / ref.wall_s:.1f} time"
    if ref.cpu_s > 0:
        text += f" (cpu x{fig.cpu_s / ref.cpu_s:.1f})"
    if memory and ref.peak_mib:
        text += f", x{fig.peak_mib / ref.peak_mib:.1f} memory"
    return f"{text} of {name}"


def _header(title: str) -> None:
    print(f"\n{title}")
    print(ROW.format("", "wall s", "cpu s", "peak MiB", "goal", "against the reference (same run)"))


def _loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text(encoding="utf-8").strip()
    except OSError:
        return f"{os.getloadavg()}"


def _describe_src(src: Path) -> str:
    done = subprocess.run(
        ["git", "-C", str(src), "log", "-1", "--format=%h %cd %s", "--date=short"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    dirty = subprocess.run(
        ["git", "-C", str(src), "status", "--porcelain", "--", "."], capture_output=True, text=True, check=False
    )
    text = done.stdout.strip()[:100] or "not a git checkout"
    return text + (" (with uncommitted changes)" if dirty.stdout.strip() else "")


# --------------------------------------------------------------------------
# the benchmark
# --------------------------------------------------------------------------


def five_years(run: Runner, hist: history.History, work: Path, *, repeat: int, fitparse_files: int) -> None:
    files = hist.files
    size_mb = sum(f.stat().st_size for f in files) / 1e6
    _header(f"Five years: {len(files)} FIT files, {hist.samples:,} samples, {size_mb:.0f} MB (athlete 'me')")
    store = work / "store-five-years"
    shutil.rmtree(store, ignore_errors=True)

    # references for the import: the decoder alone, and fitparse on a sample scaled by samples
    listing = work / "five-years-files.txt"
    listing.write_text("\n".join(str(f) for f in files), encoding="utf-8")
    decoder = run.run("decoder", ["-c", DECODER, str(listing)])
    step = max(1, len(files) // max(1, fitparse_files))
    sample = list(files[::step])[:fitparse_files]
    fp = run.run("fitparse", ["-c", FITPARSE, *map(str, sample)])
    sample_records = int(fp.last_line.split()[0]) if fp.ok else 0
    scale = hist.samples / max(1, sample_records)
    fp_scaled = Figure(fp.wall_s * scale, fp.cpu_s * scale, fp.peak_mib, 0, fp.rc, fp.last_line)

    imp = run.run("import", run.runback("import", "-q", "--store", str(store), str(hist.folder)), tree=True)
    one_store = work / "store-five-years-one-process"
    shutil.rmtree(one_store, ignore_errors=True)
    if run.help_mentions("import", "--workers"):
        one_label = "import, --workers 1"
        cmd = run.runback("import", "-q", "--workers", "1", "--store", str(one_store), str(hist.folder))
        one = run.run("import-1", cmd, tree=True)
    else:
        one_label = "import, one process (import_paths(workers=1))"
        one = run.run("import-1", ["-c", IMPORT_ONE_PROCESS, str(one_store), str(hist.folder)], tree=True)
    shutil.rmtree(one_store, ignore_errors=True)

    reference = ("polars pass", ["-c", POLARS_PASS, str(store)])
    html = work / "report-me.html"
    got = run.rounds(
        [
            reference, ("re-import", run.runback("import", "-q", "--store", str(store), str(hist.folder))),
            reference, ("flags", run.runback("flags", "--store", str(store))),
            reference, ("report", run.runback("report", "--store", str(store), "-o", str(html))),
        ],
        repeat,
    )  # fmt: skip
    ref, again, flags, report = got["polars pass"], got["re-import"], got["flags"], got["report"]

    vs_import = f"{_ratio(imp, decoder, 'the decoder', memory=False)}, x{imp.wall_s / fp_scaled.wall_s:.2f} of fitparse"
    _row("import, default workers", imp, "<= 6 s, <= 400 MiB", vs_import, tree=True)
    vs_one = f"{_ratio(one, decoder, 'the decoder', memory=False)}, x{one.wall_s / fp_scaled.wall_s:.2f} of fitparse"
    _row(one_label, one, "(never slower)", vs_one, tree=True)
    _row("re-import unchanged", again, "<= 0.5 s", f"x{again.wall_s / ref.wall_s:.1f} time of the polars pass")
    _row("flags", flags, "<= 0.5 s, <= 300 MiB", _ratio(flags, ref, "the polars pass"))
    _row("report", report, "<= 1.5 s", _ratio(report, ref, "the polars pass"))
    print("  references:")
    _row("  polars pass over the samples Parquet", ref, "", ref.last_line)
    _row("  runback decoder alone (read_fit, 1 process)", decoder, "", decoder.last_line)
    fp_note = f"measured {fp.wall_s:.2f} s: {fp.last_line}"
    _row(f"  fitparse, {len(sample)} files scaled to {len(files)}", fp_scaled, "", fp_note)
    print(f"  import: {_import_summary(imp)}")
    print(f"  one process: {_import_summary(one)}")
    print(f"  re-import: {_import_summary(again)}")
    per_file = 1000 / len(files)
    print(f"  per file: import {imp.wall_s * per_file:.1f} ms, decoder {decoder.wall_s * per_file:.1f} ms")


def team(
    run: Runner, runners: Sequence[history.History], work: Path, *, repeat: int, sizes: Sequence[int]
) -> None:
    files = sum(len(h.files) for h in runners)
    samples = sum(h.samples for h in runners)
    _header(f"Team: {len(runners)} runners, {files} FIT files, {samples:,} samples (a year each, --athlete runnerNN)")
    store = work / "store-team"
    shutil.rmtree(store, ignore_errors=True)
    imported = 0
    import_s = 0.0
    team_peaks: list[tuple[int, Figure]] = []
    for size in sizes:
        for h in runners[imported:size]:
            cmd = run.runback("import", "-q", "--athlete", h.athlete, "--store", str(store), str(h.folder))
            import_s += run.run(f"import-{h.athlete}", cmd).wall_s
        imported = size
        n_samples = sum(h.samples for h in runners[:size])
        out = work / f"team-report-{size}"
        shutil.rmtree(out, ignore_errors=True)
        reference = (f"polars pass {size}", ["-c", POLARS_PASS, str(store)])
        got = run.rounds(
            [
                reference, (f"flags {size}", run.runback("flags", "--store", str(store))),
                reference, (f"team-report {size}", run.runback("team-report", "--store", str(store), "-o", str(out))),
                reference,
            ],
            repeat,
        )  # fmt: skip
        ref, flags, tr = got[f"polars pass {size}"], got[f"flags {size}"], got[f"team-report {size}"]
        team_peaks.append((size, tr))
        full = size == len(runners)
        print(f"  {size} runners ({n_samples:,} samples; imported one by one, {import_s:.1f} s so far):")
        goal = "<= 2 s, <= 500 MiB" if full else ""
        _row(f"  flags, {size} runners", flags, goal, _ratio(flags, ref, "the polars pass"))
        _row(f"  team-report, {size} runners", tr, "<= 8 s" if full else "", _ratio(tr, ref, "the polars pass"))
        _row("  polars pass over the samples Parquet", ref, "", ref.last_line)
    (first_size, first), (last_size, last) = team_peaks[0], team_peaks[-1]
    by_size = ", ".join(f"{n}: {fig.peak_mib:.0f} MiB ({fig.peak_mib / n:.0f}/runner)" for n, fig in team_peaks)
    growth = f"x{last.peak_mib / first.peak_mib:.1f} from {first_size} to {last_size} runners"
    print(f"  team-report peak memory by runners (goal: flat): {by_size}; {growth}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--src", type=Path, default=HERE.parent / "src", help="source tree to measure (default: this checkout's src)"
    )
    parser.add_argument(
        "--work", type=Path, default=None, help="folder for the files and stores (default: a temporary one, removed)"
    )
    parser.add_argument("--corpus", type=Path, default=history.DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=1520, help="runs in the five-year history (default 1520)")
    parser.add_argument("--runners", type=int, default=20, help="runners in the team (default 20)")
    parser.add_argument("--runner-runs", type=int, default=None, help="runs per runner (default: 260-340, a year)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of the five-year commands (default 3)")
    parser.add_argument("--team-repeat", type=int, default=1, help="rounds of the team commands (default 1)")
    parser.add_argument("--fitparse-files", type=int, default=100, help="files fitparse decodes (default 100)")
    parser.add_argument("--skip-five-years", action="store_true")
    parser.add_argument("--skip-team", action="store_true")
    args = parser.parse_args()
    src = args.src.resolve()
    if not (src / "runback" / "__main__.py").exists():
        parser.error(f"{src} holds no runback package")

    started = time.perf_counter()
    print(f"bench_history {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; load average at start: {_loadavg()}")
    print(f"measuring: {src} ({_describe_src(src)})")
    import polars

    versions = f"python {platform.python_version()}, polars {polars.__version__}"
    print(f"{versions}, {os.cpu_count()} cpus, {platform.machine()}")
    work = args.work.resolve() if args.work else Path(tempfile.mkdtemp(prefix="runback-bench-history-"))
    logs = work / "logs"
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir(parents=True)
    try:
        t = time.perf_counter()
        sources = history.corpus_runs(args.corpus)
        hist = history.five_years(work, sources, args.runs) if not args.skip_five_years else None
        runners = history.team(work, sources, args.runners, args.runner_runs) if not args.skip_team else []
        print(
            f"histories from {len(sources)} real-device runs ({', '.join(str(s.n) for s in sources)} samples) "
            f"written or found in {time.perf_counter() - t:.1f} s under {work}"
        )
        run = Runner(src, logs)
        if hist is not None:
            five_years(run, hist, work, repeat=args.repeat, fitparse_files=args.fitparse_files)
        if runners:
            sizes = sorted({n for n in (5, 10) if n < len(runners)} | {len(runners)})
            team(run, runners, work, repeat=args.team_repeat, sizes=sizes)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"\nload average at end: {_loadavg()}; {time.perf_counter() - started:.0f} s in all")


if __name__ == "__main__":
    main()
