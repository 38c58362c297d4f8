"""The experiments behind the Compare Trajectories and Gradient Flow pages (pure NumPy).

* :func:`run_cells` runs several cells on one input, batching the cells that share a type and
  weights into one engine call (the batch axis B holds one configuration per row);
* :func:`summarize` gives the numbers of the comparison table for one run;
* :func:`gradient_models` / :func:`gradient_flow` build the LSTM, GRU and plain RNNs of the
  Gradient Flow page with the same seed and initial scale, and back-propagate a loss through them;
* :func:`gradient_readout`, :func:`forget_path`, :func:`path_split` (cell-state path vs the
  paths through h and the gates), :func:`recurrent_factor` and
  :func:`saturation_over_time` give the numbers the page's sentences and readouts state.

Steps count from 1 (t = 1 … T); arrays are indexed ``[t - 1]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from . import losses
from .activations import RELU, SIGMOID, TANH, Activation
from .cells import GRU, LSTM, RNN, RecurrentCell
from .diagnoses import EPSILON, GATE_NAMES, saturated_mask
from .trace import BLOWUP_BOUND, Gradients, Trace

#: Default saturation threshold: a slot is saturated where |f′(pre-activation)| < ε (shared with
#: the Activation Lab through the session key ``"shared.epsilon"`` and with the diagnoses).
SATURATION_EPSILON = EPSILON


def memory_name(cell_type: str) -> str:
    """The trace name of a cell type's memory: the cell state c for the LSTM, else h."""
    return "cell" if cell_type == "LSTM" else "hidden"


# --- running several cells on one input ----------------------------------------------------------


def _row_segments(acts: Sequence[Activation]) -> list[tuple[int, int, Activation]]:
    segments: list[tuple[int, int, Activation]] = []
    for row, act in enumerate(acts):
        if segments and (segments[-1][2] is act or segments[-1][2] == act):
            start, _, _ = segments[-1]
            segments[-1] = (start, row + 1, act)
        else:
            segments.append((row, row + 1, act))
    return segments


def stack_rows(acts: Sequence[Activation]) -> Activation:
    """One activation that applies ``acts[b]`` to row b of axis −2, the batch axis of every
    array a cell hands to its activations ((B, ·) per step, (T, B, ·) in backward).

    This lets B configurations that differ only in their activations share one engine run.
    """
    segments = _row_segments(acts)
    if len(segments) == 1:
        return acts[0]
    rows = len(acts)

    def each(method: str):
        def apply(x: np.ndarray, *more: np.ndarray) -> np.ndarray:
            x = np.asarray(x, dtype=float)
            if x.ndim < 2 or x.shape[-2] != rows:
                raise ValueError(f"a row-stacked activation needs {rows} rows on axis −2")
            out = np.empty(x.shape)
            for start, stop, act in segments:
                part = (..., slice(start, stop), slice(None))
                out[part] = getattr(act, method)(x[part], *(m[part] for m in more))
            return out

        return apply

    def f_into(x: np.ndarray, out: np.ndarray) -> None:
        if x.ndim < 2 or x.shape[-2] != rows:
            raise ValueError(f"a row-stacked activation needs {rows} rows on axis −2")
        for start, stop, act in segments:
            part = (..., slice(start, stop), slice(None))
            act.apply(x[part], out[part])

    first = acts[0]
    return Activation(
        key="rows:" + ",".join(a.key for a in acts),
        name=" | ".join(a.name for a in acts),
        latex=first.latex,
        f=each("f"),
        d1=each("d1"),
        d2=each("d2"),
        output_range=first.output_range,
        zero_centred=first.zero_centred,
        bounded=all(a.bounded for a in acts),
        monotonic=all(a.monotonic for a in acts),
        smooth=all(a.smooth for a in acts),
        d1_from_output=each("derivative_given_output"),
        f_into=f_into,
        custom=any(a.custom for a in acts),
        range_closed=first.range_closed,
    )


