"""Train a recurrent cell plus a linear read-out on a toy task with Adam, in float64 NumPy.

The model is ``cell`` (LSTM / GRU / RNN with any slot activations) followed by
y = W_out h + b_out, read at the last step or at every step as the task needs. The cell's own
``forward``/``backward`` do the recurrence; the only new calculus here is the read-out's:

    ∂L/∂W_out = Σ ∂L/∂y ⊗ h,   ∂L/∂b_out = Σ ∂L/∂y,   ∂L/∂h = W_outᵀ ∂L/∂y.

All parameters live in one flat vector ``theta`` (the cell's weights are views into it), so
clipping and Adam are a few in-place operations on three flat buffers.

Seeds of one configuration train together (``train_seeds``): their ``theta`` vectors are the rows
of one (S, P) array and the cell runs them as a model stack (see ``cells``), which costs about as
many NumPy calls per step as one seed — and those calls, not arithmetic, dominate at this size.
Each seed still gets exactly its own run: its batches, loss, clipping, Adam step and divergence.

Determinism: the initial weights come from ``(seed, INIT_STREAM)`` and the batch of step k from
``(seed, DATA_STREAM, k)``. Every configuration with the same seed therefore sees the same data,
and a run resumed chunk by chunk gives exactly the curve of one long run.

Divergence: a step whose loss is not finite, or exceeds ``explode_factor`` × max(first loss,
baseline), or whose gradient norm is not finite, is not applied; the run stops and records
``diverged_at`` = that step. That is data, not an error, and no floating-point warning escapes.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from i18n import N_

from .cells import CELL_TYPES, RecurrentCell, Workspace, model_rows, over_batch
from .statistics import Interval, bootstrap_median, wilson
from .tasks import Task

INIT_STREAM = 0
DATA_STREAM = 1
HIDDEN_SIZE = 16
BATCH_SIZE = 32
#: Memory for the latest training batches (see ``training_batch``): 8 MB hold one round of the
#: Training Lab's largest race (5 seeds × 25 steps at T = 100).
BATCH_CACHE_BYTES = 8 * 2**20


@dataclass(frozen=True)
class ModelSpec:
    """A cell type, its slot activations (registry keys) and its size."""

    cell_type: str = "LSTM"
    activations: tuple[tuple[str, str], ...] = ()
    hidden_size: int = HIDDEN_SIZE
    weight_scale: float = 1.0
    #: LSTM only: b_if starts at this value and b_hf at 0 (None: drawn like every bias).
    forget_bias: float | None = None
    #: W_hh and the biases start this many times wider than PyTorch's U(−k, k) (saturation).
    recurrent_scale: float = 1.0
    #: LSTM only: no forget gate, f_t = σ(30) = 1 − 9.4·10⁻¹⁴ at every step, never trained.
    fixed_forget: bool = False

    @property
    def cell_class(self) -> type[RecurrentCell]:
        return CELL_TYPES[self.cell_type]

    def frozen(self, input_size: int) -> np.ndarray | None:
        """Mask of the entries of ``theta`` that training never changes (None: none)."""
        if not self.fixed_forget:
            return None
        mask = np.zeros(sum(int(np.prod(s)) for s in self.parameter_shapes(input_size).values()),
                        dtype=bool)
        offset, rows = 0, slice(self.hidden_size, 2 * self.hidden_size)  # the forget block
        for shape in self.parameter_shapes(input_size).values():
            size = int(np.prod(shape))
            if len(shape) and shape[0] == 4 * self.hidden_size:
                mask[offset : offset + size].reshape(shape)[rows] = True
            offset += size
        return mask

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
        Preset("lstm", N_("textbook LSTM"), ModelSpec("LSTM")),
        Preset("lstm_relu", N_("LSTM, ReLU cand. + output"),
               ModelSpec("LSTM", (("candidate", "relu"), ("output", "relu")))),
        Preset("lstm_sigmoid", N_("LSTM, sigmoid candidate"),
               ModelSpec("LSTM", (("candidate", "sigmoid"),))),
        Preset("lstm_hard_tanh", N_("LSTM, hard tanh"),
               ModelSpec("LSTM", (("candidate", "hard_tanh"), ("output", "hard_tanh")))),
        Preset("rnn_tanh", N_("plain RNN (tanh)"), ModelSpec("RNN")),
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
    #: "adam", or "sgd" for plain gradient descent θ ← θ − lr · g
    optimiser: str = "adam"


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
    """Cell + read-out whose parameters are views into one flat vector ``theta`` (P,), or a model
    stack whose parameters are views into the rows of ``theta`` (S, P)."""

    def __init__(self, spec: ModelSpec, input_size: int, theta: np.ndarray):
        self.spec = spec
        self.theta = theta
        self.slices: dict[str, slice] = {}
        stack = theta.shape[:-1]
        views, offset = {}, 0
        for name, shape in spec.parameter_shapes(input_size).items():
            size = int(np.prod(shape))
            self.slices[name] = slice(offset, offset + size)
            views[name] = theta[..., offset : offset + size].reshape(*stack, *shape)
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
        # the cell's per-step arrays, kept from one training step to the next
        self.workspace = Workspace()

    def readout(self, hidden: np.ndarray, every_step: bool) -> np.ndarray:
        """y = W_out h + b_out on h_T (…, B, 1) or on every h_t (T, …, B, 1)."""
        h = hidden if every_step else hidden[-1]
        return h @ self.readout_weight.mT + over_batch(self.readout_bias)

    def predict(self, x: np.ndarray, every_step: bool):
        """The cell's trace on ``x`` and the read-out."""
        with np.errstate(all="ignore"):
            trace = self.cell.forward(x)
            return trace, self.readout(trace.hidden, every_step)

    def loss_and_gradient(
        self, task: Task, x: np.ndarray, target: np.ndarray
    ) -> float | np.ndarray:
        """The task's loss on one batch; writes ∂L/∂θ into ``self.grad`` (same layout as θ).

        For a stack of S models, x and target carry the model axis after T's (x (T, S, B, D))
        and the result is each model's loss (S,).
        """
        if self.grad is None:
            self.grad = np.empty_like(self.theta)
            self._grad_views = {name: self.grad[..., s] for name, s in self.slices.items()}
        views, w_out = self._grad_views, self.readout_weight
        g_w_out = views["readout_weight"].reshape(w_out.shape)
        with np.errstate(all="ignore"):
            trace = self.cell.forward(x, workspace=self.workspace)
            hidden = trace.hidden
            h = hidden if task.every_step else hidden[-1]
            loss, d_out = self._loss(task, self.readout(hidden, task.every_step), target)
            # backprop through the read-out: the only new calculus
            if task.every_step:
                d_hidden = d_out @ w_out                                      # (T, …, B, H)
                d_rows = model_rows(d_out)
                np.matmul(d_rows.mT, model_rows(h), out=g_w_out)
                views["readout_bias"][...] = d_rows.sum(axis=-2)
            else:
                # only h_T feeds the loss: ∂L/∂h_t = 0 for t < T (buffer reused across steps)
                if self._d_hidden is None or self._d_hidden.shape != hidden.shape:
                    self._d_hidden = np.zeros(hidden.shape)  # step-major, as the loop reads it
                d_hidden = self._d_hidden
                np.matmul(d_out, w_out, out=d_hidden[-1])
                np.matmul(d_out.mT, h, out=g_w_out)
                views["readout_bias"][...] = d_out.sum(axis=-2)
            grads = self.cell.backward(trace, d_hidden, workspace=self.workspace,
                                       input_gradient=False)
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                view = views[name]
                view[...] = getattr(grads, name).reshape(view.shape)
        return loss

    def _loss(self, task: Task, outputs: np.ndarray, target: np.ndarray):
        """``task.loss``, for each model of a stack separately."""
        if self.theta.ndim == 1:
            return task.loss(outputs, target)
        before = (slice(None),) * (1 if task.every_step else 0)  # the axes before the model's
        d_out = np.empty_like(outputs)
        losses = np.empty(outputs.shape[len(before)])
        for k in range(losses.size):
            model = (*before, k)
            # contiguous copies: the mean then sums in the order it does for one model alone
            losses[k], d_out[model] = task.loss(np.ascontiguousarray(outputs[model]),
                                                np.ascontiguousarray(target[model]))
        return losses, d_out


