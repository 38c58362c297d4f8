"""Toy sequence tasks for the Training Lab, generated in NumPy from a random generator.

Every task knows the loss of the best *input-blind* prediction (its baseline: the model that
ignores the sequence and outputs the mean target, or ½ for the classifier) and a success threshold
well below it, so a curve can be read as "learned something" or "did not".

Shapes: inputs are (T, B, D). A task scored at the last step has targets (B, 1) and is scored on
the read-out of h_T; a task scored at every step has targets (T, B, 1) and is scored on every h_t.

The baselines, derived:

* adding problem — target u_a + u_b with u ~ U(0, 1) independent: mean 1, variance 2·(1/12) = 1/6,
  so predicting the mean scores MSE = Var = 1/6.
* delayed recall — target v ~ U(−1, 1): mean 0, MSE of predicting 0 = Var = (2²)/12 = 1/3.
* noisy sine — target sin(ωt + φ) + ε with φ ~ U(0, 2π), ε ~ N(0, σ²): mean 0 and
  E[sin²] = ½ for every t, so predicting 0 scores ½ + σ² (and σ² is the floor no model beats).
* sign of the running sum — P(target = 1) = ½ by symmetry, so predicting ½ scores ln 2 nats.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from i18n import N_, Text

Generator = Callable[[np.random.Generator, int, int], tuple[np.ndarray, np.ndarray]]

#: Seed of the fixed test set every run is scored on (the same for every configuration and seed).
TEST_SEED = 20_240_601
TEST_SIZE = 512
SINE_NOISE = 0.1


class TaskLengthError(ValueError):
    """A sequence length the task cannot use."""


@dataclass(frozen=True)
class Task:
    """One toy task: how to draw a batch, how to score a prediction, what "learned" means."""

    key: str
    name: str
    description: str
    input_size: int
    every_step: bool
    classification: bool
    baseline_loss: float
    baseline_text: str
    threshold: float
    min_length: int
    generate: Generator

    @property
    def loss_name(self) -> str:
        return N_("cross-entropy") if self.classification else "MSE"

    def sample(self, rng: np.random.Generator, batch: int, length: int):
        """A batch ``(x, target)``: x (T, B, D); target (B, 1) or (T, B, 1) (see module doc)."""
        if length < self.min_length:
            raise TaskLengthError(Text("the {task} needs sequences of at least {min_length} "
                                       "steps; got {length}", task=self.name,
                                       min_length=self.min_length, length=length))
        return self.generate(rng, batch, length)

    def test_set(self, length: int, size: int = TEST_SIZE) -> tuple[np.ndarray, np.ndarray]:
        """The fixed held-out batch every run is scored on."""
        return self.sample(np.random.default_rng(TEST_SEED), size, length)

    def loss(self, outputs: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
        """(L, ∂L/∂outputs): mean squared error, or binary cross-entropy on logits."""
        count = outputs.size
        if self.classification:
            # L = mean(softplus(z) − y·z) = mean(−y ln σ(z) − (1 − y) ln(1 − σ(z)))
            with np.errstate(over="ignore"):
                loss = float(np.mean(np.logaddexp(0.0, outputs) - target * outputs))
                probability = 0.5 + 0.5 * np.tanh(0.5 * outputs)
            return loss, (probability - target) / count
        error = outputs - target
        return float(np.mean(error * error)), error * (2.0 / count)

    def metric(self, outputs: np.ndarray, target: np.ndarray) -> float:
        """Accuracy (classification) or the fraction of the baseline's loss removed (R²)."""
        if self.classification:
            return float(np.mean((outputs > 0.0) == (target > 0.5)))
        return 1.0 - float(np.mean((outputs - target) ** 2)) / self.baseline_loss


# --- generators ----------------------------------------------------------------------------------