def _same_weights(a: RecurrentCell, b: RecurrentCell) -> bool:
    if type(a) is not type(b):
        return False
    return all(
        pa is pb or (pa.shape == pb.shape and np.array_equal(pa, pb))
        for pa, pb in zip(a.parameters().values(), b.parameters().values(), strict=True)
    )


def row_of(trace: Trace, row: int) -> Trace:
    """Sequence ``row`` of a batched trace, as a trace with B = 1 (views, no copies)."""
    part = slice(row, row + 1)
    return Trace(
        trace.cell_type,
        trace.x[:, part],
        trace.h0[part],
        {name: arr[:, part] for name, arr in trace.values.items()},
        {name: arr[:, part] for name, arr in trace.preactivations.items()},
        c0=None if trace.c0 is None else trace.c0[part],
        extras={name: arr[:, part] for name, arr in trace.extras.items()},
    )


@dataclass
class BatchedRun:
    """Cells run together: ``cell`` is the batched cell, ``rows`` the input order of its rows."""

    cell: RecurrentCell
    trace: Trace
    rows: list[int]


def _batched_runs(
    cells: Sequence[RecurrentCell], x: np.ndarray, h0=None, c0=None
) -> list[BatchedRun]:
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    if x.ndim != 2:
        raise ValueError(f"x must be (T, D); got {x.shape}")
    groups: list[list[int]] = []
    for k, cell in enumerate(cells):
        for group in groups:
            if _same_weights(cells[group[0]], cell):
                group.append(k)
                break
        else:
            groups.append([k])
    runs = []
    for group in groups:
        members = [cells[k] for k in group]
        slots = {
            slot: stack_rows([getattr(cell, slot) for cell in members])
            for slot in members[0].slots
        }
        batched = replace(members[0], **slots)
        x_batch = np.broadcast_to(x[:, None, :], (x.shape[0], len(group), x.shape[1]))
        runs.append(BatchedRun(batched, batched.forward(x_batch, h0=h0, c0=c0), group))
    return runs


def run_cells(
    cells: Sequence[RecurrentCell], x: np.ndarray, h0=None, c0=None
) -> list[Trace]:
    """Run every cell on the same input x (T, D); one trace (B = 1) per cell, in order.

    Cells of one type with equal weights run as one batch (one row per cell).
    """
    traces: list[Trace | None] = [None] * len(cells)
    for run in _batched_runs(cells, x, h0, c0):
        for row, k in enumerate(run.rows):
            traces[k] = row_of(run.trace, row)
    return traces  # type: ignore[return-value]


# --- the comparison table ------------------------------------------------------------------------


@dataclass(frozen=True)
class TrajectorySummary:
    """The comparison table's numbers for one run (B = 1).

    ``memory`` is "cell" for the LSTM and "hidden" otherwise (a GRU's or RNN's only state).
    Minima and maxima skip NaN; an overflowed state shows as ±inf.
    """

    memory: str
    min_memory: float
    max_memory: float
    max_abs_hidden: float
    sign_changes: int
    blowup_step: int | None
    saturated_gate_fraction: float | None
    blowup_unit: int | None = None  # the first unit (from 1) past the bound at ``blowup_step``


def _nan_extreme(values: np.ndarray, fn) -> float:
    finite_or_inf = values[~np.isnan(values)]
    return float(fn(finite_or_inf)) if finite_or_inf.size else float("nan")


def sign_changes(states: np.ndarray, initial: np.ndarray) -> int:
    """How often a unit's state changed sign strictly (s_{t−1}·s_t < 0), from s_0 on, summed
    over units and sequences."""
    previous = np.concatenate([np.asarray(initial)[None], states[:-1]], axis=0)
    with np.errstate(all="ignore"):
        return int(np.count_nonzero(previous * states < 0))


def saturated_gate_fraction(
    cell: RecurrentCell, trace: Trace, epsilon: float = SATURATION_EPSILON
) -> float | None:
    """Fraction of gate entries (steps × units × gates) whose pre-activation is saturated, or
    None for a cell without gates."""
    gates = GATE_NAMES[cell.cell_type]
    if not gates:
        return None
    hits = sum(int(np.count_nonzero(saturated_mask(cell.gate, trace.preactivations[g], epsilon)))
               for g in gates)
    total = sum(trace.preactivations[g].size for g in gates)
    return hits / total


