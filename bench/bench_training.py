"""Training speed and reach: the NumPy trainer against torch, longer budgets, the default race.

Run: ``python bench/bench_training.py [--quick] [--race-only] [--before DIR] [--pairs N]``.
Prints one table:

* LSTM H=16, T=20, batch 32, 500 Adam steps (clipping on) on the adding problem: best wall time
  of a few repeats, and the same loop in torch (float64, one thread, ``nn.LSTM`` + ``nn.Linear``,
  ``clip_grad_norm_``, ``torch.optim.Adam``, the same NumPy batches) when torch is importable.
  Goal: NumPy ≤ 1.1 × torch.
* how far longer budgets get: the textbook LSTM's test MSE on the adding problem (T=20, mean over
  3 seeds) after 300 (the page's default), 1000 and 2000 steps, against the 1/6 baseline.
* the page's default race (4 configurations × 3 seeds × 300 steps, the page's chunk schedule,
  no cache), before and after in the same run: *before* trains each seed by itself (as the first
  version's page did) with the code of the checkout ``--before DIR`` (default: this one), *after*
  trains each configuration's seeds together (``train_seeds``) with this checkout. Goals: after
  ≤ 0.5 × before in CPU time, first round of points ≤ 0.5 s, the same curves. Each race runs in a
  fresh process that has imported the page, as the server has: the C allocator's state depends on
  what a process did before, so two races in one process are not comparable. ``--pairs N`` runs N
  before/after pairs, alternating, and keeps each side's least CPU time (a shared machine only
  ever adds time); ``--race-only`` skips the other rows.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import dataclass

from common import add_root_to_path, format_table, goal_mark, pin_blas_threads

pin_blas_threads()
add_root_to_path()
if "--root" in sys.argv:  # a race process of --before DIR: that checkout's code comes first
    sys.path.insert(0, sys.argv[sys.argv.index("--root") + 1])

import numpy as np  # noqa: E402

from lstm_core.tasks import get_task  # noqa: E402
from lstm_core.training import (  # noqa: E402
    DATA_STREAM,
    PRESETS,
    Settings,
    init_state,
    train,
    train_run,
)

try:
    import torch

    torch.set_num_threads(1)
except ImportError:  # the torch row is optional
    torch = None

ADDING = get_task("adding")
LENGTH, STEPS = 20, 500


def numpy_time(repeats: int) -> float:
    spec, settings = PRESETS["lstm"].spec, Settings()
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        train(ADDING, spec, settings, init_state(spec, ADDING, 1), STEPS, LENGTH, seed=1)
        best = min(best, time.perf_counter() - start)
    return best


def torch_time(repeats: int) -> float:
    """The same training loop in torch, fed the same NumPy batches."""
    settings = Settings()
    best = np.inf
    for _ in range(repeats):
        torch.manual_seed(0)
        lstm = torch.nn.LSTM(2, 16, dtype=torch.float64)
        readout = torch.nn.Linear(16, 1, dtype=torch.float64)
        params = [*lstm.parameters(), *readout.parameters()]
        optimiser = torch.optim.Adam(params, lr=settings.learning_rate)
        start = time.perf_counter()
        for step in range(1, STEPS + 1):
            x, target = ADDING.sample(np.random.default_rng([1, DATA_STREAM, step]),
                                      settings.batch_size, LENGTH)
            hidden, _ = lstm(torch.from_numpy(x))
            loss = torch.mean((readout(hidden[-1]) - torch.from_numpy(target)) ** 2)
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, settings.clip_norm)
            optimiser.step()
        best = min(best, time.perf_counter() - start)
    return best


def budget_reach(steps: int) -> float:
    spec = PRESETS["lstm"].spec
    losses = [train_run(ADDING, spec, Settings(), LENGTH, seed, steps).evaluation.loss
              for seed in (1, 2, 3)]
    return float(np.mean(losses))


@dataclass(frozen=True)
class RaceTime:
    """One default race: wall seconds to the first round of points and to the end, CPU seconds
    to the end (steadier on a shared machine), and every run's losses."""

    first: float
    wall: float
    cpu: float
    curves: list[np.ndarray]


def default_race(together: bool) -> RaceTime:
    """The page's default race with its chunk schedule, each seed alone (``train``, which every
    version has) or each configuration's seeds together (``train_seeds``)."""
    from ui.training_lab import TrainingLabState, _next_count, new_race

    def train_seeds(task, spec, settings, states, steps, length, seeds):
        if together:
            from lstm_core.training import train_seeds as together_
            return together_(task, spec, settings, states, steps, length, seeds)
        (state,), (seed,) = states, seeds
        state, losses = train(task, spec, settings, state, steps, length, seed)
        return [state], [losses]

    state = TrainingLabState()
    race = new_race(state)
    start, cpu, first = time.perf_counter(), time.process_time(), None
    while unfinished := [r for r in race.runs
                         if not r.state.diverged and r.state.step < state.steps]:
        groups = ([[r for r in unfinished if r.key.preset == p] for p in state.presets]
                  if together else [[r] for r in unfinished])
        for runs in filter(None, groups):
            key, step = runs[0].key, runs[0].state.step
            count = _next_count(step, state.steps, state.chunk)
            states, losses = train_seeds(ADDING, PRESETS[key.preset].spec, key.settings,
                                         [r.state for r in runs], count,
                                         state.length, [r.key.seed for r in runs])
            for run, new_state, part in zip(runs, states, losses, strict=True):
                run.state = new_state
                run.parts.append(part)
        first = first or time.perf_counter() - start
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return RaceTime(first, wall, cpu, [r.losses for r in race.runs])


