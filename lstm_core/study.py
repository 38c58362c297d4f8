"""The experiment behind every trained verdict: each configuration ("arm") trained on ≥ 20
seeds at every learning rate of a small sweep, to a default budget and one 3× longer.

    for each arm:  for each rate in the sweep:  train every seed for budgets[1] steps,
                                                evaluated after budgets[0] and budgets[1]
                   for each budget: best rate = the lowest median test loss there
                                    (a diverged run counts as ∞)

Every run is exactly a Training Lab run (``train_seeds``: same batches, initial weights,
clipping, Adam and divergence rule), so a seed's curve here is the curve the Lab draws for it.

Running it takes minutes, so :func:`cached_study` computes it once per version of the code and
keeps it on disk (``LSTM_LENS_CACHE``, default ``.cache/`` in the project): the app's server
starts ``python -m lstm_core.study`` as a separate low-priority process and reads the result
when it is there (see ``ui.warmup``); ``python -m lstm_core.claims --seeds A-B`` prints it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import pickle
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from i18n import N_

from .tasks import get_task
from .training import (
    PRESETS,
    Model,
    ModelSpec,
    Settings,
    TrainState,
    evaluate,
    init_state,
    steps_to_threshold,
    train_seeds,
)

ADAM_RATES = (0.005, 0.01, 0.02, 0.05)
SGD_RATES = (0.1, 0.3, 1.0)
#: W_hh and the biases of the saturated LSTM start this many times wider (44 % of its candidate
#: values then start with tanh′ < 0.05, against none at ×1); the input weights are unchanged.
SATURATION_SCALE = 10.0


@dataclass(frozen=True)
class Arm:
    """One configuration: a model on a task at a sequence length, with an optimiser."""

    key: str
    label: str
    task: str
    length: int
    spec: ModelSpec
    optimiser: str = "adam"


def _arms() -> dict[str, Arm]:
    lstm = PRESETS["lstm"].spec
    arms = (
        Arm("lstm", PRESETS["lstm"].label, "adding", 20, lstm),
        Arm("lstm_sigmoid", PRESETS["lstm_sigmoid"].label, "adding", 20,
            PRESETS["lstm_sigmoid"].spec),
        Arm("lstm_relu", PRESETS["lstm_relu"].label, "adding", 20, PRESETS["lstm_relu"].spec),
        Arm("lstm_identity_output", N_("LSTM, no output squash (h = o·c)"), "adding", 20,
            replace(lstm, activations=(("output", "identity"),))),
        Arm("lstm_no_forget", N_("LSTM without a forget gate (f = 1)"), "adding", 20,
            replace(lstm, fixed_forget=True)),
        Arm("lstm_saturated", N_("textbook LSTM, W_hh and biases ×10"), "adding", 20,
            replace(lstm, recurrent_scale=SATURATION_SCALE)),
        Arm("lstm_sgd", N_("textbook LSTM, plain SGD"), "adding", 20, lstm, "sgd"),
        Arm("lstm_saturated_sgd", N_("W_hh and biases ×10, plain SGD"), "adding", 20,
            replace(lstm, recurrent_scale=SATURATION_SCALE), "sgd"),
        Arm("recall_fb0", N_("LSTM, forget bias 0"), "recall", 20, replace(lstm, forget_bias=0.0)),
        Arm("recall_fb1", N_("LSTM, forget bias 1"), "recall", 20, replace(lstm, forget_bias=1.0)),
        Arm("recall_fb3", N_("LSTM, forget bias 3"), "recall", 20, replace(lstm, forget_bias=3.0)),
        Arm("recall_gru", "GRU", "recall", 20, PRESETS["gru"].spec),
    )
    return {arm.key: arm for arm in arms}


ARMS: dict[str, Arm] = _arms()


@dataclass(frozen=True)
class StudySpec:
    """Which seeds, budgets and learning rates; every arm is trained on all of them."""

    seeds: tuple[int, ...] = tuple(range(1, 21))
    budgets: tuple[int, int] = (300, 900)
    adam_rates: tuple[float, ...] = ADAM_RATES
    sgd_rates: tuple[float, ...] = SGD_RATES
    arms: tuple[str, ...] = tuple(ARMS)
    clip_norm: float | None = 1.0

    def rates(self, arm: Arm) -> tuple[float, ...]:
        return self.sgd_rates if arm.optimiser == "sgd" else self.adam_rates

    def settings(self, arm: Arm, rate: float) -> Settings:
        return Settings(learning_rate=rate, clip_norm=self.clip_norm, optimiser=arm.optimiser)

    @property
    def seed_text(self) -> str:
        return f"{self.seeds[0]}–{self.seeds[-1]}" if len(self.seeds) > 1 else str(self.seeds[0])


#: What the app shows: 20 seeds, 300 and 900 steps, the full sweep.
DEFAULT = StudySpec()
#: A budget small enough for CI (the same machinery, far shorter training).
SMALL = StudySpec(budgets=(60, 180), adam_rates=(0.05,), sgd_rates=(1.0,))
#: Seconds, not minutes: only for testing the machinery (computing process, cache, page).
TINY = StudySpec(seeds=(1, 2), budgets=(5, 15), adam_rates=(0.05,), sgd_rates=(1.0,))
SIZES = {"default": DEFAULT, "small": SMALL, "tiny": TINY}


def spec_for(seeds: tuple[int, ...] | None = None, size: str | None = None) -> StudySpec:
    """The study the app uses (``LSTM_LENS_STUDY=small`` for the CI budget), on ``seeds``."""
    size = size or os.environ.get("LSTM_LENS_STUDY", "default")
    spec = SIZES.get(size, DEFAULT)
    return replace(spec, seeds=tuple(seeds)) if seeds else spec


@dataclass(frozen=True)
class Runs:
    """One arm at one learning rate, every seed (rows in seed order).

    ``losses`` (S, steps) is each step's training loss (NaN after a run diverged),
    ``diverged_at`` the step it diverged at (0: never), and for each budget b trained:
    ``test_loss[b]`` on the task's fixed test set (∞ for a diverged run) and ``theta[b]`` (S, P).
    """

    arm: str
    rate: float
    seeds: tuple[int, ...]
    losses: np.ndarray
    diverged_at: np.ndarray
    test_loss: dict[int, np.ndarray]
    theta: dict[int, np.ndarray]

    def steps_to_threshold(self, budget: int) -> np.ndarray:
        """Per seed, the step its smoothed training loss first reached the task's threshold
        within ``budget`` steps (∞ if it did not)."""
        threshold = get_task(ARMS[self.arm].task).threshold
        out = np.full(len(self.seeds), np.inf)
        for k, row in enumerate(self.losses[:, :budget]):
            row = row[~np.isnan(row)]
            hit = steps_to_threshold(row, threshold)
            if hit is not None:
                out[k] = hit
        return out

    def diverged_by(self, budget: int) -> np.ndarray:
        return (self.diverged_at > 0) & (self.diverged_at <= budget)


@dataclass(frozen=True)
class ArmResult:
    """An arm's sweep (every rate trained to the long budget) and, for each budget, the rate
    with the lowest median test loss there."""

    arm: str
    sweep: dict[float, Runs]
    best_rates: dict[int, float]
    init_theta: np.ndarray

    def rate_at(self, budget: int) -> float:
        return self.best_rates[budget]

    def at(self, budget: int) -> Runs:
        """The runs at the best rate for ``budget`` steps."""
        return self.sweep[self.best_rates[budget]]


@dataclass(frozen=True)
class Study:
    spec: StudySpec
    arms: dict[str, ArmResult] = field(default_factory=dict)
    seconds: float = 0.0

    def __getitem__(self, key: str) -> ArmResult:
        return self.arms[key]


def _train(arm: Arm, spec: StudySpec, rate: float, states: list[TrainState], steps: int):
    task = get_task(arm.task)
    return train_seeds(task, arm.spec, spec.settings(arm, rate), states, steps, arm.length,
                       spec.seeds)


def _runs(arm: Arm, rate: float, spec: StudySpec, states: list[TrainState],
          curves: list[np.ndarray], budget: int, earlier: Runs | None = None) -> Runs:
    task = get_task(arm.task)
    start = 0 if earlier is None else earlier.losses.shape[1]
    losses = np.full((len(spec.seeds), budget), np.nan)
    if earlier is not None:
        losses[:, :start] = earlier.losses
    for row, curve in zip(losses, curves, strict=True):
        row[start : start + curve.size] = curve
    diverged = np.array([s.diverged_at or 0 for s in states])
    if earlier is not None:
        diverged = np.where(earlier.diverged_at > 0, earlier.diverged_at, diverged)
    test = np.array([np.inf if s.diverged else evaluate(task, arm.spec, s, arm.length).loss
                     for s in states])
    test_loss = dict(earlier.test_loss) if earlier else {}
    theta = dict(earlier.theta) if earlier else {}
    test_loss[budget] = np.where(np.isfinite(test), test, np.inf)
    theta[budget] = np.stack([s.theta for s in states])
    return Runs(arm.key, rate, spec.seeds, losses, diverged, test_loss, theta)


def best_rate(sweep: dict[float, Runs], budget: int) -> float:
    """The rate with the lowest median test loss after ``budget`` steps (a diverged run counts
    as ∞); on a tie, the one with fewer diverged runs, then the larger rate."""
    def score(rate: float):
        runs = sweep[rate]
        return (float(np.median(runs.test_loss[budget])), int(runs.diverged_by(budget).sum()),
                -rate)
    return min(sweep, key=score)


def train_arm(key: str, spec: StudySpec) -> ArmResult:
    """One arm: every rate of the sweep trained to the long budget (evaluated at both), and
    each budget's best rate."""
    arm, task = ARMS[key], get_task(ARMS[key].task)
    short, long = spec.budgets
    starts = [init_state(arm.spec, task, seed) for seed in spec.seeds]
    sweep = {}
    for rate in spec.rates(arm):
        states, curves = _train(arm, spec, rate, starts, short)
        first = _runs(arm, rate, spec, states, curves, short)
        states, curves = _train(arm, spec, rate, states, long - short)
        sweep[rate] = _runs(arm, rate, spec, states, curves, long, earlier=first)
    return ArmResult(key, sweep, {b: best_rate(sweep, b) for b in spec.budgets},
                     np.stack([s.theta for s in starts]))


