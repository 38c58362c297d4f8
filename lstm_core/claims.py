"""Common claims about LSTM activations, each checked live by the engine.

Every claim is a function returning a :class:`Verdict`: ``"true"``, ``"false"`` or ``"partly"``,
a one-sentence finding with the measured numbers, and the arrays behind the evidence chart. The
verdict is decided from the measurements, so a wrong engine changes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .activations import SIGMOID, TANH, sigmoid
from .cells import GRU, LSTM, RNN
from .losses import sum_last_step
from .tasks import get_task
from .training import PRESETS, Settings, train_runs

GRID = np.linspace(-8.0, 8.0, 16001)  # step 0.001: derivative maxima located to ±0.0005
SHOWN = slice(None, None, 20)  # evidence charts draw every 20th point (801): a pixel is coarser


@dataclass(frozen=True)
class Evidence:
    """One evidence chart: curves over a shared x, with a title for each axis."""

    x: np.ndarray
    curves: dict[str, np.ndarray]
    x_title: str
    y_title: str
    log_y: bool = False


@dataclass(frozen=True)
class Verdict:
    key: str
    claim: str
    verdict: str  # "true" | "false" | "partly"
    finding: str
    evidence: Evidence
    numbers: dict[str, float] = field(default_factory=dict)


def tanh_is_rescaled_sigmoid() -> Verdict:
    """tanh(x) = 2σ(2x) − 1, measured on [−8, 8]."""
    rescaled = 2.0 * sigmoid(2.0 * GRID) - 1.0
    error = float(np.max(np.abs(np.tanh(GRID) - rescaled)))
    holds = error < 1e-12
    return Verdict(
        "tanh_rescaled_sigmoid",
        "tanh(x) = 2σ(2x) − 1: tanh is just a rescaled, shifted sigmoid.",
        "true" if holds else "false",
        f"Largest difference on [−8, 8]: {error:.1e} (floating-point round-off). The difference "
        "that matters is the range: tanh is zero-centred, so a candidate can lower the memory.",
        Evidence(GRID[SHOWN], {"tanh(x)": np.tanh(GRID)[SHOWN], "2σ(2x) − 1": rescaled[SHOWN]},
                 "x", "value"),
        {"max_error": error},
    )


def derivative_maxima() -> Verdict:
    """max σ′ = 1/4 at 0 and max tanh′ = 1 at 0, measured on a grid."""
    d_sigmoid, d_tanh = SIGMOID.d1(GRID), TANH.d1(GRID)
    max_sigmoid, max_tanh = float(d_sigmoid.max()), float(d_tanh.max())
    where_sigmoid, where_tanh = float(GRID[d_sigmoid.argmax()]), float(GRID[d_tanh.argmax()])
    holds = abs(max_sigmoid - 0.25) < 1e-12 and abs(max_tanh - 1.0) < 1e-12
    return Verdict(
        "derivative_maxima",
        "The largest slope of σ is 1/4 and the largest slope of tanh is 1.",
        "true" if holds else "false",
        f"Measured: max σ′ = {max_sigmoid:.6f} at x = {where_sigmoid:+.3f}, max tanh′ = "
        f"{max_tanh:.6f} at x = {where_tanh:+.3f}. Through n sigmoids a gradient shrinks by at "
        f"least 4ⁿ (n = 10: {max_sigmoid**10:.1e}); tanh alone does not force a shrink.",
        Evidence(GRID[SHOWN], {"σ′(x)": d_sigmoid[SHOWN], "tanh′(x)": d_tanh[SHOWN]}, "x",
                 "slope"),
        {"max_sigmoid_slope": max_sigmoid, "max_tanh_slope": max_tanh},
    )


def popular_sigmoid_derivative() -> Verdict:
    """The formula σ′(z) = −e^{−z}/(1 + e^{−z})², as written in a popular answer."""
    quoted = -np.exp(-GRID) / (1.0 + np.exp(-GRID)) ** 2
    step = 1e-5
    numeric = (sigmoid(GRID + step) - sigmoid(GRID - step)) / (2 * step)
    error = float(np.max(np.abs(quoted - numeric)))
    sign_flipped = float(np.max(np.abs(-quoted - numeric)))
    holds = error < 1e-8
    return Verdict(
        "quoted_sigmoid_derivative",
        "σ′(z) = −e^{−z} / (1 + e^{−z})² (as written in a popular answer).",
        "true" if holds else "false",
        f"Against a finite difference of σ the quoted formula is off by up to {error:.3f}; with "
        f"the minus sign removed it agrees to {sign_flipped:.1e}. σ rises everywhere, so its "
        "slope cannot be negative: σ′(z) = e^{−z} / (1 + e^{−z})² = σ(z)(1 − σ(z)).",
        Evidence(GRID[SHOWN], {"quoted formula": quoted[SHOWN],
                               "finite difference of σ": numeric[SHOWN]}, "z", "slope"),
        {"max_error": error, "max_error_without_sign": sign_flipped},
    )


def _demo_lstm(candidate: str, steps: int = 200, seed: int = 0) -> tuple[LSTM, np.ndarray]:
    rng = np.random.default_rng(seed)
    cell = LSTM.random(1, 8, rng, weight_scale=2.0, candidate=candidate)
    inputs = np.sin(np.linspace(0, 12 * np.pi, steps))[:, None] * 2.0
    inputs += rng.normal(scale=0.5, size=inputs.shape)
    return cell, inputs


def sigmoid_candidate_only_increases() -> Verdict:
    """With a sigmoid candidate, does the cell state only increase?"""
    cell, inputs = _demo_lstm("sigmoid")
    trace = cell.forward(inputs)
    state = trace.cell[:, 0, :]
    never_negative = bool(np.all(state >= 0.0))
    decreases = int(np.sum(np.diff(state, axis=0) < 0))
    total = state.shape[0] * state.shape[1] - state.shape[1]
    if never_negative and decreases == 0:
        verdict = "true"
    elif never_negative:
        verdict = "partly"
    else:
        verdict = "false"
    return Verdict(
        "sigmoid_candidate_only_increases",
        "With a sigmoid candidate the cell state can only increase.",
        verdict,
        f"In a run of {state.shape[0]} steps with 8 units the cell state never went below "
        f"{state.min():.3f} ≥ 0, yet it decreased in {decreases} of {total} unit-steps. What "
        "holds: the cell can only *write* non-negative amounts (i·g ≥ 0), so from c₀ ≥ 0 it "
        "never goes negative — but the forget gate still shrinks it towards 0.",
        Evidence(np.arange(1, state.shape[0] + 1, dtype=float),
                 {f"c (unit {u + 1})": state[:, u] for u in range(3)}, "step t", "cell state c_t"),
        {"min_cell": float(state.min()), "decreasing_unit_steps": decreases},
    )


def _gradient_decay(cell, inputs) -> np.ndarray:
    trace = cell.forward(inputs)
    _, d_hidden = sum_last_step(trace.hidden)
    grads = cell.backward(trace, d_hidden)
    return np.linalg.norm(grads.hidden[:, 0, :], axis=1)


def tanh_solves_vanishing_gradients(steps: int = 100) -> Verdict:
    """Does tanh itself solve vanishing gradients? Compare ‖∂L/∂h_t‖ back through time."""
    rng = np.random.default_rng(1)
    inputs = rng.normal(size=(steps, 1, 1))
    norms = {
        "RNN, tanh": _gradient_decay(RNN.random(1, 8, rng, activation="tanh"), inputs),
        "LSTM, forget bias 3": _gradient_decay(LSTM.random(1, 8, rng, forget_bias=3.0), inputs),
    }
    rnn_ratio = float(norms["RNN, tanh"][0] / norms["RNN, tanh"][-1])
    lstm_ratio = float(norms["LSTM, forget bias 3"][0] / norms["LSTM, forget bias 3"][-1])
    rnn_vanishes = rnn_ratio < 1e-6
    lstm_keeps = lstm_ratio > 1e3 * rnn_ratio
    verdict = "partly" if (rnn_vanishes and lstm_keeps) else ("false" if rnn_vanishes else "true")
    return Verdict(
        "tanh_solves_vanishing",
        "tanh solves the vanishing-gradient problem.",
        verdict,
        f"Over {steps} steps a plain tanh RNN keeps {rnn_ratio:.1e} of the gradient at step 1, "
        f"an LSTM (same tanh) keeps {lstm_ratio:.1e}. tanh's slope ≤ 1 is better than σ's 1/4, "
        "but what saves the LSTM is the additive cell path, where the gradient is multiplied "
        "only by the forget gate f_t at each step.",
        Evidence(np.arange(1, steps + 1, dtype=float), norms, "step t", "‖∂L/∂h_t‖", log_y=True),
        {"rnn_ratio": rnn_ratio, "lstm_ratio": lstm_ratio},
    )


def gru_has_no_second_tanh(steps: int = 300) -> Verdict:
    """The GRU has no output squash, yet its hidden state stays bounded."""
    rng = np.random.default_rng(2)
    inputs = rng.normal(scale=20.0, size=(steps, 1, 1))
    gru = GRU.random(1, 8, rng, weight_scale=3.0)
    lstm_no_squash = LSTM.random(1, 8, rng, weight_scale=3.0, output="identity")
    gru_max = float(np.max(np.abs(gru.forward(inputs).hidden)))
    lstm_max = float(np.max(np.abs(lstm_no_squash.forward(inputs).hidden)))
    no_output_slot = "output" not in GRU.slots
    holds = no_output_slot and gru_max <= 1.0
    t = np.arange(1, steps + 1, dtype=float)
    return Verdict(
        "gru_no_second_tanh",
        "The GRU has no second tanh — and does not need one.",
        "true" if holds else "false",
        f"The GRU's slots are {', '.join(GRU.slots)}: no output squash. With inputs of scale "
        f"20 its |h| never passed {gru_max:.3f} (h_t is a convex mix of n_t ∈ (−1, 1) and "
        f"h_{{t−1}}), while an LSTM without its output squash reached |h| = {lstm_max:.1f}.",
        Evidence(t, {"GRU max |h_t|": np.max(np.abs(gru.forward(inputs).hidden[:, 0]), axis=1),
                     "LSTM, no output squash": np.max(
                         np.abs(lstm_no_squash.forward(inputs).hidden[:, 0]), axis=1)},
                 "step t", "max over units of |h_t|"),
        {"gru_max_abs_hidden": gru_max, "lstm_identity_max_abs_hidden": lstm_max},
    )


def relu_can_replace_tanh(seeds: tuple[int, ...] = (0, 1, 2), steps: int = 300) -> Verdict:
    """A small Training Lab race: textbook LSTM vs ReLU candidate and output, adding problem."""
    task, length = get_task("adding"), 20
    runs = {
        key: train_runs(task, PRESETS[key].spec, Settings(), length, seeds, steps)
        for key in ("lstm", "lstm_relu")
    }
    solved = {key: sum(r.diverged_at is None and r.evaluation.loss <= task.threshold
                       for r in results) for key, results in runs.items()}
    diverged = sum(r.diverged_at is not None for r in runs["lstm_relu"])
    if solved["lstm_relu"] == len(seeds) and solved["lstm_relu"] >= solved["lstm"]:
        verdict = "true"
    elif solved["lstm_relu"] == 0:
        verdict = "false"
    else:
        verdict = "partly"
    curves = {}
    for key, results in runs.items():
        for seed, result in zip(seeds, results, strict=True):
            padded = np.full(steps, np.nan)
            padded[: result.losses.size] = result.losses
            curves[f"{PRESETS[key].label}, seed {seed}"] = padded
    return Verdict(
        "relu_replaces_tanh",
        "ReLU can replace tanh inside an LSTM.",
        verdict,
        f"On the adding problem (T = {length}, {steps} Adam steps, {len(seeds)} seeds) the "
        f"textbook LSTM solved {solved['lstm']} of {len(seeds)} runs; with ReLU as candidate "
        f"and output {solved['lstm_relu']} of {len(seeds)} solved it and {diverged} diverged. "
        "ReLU *can* learn — one seed may even do best — but nothing bounds the cell state or h, "
        "so training is far less reliable than with tanh.",
        Evidence(np.arange(1, steps + 1, dtype=float), curves, "training step",
                 "training MSE (log scale)", log_y=True),
        {"textbook_solved": float(solved["lstm"]), "relu_solved": float(solved["lstm_relu"]),
         "relu_diverged": float(diverged)},
    )


CLAIMS: dict[str, Callable[[], Verdict]] = {
    "tanh_rescaled_sigmoid": tanh_is_rescaled_sigmoid,
    "derivative_maxima": derivative_maxima,
    "quoted_sigmoid_derivative": popular_sigmoid_derivative,
    "sigmoid_candidate_only_increases": sigmoid_candidate_only_increases,
    "tanh_solves_vanishing": tanh_solves_vanishing_gradients,
    "gru_no_second_tanh": gru_has_no_second_tanh,
    "relu_replaces_tanh": relu_can_replace_tanh,
}


def check_all() -> list[Verdict]:
    """Every claim's verdict, computed now."""
    return [check() for check in CLAIMS.values()]
