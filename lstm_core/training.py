"""Train a recurrent cell plus a linear read-out on a toy task with Adam, in float64 NumPy.

The model is ``cell`` (LSTM / GRU / RNN with any slot activations) followed by
y = W_out h + b_out, read at the last step or at every step as the task needs. The cell's own
``forward``/``backward`` do the recurrence; the only new calculus here is the read-out's:

    ∂L/∂W_out = Σ ∂L/∂y ⊗ h,   ∂L/∂b_out = Σ ∂L/∂y,   ∂L/∂h = W_outᵀ ∂L/∂y.

All parameters live in one flat vector ``theta`` (the cell's weights are views into it), so
clipping and Adam are a few in-place operations on three flat buffers.

Determinism: the initial weights come from ``(seed, INIT_STREAM)`` and the batch of step k from
``(seed, DATA_STREAM, k)``. Every configuration with the same seed therefore sees the same data,
and a run resumed chunk by chunk gives exactly the curve of one long run.

Divergence: a step whose loss is not finite, or exceeds ``explode_factor`` × max(first loss,
baseline), or whose gradient norm is not finite, is not applied; the run stops and records
``diverged_at`` = that step. That is data, not an error, and no floating-point warning escapes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .cells import CELL_TYPES, RecurrentCell
from .tasks import Task

INIT_STREAM = 0
DATA_STREAM = 1
HIDDEN_SIZE = 16
BATCH_SIZE = 32


@dataclass(frozen=True)
class ModelSpec:
    """A cell type, its slot activations (registry keys) and its size."""

    cell_type: str = "LSTM"
    activations: tuple[tuple[str, str], ...] = ()
    hidden_size: int = HIDDEN_SIZE
    weight_scale: float = 1.0

    @property
    def cell_class(self) -> type[RecurrentCell]:
        return CELL_TYPES[self.cell_type]

    def parameter_shapes(self, input_size: int) -> dict[str, tuple[int, ...]]:
        """Name → shape of every parameter, in their order in ``theta`` (output size 1)."""
        rows = self.cell_class.gate_blocks * self.hidden_size
        return {
            "weight_ih": (rows, input_size), "weight_hh": (rows, self.hidden_size),
            "bias_ih": (rows,), "bias_hh": (rows,),
            "readout_weight": (1, self.hidden_size), "readout_bias": (1,),
        }


@dataclass(frozen=True)
class Preset:
    """A named model configuration offered on the page."""

    key: str
    label: str
    spec: ModelSpec


PRESETS: dict[str, Preset] = {
    p.key: p
    for p in (
        Preset("lstm", "textbook LSTM", ModelSpec("LSTM")),
        Preset("lstm_relu", "LSTM, ReLU cand. + output",
               ModelSpec("LSTM", (("candidate", "relu"), ("output", "relu")))),
        Preset("lstm_sigmoid", "LSTM, sigmoid candidate",
               ModelSpec("LSTM", (("candidate", "sigmoid"),))),
        Preset("lstm_hard_tanh", "LSTM, hard tanh",
               ModelSpec("LSTM", (("candidate", "hard_tanh"), ("output", "hard_tanh")))),
        Preset("rnn_tanh", "plain RNN (tanh)", ModelSpec("RNN")),
        Preset("gru", "GRU", ModelSpec("GRU")),
    )
}


@dataclass(frozen=True)
class Settings:
    """Optimiser settings. ``clip_norm=None`` turns gradient clipping off."""

    learning_rate: float = 0.05
    clip_norm: float | None = 1.0
    batch_size: int = BATCH_SIZE
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    explode_factor: float = 1e4


@dataclass(frozen=True)
class TrainState:
    """Everything needed to resume a run: parameters, Adam's moments, steps done, verdict."""

    theta: np.ndarray
    m: np.ndarray
    v: np.ndarray
    step: int = 0
    diverged_at: int | None = None
    reference_loss: float | None = None

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None


