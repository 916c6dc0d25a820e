"""How long a `runback` command takes to start, against `python -c pass`.

    python benchmarks/bench_startup.py [--rounds 15]

Runs, side by side and interleaved (one of each per round, so a busy moment
hits every command alike), with the same Python as this script:

- ``python -c pass``                  the floor: the interpreter alone
- ``runback --help``                    the parser only
- ``runback pain add 3 ...``            one journal entry into a temporary store
- ``runback activities``                list a (small) temporary store

``runback`` is the console script beside this Python where runback is installed
(what a user runs), else ``python -m runback`` on this clone's source.

Prints each command's median wall time and its ratio to ``python -c pass``, beside
what bounds them: ``import argparse`` (the parser; it imports ``re``) and
``import polars`` (every command that reads or writes Parquet).
Nothing is asserted: figures, not tests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _time(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="rounds, one run of each command per round")
    opts = parser.parse_args()

    env = dict(os.environ)
    py = sys.executable
    script = Path(py).parent / "runback"
    if script.is_file():
        runback = [str(script)]  # the installed runback, as a user starts it
    else:
        runback = [py, "-m", "runback"]  # this clone's source
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO / "src"), env.get("PYTHONPATH", "")) if p)
    with tempfile.TemporaryDirectory(prefix="runback-bench-startup-") as tmp:
        store = Path(tmp) / "store"
        # a store with one sample run, so `activities` prints a real table
        fit = next(iter(sorted((REPO / "sample_data" / "anna").glob("*.fit"))))
        subprocess.run([*runback, "import", str(fit), "--store", str(store), "-q"], env=env,
                       check=True, stdout=subprocess.DEVNULL)
        commands = {
            "python -c pass": [py, "-c", "pass"],
            "python -c 'import argparse'": [py, "-c", "import argparse"],
            "python -c 'import polars'": [py, "-c", "import polars"],
            "runback --help": [*runback, "--help"],
            "runback pain add": [*runback, "pain", "add", "3", "--timing", "after",
                                 "--date", "2025-03-03", "--store", str(store)],
            "runback activities": [*runback, "activities", "--store", str(store)],
        }
        for cmd in commands.values():  # warm the file cache and the .pyc files once
            _time(cmd, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(opts.rounds):
            for name, cmd in commands.items():
                times[name].append(_time(cmd, env))

    base = statistics.median(times["python -c pass"])
    print(f"{opts.rounds} rounds, interleaved; {py} (Python {sys.version.split()[0]}); runback = {' '.join(runback)}")
    print(f"{'command':<30} {'median':>9} {'ratio':>7}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<30} {median * 1000:7.1f} ms {median / base:6.1f}x")


if __name__ == "__main__":
    main()