def summarize(
    cell: RecurrentCell, trace: Trace, epsilon: float = SATURATION_EPSILON
) -> TrajectorySummary:
    """The comparison table's row for ``trace``, a run of ``cell``."""
    memory = memory_name(cell.cell_type)
    states = trace.values[memory]
    initial = trace.c0 if memory == "cell" else trace.h0
    blowup = trace.first_step_over(memory, BLOWUP_BOUND)
    with np.errstate(all="ignore"):
        abs_hidden = np.abs(trace.hidden)
        unit = (None if blowup is None else
                int(np.flatnonzero(~(np.abs(states[blowup - 1, 0]) <= BLOWUP_BOUND))[0]) + 1)
    return TrajectorySummary(
        memory=memory,
        min_memory=_nan_extreme(states, np.min),
        max_memory=_nan_extreme(states, np.max),
        max_abs_hidden=_nan_extreme(abs_hidden, np.max),
        sign_changes=sign_changes(states, initial),
        blowup_step=blowup,
        saturated_gate_fraction=saturated_gate_fraction(cell, trace, epsilon),
        blowup_unit=unit,
    )


# --- gradient flow -------------------------------------------------------------------------------

#: The models of the Gradient Flow page, in display order.
GRADIENT_MODELS = ("LSTM", "GRU", "RNN tanh", "RNN sigmoid", "RNN ReLU")
_RNN_ACTIVATIONS = {"RNN tanh": TANH, "RNN sigmoid": SIGMOID, "RNN ReLU": RELU}
LOSSES = ("last", "every")


def gradient_models(
    input_size: int,
    hidden_size: int,
    seed: int,
    weight_scale: float,
    forget_bias: float,
    lstm_activations: Mapping[str, Activation],
) -> dict[str, RecurrentCell]:
    """The five models of the Gradient Flow page, each drawn with ``default_rng(seed)`` and
    PyTorch's U(−k, k), k = weight_scale/√H, so they start at a comparable scale (the three
    plain RNNs get identical weights). The LSTM's b_if + b_hf is ``forget_bias``."""

    def rng() -> np.random.Generator:
        return np.random.default_rng(seed)

    models: dict[str, RecurrentCell] = {
        "LSTM": LSTM.random(input_size, hidden_size, rng(), weight_scale,
                            forget_bias=forget_bias, **lstm_activations),
        "GRU": GRU.random(input_size, hidden_size, rng(), weight_scale),
    }
    rnn = RNN.random(input_size, hidden_size, rng(), weight_scale)
    for name, act in _RNN_ACTIVATIONS.items():
        models[name] = replace(rnn, activation=act)
    return models


@dataclass
class GradientRun:
    """One model's forward trace and BPTT gradients (B = 1) and their norms per step."""

    name: str
    cell: RecurrentCell
    trace: Trace
    gradients: Gradients
    loss: float
    hidden_norm: np.ndarray  # (T,) ‖∂L/∂h_t‖
    cell_norm: np.ndarray | None  # (T,) ‖∂L/∂c_t‖ (LSTM)

    @property
    def memory_norm(self) -> np.ndarray:
        """‖∂L/∂c_t‖ for the LSTM, ‖∂L/∂h_t‖ for the others."""
        return self.cell_norm if self.cell_norm is not None else self.hidden_norm


def _loss(hidden: np.ndarray, loss: str) -> tuple[float, np.ndarray]:
    if loss == "last":
        return losses.sum_last_step(hidden)
    if loss == "every":
        return losses.sum_every_step(hidden)
    raise ValueError(f"loss must be one of {LOSSES}; got {loss!r}")