class RecentBatches:
    """The latest batches by key, within a budget of bytes (the oldest go first). Thread-safe;
    the arrays are made read-only, since every caller shares them."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.bytes = 0
        self._batches: OrderedDict[tuple, tuple[np.ndarray, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, draw: Callable[[], tuple[np.ndarray, ...]]):
        """The batch stored under ``key``, or ``draw()``, stored."""
        with self._lock:
            batch = self._batches.get(key)
            if batch is not None:
                self._batches.move_to_end(key)
                return batch
        batch = draw()
        for array in batch:
            array.flags.writeable = False
        with self._lock:
            if key not in self._batches:
                self._batches[key] = batch
                self.bytes += sum(array.nbytes for array in batch)
                while self.bytes > self.budget:
                    _, old = self._batches.popitem(last=False)
                    self.bytes -= sum(array.nbytes for array in old)
        return batch

    def __len__(self) -> int:
        return len(self._batches)


_BATCHES = RecentBatches(BATCH_CACHE_BYTES)


def training_batch(
    task: Task, seed: int, step: int, batch_size: int, length: int
) -> tuple[np.ndarray, np.ndarray]:
    """The batch ``(x, target)`` of step ``step`` of a run with ``seed``, drawn from
    ``(seed, DATA_STREAM, step)`` (read-only). Every configuration of a race trains on the same
    batches, so the latest ones are kept: the first configuration to reach a step draws them."""
    return _BATCHES.get(
        (task, seed, step, batch_size, length),
        lambda: task.sample(np.random.default_rng([seed, DATA_STREAM, step]), batch_size, length),
    )


def init_state(spec: ModelSpec, task: Task, seed: int) -> TrainState:
    """PyTorch-style initial weights U(−1/√H, 1/√H) for the cell and the read-out."""
    rng = np.random.default_rng([seed, INIT_STREAM])
    shapes = spec.parameter_shapes(task.input_size)
    bound = spec.weight_scale / np.sqrt(spec.hidden_size)
    wider = {"weight_hh", "bias_ih", "bias_hh"}
    drawn = {name: rng.uniform(-bound, bound, size=shape) for name, shape in shapes.items()}
    if spec.recurrent_scale != 1.0:
        for name in wider:
            drawn[name] *= spec.recurrent_scale
    forget = slice(spec.hidden_size, 2 * spec.hidden_size)
    if spec.forget_bias is not None:
        drawn["bias_ih"][forget], drawn["bias_hh"][forget] = spec.forget_bias, 0.0
    if spec.fixed_forget:
        drawn["weight_ih"][forget] = drawn["weight_hh"][forget] = 0.0
        drawn["bias_ih"][forget], drawn["bias_hh"][forget] = FIXED_FORGET_BIAS, 0.0
    theta = np.concatenate([values.ravel() for values in drawn.values()])
    return TrainState(theta, np.zeros_like(theta), np.zeros_like(theta))


#: The forget pre-activation of a cell without a forget gate: σ(30) = 1 − 9.4·10⁻¹⁴.
FIXED_FORGET_BIAS = 30.0


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


def clip_by_norm(grad: np.ndarray, max_norm: float | None) -> float | np.ndarray:
    """Scale ``grad`` in place so its norm is at most ``max_norm`` (PyTorch's
    ``clip_grad_norm_``); returns the norm before clipping. A (S, P) ``grad`` holds S models'
    gradients: each row is clipped by its own norm, and the S norms are returned."""
    rows = grad.reshape(-1, grad.shape[-1])
    norms = np.array([np.sqrt(np.dot(row, row)) for row in rows])
    if max_norm is not None:
        for row, norm in zip(rows, norms, strict=True):
            if norm > max_norm:
                row *= max_norm / (norm + 1e-6)
    return float(norms[0]) if grad.ndim == 1 else norms


def train(
    task: Task, spec: ModelSpec, settings: Settings, state: TrainState, steps: int, length: int,
    seed: int,
) -> tuple[TrainState, np.ndarray]:
    """Resume from ``state`` for up to ``steps`` more steps (fewer if the run diverges).

    Returns the new state (``state`` is not modified) and the training loss of each step run.
    """
    (state,), (losses,) = train_seeds(task, spec, settings, [state], steps, length, [seed])
    return state, losses


def train_seeds(
    task: Task, spec: ModelSpec, settings: Settings, states: Sequence[TrainState], steps: int,
    length: int, seeds: Sequence[int],
) -> tuple[list[TrainState], list[np.ndarray]]:
    """Resume the runs of one configuration with ``seeds`` from ``states`` for up to ``steps``
    more steps each, trained together as one model stack.

    Each run gets exactly what ``train`` would give it alone: its own batches, loss, clipping,
    Adam moments and divergence (a run that diverges leaves the stack; the others go on). The
    runs not yet diverged must be at the same step. Returns the new states (``states`` are not
    modified) and each run's training losses, in the order of ``seeds``.
    """
    if len(states) != len(seeds):
        raise ValueError(f"{len(states)} states for {len(seeds)} seeds")
    finished, curves = list(states), [np.empty(0) for _ in states]
    live = [k for k, state in enumerate(states) if not state.diverged]
    starts = {states[k].step for k in live}
    if len(starts) > 1:
        raise ValueError(f"runs trained together must be at one step; got {sorted(starts)}")
    if not live or steps <= 0:
        return finished, curves
    step = starts.pop()
    theta, m, v = (np.stack([getattr(states[k], name) for k in live])
                   for name in ("theta", "m", "v"))
    references = [states[k].reference_loss for k in live]
    losses = np.empty((len(live), steps))
    model, scratch = _model_over(spec, task.input_size, theta), np.empty_like(theta)
    frozen = spec.frozen(task.input_size)
    target_axis = 1 if task.every_step else 0
    done = 0
    with np.errstate(all="ignore"):
        while done < steps:
            step += 1
            xs, targets = zip(*(training_batch(task, seeds[k], step, settings.batch_size, length)
                                for k in live), strict=True)
            x, target = ((np.stack(xs, axis=1), np.stack(targets, axis=target_axis))
                         if len(live) > 1 else (xs[0], targets[0]))
            loss = np.atleast_1d(model.loss_and_gradient(task, x, target))
            grad = model.grad.reshape(theta.shape)
            if frozen is not None:
                grad[..., frozen] = 0.0
            norms = clip_by_norm(grad, settings.clip_norm)
            alive = []
            for j, value in enumerate(loss):
                if references[j] is None:
                    references[j] = float(max(value, task.baseline_loss)
                                          if np.isfinite(value) else 1.0)
                limit = settings.explode_factor * references[j]
                alive.append(bool(np.isfinite(value) and value <= limit and np.isfinite(norms[j])))
            if not all(alive):
                # a diverged run keeps its state from before this step and leaves the stack
                for j in np.flatnonzero(np.logical_not(alive)):
                    finished[live[j]] = TrainState(theta[j].copy(), m[j].copy(), v[j].copy(),
                                                   step - 1, step, references[j])
                    curves[live[j]] = losses[j, :done].copy()
                keep = np.flatnonzero(alive)
                if not keep.size:
                    return finished, curves
                live, references = [live[j] for j in keep], [references[j] for j in keep]
                theta, m, v, grad = theta[keep], m[keep], v[keep], grad[keep]
                loss, losses = loss[keep], losses[keep]
                model, scratch = _model_over(spec, task.input_size, theta), np.empty_like(theta)
            if settings.optimiser == "sgd":
                np.multiply(grad, settings.learning_rate, out=scratch)
                theta -= scratch
            else:
                adam_update(theta, grad, m, v, step, settings, scratch)
            losses[:, done] = loss
            done += 1
    for j, k in enumerate(live):
        finished[k] = TrainState(theta[j].copy(), m[j].copy(), v[j].copy(), step, None,
                                 references[j])
        curves[k] = losses[j, :done].copy()
    return finished, curves


def _model_over(spec: ModelSpec, input_size: int, theta: np.ndarray) -> Model:
    """The model stack over the rows of ``theta`` (S, P), or the plain model when S = 1 (the
    unstacked path: one seed trains exactly as ``train`` always did, at the same cost)."""
    return Model(spec, input_size, theta if len(theta) > 1 else theta[0])


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
    return train_runs(task, spec, settings, length, [seed], steps)[0]


def train_runs(
    task: Task, spec: ModelSpec, settings: Settings, length: int, seeds: Sequence[int],
    steps: int,
) -> list[RunResult]:
    """``train_run`` for each seed, the seeds trained together (``train_seeds``); each run's
    ``seconds`` is its share of the wall time."""
    start = time.perf_counter()
    states, curves = train_seeds(task, spec, settings,
                                 [init_state(spec, task, seed) for seed in seeds], steps, length,
                                 seeds)
    evaluations = [evaluate(task, spec, state, length) for state in states]
    seconds = (time.perf_counter() - start) / len(seeds)
    return [RunResult(losses, state.diverged_at, evaluation, seconds, state)
            for losses, state, evaluation in zip(curves, states, evaluations, strict=True)]


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
    """Median and min–max spread across seeds at each step (over the seeds still alive)."""

    steps: np.ndarray
    median: np.ndarray
    low: np.ndarray
    high: np.ndarray


def seed_band(curves: list[np.ndarray]) -> Band:
    """Median, min and max at each step of curves of possibly different lengths."""
    longest = max((c.size for c in curves), default=0)
    table = np.full((len(curves), longest), np.nan)
    for row, curve in zip(table, curves, strict=True):
        row[: curve.size] = curve
    with np.errstate(all="ignore"):
        alive = ~np.isnan(table)
        count = alive.sum(axis=0)
        median = np.where(count > 0, np.nanmedian(np.where(count > 0, table, 0.0), axis=0),
                          0.0)
        low = np.where(alive, table, np.inf).min(axis=0)
        high = np.where(alive, table, -np.inf).max(axis=0)
    return Band(np.arange(1, longest + 1), median, low, high)


@dataclass(frozen=True)
class Summary:
    """One configuration's row of the results table: the statistics the Claims page uses.

    ``test_loss`` is the median test loss over every run (a diverged run counts as ∞) with its
    95 % bootstrap interval; ``steps`` the median steps to the threshold (∞ for a run that did
    not reach it) with its interval; ``reached_interval`` the Wilson interval of reached/runs.
    """

    test_loss: Interval
    steps: Interval
    reached: int
    reached_interval: Interval
    diverged: int
    diverged_at: tuple[int, ...]
    runs: int
    seconds: float


def summarise(results: list[RunResult], threshold: float) -> Summary:
    """The median test loss and the median steps to the threshold over every run, with 95 %
    intervals (diverged or not reached: ∞), and the counts (see :class:`Summary`)."""
    finals = np.array([np.inf if r.diverged_at is not None or not np.isfinite(r.evaluation.loss)
                       else r.evaluation.loss for r in results])
    steps = np.array([np.inf if (hit := steps_to_threshold(r.losses, threshold)) is None
                      else float(hit) for r in results])
    reached = int(np.isfinite(steps).sum())
    return Summary(
        test_loss=bootstrap_median(finals),
        steps=bootstrap_median(steps),
        reached=reached,
        reached_interval=wilson(reached, len(results)),
        diverged=sum(r.diverged_at is not None for r in results),
        diverged_at=tuple(sorted(r.diverged_at for r in results if r.diverged_at is not None)),
        runs=len(results),
        seconds=float(sum(r.seconds for r in results)),
    )