def run_study(spec: StudySpec, progress: Callable[[int, int, str], None] | None = None) -> Study:
    """Train every arm of ``spec``; ``progress(done, total, arm)`` after each."""
    start, arms = time.process_time(), {}
    for done, key in enumerate(spec.arms):
        if progress:
            progress(done, len(spec.arms), key)
        arms[key] = train_arm(key, spec)
    if progress:
        progress(len(spec.arms), len(spec.arms), "")
    return Study(spec, arms, time.process_time() - start)


def test_trace(arm: str, theta: np.ndarray):
    """The trace of the model ``theta`` on its task's fixed test set."""
    a = ARMS[arm]
    task = get_task(a.task)
    x, _ = task.test_set(a.length)
    trace, _ = Model(a.spec, task.input_size, theta).predict(x, task.every_step)
    return trace


# --- on disk, computed once per version of the code ----------------------------------------------

#: The modules whose code decides the study's numbers: a change to any of them is a new study.
CODE = ("study", "training", "cells", "activations", "tasks", "losses", "statistics", "trace")


def cache_dir() -> Path:
    return Path(os.environ.get("LSTM_LENS_CACHE") or Path(__file__).resolve().parents[1]
                / ".cache")


@functools.lru_cache(maxsize=16)
def code_key(spec: StudySpec) -> str:
    """A digest of the code that computes the study and of ``spec``."""
    digest = hashlib.sha256(repr(spec).encode())
    here = Path(__file__).resolve().parent
    for name in CODE:
        digest.update((here / f"{name}.py").read_bytes())
    return digest.hexdigest()[:16]