def norms_along_last(values: np.ndarray) -> np.ndarray:
    """‖·‖₂ over the last axis without underflow: each row is divided by its largest |value|
    before squaring (squaring a gradient below ~10⁻¹⁶² gives 0 in float64; the norm itself
    is representable down to ~5·10⁻³²⁴). Non-finite rows stay ∞ or NaN."""
    values = np.asarray(values, dtype=float)
    with np.errstate(all="ignore"):
        top = np.max(np.abs(values), axis=-1, keepdims=True)
        safe = np.where((top > 0) & np.isfinite(top), top, 1.0)
        scaled = np.sqrt(np.sum((values / safe) ** 2, axis=-1)) * safe[..., 0]
        return np.where(np.isfinite(top[..., 0]) & (top[..., 0] > 0), scaled,
                        np.where(np.isnan(top[..., 0]), np.nan, top[..., 0]))


def _norm_over_units(grad: np.ndarray) -> np.ndarray:
    return norms_along_last(grad[:, 0, :])


def _nan_like(grads: Gradients) -> Gradients:
    return Gradients(
        **{name: np.full_like(arr, np.nan) for name, arr in grads.parameters().items()},
        x=grads.x, h0=grads.h0, hidden=grads.hidden,
    )


def gradient_flow(
    models: Mapping[str, RecurrentCell], x: np.ndarray, loss: str = "last"
) -> dict[str, GradientRun]:
    """Run every model on x (T, D), back-propagate ``loss`` ("last": L = Σ_units h_T; "every":
    L = Σ_t Σ_units h_t) with the engine's BPTT, and take the norms over units per step.

    Models of one type with equal weights run as one batch; the loss is a sum over each row's
    own outputs, so each row's gradients are those of that model alone.
    """
    names = list(models)
    cells = [models[n] for n in names]
    runs: dict[str, GradientRun] = {}
    for run in _batched_runs(cells, x):
        rows = len(run.rows)
        # sum_*_step averages over the batch: scale back so each row gets its own unit pulse.
        _, d_hidden = _loss(run.trace.hidden, loss)
        d_hidden = d_hidden * rows
        grads = run.cell.backward(run.trace, d_hidden)
        for row, k in enumerate(run.rows):
            part = slice(row, row + 1)
            trace = row_of(run.trace, row)
            # With several rows the weight gradients are sums over models: not one model's.
            shared = grads if rows == 1 else _nan_like(grads)
            row_grads = Gradients(
                weight_ih=shared.weight_ih, weight_hh=shared.weight_hh,
                bias_ih=shared.bias_ih, bias_hh=shared.bias_hh,
                x=grads.x[:, part], h0=grads.h0[part], hidden=grads.hidden[:, part],
                c0=None if grads.c0 is None else grads.c0[part],
                cell=None if grads.cell is None else grads.cell[:, part],
            )
            value, _ = _loss(trace.hidden, loss)
            runs[names[k]] = GradientRun(
                name=names[k],
                cell=cells[k],
                trace=trace,
                gradients=row_grads,
                loss=value,
                hidden_norm=_norm_over_units(row_grads.hidden),
                cell_norm=None if row_grads.cell is None else _norm_over_units(row_grads.cell),
            )
    return {n: runs[n] for n in names}


@dataclass(frozen=True)
class GradientReadout:
    """How much of the memory-state gradient at step T reaches step 1.

    ``log10_ratio`` is log10(‖g_1‖ / ‖g_T‖) (negative: vanished, positive: grew), None when it
    is not a finite number. ``zero_through`` is the last step t whose gradient is exactly 0 (no
    gradient reaches t or earlier, or it fell below float64's smallest number), and
    ``nonfinite_through`` the last step t whose gradient is inf or NaN.
    """

    norm_first: float
    norm_last: float
    log10_ratio: float | None
    zero_through: int | None
    nonfinite_through: int | None


def _last_step_where(mask: np.ndarray) -> int | None:
    hits = np.flatnonzero(mask)
    return int(hits[-1]) + 1 if hits.size else None


def gradient_readout(norms: np.ndarray) -> GradientReadout:
    """The readout "the gradient at step 1 is 10^k of the gradient at step T" for ``norms``
    (T,), the norm of a state's gradient at each step."""
    first, last = float(norms[0]), float(norms[-1])
    ratio = None
    if np.isfinite(first) and np.isfinite(last) and first > 0 and last > 0:
        ratio = float(np.log10(first) - np.log10(last))
    return GradientReadout(
        norm_first=first,
        norm_last=last,
        log10_ratio=ratio,
        zero_through=_last_step_where(norms == 0),
        nonfinite_through=_last_step_where(~np.isfinite(norms)),
    )