class Model:
    """Cell + read-out whose parameters are views into one flat vector ``theta``."""

    def __init__(self, spec: ModelSpec, input_size: int, theta: np.ndarray):
        self.spec = spec
        self.theta = theta
        self.slices: dict[str, slice] = {}
        views, offset = {}, 0
        for name, shape in spec.parameter_shapes(input_size).items():
            size = int(np.prod(shape))
            self.slices[name] = slice(offset, offset + size)
            views[name] = theta[offset : offset + size].reshape(shape)
            offset += size
        self.size = offset
        self.cell = spec.cell_class(
            views["weight_ih"], views["weight_hh"], views["bias_ih"], views["bias_hh"],
            **dict(spec.activations),
        )
        self.readout_weight = views["readout_weight"]
        self.readout_bias = views["readout_bias"]
        self.grad: np.ndarray | None = None
        self._grad_views: dict[str, np.ndarray] = {}
        self._d_hidden: np.ndarray | None = None

    def readout(self, hidden: np.ndarray, every_step: bool) -> np.ndarray:
        """y = W_out h + b_out on h_T (B, 1) or on every h_t (T, B, 1)."""
        h = hidden if every_step else hidden[-1]
        return h @ self.readout_weight.T + self.readout_bias

    def predict(self, x: np.ndarray, every_step: bool):
        """The cell's trace on ``x`` and the read-out."""
        with np.errstate(all="ignore"):
            trace = self.cell.forward(x)
            return trace, self.readout(trace.hidden, every_step)

    def loss_and_gradient(self, task: Task, x: np.ndarray, target: np.ndarray) -> float:
        """The task's loss on one batch; writes ∂L/∂θ into ``self.grad`` (same layout as θ)."""
        if self.grad is None:
            self.grad = np.empty_like(self.theta)
            self._grad_views = {name: self.grad[s] for name, s in self.slices.items()}
        views, w_out = self._grad_views, self.readout_weight
        g_w_out = views["readout_weight"].reshape(w_out.shape)
        with np.errstate(all="ignore"):
            trace = self.cell.forward(x)
            hidden = trace.hidden
            h = hidden if task.every_step else hidden[-1]
            outputs = h @ w_out.T + self.readout_bias
            loss, d_out = task.loss(outputs, target)
            # backprop through the read-out: the only new calculus
            if task.every_step:
                d_hidden = d_out @ w_out                                      # (T, B, H)
                np.dot(d_out.reshape(-1, 1).T, h.reshape(-1, h.shape[-1]), out=g_w_out)
                views["readout_bias"][:] = d_out.sum(axis=(0, 1))
            else:
                # only h_T feeds the loss: ∂L/∂h_t = 0 for t < T (buffer reused across steps)
                if self._d_hidden is None or self._d_hidden.shape != hidden.shape:
                    self._d_hidden = np.zeros_like(hidden)
                d_hidden = self._d_hidden
                np.dot(d_out, w_out, out=d_hidden[-1])
                np.dot(d_out.T, h, out=g_w_out)
                views["readout_bias"][:] = d_out.sum(axis=0)
            grads = self.cell.backward(trace, d_hidden)
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                views[name][:] = getattr(grads, name).ravel()
        return loss


def init_state(spec: ModelSpec, task: Task, seed: int) -> TrainState:
    """PyTorch-style initial weights U(−1/√H, 1/√H) for the cell and the read-out."""
    rng = np.random.default_rng([seed, INIT_STREAM])
    shapes = spec.parameter_shapes(task.input_size)
    bound = spec.weight_scale / np.sqrt(spec.hidden_size)
    theta = np.concatenate([rng.uniform(-bound, bound, size=s).ravel() for s in shapes.values()])
    return TrainState(theta, np.zeros_like(theta), np.zeros_like(theta))


def adam_update(
    theta: np.ndarray, grad: np.ndarray, m: np.ndarray, v: np.ndarray, step: int,
    settings: Settings, scratch: np.ndarray | None = None,
) -> None:
    """One Adam step in place (PyTorch's formula; ``step`` counts from 1):

    m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,
    θ ← θ − lr · (m / (1−β₁ᵗ)) / (√v / √(1−β₂ᵗ) + ε).
    """
    scratch = np.empty_like(theta) if scratch is None else scratch
    b1, b2 = settings.beta1, settings.beta2
    m *= b1
    np.multiply(grad, 1.0 - b1, out=scratch)
    m += scratch
    v *= b2
    np.multiply(grad, grad, out=scratch)
    scratch *= 1.0 - b2
    v += scratch
    np.sqrt(v, out=scratch)
    scratch *= 1.0 / np.sqrt(1.0 - b2**step)
    scratch += settings.eps
    np.divide(m, scratch, out=scratch)
    scratch *= settings.learning_rate / (1.0 - b1**step)
    theta -= scratch


def clip_by_norm(grad: np.ndarray, max_norm: float | None) -> float:
    """Scale ``grad`` in place so its norm is at most ``max_norm`` (PyTorch's
    ``clip_grad_norm_``); returns the norm before clipping."""
    norm = float(np.sqrt(np.dot(grad, grad)))
    if max_norm is not None and norm > max_norm:
        grad *= max_norm / (norm + 1e-6)
    return norm


def train(
    task: Task, spec: ModelSpec, settings: Settings, state: TrainState, steps: int, length: int,
    seed: int,
) -> tuple[TrainState, np.ndarray]:
    """Resume from ``state`` for up to ``steps`` more steps (fewer if the run diverges).

    Returns the new state (``state`` is not modified) and the training loss of each step run.
    """
    if state.diverged or steps <= 0:
        return state, np.empty(0)
    theta, m, v = state.theta.copy(), state.m.copy(), state.v.copy()
    model = Model(spec, task.input_size, theta)
    scratch = np.empty_like(theta)
    losses = np.empty(steps)
    reference = state.reference_loss
    step, diverged_at, done = state.step, None, 0
    with np.errstate(all="ignore"):
        for _ in range(steps):
            step += 1
            x, target = task.sample(np.random.default_rng([seed, DATA_STREAM, step]),
                                    settings.batch_size, length)
            loss = model.loss_and_gradient(task, x, target)
            if reference is None:
                reference = max(loss, task.baseline_loss) if np.isfinite(loss) else 1.0
            if not np.isfinite(loss) or loss > settings.explode_factor * reference:
                diverged_at = step
                break
            norm = clip_by_norm(model.grad, settings.clip_norm)
            if not np.isfinite(norm):
                diverged_at = step
                break
            adam_update(theta, model.grad, m, v, step, settings, scratch)
            losses[done] = loss
            done += 1
    new_state = TrainState(theta, m, v, step if diverged_at is None else step - 1, diverged_at,
                           reference)
    return new_state, losses[:done].copy()