def _paths(spec: StudySpec) -> dict[str, Path]:
    base = cache_dir() / f"study-{code_key(spec)}"
    return {"result": base.with_suffix(".pkl"), "progress": base.with_suffix(".progress.json"),
            "lock": base.with_suffix(".lock")}


def stored(spec: StudySpec) -> Study | None:
    """The study of ``spec`` if this version of the code has computed it, else None. The file
    is the app's own (written by :func:`compute_and_store`), never a user's."""
    path = _paths(spec)["result"]
    try:
        with open(path, "rb") as file:
            study = pickle.load(file)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        return None
    return study if isinstance(study, Study) and study.spec == spec else None


def progress_of(spec: StudySpec) -> tuple[int, int]:
    """(arms done, arms in all) as the computing process last reported it."""
    try:
        data = json.loads(_paths(spec)["progress"].read_text())
        return int(data["done"]), int(data["total"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0, len(spec.arms)


def being_computed(spec: StudySpec) -> bool:
    """Whether a live process holds the computing lock of ``spec``'s study."""
    return _holder_alive(_paths(spec)["lock"])


def _holder_alive(lock: Path) -> bool:
    try:
        holder = int(lock.read_text())
        if holder <= 0:
            return False
        os.kill(holder, 0)
        return True
    except (OSError, ValueError):
        return False  # no lock, or its process is gone


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def _lock(path: Path) -> bool:
    """Take the computing lock (False if a live process holds it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if _holder_alive(path):
        return False
    try:
        path.unlink(missing_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except OSError:
        return False
    os.write(fd, str(os.getpid()).encode())
    os.close(fd)
    return True


def compute_and_store(spec: StudySpec) -> Study | None:
    """Compute the study and store it, unless it is stored or another process is computing it
    (then None: read it with :func:`stored` later)."""
    study = stored(spec)
    if study is not None:
        return study
    paths = _paths(spec)
    if not _lock(paths["lock"]):
        return None
    try:
        def report(done: int, total: int, arm: str) -> None:
            _write_atomically(paths["progress"], json.dumps(
                {"done": done, "total": total, "arm": arm}).encode())

        study = run_study(spec, report)
        _write_atomically(paths["result"], pickle.dumps(study))
        return study
    finally:
        paths["lock"].unlink(missing_ok=True)


def cached_study(spec: StudySpec) -> Study:
    """The study of ``spec``: from disk, or computed here now (and stored)."""
    study = compute_and_store(spec)
    while study is None:  # another process is computing it
        time.sleep(0.5)
        study = stored(spec) or compute_and_store(spec)
    return study


def parse_seeds(text: str) -> tuple[int, ...]:
    """"A-B" (or "A–B") → A, A+1, …, B; "A" → A. ``ValueError`` with a plain message else."""
    first, _, last = text.replace("–", "-").partition("-")
    try:
        low, high = int(first), int(last or first)
    except ValueError:
        raise ValueError(f"seeds must look like 1-20, got {text!r}") from None
    if not 0 <= low <= high <= 10**6 or high - low >= 1000:
        raise ValueError(f"seeds must be a range A-B with 0 ≤ A ≤ B and at most 1000 seeds, "
                         f"got {text!r}")
    return tuple(range(low, high + 1))


def main(argv: list[str]) -> int:
    """``python -m lstm_core.study [--seeds A-B] [--size small] [--nice N]``: compute and store
    the study (the server runs this as its low-priority background process)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m lstm_core.study", description=main.__doc__)
    parser.add_argument("--seeds", help="seed range A-B (default 1-20)")
    parser.add_argument("--size", choices=tuple(SIZES), help="the study's budget")
    parser.add_argument("--nice", type=int, default=0, help="lower this process's priority")
    options = parser.parse_args(argv)
    try:
        seeds = parse_seeds(options.seeds) if options.seeds else None
    except ValueError as why:
        parser.error(str(why))
    with contextlib.suppress(OSError):
        os.nice(options.nice)
    study = compute_and_store(spec_for(seeds, options.size))
    print("computed" if study is not None else "another process is computing it")
    return 0


if __name__ == "__main__":
    # run as lstm_core.study, not __main__: the stored classes must unpickle in the server
    from lstm_core.study import main as study_main

    sys.exit(study_main(sys.argv[1:]))