@dataclass(frozen=True)
class ForgetPath:
    """The LSTM's cell-state path: ∂c_t/∂c_{t−1} = f_t (elementwise), so the path from c_T back
    to c_1 multiplies a unit's gradient by ∏_{t=2}^{T} f_t."""

    mean_forget: float
    log10_path: float | None  # log10 of the mean over units of ∏_{t=2}^{T} |f_t|


def forget_path(trace: Trace) -> ForgetPath:
    """The numbers of the LSTM sentence, from an LSTM trace (B = 1)."""
    f = trace.forget_gate[:, 0, :]
    with np.errstate(all="ignore"):
        mean_f = float(np.mean(f))
        logs = np.sum(np.log10(np.abs(f[1:])), axis=0)  # per unit
    if f.shape[0] < 2:
        return ForgetPath(mean_f, 0.0)
    if not np.all(np.isfinite(logs) | (logs == -np.inf)) or np.all(logs == -np.inf):
        return ForgetPath(mean_f, None)
    top = float(np.max(logs))
    with np.errstate(all="ignore"):
        value = top + float(np.log10(np.mean(10.0 ** (logs - top))))
    return ForgetPath(mean_f, value)


def cell_state_path(cell: LSTM, trace: Trace, d_hidden: np.ndarray) -> np.ndarray:
    """The part of ∂L/∂c_t (T, B, H) carried along the cell state alone.

    The loss's own ∂L/∂h_s (``d_hidden``, (T, B, H)) enters c_s through h_s = o_s ⊙ φ(c_s) and
    runs back only through c_s = f_s ⊙ c_{s−1} + …:  Σ_{s ≥ t} (∏_{k=t+1}^{s} f_k) ⊙ o_s ⊙ φ′(c_s)
    ⊙ ∂L/∂h_s. Every other path to c_t leaves the cell state at least once, through some h_{s−1}
    and the gates of step s; ``cell.backward``'s ∂L/∂c_t minus this is their sum.
    """
    with np.errstate(all="ignore"):
        inject = (np.asarray(d_hidden, dtype=float) * trace.output_gate
                  * cell.output.derivative_given_output(trace.cell, trace.cell_squashed))
        path = np.empty_like(inject)
        carried = np.zeros_like(inject[0])
        for t in range(inject.shape[0] - 1, -1, -1):
            path[t] = inject[t] + carried
            carried = path[t] * trace.forget_gate[t]  # back through c_t = f_t ⊙ c_{t−1} + …
    return path


@dataclass(frozen=True)
class PathSplit:
    """∂L/∂c_t of an LSTM (B = 1) split into the cell-state path and the paths through h and
    the gates (the two add up to ∂L/∂c_t, unit by unit).

    ``cell_norm`` (T,) is ‖cell-state part of ∂L/∂c_t‖. The ``log10_*`` are log10 of ‖·‖ at
    step 1 over ‖∂L/∂c_T‖ (None when not a positive finite number); ``cell_share`` is the
    cell-state part's share of ∂L/∂c_1, its projection ⟨cell, total⟩/‖total‖² (the two
    shares add up to 1; a share can fall outside [0, 1] when the parts point opposite ways).
    """

    cell_norm: np.ndarray
    log10_total: float | None
    log10_cell: float | None
    log10_hidden: float | None
    cell_share: float | None


def _log10_ratio(num: float, den: float) -> float | None:
    if not (np.isfinite(num) and np.isfinite(den) and num > 0 and den > 0):
        return None
    return float(np.log10(num) - np.log10(den))


