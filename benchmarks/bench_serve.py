"""A bounded load test of ``runback serve`` on loopback (not part of the test suite).

Starts ``runback serve`` on 127.0.0.1 (a free port, a temporary store, the personal
mode), then runs ``--clients`` threads for ``--seconds``.  Each client loops:

- every 5th request uploads the next of the sample runners' files (anna's FIT files,
  bram's GPX and TCX) into that runner, so several clients upload into one athlete at
  once and files come round again (then they are "already present");
- every 7th logs a pain entry with a note of its own (so each is a new entry);
- every 23rd opens the runner's report (the whole load model and plotly page);
- the rest open the runner's page.

Then it prints requests per second, the latency of page views while imports ran,
the error count, and whether the store holds exactly what was uploaded: the same
activities as a fresh import of the distinct files sent, each once, and one journal
entry per pain entry the server accepted.

Usage::

    python benchmarks/bench_serve.py [--clients 20] [--seconds 60]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "src"), str(REPO / "tests")]

from runback.store import open_store  # noqa: E402
from serve_client import SAMPLES, Client, served  # noqa: E402

FILES = {
    "anna": sorted((SAMPLES / "anna").glob("*.fit")),
    "bram": sorted([*(SAMPLES / "bram").glob("*.gpx"), *(SAMPLES / "bram").glob("*.tcx")]),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    if not 1 <= args.clients <= 200 or not 1 <= args.seconds <= 600:
        parser.error("keep it bounded: 1-200 clients, 1-600 seconds")

    lock = threading.Lock()
    next_file = {a: 0 for a in FILES}
    sent: dict[str, set[Path]] = defaultdict(set)
    pains: dict[str, int] = defaultdict(int)
    latency: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []

    with tempfile.TemporaryDirectory(prefix="runback-load-") as tmp:
        store = Path(tmp) / "store"
        with served(store) as base:
            deadline = time.monotonic() + args.seconds

            def client(i: int) -> None:
                athlete = ("anna", "bram")[i % 2]
                me = Client(base)
                token = me.csrf(f"/a/{athlete}")
                n = 0
                while time.monotonic() < deadline:
                    n += 1
                    t0 = time.monotonic()
                    try:
                        if n % 5 == 0:
                            kind = "upload"
                            with lock:
                                files = FILES[athlete]
                                f = files[next_file[athlete] % len(files)]
                                next_file[athlete] += 1
                            status, body = me.upload(f"/a/{athlete}/upload", [f], token)
                            ok = status == 200 and json.loads(body)["ok"]
                            if ok:
                                with lock:
                                    sent[athlete].add(f)
                        elif n % 7 == 0:
                            kind = "pain"
                            status, body = me.post(f"/a/{athlete}/pain", {
                                "csrf": token, "pain": str(n % 11), "timing": "after", "note": f"load {i}-{n}"})
                            ok = status == 200 and "Saved: pain" in body
                            if ok:
                                with lock:
                                    pains[athlete] += 1
                        elif n % 23 == 0:
                            kind = "report"
                            status, body = me.get(f"/a/{athlete}/report")
                            # before the first upload lands there is no report yet: a 404 page, not an error
                            ok = status == 200 or (status == 404 and "No report yet" in body)
                        else:
                            kind = "page"
                            status, body = me.get(f"/a/{athlete}")
                            ok = status == 200 and f"<h1>{athlete}</h1>" in body
                    except Exception as exc:  # a refused connection, a timeout: an error, go on
                        kind, ok, status = "exception", False, 0
                        body = repr(exc)
                    with lock:
                        latency[kind].append(time.monotonic() - t0)
                        if not ok:
                            errors.append(f"{kind} {status} {body[:120]!r}")

            threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
            started = time.monotonic()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.monotonic() - started

        total = sum(len(v) for v in latency.values())
        print(f"{args.clients} clients, {elapsed:.1f} s: {total} requests, {total / elapsed:.1f} requests/s")
        for kind, times in sorted(latency.items()):
            q = statistics.quantiles(times, n=20) if len(times) > 1 else times * 19
            print(f"  {kind:7} {len(times):6d}  median {statistics.median(times) * 1000:7.0f} ms  "
                  f"p95 {q[18] * 1000:7.0f} ms")
        print(f"errors: {len(errors)}")
        for line in errors[:10]:
            print(f"  {line}")

        st = open_store(store)
        matches = True
        for athlete in FILES:
            got = st.activities(athlete, corrected=False)
            ref = open_store(Path(tmp) / "ref")
            if sent[athlete]:
                ref.import_paths(sorted(sent[athlete]), athlete=athlete, workers=1)
            want = ref.activities(athlete, corrected=False)
            same = (sorted(got["activity_id"].to_list()) == sorted(want["activity_id"].to_list())
                    and got["activity_id"].n_unique() == got.height)
            journal = st.journal(athlete).height
            print(f"  {athlete}: {len(sent[athlete])} distinct files uploaded, {got.height} activities stored "
                  f"(a fresh import of them: {want.height}), {'same runs, each once' if same else 'DIFFERENT'}; "
                  f"journal {journal} entries for {pains[athlete]} accepted")
            matches &= same and journal == pains[athlete]
        print(f"store matches what was uploaded: {'yes' if matches else 'NO'}")
        return 0 if matches and not errors else 1


if __name__ == "__main__":
    raise SystemExit(main())