def race_in_process(together: bool, root: str | None = None) -> RaceTime:
    """``default_race`` in a fresh process, with the code of checkout ``root`` (default: this
    one)."""
    mode = "together" if together else "alone"
    command = [sys.executable, __file__, "--race", mode, *(("--root", root) if root else ())]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    data = json.loads(out.splitlines()[-1])
    return RaceTime(data["first"], data["wall"], data["cpu"],
                    [np.array(curve, dtype=float) for curve in data["curves"]])


def fastest(races: list[RaceTime]) -> RaceTime:
    """The race with the least CPU time, with the least time to the first points of all."""
    best = min(races, key=lambda race: race.cpu)
    return RaceTime(min(race.first for race in races), best.wall, best.cpu, best.curves)


def race_rows(before_root: str | None, pairs: int) -> list[tuple[str, str, str, str]]:
    """The default race before and after (same run), the ratio and the curves' difference."""
    befores, afters = [], []
    for _ in range(pairs):
        befores.append(race_in_process(together=False, root=before_root))
        afters.append(race_in_process(together=True))
    before, after = fastest(befores), fastest(afters)
    curves = [race.curves for race in befores + afters]
    matched = list(zip(before.curves, after.curves, strict=True))
    same = all(a.size == b.size for a, b in matched)  # the same divergence steps
    gap = max(float(np.max(np.abs(a - b), initial=0.0)) for a, b in matched) if same else np.inf
    # every repeat gives the same curves, too
    repeatable = all(len(c) == len(curves[0]) and all(np.array_equal(a, b, equal_nan=True)
                     for a, b in zip(c, curves[0], strict=True)) for c in curves)
    gap = gap if repeatable else np.inf

    def row(label: str, race: RaceTime, mark: str = ""):
        return (label, f"{race.wall:.2f} s wall, {race.cpu:.2f} s CPU",
                f"first points {race.first:.2f} s", mark)

    ratio = after.cpu / before.cpu
    where = f" ({before_root})" if before_root else ""
    best = f", least CPU of {pairs}" if pairs > 1 else ""
    return [
        row(f"default race 4 configs × 3 seeds × 300 steps, before{where}: each seed alone{best}",
            before),
        row(f"  after: each configuration's seeds together (train_seeds){best}", after,
            mark=goal_mark(after.first, 0.5)),
        ("  ratio after / before", f"{after.wall / before.wall:.2f}× wall, {ratio:.2f}× CPU",
         "CPU ≤ 0.50×, first points ≤ 0.5 s", goal_mark(ratio, 0.5)),
        ("  same curves: max |Δ loss|", f"{gap:.1e}", "≤ 1e-12, same divergence steps",
         goal_mark(gap, 1e-12)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repeat, skip 2000 steps")
    parser.add_argument("--race-only", action="store_true", help="only the default race rows")
    parser.add_argument("--before", metavar="DIR",
                        help="time 'before' with this checkout's code (e.g. the first version)")
    parser.add_argument("--pairs", type=int, default=1,
                        help="before/after pairs to run; each side keeps its least CPU time")
    parser.add_argument("--race", choices=("alone", "together"),
                        help="only time the default race and print it as JSON (used internally)")
    parser.add_argument("--root", help="the checkout a --race process imports (used internally)")
    args = parser.parse_args()
    if args.race:
        race = default_race(args.race == "together")
        print(json.dumps({"first": race.first, "wall": race.wall, "cpu": race.cpu,
                          "curves": [curve.tolist() for curve in race.curves]}))
        return
    if args.race_only:
        print(format_table(("measure", "value", "goal / note", ""),
                           race_rows(args.before, args.pairs)))
        return
    repeats = 1 if args.quick else 3
    rows = []
    ours = numpy_time(repeats)
    rows.append(("LSTM H=16 T=20 B=32, 500 Adam steps: NumPy", f"{ours:.2f} s", "", ""))
    if torch is not None:
        theirs = torch_time(repeats)
        ratio = ours / theirs
        rows.append(("  same in torch CPU, 1 thread", f"{theirs:.2f} s", "", ""))
        rows.append(("  ratio NumPy / torch", f"{ratio:.2f}×", "≤ 1.10×", goal_mark(ratio, 1.1)))
    else:
        rows.append(("  torch", "not installed", "", ""))
    for steps in (300, 1000) if args.quick else (300, 1000, 2000):
        loss = budget_reach(steps)
        rows.append((f"adding T=20, textbook LSTM, {steps} steps: test MSE (3 seeds)",
                     f"{loss:.4f}", f"{(1 / 6) / loss:.0f}× under 1/6", ""))
    rows.extend(race_rows(args.before, args.pairs))
    print(format_table(("measure", "value", "goal / note", ""), rows))


if __name__ == "__main__":
    main()
