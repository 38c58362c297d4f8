"""Training speed and reach: the NumPy trainer against torch, longer budgets, the default race.

Run: ``python bench/bench_training.py [--quick]``. Prints one table:

* LSTM H=16, T=20, batch 32, 500 Adam steps (clipping on) on the adding problem: best wall time
  of a few repeats, and the same loop in torch (float64, one thread, ``nn.LSTM`` + ``nn.Linear``,
  ``clip_grad_norm_``, ``torch.optim.Adam``, the same NumPy batches) when torch is importable.
  Goal: NumPy ≤ 1.1 × torch.
* how far longer budgets get: the textbook LSTM's test MSE on the adding problem (T=20, mean over
  3 seeds) after 300 (the page's default), 1000 and 2000 steps, against the 1/6 baseline.
* the page's default race (4 configurations × 3 seeds × 300 steps, the page's chunk schedule,
  no cache): time to the first round of points (goal ≤ 1 s) and to the end (goal ≤ 8 s).
"""

from __future__ import annotations

import argparse
import time

from common import add_root_to_path, format_table, goal_mark, pin_blas_threads

pin_blas_threads()
add_root_to_path()

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


def default_race() -> tuple[float, float]:
    """(seconds to the first round of points, seconds to the end) with the page's schedule."""
    from ui.training_lab import TrainingLabState, _next_count, new_race

    state = TrainingLabState()
    race = new_race(state)
    start, first = time.perf_counter(), None
    while any(not r.state.diverged and r.state.step < state.steps for r in race.runs):
        for run in race.runs:
            if run.state.diverged or run.state.step >= state.steps:
                continue
            run.state, _ = train(ADDING, PRESETS[run.key.preset].spec, run.key.settings,
                                 run.state, _next_count(run.state.step, state.steps),
                                 state.length, run.key.seed)
        first = first or time.perf_counter() - start
    return first, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repeat, skip 2000 steps")
    args = parser.parse_args()
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
    first, total = default_race()
    rows.append(("default race 4 configs × 3 seeds × 300 steps: first points",
                 f"{first:.2f} s", "≤ 1 s", goal_mark(first, 1.0)))
    rows.append(("  whole race", f"{total:.2f} s", "≤ 8 s", goal_mark(total, 8.0)))
    print(format_table(("measure", "value", "goal / note", ""), rows))


if __name__ == "__main__":
    main()
