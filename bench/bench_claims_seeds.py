"""Do the trained verdicts survive a change of seed? The full study on two disjoint seed ranges.

    python bench/bench_claims_seeds.py [--ranges 1-20 21-40] [--size default]

Runs ``python -m lstm_core.claims --seeds A-B --trained --json`` for each range, the ranges in
parallel processes (each study is stored in the cache, so a second run only reads them), and
prints per claim the verdict on each range and every interval behind it. Exits 1 if a verdict
differs between the ranges. Takes ~13 min of CPU per range at the default budget (two ranges
in parallel: ~38 min wall on a busy 2-core machine).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(ranges: list[str], size: str) -> dict[str, list[dict]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    processes = {r: subprocess.Popen([sys.executable, "-m", "lstm_core.claims", "--seeds", r,
                                      "--size", size, "--trained", "--json"], cwd=ROOT, env=env,
                                     stdout=subprocess.PIPE, text=True) for r in ranges}
    out = {}
    for r, process in processes.items():
        stdout, _ = process.communicate()
        if process.returncode:
            sys.exit(f"seeds {r}: exit code {process.returncode}")
        out[r] = json.loads(stdout)
    return out


def fmt(i: dict) -> str:
    def n(x):
        return "∞" if x is None else f"{x:.3g}"
    return f"{n(i['value'])} [{n(i['low'])}, {n(i['high'])}]"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ranges", nargs="+", default=["1-20", "21-40"])
    parser.add_argument("--size", default="default", choices=("default", "small", "tiny"))
    args = parser.parse_args()
    start = time.monotonic()
    results = run(args.ranges, args.size)
    print(f"study size {args.size}; seed ranges {', '.join(args.ranges)}; "
          f"{time.monotonic() - start:.0f} s wall\n")
    header = f"| claim | {' | '.join('seeds ' + r for r in args.ranges)} | agree |"
    print(header)
    print("|" + "---|" * (len(args.ranges) + 2))
    disagree = 0
    by_range = {r: {v["key"]: v for v in vs} for r, vs in results.items()}
    keys = list(by_range[args.ranges[0]])
    for key in keys:
        verdicts = [by_range[r][key]["verdict"].upper() for r in args.ranges]
        same = len(set(verdicts)) == 1
        disagree += not same
        print(f"| {key} | {' | '.join(verdicts)} | {'yes' if same else 'NO'} |")
    print("\nIntervals (95 %):\n")
    for key in keys:
        print(f"{key}")
        for name in by_range[args.ranges[0]][key]["intervals"]:
            cells = "  ".join(f"{r}: {fmt(by_range[r][key]['intervals'][name])}"
                              for r in args.ranges)
            print(f"    {name:40s} {cells}")
    print(f"\n{len(keys) - disagree} of {len(keys)} trained verdicts agree across the ranges")
    return 1 if disagree else 0


if __name__ == "__main__":
    sys.exit(main())