def path_split(run: GradientRun, loss: str) -> PathSplit:
    """Split the LSTM run's ∂L/∂c_t (see :func:`cell_state_path`) for ``loss`` ("last"/"every")."""
    _, d_hidden = _loss(run.trace.hidden, loss)
    cell_part = cell_state_path(run.cell, run.trace, d_hidden)[:, 0, :]
    total = run.gradients.cell[:, 0, :]
    with np.errstate(all="ignore"):
        hidden_part = total[0] - cell_part[0]
        norms = norms_along_last(cell_part)
        last = float(norms_along_last(total[-1]))
        top = float(np.max(np.abs(total[0])))  # scaled: the products underflow below ~1e-162
        scale = top if np.isfinite(top) and top > 0 else 1.0
        total_sq = float(np.dot(total[0] / scale, total[0] / scale))
        share = (float(np.dot(cell_part[0] / scale, total[0] / scale) / total_sq)
                 if total_sq > 0 else None)
    return PathSplit(
        cell_norm=norms,
        log10_total=_log10_ratio(float(norms_along_last(total[0])), last),
        log10_cell=_log10_ratio(float(norms[0]), last),
        log10_hidden=_log10_ratio(float(norms_along_last(hidden_part)), last),
        cell_share=share if share is not None and np.isfinite(share) else None,
    )


@dataclass(frozen=True)
class RecurrentFactor:
    """A plain RNN's step Jacobian ∂h_t/∂h_{t−1} = diag(φ′_t)·W_hh over t = 2 … T.

    ``geo_mean_norm`` is the geometric mean of its spectral norm, ``log10_bound`` the log10 of
    the product of the norms (‖g_1‖/‖g_T‖ can be at most that with a loss on step T only),
    ``max_slope`` the largest φ′ seen.
    """

    geo_mean_norm: float | None
    log10_bound: float | None
    max_slope: float


def recurrent_factor(cell: RNN, trace: Trace) -> RecurrentFactor:
    """The numbers of the plain-RNN sentence, from an RNN trace (B = 1)."""
    pre = trace.preactivations["hidden"][1:, 0, :]
    with np.errstate(all="ignore"):
        slopes = cell.activation.derivative_given_output(pre, trace.hidden[1:, 0, :])
        max_slope = float(np.max(slopes)) if slopes.size else float("nan")
        if slopes.size == 0:
            return RecurrentFactor(1.0, 0.0, max_slope)
        if not np.all(np.isfinite(slopes)):
            return RecurrentFactor(None, None, max_slope)
        jac = slopes[:, :, None] * cell.weight_hh[None, :, :]
        norms = np.linalg.svd(jac, compute_uv=False)[:, 0]
        logs = np.log10(norms)
    if np.any(norms == 0):
        return RecurrentFactor(0.0, None, max_slope)
    total = float(np.sum(logs))
    return RecurrentFactor(float(10.0 ** np.mean(logs)), total, max_slope)


#: The LSTM slots whose saturation is tracked over time, and their activation slot.
LSTM_SATURATION_SLOTS = (
    ("input_gate", "gate"), ("forget_gate", "gate"), ("candidate", "candidate"),
    ("output_gate", "gate"),
)


def saturation_over_time(
    cell: RecurrentCell, trace: Trace, epsilon: float = SATURATION_EPSILON
) -> dict[str, np.ndarray]:
    """For each gate (and the candidate) of an LSTM trace (B = 1): the fraction of units whose
    pre-activation is saturated (|f′| < ε) at each step, (T,) per name."""
    if cell.cell_type != "LSTM":
        raise ValueError("saturation over time is defined here for the LSTM")
    return {
        name: saturated_mask(getattr(cell, slot), trace.preactivations[name][:, 0, :], epsilon)
        .mean(axis=-1)
        for name, slot in LSTM_SATURATION_SLOTS
    }


__all__ = [
    "GRADIENT_MODELS", "LOSSES", "LSTM_SATURATION_SLOTS", "SATURATION_EPSILON",
    "BatchedRun", "ForgetPath", "GradientReadout", "GradientRun", "PathSplit", "RecurrentFactor",
    "TrajectorySummary", "cell_state_path", "forget_path", "gradient_flow", "gradient_models",
    "gradient_readout", "memory_name", "path_split", "recurrent_factor", "row_of", "run_cells",
    "saturation_over_time", "sign_changes", "stack_rows", "summarize",
]