def _adding(rng: np.random.Generator, batch: int, length: int):
    """Values U(0, 1); one marker in the first half, one in the second; target = their sum."""
    values = rng.uniform(0.0, 1.0, size=(length, batch))
    half = length // 2
    first = rng.integers(0, half, size=batch)
    second = rng.integers(half, length, size=batch)
    markers = np.zeros((length, batch))
    columns = np.arange(batch)
    markers[first, columns] = 1.0
    markers[second, columns] = 1.0
    x = np.stack([values, markers], axis=-1)
    target = (values[first, columns] + values[second, columns])[:, None]
    return x, target


def _recall(rng: np.random.Generator, batch: int, length: int):
    """Values U(−1, 1); one marker in the first quarter; target = the marked value at step T."""
    values = rng.uniform(-1.0, 1.0, size=(length, batch))
    marked = rng.integers(0, max(1, length // 4), size=batch)
    markers = np.zeros((length, batch))
    columns = np.arange(batch)
    markers[marked, columns] = 1.0
    x = np.stack([values, markers], axis=-1)
    return x, values[marked, columns][:, None]


def _noisy_sine(rng: np.random.Generator, batch: int, length: int):
    """s_t = sin(ωt + φ) + ε, ω ~ U(0.15, 0.6), φ ~ U(0, 2π); input s_t, target s_{t+1}."""
    omega = rng.uniform(0.15, 0.6, size=batch)
    phase = rng.uniform(0.0, 2.0 * np.pi, size=batch)
    t = np.arange(length + 1)[:, None]
    signal = np.sin(omega * t + phase) + SINE_NOISE * rng.standard_normal((length + 1, batch))
    return signal[:-1, :, None], signal[1:, :, None]


def _running_sign(rng: np.random.Generator, batch: int, length: int):
    """x_t ~ N(0, 1); target at every step: 1 if x_1 + … + x_t > 0 else 0."""
    x = rng.standard_normal((length, batch, 1))
    return x, (np.cumsum(x, axis=0) > 0.0).astype(np.float64)


TASKS: dict[str, Task] = {
    task.key: task
    for task in (
        Task(
            "adding", N_("adding problem"),
            N_("Two numbers in the sequence are marked; output their sum at the last step."),
            input_size=2, every_step=False, classification=False,
            baseline_loss=1.0 / 6.0, baseline_text=N_("always predict the mean sum 1: MSE = 1/6"),
            threshold=0.05, min_length=2, generate=_adding,
        ),
        Task(
            "recall", N_("delayed recall"),
            N_("One value near the start is marked; output it at the last step, ignoring the "
               "rest."),
            input_size=2, every_step=False, classification=False,
            baseline_loss=1.0 / 3.0, baseline_text=N_("always predict 0: MSE = 1/3"),
            threshold=0.05, min_length=2, generate=_recall,
        ),
        Task(
            "sine", N_("noisy sine, next step"),
            N_("A sine of unknown frequency and phase plus noise (σ = 0.1); predict the next "
               "value at every step."),
            input_size=1, every_step=True, classification=False,
            baseline_loss=0.5 + SINE_NOISE**2,
            baseline_text=N_("always predict 0: MSE = ½ + σ² = 0.51 (the noise floor is "
                             "σ² = 0.01)"),
            threshold=0.03, min_length=2, generate=_noisy_sine,
        ),
        Task(
            "sign", N_("sign of the running sum"),
            N_("Random numbers arrive one by one; say at every step whether their sum so far is "
               "positive (a classification, scored by cross-entropy)."),
            input_size=1, every_step=True, classification=True,
            baseline_loss=float(np.log(2.0)),
            baseline_text=N_("always say 50 %: cross-entropy ln 2"),
            threshold=0.1, min_length=1, generate=_running_sign,
        ),
    )
}


def get_task(key: str) -> Task:
    """The task called ``key``."""
    try:
        return TASKS[key]
    except KeyError:
        raise KeyError(f"unknown task {key!r}; choose one of {', '.join(TASKS)}") from None