@dataclass(frozen=True)
class Evaluation:
    """Loss and metric of a model on the task's fixed test set."""

    loss: float
    metric: float


def evaluate(task: Task, spec: ModelSpec, state: TrainState, length: int) -> Evaluation:
    """Score the current parameters on ``task.test_set(length)`` (NaN if the run diverged)."""
    if state.diverged:
        return Evaluation(float("nan"), float("nan"))
    x, target = task.test_set(length)
    _, outputs = Model(spec, task.input_size, state.theta).predict(x, task.every_step)
    loss, _ = task.loss(outputs, target)
    return Evaluation(loss, task.metric(outputs, target))


def inspect(task: Task, spec: ModelSpec, state: TrainState, length: int, index: int = 0):
    """The trained model on one test sequence: ``(x (T, D), target, trace, outputs)``."""
    x, target = task.test_set(length)
    x_one = x[:, index : index + 1]
    trace, outputs = Model(spec, task.input_size, state.theta).predict(x_one, task.every_step)
    return x_one[:, 0], target[..., index, :] if task.every_step else target[index], trace, outputs


# --- whole runs and their summaries --------------------------------------------------------------


@dataclass(frozen=True)
class RunResult:
    """One finished (or stopped) run."""

    losses: np.ndarray
    diverged_at: int | None
    evaluation: Evaluation
    seconds: float
    state: TrainState


def train_run(
    task: Task, spec: ModelSpec, settings: Settings, length: int, seed: int, steps: int
) -> RunResult:
    """A whole run from scratch in one call, with its test-set evaluation and wall time."""
    start = time.perf_counter()
    state, losses = train(task, spec, settings, init_state(spec, task, seed), steps, length, seed)
    return RunResult(losses, state.diverged_at, evaluate(task, spec, state, length),
                     time.perf_counter() - start, state)


def steps_to_threshold(losses: np.ndarray, threshold: float, window: int = 25) -> int | None:
    """The first step t at which the mean training loss of steps t−window+1 … t is ≤ threshold
    (the batch loss is noisy, so one lucky batch does not count)."""
    if losses.size < window:
        return None
    kernel = np.ones(window) / window
    smooth = np.convolve(losses, kernel, mode="valid")
    hits = np.flatnonzero(smooth <= threshold)
    return int(hits[0]) + window if hits.size else None


@dataclass(frozen=True)
class Band:
    """Mean and min–max spread across seeds at each step (over the seeds still alive)."""

    steps: np.ndarray
    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray


def seed_band(curves: list[np.ndarray]) -> Band:
    """Mean, min and max at each step of curves of possibly different lengths."""
    longest = max((c.size for c in curves), default=0)
    table = np.full((len(curves), longest), np.nan)
    for row, curve in zip(table, curves, strict=True):
        row[: curve.size] = curve
    with np.errstate(all="ignore"):
        alive = ~np.isnan(table)
        count = alive.sum(axis=0)
        mean = np.where(alive, table, 0.0).sum(axis=0) / np.maximum(count, 1)
        low = np.where(alive, table, np.inf).min(axis=0)
        high = np.where(alive, table, -np.inf).max(axis=0)
    return Band(np.arange(1, longest + 1), mean, low, high)


@dataclass(frozen=True)
class Summary:
    """One configuration's row of the results table."""

    final_loss_mean: float
    final_loss_std: float
    steps_to_threshold: float | None
    reached: int
    diverged: int
    runs: int
    seconds: float


def summarise(results: list[RunResult], threshold: float) -> Summary:
    """Test loss mean ± std over the runs that did not diverge, median steps to threshold over
    the runs that reached it, and counts."""
    finals = np.array([r.evaluation.loss for r in results if r.diverged_at is None])
    reached = [s for r in results if (s := steps_to_threshold(r.losses, threshold)) is not None]
    return Summary(
        final_loss_mean=float(finals.mean()) if finals.size else float("nan"),
        final_loss_std=float(finals.std()) if finals.size else float("nan"),
        steps_to_threshold=float(np.median(reached)) if reached else None,
        reached=len(reached),
        diverged=sum(r.diverged_at is not None for r in results),
        runs=len(results),
        seconds=float(sum(r.seconds for r in results)),
    )
