"""Common claims about sigmoid and tanh in LSTMs, each decided live by the engine.

:data:`CLAIMS` lists every claim with its group, statement, source (in words) and the function
that checks it; reading it computes nothing. :func:`check` computes one verdict (once per
process: every check is deterministic) and :func:`peek` returns it only if it is already known,
so a page can list every claim at once and say which verdicts are still being computed. The
checks that train models (``trained=True``) take seconds and share one Training Lab race (see
:mod:`lstm_core.claims_race`); every other check takes milliseconds.

A verdict is decided from measurements, so a wrong engine changes it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from i18n import N_, Text

from . import statistics
from .activations import REGISTRY, sigmoid
from .cells import GRU, LSTM, RNN
from .claims_race import (
    GREFF,
    JOZEFOWICZ,
    gates_are_binary,
    greff_forget_gate,
    greff_output_activation,
    jozefowicz_forget_bias,
    relu_dead_units,
    relu_replaces_tanh,
    saturation_slows_training,
    tanh_converges_faster,
)
from .expressions import parse_expression
from .losses import sum_last_step
from .verdicts import (
    GRID,
    SHOWN,
    Evidence,
    Verdict,
    central_difference,
    listed,
    once,
    remembered,
    steps_axis,
)


def _act(key: str):
    """The engine's activation ``key``, looked up now (tests swap in broken ones)."""
    return REGISTRY[key]


# --- how often, over seeds -----------------------------------------------------------------------

#: Every demonstration drawn at random is repeated over these seeds (none picked) and reported
#: as "k of n seeds" with a Wilson 95 % interval, beside the median; its chart shows the medians.
SEEDS = tuple(range(24))


def wilson(successes: int, n: int) -> tuple[float, float]:
    """The Wilson 95 % interval of ``successes``/``n`` as (low, high): see
    :func:`lstm_core.statistics.wilson`."""
    interval = statistics.wilson(successes, n)
    return interval.low, interval.high


def _seeds_share(successes: int, n: int) -> str:
    low, high = wilson(successes, n)
    return Text("{k} of {n} seeds (95 % interval {low:.0%}–{high:.0%})", k=successes, n=n,
                low=low, high=high)


def _share_numbers(name: str, successes: int, n: int) -> dict[str, float]:
    low, high = wilson(successes, n)
    return {f"{name}_seeds": float(successes), f"{name}_low": low, f"{name}_high": high}


def _most(successes: int, n: int) -> bool:
    """It happens in most seeds: the 95 % interval of the share lies above 1/2."""
    return wilson(successes, n)[0] > 0.5


def _stack(cells: list):
    """One cell of S independent models (the engine's model stack), model s being ``cells[s]``:
    S seeds cost about the NumPy calls of one. Its inputs are (T, S, B, D)."""
    names = cells[0].parameters()
    return cells[0].with_parameters(**{name: np.stack([c.parameters()[name] for c in cells])
                                       for name in names})


def _pulse_at_last_step(hidden: np.ndarray) -> np.ndarray:
    """∂L/∂h_t for L = Σ_units h_T of every model: 1 per unit at the last step, 0 elsewhere."""
    d_hidden = np.zeros_like(hidden)
    d_hidden[-1] = 1.0
    return d_hidden


# --- formulas ------------------------------------------------------------------------------------


def tanh_is_rescaled_sigmoid() -> Verdict:
    """tanh(x) = 2σ(2x) − 1, measured on [−8, 8]."""
    rescaled = 2.0 * sigmoid(2.0 * GRID) - 1.0
    error = float(np.max(np.abs(np.tanh(GRID) - rescaled)))
    return Verdict(
        "tanh_rescaled_sigmoid", "true" if error < 1e-12 else "false",
        Text("Largest difference on $[-8, 8]$: {error:.1e} (floating-point round-off). The "
             "difference that matters is the range: tanh is zero-centred, so a candidate can "
             "lower the memory.", error=error),
        Text("Largest difference on [−8, 8]: {error:.1e}.", error=error),
        Evidence(GRID[SHOWN], {"tanh(x)": np.tanh(GRID)[SHOWN], "2σ(2x) − 1": rescaled[SHOWN]},
                 "x", N_("value")),
        {"max_error": error},
    )


def derivative_maxima() -> Verdict:
    """max σ′ = 1/4 at 0 and max tanh′ = 1 at 0, measured on a grid."""
    d_sigmoid, d_tanh = _act("sigmoid").d1(GRID), _act("tanh").d1(GRID)
    max_sigmoid, max_tanh = float(d_sigmoid.max()), float(d_tanh.max())
    where_sigmoid, where_tanh = float(GRID[d_sigmoid.argmax()]), float(GRID[d_tanh.argmax()])
    holds = abs(max_sigmoid - 0.25) < 1e-12 and abs(max_tanh - 1.0) < 1e-12
    return Verdict(
        "derivative_maxima", "true" if holds else "false",
        Text("Measured: max σ′ = {max_sigmoid:.6f} at $x = {where_sigmoid:+.3f}$, max tanh′ = "
             "{max_tanh:.6f} at $x = {where_tanh:+.3f}$. Through $n$ sigmoids the σ′ factors "
             "alone multiply a gradient by at most $(1/4)^n$ ($n = 10$: {gain:.1e}); the weights "
             "multiply it too and can make up for it (weights 4× as large exactly do, see the "
             "claim on tanh and sigmoid vanishing). tanh′ ≤ 1 alone does not force a shrink.",
             max_sigmoid=max_sigmoid, where_sigmoid=where_sigmoid, max_tanh=max_tanh,
             where_tanh=where_tanh, gain=max_sigmoid**10),
        Text("max σ′ = {max_sigmoid:.6f}, max tanh′ = {max_tanh:.6f}.", max_sigmoid=max_sigmoid,
             max_tanh=max_tanh),
        Evidence(GRID[SHOWN], {"σ′(x)": d_sigmoid[SHOWN], "tanh′(x)": d_tanh[SHOWN]}, "x",
                 N_("slope")),
        {"max_sigmoid_slope": max_sigmoid, "max_tanh_slope": max_tanh},
    )


def popular_sigmoid_derivative() -> Verdict:
    """The formula σ′(z) = −e^{−z}/(1 + e^{−z})², as written in a popular answer."""
    quoted = -np.exp(-GRID) / (1.0 + np.exp(-GRID)) ** 2
    numeric = central_difference(sigmoid, GRID, 1e-5)
    error = float(np.max(np.abs(quoted - numeric)))
    sign_flipped = float(np.max(np.abs(-quoted - numeric)))
    return Verdict(
        "quoted_sigmoid_derivative", "true" if error < 1e-8 else "false",
        Text("Against a finite difference of σ the quoted formula is off by up to {error:.3f}; "
             "with the minus sign removed it agrees to {sign_flipped:.1e}. σ rises everywhere, so "
             r"its slope cannot be negative: $\sigma'(z) = \dfrac{{e^{{-z}}}}{{(1+e^{{-z}})^2}} = "
             r"\sigma(z)\,(1-\sigma(z))$.", error=error, sign_flipped=sign_flipped),
        Text("Off by up to {error:.3f}; without the minus sign off by {sign_flipped:.1e}.",
             error=error, sign_flipped=sign_flipped),
        Evidence(GRID[SHOWN], {N_("quoted formula"): quoted[SHOWN],
                               N_("finite difference of σ"): numeric[SHOWN]}, "z", N_("slope")),
        {"max_error": error, "max_error_without_sign": sign_flipped},
    )


#: The sigmoid derivative exactly as one answer prints it, and the same text in our syntax.
PRINTED_SIGMOID_DERIVATIVE = "-exp(-z) / 1 + exp(-z)^2"


def printed_derivative_precedence() -> Verdict:
    """The printed text read with ordinary operator precedence: −e^{−z}/1 + (e^{−z})²."""
    text = PRINTED_SIGMOID_DERIVATIVE.replace("z", "x").replace("^", "**")
    printed = parse_expression(text)
    z = np.linspace(-3.0, 6.0, 901)
    values, reference = printed(z), central_difference(_act("sigmoid").f, z)
    error = float(np.max(np.abs(values - reference)))
    at_zero, at_minus8 = float(printed(np.array([0.0]))[0]), float(printed(np.array([-8.0]))[0])
    return Verdict(
        "printed_derivative_precedence", "true" if error < 1e-6 else "false",
        Text("Read as printed, `{printed}` is "
             r"$-\frac{{e^{{-z}}}}{{1}} + \left(e^{{-z}}\right)^2 = e^{{-2z}} - e^{{-z}}$"
             ": it gives {at_zero:g} at $z = 0$ (σ′(0) = 0.25), is negative for every $z > 0$ and "
             "reaches {at_minus8:.3g} at $z = -8$. Off from σ′ by up to {error:.3g} on "
             "$[-3, 6]$. The brackets are the formula.", printed=PRINTED_SIGMOID_DERIVATIVE,
             at_zero=at_zero, at_minus8=at_minus8, error=error),
        Text("Computes e^(−2z) − e^(−z): {at_zero:g} at z = 0 instead of 0.25.", at_zero=at_zero),
        Evidence(z, {N_("as printed: e^(−2z) − e^(−z)"): values, N_("σ′(z), finite difference"):
                     reference}, "z", N_("value")),
        {"value_at_0": at_zero, "max_error": error},
    )


#: Derivatives as a tutorial prints them: name → (activation key, formula, kinks).
Formula = Callable[[np.ndarray], np.ndarray]
PRINTED_DERIVATIVES: dict[str, tuple[str, Formula, tuple[float, ...]]] = {
    "tanh′ = 1 − tanh²": ("tanh", lambda z: 1.0 - np.tanh(z) ** 2, ()),
    N_("hardtanh′ = 1 on [−1, 1], else 0"): (
        "hard_tanh", lambda z: np.where(np.abs(z) <= 1.0, 1.0, 0.0), (-1.0, 1.0)),
    N_("ReLU′ = 1 if z > 0, else 0"): ("relu", lambda z: np.where(z > 0.0, 1.0, 0.0), (0.0,)),
    N_("leaky′ = 1 if z > 0, else 0.01"): (
        "leaky_relu", lambda z: np.where(z > 0.0, 1.0, 0.01), (0.0,)),
}


def printed_derivatives() -> Verdict:
    """Each printed derivative against a finite difference of the engine's function, away from
    the kinks; at a kink, the one-sided slopes."""
    z = np.linspace(-3.0, 3.0, 6001)
    errors, kinks, curves = {}, [], {}
    for name, (key, formula, points) in PRINTED_DERIVATIVES.items():
        f = _act(key).f
        away = np.all([np.abs(z - p) > 1e-3 for p in points], axis=0) if points else z == z
        errors[name] = float(np.max(np.abs(formula(z[away]) - central_difference(f, z[away]))))
        for p in points:
            left = float((f(p) - f(p - 1e-7)) / 1e-7)
            right = float((f(p + 1e-7) - f(p)) / 1e-7)
            kinks.append(Text("{name} at {point:g}: {left:.2f} from the left, {right:.2f} from "
                              "the right", name=key.replace("_", " "), point=p, left=left,
                              right=right))
        curves[name] = formula(z[::10])
    worst = max(errors.values())
    return Verdict(
        "printed_derivatives", "true" if worst < 1e-6 else "false",
        Text("Away from the kinks each printed derivative matches a finite difference of the "
             "engine's function to {worst:.1e} or better. At a kink there is no derivative, only "
             "one-sided slopes — {kinks} — and the printed value is a convention (PyTorch uses 0 "
             "at ±1 for hard tanh and at 0 for ReLU).", worst=worst, kinks=listed(kinks)),
        Text("All agree with finite differences to {worst:.1e} away from the kinks.",
             worst=worst),
        Evidence(z[::10], curves, "z", N_("printed derivative")),
        {"worst_error": worst} | {f"error {k}": v for k, v in errors.items()},
    )


# --- gates ---------------------------------------------------------------------------------------


def _yes_no(answer: bool) -> str:
    return N_("yes") if answer else N_("no")


def sigmoid_has_every_property() -> Verdict:
    """Sigmoid: bounded, monotonic, smooth — but is it zero-centred, and how large is its slope?"""
    sig = _act("sigmoid")
    values, slope = sig.f(GRID), sig.d1(GRID)
    monotonic = bool(np.all(np.diff(values) >= 0.0))
    bounded = bool(np.all((values >= 0.0) & (values <= 1.0)))
    centre = float(sig.f(np.array([0.0]))[0])
    max_slope = float(slope.max())
    flat = float(np.mean(slope < 0.05))
    good = [monotonic, bounded, abs(centre) < 1e-9, max_slope >= 1.0 - 1e-9]
    verdict = "true" if all(good) else ("partly" if monotonic and bounded else "false")
    return Verdict(
        "sigmoid_good_activation", verdict,
        Text("Measured on $[-8, 8]$: σ is monotonic ({monotonic}) and bounded in $(0, 1)$ "
             "({bounded}) — ideal for a gate. But σ(0) = {centre:g}, so its outputs are not "
             "zero-centred, its largest slope is {max_slope:.4f} (in each layer or step its "
             "factor in a gradient is at most 1/4; the weights can make up for it), and on "
             "{flat:.0%} of the interval its slope is below 0.05 (saturated). A good gate, a "
             "poor general-purpose activation.",
             monotonic=_yes_no(monotonic), bounded=_yes_no(bounded), centre=centre,
             max_slope=max_slope, flat=flat),
        Text("Monotonic and bounded, but σ(0) = {centre:g} and max slope {max_slope:.2f}.",
             centre=centre, max_slope=max_slope),
        Evidence(GRID[SHOWN], {"σ(x)": values[SHOWN], "σ′(x)": slope[SHOWN]}, "x", N_("value")),
        {"sigma_at_0": centre, "max_slope": max_slope, "saturated_fraction": flat},
    )


# --- candidate and cell state --------------------------------------------------------------------


DEMO_STEPS = 200


def _demo_lstm(candidate: str, steps: int = DEMO_STEPS, seed: int = 0) -> tuple[LSTM, np.ndarray]:
    """An LSTM of 8 units drawn with PyTorch's initialisation at weight scale 2 (so that the
    gates spread over (0, 1) instead of sitting near ½) and its input 2 sin t + N(0, 0.5²) noise,
    both from ``seed``: the demonstration of the candidate claims, repeated over :data:`SEEDS`."""
    rng = np.random.default_rng(seed)
    cell = LSTM.random(1, 8, rng, weight_scale=2.0, candidate=_act(candidate))
    inputs = np.sin(np.linspace(0, 12 * np.pi, steps))[:, None] * 2.0
    inputs += rng.normal(scale=0.5, size=inputs.shape)
    return cell, inputs


def _demo_lstms(candidate: str) -> tuple[LSTM, np.ndarray]:
    """:func:`_demo_lstm` for every seed of :data:`SEEDS` as one model stack, with its inputs
    (T, S, 1, 1)."""
    cells, inputs = zip(*(_demo_lstm(candidate, seed=seed) for seed in SEEDS), strict=True)
    return _stack(list(cells)), np.stack(inputs, axis=1)[:, :, None, :]


def sigmoid_candidate_only_increases() -> Verdict:
    """With a sigmoid candidate, does the cell state only increase? Over :data:`SEEDS`: TRUE if
    it never goes below 0 and never decreases in any seed, PARTLY if it never goes below 0 but
    decreases, FALSE if it goes below 0 in some seed."""
    cell, inputs = _demo_lstms("sigmoid")
    cells = cell.forward(inputs).cell[:, :, 0, :]  # (T, S, H)
    shown, lowest = cells[:, 0, :], float(cells.min())
    decreasing = list(np.sum(np.diff(cells, axis=0) < 0, axis=(0, 2)))
    total = (shown.shape[0] - 1) * shown.shape[1]
    never_negative = lowest >= 0.0
    decreased_in = int(np.sum(np.array(decreasing) > 0))
    if never_negative and decreased_in == 0:
        verdict = "true"
    elif never_negative:
        verdict = "partly"
    else:
        verdict = "false"
    median = float(np.median(decreasing))
    n = len(SEEDS)
    return Verdict(
        "sigmoid_candidate_only_increases", verdict,
        Text("Runs of {steps} steps with 8 units, {n} seeds (weights drawn at weight scale 2, "
             "input 2 sin t plus noise; the chart shows seed 0): the cell state never went "
             "below {lowest:.3f} ≥ 0 in any seed, yet it decreased in {decreased} — a median "
             "{median:.0f} of {total} unit-steps. What holds: the cell can only *write* "
             r"non-negative amounts ($i_t g_t \ge 0$), so from $c_0 \ge 0$ it never goes "
             "negative — but the forget gate still shrinks it towards 0.", steps=shown.shape[0],
             n=n, lowest=lowest,
             decreased=_seeds_share(decreased_in, n), median=median, total=total),
        Text("Never below {lowest:.3f} in {n} seeds, but decreased in a median {median:.0f} of "
             "{total} unit-steps.", lowest=lowest, n=n, median=median, total=total),
        Evidence(steps_axis(shown.shape[0]),
                 {Text("c (unit {unit})", unit=u + 1): shown[:, u] for u in range(3)},
                 N_("step t"), N_("cell state c_t")),
        {"min_cell": lowest, "decreasing_unit_steps": median}
        | _share_numbers("decreasing", decreased_in, n),
    )


def candidate_both_directions() -> Verdict:
    """tanh candidate: writes of both signs; sigmoid candidate: only additions. Over
    :data:`SEEDS`, same weights and inputs for both: TRUE if the tanh candidate writes negative
    amounts in every seed and the sigmoid candidate in none."""
    negative: dict[str, list[float]] = {}
    shown = {}
    for key in ("tanh", "sigmoid"):
        cell, inputs = _demo_lstms(key)
        trace = cell.forward(inputs)
        written = (trace.input_gate * trace.candidate)[:, :, 0, :]  # (T, S, H)
        negative[key] = [float(v) for v in np.mean(written < 0.0, axis=(0, 2))]
        shown[key] = written[:, 0, :]
    n = len(SEEDS)
    tanh_seeds = int(np.sum(np.array(negative["tanh"]) > 0.0))
    sigmoid_seeds = int(np.sum(np.array(negative["sigmoid"]) > 0.0))
    holds = tanh_seeds == n and sigmoid_seeds == 0
    median = {k: float(np.median(v)) for k, v in negative.items()}
    return Verdict(
        "candidate_both_directions", "true" if holds else "false",
        Text("Same weights and inputs for both candidates (200 steps, 8 units, {n} seeds, weights "
             "drawn at weight scale 2; the chart shows seed 0): with a tanh candidate a median "
             "{tanh:.0%} of the writes $i_t g_t$ are negative (at least {tanh_min:.0%} in every "
             "seed), so the memory can be pushed down as well as up; with a sigmoid candidate "
             "{sigmoid:.0%} are, in every seed — it can only add, and only the forget gate "
             "lowers the memory.", n=n, tanh=median["tanh"], tanh_min=min(negative["tanh"]),
             sigmoid=max(negative["sigmoid"])),
        Text("Negative writes, median of {n} seeds: tanh {tanh:.0%}, sigmoid {sigmoid:.0%}.",
             n=n, tanh=median["tanh"], sigmoid=median["sigmoid"]),
        Evidence(steps_axis(DEMO_STEPS), {Text("i·g, {name} candidate (unit 1)", name=k): w[:, 0]
                                          for k, w in shown.items()}, N_("step t"),
                 N_("written i_t g_t")),
        {"tanh_negative_writes": median["tanh"], "sigmoid_negative_writes": median["sigmoid"],
         "tanh_least_negative_writes": min(negative["tanh"]),
         "sigmoid_most_negative_writes": max(negative["sigmoid"]),
         "tanh_negative_seeds": float(tanh_seeds), "sigmoid_negative_seeds": float(sigmoid_seeds)},
    )


def _cell_jacobian(cell: LSTM, x: np.ndarray, h: np.ndarray, c: np.ndarray) -> np.ndarray:
    """∂c_t/∂c_{t−1} with h_{t−1} held fixed, by central differences on ``LSTM.step``."""
    size, step = c.size, 1e-6
    jacobian = np.empty((size, size))
    for j in range(size):
        bump = np.zeros(size)
        bump[j] = step
        up = LSTM.step(cell, x, h, c + bump)["cell"]
        down = LSTM.step(cell, x, h, c - bump)["cell"]
        jacobian[:, j] = (up - down) / (2 * step)
    return jacobian


def cell_path_has_no_tanh() -> Verdict:
    """What ∂c_t/∂c_{t−1} contains: the forget gate only, whatever the candidate."""
    rng = np.random.default_rng(4)
    x, h, c = rng.normal(size=1), rng.normal(size=8) * 0.5, rng.normal(size=8)
    errors, differs = {}, 0.0
    base = None
    for key in ("tanh", "identity", "relu"):
        cell = LSTM.random(1, 8, np.random.default_rng(5), candidate=_act(key))
        jacobian = _cell_jacobian(cell, x, h, c)
        forget = LSTM.step(cell, x, h, c)["forget_gate"]
        errors[key] = float(np.max(np.abs(jacobian - np.diag(forget))))
        base = jacobian if base is None else base
        differs = max(differs, float(np.max(np.abs(jacobian - base))))
    holds = max(errors.values()) > 1e-6 or differs > 1e-6
    inputs = np.random.default_rng(6).normal(size=(60, 1, 1))
    curves = {}
    for key in ("tanh", "identity"):
        cell = LSTM.random(1, 8, np.random.default_rng(5), candidate=_act(key))
        trace = cell.forward(inputs)
        grads = cell.backward(trace, sum_last_step(trace.hidden)[1])
        curves[Text("‖∂L/∂c_t‖, candidate {name}", name=key)] = np.linalg.norm(
            grads.cell[:, 0, :], axis=1)
    return Verdict(
        "cell_gradient_tanh", "true" if holds else "false",
        Text(r"Measured by finite differences on one step (8 units): "
             r"$\partial c_t/\partial c_{{t-1}}$ with $h_{{t-1}}$ fixed equals "
             r"$\mathrm{{diag}}(f_t)$ to {error:.1e} — for a tanh, an identity and a ReLU "
             "candidate alike (largest difference between them {differs:.1e}). The cell-state "
             "path is multiplied by the forget gate alone; tanh enters only through the side "
             r"paths via $h_{{t-1}} = o_{{t-1}}\tanh(c_{{t-1}})$. What keeps the gradient along "
             "this path from vanishing is $f_t$ near 1, not tanh. (One random step; the identity "
             r"holds for any weights, it follows from $c_t = f_t c_{{t-1}} + i_t g_t$.)",
             error=max(errors.values()), differs=differs),
        Text("∂c_t/∂c_(t−1) = diag(f_t) to {error:.0e}, whatever the candidate.",
             error=max(errors.values())),
        Evidence(steps_axis(60), curves, N_("step t"), N_("‖∂L/∂c_t‖ (loss at the last step)"),
                 log_y=True),
        {"max_error_vs_forget_gate": max(errors.values()), "candidate_difference": differs},
    )


def gru_has_no_second_tanh(steps: int = 300) -> Verdict:
    """The GRU has no output squash, yet its hidden state stays bounded: over :data:`SEEDS`, TRUE
    if the GRU has no output slot and its |h| never passes 1 in any seed."""
    inputs, grus, lstms = [], [], []
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        inputs.append(rng.normal(scale=20.0, size=(steps, 1, 1)))
        grus.append(GRU.random(1, 8, rng, weight_scale=3.0, candidate=_act("tanh")))
        lstms.append(LSTM.random(1, 8, rng, weight_scale=3.0, output="identity"))
    x = np.stack(inputs, axis=1)  # (T, S, 1, 1)
    gru_h = np.max(np.abs(_stack(grus).forward(x).hidden[:, :, 0]), axis=-1)  # (T, S)
    lstm_h = np.max(np.abs(_stack(lstms).forward(x).hidden[:, :, 0]), axis=-1)
    shown = (gru_h[:, 0], lstm_h[:, 0])
    gru_max, lstm_max = [float(v) for v in gru_h.max(axis=0)], [float(v) for v in
                                                                 lstm_h.max(axis=0)]
    n, largest = len(SEEDS), max(gru_max)
    holds = "output" not in GRU.slots and largest <= 1.0
    return Verdict(
        "gru_no_second_tanh", "true" if holds else "false",
        Text("The GRU's slots are {slots}: no output squash. With inputs of scale 20 and "
             "weights drawn at weight scale 3 ({n} seeds; the chart shows seed 0) its $|h|$ "
             "never passed {gru_max:.3f} in any seed ($h_t$ is a convex mix of "
             "$n_t \\in (-1, 1)$ and $h_{{t-1}}$, so from $h_0 = 0$ it cannot), while an LSTM "
             "without its output squash reached a median $|h|$ of {lstm_median:.1f} (at most "
             "{lstm_max:.1f}).", slots=", ".join(GRU.slots), n=n, gru_max=largest,
             lstm_median=float(np.median(lstm_max)), lstm_max=max(lstm_max)),
        Text("GRU max |h| = {gru_max:.3f} in {n} seeds; LSTM without output squash, median "
             "{lstm_max:.1f}.", gru_max=largest, n=n, lstm_max=float(np.median(lstm_max))),
        Evidence(steps_axis(steps), {"GRU max |h_t|": shown[0],
                                     N_("LSTM, no output squash"): shown[1]},
                 N_("step t"), N_("max over units of |h_t|")),
        {"gru_max_abs_hidden": largest, "lstm_identity_max_abs_hidden": float(
            np.median(lstm_max)), "lstm_identity_largest_abs_hidden": max(lstm_max),
         "seeds": float(n)},
    )


# --- gradients -----------------------------------------------------------------------------------


def _gradient_norms(cell, inputs: np.ndarray) -> np.ndarray:
    """‖∂L/∂h_t‖ at every step t for L = Σ h_T (loss at the last step), of one sequence: (T,)
    for one model, (T, S) for a model stack (inputs (T, S, 1, D))."""
    trace = cell.forward(inputs)
    grads = cell.backward(trace, _pulse_at_last_step(trace.hidden))
    return np.linalg.norm(grads.hidden[..., 0, :], axis=-1)


#: Thresholds of "vanished" (the share of the last step's gradient that reaches step 1) and
#: "exploded" (the largest growth back through time).
VANISHED, EXPLODED = 1e-3, 1e3
#: The RNN built to explode: recurrent weights rescaled to this spectral radius, biases 0 and
#: inputs of this scale, so that |h| stays tiny and tanh′ ≈ 1 (tanh's linear region).
EXPLODE_RADIUS, EXPLODE_INPUT = 1.15, 1e-8


def _zero_bias_radius(cell: RNN, radius: float) -> RNN:
    """``cell`` with its recurrent weights rescaled to spectral radius ``radius`` and no bias."""
    current = float(np.max(np.abs(np.linalg.eigvals(cell.weight_hh))))
    return cell.with_parameters(weight_hh=cell.weight_hh * (radius / current),
                                bias_ih=np.zeros_like(cell.bias_ih),
                                bias_hh=np.zeros_like(cell.bias_hh))


def _median_curve(norms: np.ndarray) -> np.ndarray:
    """The median over seeds (axis 1), step by step, of each seed's curve divided by its last
    value."""
    norms = np.asarray(norms).reshape(len(norms), -1)
    return np.median(norms / norms[-1], axis=1)


def _kept(norms: np.ndarray) -> np.ndarray:
    """Each seed's share of the last step's gradient that reaches step 1."""
    return np.atleast_1d(norms[0] / norms[-1])


def _growth(norms: np.ndarray) -> np.ndarray:
    """Each seed's largest growth of the gradient back through time."""
    return np.atleast_1d(np.max(norms, axis=0) / norms[-1])


def tanh_prevents_vanishing_and_exploding(steps: int = 100) -> Verdict:
    """Over :data:`SEEDS`, none picked: a tanh RNN with ordinary weights (PyTorch's
    initialisation, inputs N(0, 1)) and one built to explode (recurrent weights at spectral radius
    1.15, biases 0, inputs of scale 10⁻⁸: tanh′ ≈ 1), with an LSTM (forget bias 3) beside them.
    FALSE when vanishing (< 10⁻³ reaches step 1) or exploding (growth > 10³) happens in most
    seeds (the lower end of the share's Wilson 95 % interval above ½); TRUE when neither happens
    in any seed; PARTLY otherwise."""
    tanh = _act("tanh")
    cells: dict[str, list] = {"ordinary": [], "built": [], "drawn": [], "lstm": []}
    inputs: dict[str, list[np.ndarray]] = {"ordinary": [], "built": [], "drawn": []}
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        inputs["ordinary"].append(rng.normal(size=(steps, 1, 1)))
        inputs["built"].append(rng.normal(scale=EXPLODE_INPUT, size=(steps, 1, 1)))
        inputs["drawn"].append(rng.normal(scale=0.1, size=(steps, 1, 1)))
        ordinary = RNN.random(1, 8, np.random.default_rng(1000 + seed), activation=tanh)
        cells["ordinary"].append(ordinary)
        cells["built"].append(_zero_bias_radius(ordinary, EXPLODE_RADIUS))
        cells["drawn"].append(RNN.random(1, 8, np.random.default_rng(2000 + seed),
                                         weight_scale=3.0, activation=tanh))
        cells["lstm"].append(LSTM.random(1, 8, np.random.default_rng(1000 + seed),
                                         forget_bias=3.0))
    x = {k: np.stack(v, axis=1) for k, v in inputs.items()}  # (T, S, 1, 1)
    x["lstm"] = x["ordinary"]
    stacks = {k: _stack(v) for k, v in cells.items()}
    runs = {k: _gradient_norms(stacks[k], x[k]) for k in cells}  # (T, S) each
    largest_h = float(np.max(np.abs(stacks["built"].forward(x["built"]).hidden)))
    drawn_slope = float(np.median(tanh.d1(stacks["drawn"].forward(x["drawn"]).preactivations[
        "hidden"])))
    kept = _kept(runs["ordinary"])
    growth = {k: _growth(runs[k]) for k in ("built", "drawn")}
    lstm = float(np.median(_kept(runs["lstm"])))
    n = len(SEEDS)
    vanished = int(np.sum(kept < VANISHED))
    exploded = int(np.sum(growth["built"] > EXPLODED))
    drawn_exploded = int(np.sum(growth["drawn"] > EXPLODED))
    if _most(vanished, n) or _most(exploded, n):
        verdict = "false"
    elif vanished == 0 and exploded == 0:
        verdict = "true"
    else:
        verdict = "partly"
    vanish, explode = float(np.median(kept)), float(np.median(growth["built"]))
    slope = float(tanh.d1(np.array([largest_h]))[0])
    return Verdict(
        "tanh_solves_vanishing", verdict,
        Text("How the examples were chosen: {n} seeds each, none picked; the chart shows the "
             "medians. Over {steps} steps a tanh RNN with ordinary weights (PyTorch's "
             "initialisation, inputs N(0, 1)) keeps a median {vanish:.1e} of the gradient at "
             "step 1: it vanished (below 10⁻³) in {vanished}. Built to explode — recurrent "
             "weights rescaled to spectral radius {radius}, biases 0, inputs of scale 10⁻⁸, so "
             r"that $|h| \le$ {largest_h:.3f} and tanh′ ≥ {slope:.3f} (tanh's linear region) "
             "— the gradient grows a median {explode:.1e}-fold back through time: it exploded "
             "(above 10³) in {exploded}. tanh's slope ≤ 1 stops neither: near 0 it is 1 and "
             "passes on whatever the weights do. (Merely drawn at weight scale 3, inputs of "
             "scale 0.1, an RNN exploded in {drawn}: its units saturate, median tanh′ "
             "{drawn_slope:.2f}.) An LSTM with forget bias 3 keeps a median {lstm:.1e}: its "
             "additive cell path, multiplied only by the forget gate, is what helps. FALSE "
             "because a failure happens in most seeds (the lower end of its 95 % interval "
             "above ½).", n=n, steps=steps, vanish=vanish, vanished=_seeds_share(vanished, n),
             radius=EXPLODE_RADIUS, largest_h=largest_h, slope=slope, explode=explode,
             exploded=_seeds_share(exploded, n), drawn=_seeds_share(drawn_exploded, n),
             drawn_slope=drawn_slope, lstm=lstm)
        if verdict == "false" else
        Text("Over {steps} steps and {n} seeds a tanh RNN with ordinary weights vanished in "
             "{vanished} (median kept {vanish:.1e}); built to explode (spectral radius "
             "{radius}, tiny inputs) it exploded in {exploded} (median growth {explode:.1e}).",
             steps=steps, n=n, vanished=_seeds_share(vanished, n), vanish=vanish,
             radius=EXPLODE_RADIUS, exploded=_seeds_share(exploded, n), explode=explode),
        Text("tanh RNN: vanished in {vanished} of {n} seeds (median × {vanish:.0e}); built to "
             "explode, exploded in {exploded} of {n} (median × {explode:.0e}).", n=n,
             vanished=vanished, vanish=vanish, exploded=exploded, explode=explode),
        Evidence(steps_axis(steps), {
            N_("RNN, tanh, ordinary weights"): _median_curve(runs["ordinary"]),
            N_("RNN, tanh, spectral radius 1.15, tiny inputs"): _median_curve(runs["built"]),
            N_("LSTM, forget bias 3"): _median_curve(runs["lstm"]),
        }, N_("step t"), N_("‖∂L/∂h_t‖ / ‖∂L/∂h_T‖, median of the seeds"), log_y=True),
        {"rnn_kept": vanish, "rnn_growth": explode, "lstm_kept": lstm, "seeds": float(n),
         "largest_abs_hidden": largest_h, "drawn_growth": float(np.median(growth["drawn"]))}
        | _share_numbers("vanished", vanished, n) | _share_numbers("exploded", exploded, n)
        | _share_numbers("drawn_exploded", drawn_exploded, n),
    )


def sigmoid_twin(cell: RNN) -> RNN:
    """The sigmoid RNN that computes what the tanh RNN ``cell`` computes, up to the affine map
    s = (1 + h)/2 (start it from s_0 = (1 + h_0)/2). From σ(2a) = (1 + tanh a)/2 and
    h = 2s − 1: 2a = 2 W_ih x + 4 W_hh s + 2 b_ih + 2 b_hh − 2 W_hh 1, so its input weights are
    2×, its recurrent weights 4× and its bias shifted. Its gradient ∂L/∂s_t for L = Σ s_T equals
    the tanh RNN's ∂L/∂h_t for L = Σ h_T, step by step."""
    return RNN(2.0 * cell.weight_ih, 4.0 * cell.weight_hh, 2.0 * cell.bias_ih,
               2.0 * cell.bias_hh - 2.0 * cell.weight_hh.sum(axis=-1), activation=_act("sigmoid"))


def _hidden_gradients(cell, inputs: np.ndarray, h0=None) -> tuple[np.ndarray, np.ndarray]:
    """The hidden states and ∂L/∂h_t for L = Σ h_T, of one sequence ((T, S, H) for a stack)."""
    trace = cell.forward(inputs, h0=h0)
    grads = cell.backward(trace, _pulse_at_last_step(trace.hidden))
    return trace.hidden[..., 0, :], grads.hidden[..., 0, :]


def tanh_vanishes_less_than_sigmoid(steps: int = 100) -> Verdict:
    """Over :data:`SEEDS`, same RNN weights and inputs, tanh vs sigmoid: how much gradient
    reaches step 1? And the sigmoid RNN with 4× the recurrent weights (:func:`sigmoid_twin`),
    measured against the tanh RNN. PARTLY when tanh keeps over 10× more in most seeds (Wilson
    interval above ½) but the twin reproduces tanh's gradients (to 10⁻⁹): true at equal weights
    only. TRUE if there is no such twin, FALSE if tanh does not keep more."""
    tanh = _act("tanh")
    x = np.stack([np.random.default_rng(seed).normal(size=(steps, 1, 1)) for seed in SEEDS],
                 axis=1)  # (T, S, 1, 1)
    cell = _stack([RNN.random(1, 8, np.random.default_rng(1000 + seed), activation=tanh)
                   for seed in SEEDS])
    equal = _stack([RNN.random(1, 8, np.random.default_rng(1000 + seed),
                               activation=_act("sigmoid")) for seed in SEEDS])
    h, dh = _hidden_gradients(cell, x)
    s, ds = _hidden_gradients(sigmoid_twin(cell), x, h0=0.5)  # s_0 = (1 + h_0)/2
    norms = {"tanh": np.linalg.norm(dh, axis=-1), "twin": np.linalg.norm(ds, axis=-1),
             "sigmoid": _gradient_norms(equal, x)}
    with np.errstate(invalid="ignore", divide="ignore"):
        relative = np.linalg.norm(ds - dh, axis=-1) / norms["tanh"]
    twin_error = float(np.nanmax(relative))
    state_error = float(np.max(np.abs(s - (1.0 + h) / 2.0)))
    kept = {k: _kept(v) for k, v in norms.items()}
    ratios = kept["tanh"] / kept["sigmoid"]
    n = len(SEEDS)
    better = int(np.sum(ratios > 10.0))
    twin = twin_error < 1e-9 and state_error < 1e-9
    verdict = ("partly" if twin else "true") if _most(better, n) else "false"
    median = {k: float(np.median(v)) for k, v in kept.items()}
    per_step = {k: v ** (1.0 / (steps - 1)) for k, v in median.items()}
    return Verdict(
        "tanh_vs_sigmoid_vanishing", verdict,
        Text("At equal weights (the same weights and inputs for both, {n} seeds, {steps} steps): "
             "the tanh RNN keeps a median {tanh:.1e} of the gradient at step 1, the sigmoid RNN "
             "{sigmoid:.1e} — a median {ratio:.0e} times less (×{tanh_step:.2f} vs "
             "×{sigmoid_step:.2f} per step: σ′ ≤ 1/4, tanh′ ≤ 1); tanh kept over 10× more in "
             "{better}. Both still vanish. But that is the weights' scale, not the function: "
             "since σ(x) = (1 + tanh(x/2))/2, a sigmoid RNN with 4× the recurrent weights, 2× "
             "the input weights and a shifted bias computes the tanh RNN's states up to "
             "s = (1 + h)/2 (measured: to {state_error:.0e}) and keeps exactly the same "
             "gradient (to {twin_error:.0e} relative, every step, every seed).", n=n,
             steps=steps, tanh=median["tanh"], sigmoid=median["sigmoid"],
             ratio=float(np.median(ratios)), tanh_step=per_step["tanh"],
             sigmoid_step=per_step["sigmoid"], better=_seeds_share(better, n),
             state_error=state_error, twin_error=twin_error),
        Text("At equal weights kept at step 1 (median of {n} seeds): tanh {tanh:.0e}, sigmoid "
             "{sigmoid:.0e}; sigmoid with 4× weights: the same as tanh.", n=n,
             tanh=median["tanh"], sigmoid=median["sigmoid"]),
        Evidence(steps_axis(steps), {
            N_("RNN, tanh"): _median_curve(norms["tanh"]),
            N_("RNN, sigmoid, the same weights"): _median_curve(norms["sigmoid"]),
            N_("RNN, sigmoid, 4× recurrent weights"): _median_curve(norms["twin"]),
        }, N_("step t"), N_("‖∂L/∂h_t‖ / ‖∂L/∂h_T‖, median of the seeds"), log_y=True),
        {"tanh_kept": median["tanh"], "sigmoid_kept": median["sigmoid"],
         "median_ratio": float(np.median(ratios)), "twin_kept": median["twin"],
         "twin_gradient_error": twin_error, "twin_state_error": state_error, "seeds": float(n)}
        | _share_numbers("tanh_better", better, n),
    )


def second_derivative_matters() -> Verdict:
    """Does the gradient through time depend on f″? And does tanh″ stay away from zero?"""
    tanh = _act("tanh")
    d2 = tanh.d2(GRID)
    peak = float(np.max(np.abs(d2)))
    wide = float(np.mean(np.abs(d2) > 0.1 * peak) * 16.0)  # length of x where |f″| > 10 % peak
    at_zero = float(tanh.d2(np.array([0.0]))[0]) + 0.0  # + 0.0: never print "−0"
    # BPTT by hand with first derivatives only: δ_{t−1} = W_hhᵀ (f′(a_t) ⊙ δ_t)
    rng = np.random.default_rng(7)
    cell = RNN.random(1, 8, rng, activation=tanh)
    trace = cell.forward(rng.normal(size=(50, 1, 1)))
    engine = cell.backward(trace, sum_last_step(trace.hidden)[1]).hidden[:, 0, :]
    pre = trace.preactivations["hidden"][:, 0, :]
    delta = np.ones(8)
    by_hand = [delta]
    for t in range(49, 0, -1):
        delta = cell.weight_hh.T @ (tanh.d1(pre[t]) * delta)
        by_hand.append(delta)
    error = float(np.max(np.abs(np.array(by_hand[::-1]) - engine)))
    only_first = error < 1e-10
    verdict = "false" if only_first else "partly"
    return Verdict(
        "second_derivative", verdict,
        Text(r"Back through time the gradient is "
             r"$\delta_{{t-1}} = W_{{hh}}^\top\,(f'(a_t)\odot\delta_t)$: computed by hand with "
             "$f'$ alone it matches the engine's BPTT to {error:.1e}, so $f''$ never enters. And "
             "tanh″ is not away from zero: tanh″(0) = {at_zero:g}, its peak $|f''|$ = {peak:.3f}, "
             "above 10 % of that only on {wide:.1f} units of $x$. ReLU has $f'' = 0$ wherever "
             "it is defined (everywhere but 0) and still passes gradients at full strength where "
             "it is active.", error=error,
             at_zero=at_zero, peak=peak, wide=wide),
        Text("BPTT uses only f′ (matches to {error:.0e}); tanh″(0) = {at_zero:g}.", error=error,
             at_zero=at_zero),
        Evidence(GRID[SHOWN], {"tanh″(x)": d2[SHOWN], "σ″(x)": _act("sigmoid").d2(GRID)[SHOWN],
                               "tanh′(x)": tanh.d1(GRID)[SHOWN]}, "x", N_("value")),
        {"bptt_first_derivative_error": error, "tanh_d2_at_0": at_zero, "tanh_d2_peak": peak},
    )


def sigmoid_tanh_same_derivatives(steps: int = 20) -> Verdict:
    """tanh′(x) = 4σ′(2x) holds exactly; does the 4× slope matter over T steps?"""
    sig, tanh = _act("sigmoid"), _act("tanh")
    error = float(np.max(np.abs(tanh.d1(GRID) - 4.0 * sig.d1(2.0 * GRID))))
    ratio = float(tanh.d1(GRID).max() / sig.d1(GRID).max())
    depth = np.arange(1, steps + 1, dtype=float)
    best_sigmoid = float(sig.d1(GRID).max()) ** depth
    identity = error < 1e-12
    verdict = "partly" if identity and ratio > 1.5 else ("true" if identity else "false")
    return Verdict(
        "sigmoid_tanh_same_derivatives", verdict,
        Text(r"The rescaling holds: $\tanh'(x) = 4\,\sigma'(2x)$ to {error:.1e}. But the largest "
             "slopes differ {ratio:.2f}×: through $T$ steps the slopes alone allow at most $1^T$ "
             "for tanh against $(1/4)^T$ for σ (after {steps} steps {gain:.1e}) — at equal "
             "weights. The weights can make up the factor: a sigmoid RNN with 4× the recurrent "
             "weights computes what a tanh RNN computes and gets exactly its gradients (see the "
             "claim on tanh and sigmoid vanishing). Same shape; at equal weights, very different "
             "gradients over time.", error=error, ratio=ratio, steps=steps,
             gain=best_sigmoid[-1]),
        Text("tanh′(x) = 4σ′(2x) to {error:.0e}; slopes differ {ratio:.0f}×: (1/4)^{steps} = "
             "{gain:.0e}.", error=error, ratio=ratio, steps=steps, gain=best_sigmoid[-1]),
        Evidence(depth, {"tanh: (max tanh′)ⁿ": tanh.d1(GRID).max() ** depth,
                         "σ: (max σ′)ⁿ": best_sigmoid}, N_("steps n"),
                 N_("largest possible gain"), log_y=True),
        {"identity_error": error, "slope_ratio": ratio, f"sigmoid_gain_{steps}": best_sigmoid[-1]},
    )


# --- alternatives --------------------------------------------------------------------------------

WIDE = np.linspace(-20.0, 20.0, 801)


def relu_never_saturates() -> Verdict:
    """ReLU′ for large positive and for negative inputs, by finite differences."""
    relu = _act("relu")
    big = np.array([10.0, 1e3, 1e6])
    slope_big = central_difference(relu.f, big, 1e-3)
    negative = central_difference(relu.f, WIDE[WIDE < -1e-3], 1e-4)
    no_big = bool(np.all(np.abs(slope_big - 1.0) < 1e-6))
    dead_side = bool(np.all(negative == 0.0))
    verdict = "partly" if no_big and dead_side else ("true" if no_big else "false")
    return Verdict(
        "relu_no_saturation", verdict,
        Text("For large inputs ReLU′ stays {big:.3f} (at $z$ = 10⁶): no saturation there. But "
             "for every negative input ReLU′ = {negative:g}: it is flatter than any saturated "
             "tanh, on a whole half-line, so at every step where a unit's input is negative no "
             "gradient passes through it (it passes again at steps where the input is "
             "positive).",
             big=slope_big[-1], negative=float(negative.max())),
        Text("ReLU′(10⁶) = {big:.0f}, but ReLU′ = 0 for every z < 0.", big=slope_big[-1]),
        Evidence(WIDE, {"ReLU′(z)": central_difference(relu.f, WIDE, 1e-4),
                        "tanh′(z)": _act("tanh").d1(WIDE)}, "z", N_("slope")),
        {"slope_at_1e6": float(slope_big[-1]), "largest_negative_side_slope": float(
            negative.max())},
    )


def leaky_relu_passes_negative() -> Verdict:
    """Leaky ReLU′ and ReLU′ for negative inputs, by finite differences."""
    z = np.linspace(-4.0, -1e-3, 400)
    leaky = central_difference(_act("leaky_relu").f, z, 1e-4)
    relu = central_difference(_act("relu").f, z, 1e-4)
    holds = bool(np.all(leaky > 0.0) and np.all(relu == 0.0))
    x = np.linspace(-4.0, 4.0, 801)
    return Verdict(
        "leaky_relu_negative", "true" if holds else "false",
        Text("For $z < 0$ leaky ReLU′ = {leaky:.4f} (its slope α) while ReLU′ = {relu:g}. The "
             "error does pass — but weakly: through 10 negative steps the slopes alone multiply "
             "it by {gain:.0e} (the weights multiply it too).", leaky=leaky.min(),
             relu=relu.max(), gain=leaky.min() ** 10),
        Text("For z < 0: leaky ReLU′ = {leaky:.2f}, ReLU′ = {relu:g}.", leaky=leaky.min(),
             relu=relu.max()),
        Evidence(x, {"leaky ReLU′(z)": central_difference(_act("leaky_relu").f, x, 1e-4),
                     "ReLU′(z)": central_difference(_act("relu").f, x, 1e-4)}, "z", N_("slope")),
        {"leaky_negative_slope": float(leaky.min()), "relu_negative_slope": float(relu.max())},
    )


def hard_tanh_saturates() -> Verdict:
    """Hard tanh′ inside and outside [−1, 1], by finite differences of the function, and the
    engine's derivative (what backprop multiplies by) against them and at the kinks ±1."""
    hard = _act("hard_tanh")
    f = hard.f
    outside = np.concatenate([np.linspace(-8.0, -1.001, 300), np.linspace(1.001, 8.0, 300)])
    inside = np.linspace(-0.999, 0.999, 300)
    out_slope, in_slope = central_difference(f, outside), central_difference(f, inside)
    away = np.concatenate([outside, inside])
    engine = hard.derivative_given_output(away, f(away))
    engine_error = float(np.max(np.abs(engine - central_difference(f, away))))
    at_kinks = hard.derivative_given_output(np.array([-1.0, 1.0]), f(np.array([-1.0, 1.0])))
    holds = bool(np.all(out_slope == 0.0) and np.all(np.abs(in_slope - 1.0) < 1e-6)
                 and engine_error < 1e-6)
    tanh_at_1 = float(_act("tanh").d1(np.array([1.0]))[0])
    x = np.linspace(-3.0, 3.0, 601)
    return Verdict(
        "hard_tanh_saturates", "true" if holds else "false",
        Text("For $|z| > 1$ hard tanh′ is exactly {outside:g} and inside $(-1, 1)$ exactly "
             "{inside:g}: it saturates completely at $|z| = 1$, where tanh′ is still "
             "{tanh_at_1:.2f} — a harder, earlier saturation than tanh's. The engine's "
             "derivative, the one backprop multiplies by, agrees with these finite differences "
             "to {engine_error:.0e} and is {kinks} at $z = \\pm 1$ itself (PyTorch's "
             "convention at the kinks).", outside=float(np.abs(out_slope).max()),
             inside=float(in_slope.mean()), tanh_at_1=tanh_at_1, engine_error=engine_error,
             kinks=", ".join(f"{v:g}" for v in at_kinks)),
        Text("hard tanh′ = {outside:g} for |z| > 1, 1 inside.",
             outside=float(np.abs(out_slope).max())),
        Evidence(x, {"hard tanh′(z)": central_difference(f, x), "tanh′(z)": _act("tanh").d1(x)},
                 "z", N_("slope")),
        {"largest_outside_slope": float(np.abs(out_slope).max()),
         "engine_derivative_error": engine_error,
         "engine_derivative_at_minus_1": float(at_kinks[0]),
         "engine_derivative_at_plus_1": float(at_kinks[1])},
    )


# --- cost ----------------------------------------------------------------------------------------
#
# "Cheaper" is decided by what a function needs, counted on the engine's own code: every NumPy
# operation it applies to its array (run on a recording array), an exponential-type one (tanh,
# exp, log, …: a series per value) weighing more than any handful of arithmetic ones (a multiply,
# a comparison, a clip: one instruction per value). The count is the same on every server, so the
# verdict is too. A timing backs it up with a 95 % interval; it never decides the verdict.

#: Operations that evaluate a series per value (≈ 5–10× a multiply here); all others count as
#: arithmetic.
EXPONENTIAL = frozenset({
    "tanh", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "logaddexp", "sin", "cos",
    "tan", "arctan", "sinh", "cosh", "arcsinh", "arctanh", "power", "float_power", "erf",
})


_COMPARISONS = frozenset({"less", "less_equal", "greater", "greater_equal", "equal", "not_equal"})


class Operations(list):
    """The names of the NumPy operations a function applied, in order, and ``passes``: how many
    times it streamed an array through memory (each distinct array an operation reads, and each
    one it writes; a loop over 10⁵ values is bound by these, not by its arithmetic)."""

    passes: int = 0


def _distinct_arrays(values) -> int:
    return len({v.__array_interface__["data"][0] for v in values if isinstance(v, np.ndarray)})


class _Recording(np.ndarray):
    """An array that records every NumPy operation applied to it (ufuncs, array functions such
    as ``np.where``/``np.clip``, copies) in its ``log``; results carry the log on."""

    log: Operations

    def __array_finalize__(self, obj) -> None:
        self.log = getattr(obj, "log", Operations())

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        self.log.append(ufunc.__name__ if method == "__call__" else f"{ufunc.__name__}.{method}")
        self.log.passes += _distinct_arrays(inputs) + (len(out) if out is not None else 1)
        if out is not None:
            kwargs["out"] = tuple(_plain(o) for o in out)
        result = getattr(ufunc, method)(*(_plain(i) for i in inputs), **kwargs)
        if out is not None:
            if ufunc.__name__ in _COMPARISONS and out[0].dtype != bool:
                self.log.append("cast")  # the booleans converted to floats on the way out
            return out[0] if len(out) == 1 else out
        return _recorded(result, self.log)

    def __array_function__(self, func, types, args, kwargs):
        self.log.append(func.__name__)
        self.log.passes += _distinct_arrays(args) + 1
        args = tuple(_plain(a) for a in args)
        result = func(*args, **{k: _plain(v) for k, v in kwargs.items()})
        return _recorded(result, self.log)

    def __setitem__(self, key, value) -> None:
        self.log.append("copy")
        self.log.passes += _distinct_arrays([value]) + 1
        np.asarray(self)[key] = _plain(value)

    def astype(self, *args, **kwargs):
        self.log.append("cast")
        self.log.passes += 2
        return _recorded(np.asarray(self).astype(*args, **kwargs), self.log)


def _plain(value):
    if isinstance(value, _Recording):
        return value.view(np.ndarray)
    if isinstance(value, (tuple, list)):
        return type(value)(_plain(v) for v in value)
    return value


def _recorded(value, log: Operations):
    if isinstance(value, np.ndarray) and not isinstance(value, _Recording):
        value = value.view(_Recording)
        value.log = log
    elif isinstance(value, tuple):
        return tuple(_recorded(v, log) for v in value)
    return value


def operations(run: Callable[..., object], *arrays: np.ndarray) -> Operations:
    """The NumPy operations ``run(*arrays)`` applies to its arrays, in order, with the passes
    over memory they make (each array runs as a recording array; an operation on plain Python
    numbers is not counted)."""
    log = Operations()
    recorded = [_recorded(np.array(a, dtype=float), log) for a in arrays]
    run(*recorded)
    return log


def _cost(ops: Operations) -> tuple[int, int, int]:
    """(exponential-type operations, all operations, passes over memory): compared in this
    order, so an exponential outweighs any number of arithmetic operations, and passes only
    break a tie of operations."""
    return sum(op in EXPONENTIAL for op in ops), len(ops), ops.passes


def _forward_ops(act) -> Operations:
    """What the engine's recurrence does to compute f(x) into its buffer (``apply``)."""
    return operations(lambda x, out: act.apply(x, out), np.linspace(-3, 3, 7), np.zeros(7))


def _backward_ops(act) -> Operations:
    """What the engine's backprop does to compute f′ from x and the stored output y into its
    buffer (``derivative_given_output(x, y, out=…)``)."""
    x = np.linspace(-3, 3, 7)
    return operations(lambda x, y, out: act.derivative_given_output(x, y, out=out), x, act.f(x),
                      np.zeros(7))


def _ops_words(ops: Operations) -> str:
    names = ", ".join(f"`{op}`" for op in ops) or "–"
    exponential = sum(op in EXPONENTIAL for op in ops)
    if exponential and len(ops) == 1:
        text = Text("one exponential-type operation ({names})", names=names)
    elif exponential:
        text = Text("{count} operations ({names}), {exponential} of exponential type",
                    count=len(ops), names=names, exponential=exponential)
    elif len(ops) == 1:
        text = Text("one arithmetic operation ({names})", names=names)
    else:
        text = Text("{count} arithmetic operations ({names})", count=len(ops), names=names)
    return Text("{operations} in {passes} passes over memory", operations=text,
                passes=ops.passes)


def _cost_words(a: Operations, b: Operations) -> str:
    """How ``a``'s operations compare with ``b``'s, in words."""
    cost_a, cost_b = _cost(a), _cost(b)
    if cost_a == cost_b:
        return N_("the same work")
    if cost_a[:2] == cost_b[:2]:
        if cost_a < cost_b:
            return N_("the same arithmetic, fewer passes over memory")
        return N_("the same arithmetic, more passes over memory")
    if cost_a < cost_b:
        return N_("less work (no exponential)") if cost_a[0] < cost_b[0] else N_("less work")
    return N_("more work")


TIMING_SIZE = 100_000
TIMING_ROUNDS = 41
#: Timing ratios inside this band count as no difference (they move this much between servers).
NO_DIFFERENCE = (0.8, 1.25)


@dataclass(frozen=True)
class Timing:
    """Paired timings of two functions a and b: the median per-round ratio a/b with its 95 %
    interval, and each one's median seconds per call."""

    ratio: float
    low: float
    high: float
    a_seconds: float
    b_seconds: float
    rounds: int


def _median_interval_ranks(n: int) -> int:
    """The k (1-based) for which the order statistics x_(k) and x_(n+1−k) bound the median with
    at least 95 % (binomial(n, ½) tails of at most 2.5 % each): distribution-free, no resampling."""
    tail, k = 0.0, 0
    while True:
        tail += math.comb(n, k) / 2.0**n
        if tail > 0.025:
            return max(k, 1)
        k += 1


def paired_timing(a: Callable[[], object], b: Callable[[], object],
                  rounds: int = TIMING_ROUNDS) -> Timing:
    """Time ``a`` and ``b`` in ``rounds`` rounds, each in the order a, b, b, a (a busy moment of
    the machine, or a drift within the round, hits both alike); the ratio of each round's a/b
    times; their median with its distribution-free 95 % interval."""
    ratios, times_a, times_b = [], [], []
    for _ in range(rounds):
        t = []
        for function in (a, b, b, a):
            start = time.perf_counter()
            function()
            t.append(time.perf_counter() - start)
        ratios.append((t[0] + t[3]) / (t[1] + t[2]))
        times_a.append((t[0] + t[3]) / 2)
        times_b.append((t[1] + t[2]) / 2)
    ordered, k = np.sort(ratios), _median_interval_ranks(rounds)
    return Timing(float(np.median(ratios)), float(ordered[k - 1]), float(ordered[rounds - k]),
                  float(np.median(times_a)), float(np.median(times_b)), rounds)


def _timing_words(timing: Timing) -> str:
    low, high = timing.low, timing.high
    if low <= 1.0 <= high or (NO_DIFFERENCE[0] <= low and high <= NO_DIFFERENCE[1]):
        return N_("no measurable difference")
    if high < 1.0:
        return Text("{factor:.1f}× faster", factor=1 / timing.ratio)
    return Text("{factor:.1f}× slower", factor=timing.ratio)


def _timing_text(timing: Timing) -> str:
    return Text("time ratio {ratio:.2f} (95 % interval {low:.2f}–{high:.2f}): {words}",
                ratio=timing.ratio, low=timing.low, high=timing.high,
                words=_timing_words(timing))


def _timing_numbers(name: str, timing: Timing) -> dict[str, float]:
    return {f"{name}_ratio": timing.ratio, f"{name}_ratio_low": timing.low,
            f"{name}_ratio_high": timing.high}


def _timing_inputs() -> tuple[np.ndarray, np.ndarray]:
    x = np.random.default_rng(0).normal(size=TIMING_SIZE)
    return x, np.empty_like(x)


_TIMING_NOTE = N_("the ratio of each round's times, {rounds} rounds of a, b, b, a on {size:,} "
                  "values into a kept buffer, as the engine runs them; a difference counts as "
                  "measurable only when the 95 % interval excludes 1 and leaves 0.8–1.25")


def tanh_gradient_cheaper() -> Verdict:
    """Backprop's tanh′ = 1 − y² vs σ′ = y(1 − y), both from the stored output y. Decided by what
    each needs in the engine's backprop: TRUE if tanh′ needs fewer operations (an exponential
    weighing more than any arithmetic), PARTLY if the same operations in fewer passes over
    memory, FALSE otherwise. The paired timing with its interval is reported beside it and never
    changes the verdict."""
    tanh, sig = _act("tanh"), _act("sigmoid")
    tanh_ops, sig_ops = _backward_ops(tanh), _backward_ops(sig)
    if _cost(tanh_ops)[:2] < _cost(sig_ops)[:2]:
        verdict = "true"
    elif _cost(tanh_ops) < _cost(sig_ops):
        verdict = "partly"  # the same operations, only fewer passes over memory
    else:
        verdict = "false"
    x, out = _timing_inputs()
    y_tanh, y_sig = tanh.f(x), sig.f(x)
    timing = paired_timing(lambda: tanh.derivative_given_output(x, y_tanh, out=out),
                           lambda: sig.derivative_given_output(x, y_sig, out=out))
    ns = [timing.a_seconds / TIMING_SIZE * 1e9, timing.b_seconds / TIMING_SIZE * 1e9]
    why = Text(" σ′ uses $y$ in both of its operations, tanh′ only in the first (as "
               "$y \\cdot y$), so σ′ reads its input once more: a difference of memory traffic, "
               "one pass in {passes}, not of arithmetic.", passes=sig_ops.passes) if (
        verdict == "partly") else ""
    return Verdict(
        "tanh_gradient_cheaper", verdict,
        Text("Decided by what each needs, counted on the engine's own backprop (fewer "
             "operations: TRUE; the same operations in fewer passes over memory: PARTLY): from "
             "the stored output $y$, $\\tanh' = 1 - y^2$ takes {tanh_ops} and "
             "$\\sigma' = y(1 - y)$ takes {sigmoid_ops}: {work}.{why} Timing as support, not "
             "as the judge — tanh′ against σ′, {timing} ({note}).",
             tanh_ops=_ops_words(tanh_ops), sigmoid_ops=_ops_words(sig_ops),
             work=_cost_words(tanh_ops, sig_ops), why=why, timing=_timing_text(timing),
             note=Text(_TIMING_NOTE, rounds=timing.rounds, size=TIMING_SIZE)),
        Text("tanh′ {tanh} vs σ′ {sigmoid} operations: {work}; time ratio {ratio:.2f} "
             "({low:.2f}–{high:.2f}).", tanh=len(tanh_ops), sigmoid=len(sig_ops),
             work=_cost_words(tanh_ops, sig_ops), ratio=timing.ratio, low=timing.low,
             high=timing.high),
        Evidence(np.array([1.0, 2.0]), {N_("ns per value"): np.array(ns)},
                 "1 = tanh′ (1 − y²), 2 = σ′ (y(1 − y))", N_("median ns per value")),
        {"time_ratio": timing.ratio, "time_ratio_low": timing.low,
         "time_ratio_high": timing.high, "tanh_operations": float(len(tanh_ops)),
         "sigmoid_operations": float(len(sig_ops)), "tanh_passes": float(tanh_ops.passes),
         "sigmoid_passes": float(sig_ops.passes)},
    )


def hard_tanh_cheaper() -> Verdict:
    """Hard tanh vs tanh, the function and the derivative backprop uses. Decided by the
    operations each needs in the engine (TRUE if hard tanh needs fewer for both, PARTLY for one,
    FALSE for neither; an exponential weighs more than any arithmetic); the paired timings with
    their intervals are reported beside it and never change the verdict."""
    tanh, hard = _act("tanh"), _act("hard_tanh")
    ops = {"tanh": _forward_ops(tanh), "hard": _forward_ops(hard),
           "tanh′": _backward_ops(tanh), "hard′": _backward_ops(hard)}
    cheaper = (_cost(ops["hard"])[:2] < _cost(ops["tanh"])[:2],
               _cost(ops["hard′"])[:2] < _cost(ops["tanh′"])[:2])
    verdict = "true" if all(cheaper) else ("partly" if any(cheaper) else "false")
    x, out = _timing_inputs()
    y_tanh, y_hard = tanh.f(x), hard.f(x)
    forward = paired_timing(lambda: hard.apply(x, out), lambda: tanh.apply(x, out))
    backward = paired_timing(lambda: hard.derivative_given_output(x, y_hard, out=out),
                             lambda: tanh.derivative_given_output(x, y_tanh, out=out))
    ns = np.array([forward.b_seconds, forward.a_seconds, backward.b_seconds,
                   backward.a_seconds]) / TIMING_SIZE * 1e9
    return Verdict(
        "hard_tanh_cheaper", verdict,
        Text("Decided by what each needs, counted on the engine's own code (cheaper for both: "
             "TRUE; for one: PARTLY). The function: hard "
             "tanh (a clip) takes {hard_ops}, tanh {tanh_ops} — {forward_work}. The derivative "
             "backprop uses: hard tanh′ (the mask $|z| < 1$, written as floats) takes "
             "{hard_d_ops}, tanh′ = 1 − y² {tanh_d_ops} — {backward_work}. Timing as "
             "support, not as the judge — hard tanh against tanh: the function, "
             "{forward_timing}; the derivative, {backward_timing} ({note}).",
             hard_ops=_ops_words(ops["hard"]), tanh_ops=_ops_words(ops["tanh"]),
             forward_work=_cost_words(ops["hard"], ops["tanh"]),
             hard_d_ops=_ops_words(ops["hard′"]), tanh_d_ops=_ops_words(ops["tanh′"]),
             backward_work=_cost_words(ops["hard′"], ops["tanh′"]),
             forward_timing=_timing_text(forward), backward_timing=_timing_text(backward),
             note=Text(_TIMING_NOTE, rounds=forward.rounds, size=TIMING_SIZE)),
        Text("Function: {forward_work} (time ratio {forward:.2f}); derivative: {backward_work} "
             "(time ratio {backward:.2f}).", forward_work=_cost_words(ops["hard"], ops["tanh"]),
             forward=forward.ratio, backward_work=_cost_words(ops["hard′"], ops["tanh′"]),
             backward=backward.ratio),
        Evidence(np.arange(1.0, 5.0), {N_("ns per value"): ns},
                 "1 = tanh, 2 = hard tanh, 3 = tanh′, 4 = hard tanh′", N_("median ns per value")),
        _timing_numbers("function", forward) | _timing_numbers("derivative", backward)
        | {f"{name}_operations": float(len(o)) for name, o in (
            ("tanh", ops["tanh"]), ("hard_tanh", ops["hard"]), ("tanh_derivative", ops["tanh′"]),
            ("hard_tanh_derivative", ops["hard′"]))},
    )


# --- the registry --------------------------------------------------------------------------------

#: Group names, statements, plain texts and sources are messages: the page shows them with ``_()``.
GROUPS: dict[str, str] = {
    "gates": N_("Gates and ranges"),
    "cell": N_("Candidate and cell state"),
    "gradients": N_("Gradients"),
    "alternatives": N_("Alternatives to tanh"),
    "cost": N_("Cost"),
    "formulas": N_("Formulas as printed"),
    "literature": N_("Published findings"),
}
QA = N_("a popular Q&A answer")
TUTORIAL = N_("a tutorial article")
GLOSSARY = N_("a glossary entry")


@dataclass(frozen=True)
class Claim:
    """A claim as it circulates and the check that decides it (reading it computes nothing)."""

    key: str
    group: str
    statement: str  # Markdown, formulas as $…$
    plain: str  # the same in plain text, for tables and pickers
    source: str  # where it comes from, in words
    check: Callable[[], Verdict]
    trained: bool = False  # trains models: decided from the study (lstm_core.study)
    related: tuple[str, ...] = ()
    quote: str = ""  # a published finding: the paper's own result, in words

    def __call__(self) -> Verdict:
        """The verdict, computed once per process (see :func:`check`)."""
        return check(self.key)


def _claim(key, group, statement, plain, source, function, **extra) -> Claim:
    return Claim(key, group, statement, plain, source, function, **extra)


_LIST = (
    _claim("gates_binary", "gates",
           N_("The gates use sigmoid because it outputs between 0 and 1, so a gate makes a binary "
              "decision: no flow or complete flow."),
           N_("Sigmoid gates output between 0 and 1, so a gate makes a binary decision."),
           TUTORIAL, gates_are_binary, trained=True),
    _claim("sigmoid_good_activation", "gates",
           N_("Sigmoid has all the fundamental properties of a good activation function."),
           N_("Sigmoid has all the properties of a good activation function."), GLOSSARY,
           sigmoid_has_every_property),
    _claim("tanh_converges_faster", "cell",
           N_("tanh's range $(-1, 1)$ centres the data, so training converges faster than with "
              "sigmoid or ReLU."),
           N_("tanh's range (−1, 1) centres the data, so training converges faster than with "
              "sigmoid or ReLU."), TUTORIAL, tanh_converges_faster, trained=True,
           related=("relu_replaces_tanh",)),
    _claim("cell_gradient_tanh", "cell",
           N_("The cell-state update is influenced by tanh to keep gradients stable."),
           N_("The cell-state update is influenced by tanh to keep gradients stable."), GLOSSARY,
           cell_path_has_no_tanh, related=("tanh_solves_vanishing",)),
    _claim("candidate_both_directions", "cell",
           N_("tanh lets the network push information in both directions; a sigmoid candidate can "
              "only add."),
           N_("tanh lets the network push information both ways; a sigmoid candidate can "
              "only add."), QA, candidate_both_directions,
           related=("sigmoid_candidate_only_increases",)),
    _claim("sigmoid_candidate_only_increases", "cell",
           N_("With a sigmoid candidate the cell state can only increase."),
           N_("With a sigmoid candidate the cell state can only increase."), QA,
           sigmoid_candidate_only_increases, related=("candidate_both_directions",)),
    _claim("gru_no_second_tanh", "cell",
           N_("The GRU has no second tanh — and does not need one."),
           N_("The GRU has no second tanh — and does not need one."), QA, gru_has_no_second_tanh),
    _claim("tanh_solves_vanishing", "gradients",
           N_("tanh prevents gradients from exploding or vanishing."),
           N_("tanh prevents gradients from exploding or vanishing."), GLOSSARY,
           tanh_prevents_vanishing_and_exploding, related=("cell_gradient_tanh",)),
    _claim("tanh_vs_sigmoid_vanishing", "gradients",
           N_("tanh mitigates vanishing gradients better than sigmoid, because its gradients are "
              "not so close to zero."),
           N_("tanh mitigates vanishing gradients better than sigmoid."), QA,
           tanh_vanishes_less_than_sigmoid),
    _claim("second_derivative", "gradients",
           N_("To overcome vanishing gradients we need an activation whose *second* derivative "
              "$f''$ stays away from zero over a long range before going to zero; tanh has that "
              "property."),
           N_("We need an activation whose second derivative stays away from zero over a long "
              "range; tanh has it."), QA, second_derivative_matters),
    _claim("saturation_slows_training", "gradients",
           N_("When inputs to tanh are very large or very small it saturates, and training slows "
              "as gradients approach zero."),
           N_("Large inputs saturate tanh and training slows as gradients approach zero."),
           TUTORIAL, saturation_slows_training, trained=True),
    _claim("sigmoid_tanh_same_derivatives", "gradients",
           N_("There is no meaningful difference between the derivatives of sigmoid and tanh; "
              r"tanh is just a rescaled, shifted sigmoid: $\tanh(x) = 2\sigma(2x) - 1$."),
           N_("No meaningful difference between the derivatives of sigmoid and tanh; tanh is a "
              "rescaled sigmoid."), QA, sigmoid_tanh_same_derivatives,
           related=("tanh_rescaled_sigmoid", "derivative_maxima")),
    _claim("relu_replaces_tanh", "alternatives",
           N_("A neuron unit should be bounded, easily differentiable and monotonic; ReLU has "
              "these qualities, so it can replace tanh."),
           N_("ReLU is bounded, differentiable and monotonic, so it can replace tanh."), QA,
           relu_replaces_tanh, trained=True, related=("relu_no_saturation",)),
    _claim("relu_dead_units", "alternatives",
           N_("ReLU can lead to dead units; tanh keeps gradients for negative inputs."),
           N_("ReLU can lead to dead units; tanh keeps gradients for negative inputs."), TUTORIAL,
           relu_dead_units, trained=True),
    _claim("relu_no_saturation", "alternatives",
           N_("ReLU does not saturate, even for large inputs."),
           N_("ReLU does not saturate, even for large inputs."), TUTORIAL, relu_never_saturates),
    _claim("leaky_relu_negative", "alternatives",
           N_("Leaky ReLU lets error propagate for non-positive inputs, which ReLU does not."),
           N_("Leaky ReLU lets error propagate for non-positive inputs; ReLU does not."), TUTORIAL,
           leaky_relu_passes_negative),
    _claim("hard_tanh_saturates", "alternatives",
           N_("Hard tanh saturates for $|z| > 1$."), N_("Hard tanh saturates for |z| > 1."),
           TUTORIAL, hard_tanh_saturates),
    _claim("tanh_gradient_cheaper", "cost",
           N_("tanh's gradient is less expensive to compute than sigmoid's."),
           N_("tanh's gradient is cheaper to compute than sigmoid's."), QA, tanh_gradient_cheaper),
    _claim("hard_tanh_cheaper", "cost",
           N_("Hard tanh is computationally cheaper than tanh."),
           N_("Hard tanh is computationally cheaper than tanh."), TUTORIAL, hard_tanh_cheaper),
    _claim("printed_derivatives", "formulas",
           N_(r"$\tanh'(z) = 1 - \tanh^2(z)$; $\mathrm{hardtanh}'(z) = 1$ on $[-1, 1]$, else 0; "
              r"$\mathrm{ReLU}'(z) = 1$ if $z > 0$, else 0; $\mathrm{leaky}'(z) = 1$ if $z > 0$, "
              r"else $\alpha$."),
           N_("tanh′ = 1 − tanh²; hardtanh′ = 1 on [−1, 1], else 0; ReLU′ and leaky′ as printed."),
           TUTORIAL, printed_derivatives),
    _claim("printed_derivative_precedence", "formulas",
           Text("The sigmoid derivative printed as `{printed}`.",
                printed=PRINTED_SIGMOID_DERIVATIVE),
           Text("σ′ printed as {printed}", printed=PRINTED_SIGMOID_DERIVATIVE), QA,
           printed_derivative_precedence,
           related=("quoted_sigmoid_derivative",)),
    _claim("quoted_sigmoid_derivative", "formulas",
           r"$\sigma'(z) = -\dfrac{e^{-z}}{(1 + e^{-z})^2}$",
           "σ′(z) = −e⁻ᶻ / (1 + e⁻ᶻ)²", QA, popular_sigmoid_derivative,
           related=("printed_derivative_precedence",)),
    _claim("tanh_rescaled_sigmoid", "formulas",
           N_(r"$\tanh(x) = 2\sigma(2x) - 1$: tanh is just a rescaled, shifted sigmoid."),
           N_("tanh(x) = 2σ(2x) − 1: tanh is a rescaled, shifted sigmoid."), QA,
           tanh_is_rescaled_sigmoid, related=("sigmoid_tanh_same_derivatives",)),
    _claim("derivative_maxima", "formulas",
           N_("The largest slope of σ is 1/4 and the largest slope of tanh is 1."),
           N_("The largest slope of σ is 1/4 and of tanh 1."), N_("lecture notes"),
           derivative_maxima),
    _claim("greff_output_activation", "literature",
           N_("The output activation function is a critical component of the LSTM: without it "
              "(h = o·c) performance drops, because the cell state is unbounded."),
           N_("Without its output activation (h = o·c) the LSTM performs worse."), GREFF,
           greff_output_activation, trained=True, related=("gru_no_second_tanh",),
           quote=N_("Greff et al. compared eight LSTM variants in 5,400 runs on speech (TIMIT), "
                    "handwriting (IAM Online) and music (JSB Chorales): removing the output "
                    "activation function or the forget gate hurt performance significantly on "
                    "every dataset; the output activation is needed whenever the cell state is "
                    "unbounded. Coupling the input and forget gates or dropping the peepholes "
                    "did not hurt significantly.")),
    _claim("greff_forget_gate", "literature",
           N_("The forget gate is a critical component of the LSTM: removing it (f = 1) hurts."),
           N_("Without its forget gate (f = 1) the LSTM performs worse."), GREFF,
           greff_forget_gate, trained=True, related=("jozefowicz_forget_bias",),
           quote=N_("Greff et al. (5,400 runs on speech, handwriting and music): the forget gate "
                    "and the output activation function are the LSTM's most critical components; "
                    "removing either significantly hurt performance on all three datasets.")),
    _claim("jozefowicz_forget_bias", "literature",
           N_("Adding a bias of 1 to the LSTM's forget gate closes the gap between the LSTM and "
              "the GRU."),
           N_("A forget-gate bias of 1 closes the gap between the LSTM and the GRU."),
           JOZEFOWICZ, jozefowicz_forget_bias, trained=True, related=("greff_forget_gate",),
           quote=N_("Jozefowicz et al. evaluated over ten thousand architectures on arithmetic, "
                    "XML modelling, language modelling and music: the GRU outperformed the LSTM "
                    "on nearly every task, and initialising the LSTM's forget-gate bias to 1 "
                    "closed the gap between the LSTM and the GRU.")),
)

#: Every claim by key, in page order (grouped); reading it computes nothing.
CLAIMS: dict[str, Claim] = {claim.key: claim for claim in _LIST}


def check(key: str) -> Verdict:
    """Claim ``key``'s verdict, computed on first use and then kept for the process (every check
    is deterministic; a timing check is measured once). Thread-safe."""
    claim = CLAIMS[key]

    def timed() -> Verdict:
        start = time.process_time()
        verdict = claim.check()
        return _with_seconds(verdict, time.process_time() - start)

    return once(("claim", key), timed)


def peek(key: str) -> Verdict | None:
    """Claim ``key``'s verdict if it has been computed, else None (never computes)."""
    value = remembered(("claim", key))
    return value if isinstance(value, Verdict) else None


def check_all() -> list[Verdict]:
    """Every claim's verdict, in page order (cheap ones first computed, then the races)."""
    for key, claim in CLAIMS.items():
        if not claim.trained:
            check(key)
    return [check(key) for key in CLAIMS]


def _with_seconds(verdict: Verdict, seconds: float) -> Verdict:
    return replace(verdict, seconds=seconds)


def verdicts_for(seeds: tuple[int, ...] | None = None, size: str | None = None,
                 trained_only: bool = False) -> list[Verdict]:
    """Every claim's verdict, the trained ones from the study on ``seeds`` (default: the
    app's), computed or read from disk. Nothing is kept for the process."""
    from .study import cached_study, spec_for

    study = None
    out = []
    for claim in CLAIMS.values():
        if claim.trained:
            study = study or cached_study(spec_for(seeds, size))
            out.append(claim.check(study))
        elif not trained_only:
            out.append(claim.check())
    return out


def _report(verdicts: list[Verdict]) -> str:
    lines = []
    for v in verdicts:
        lines.append(f"{v.key:34s} {v.verdict.upper()}")
        for name, i in v.intervals.items():
            lines.append(f"    {name:44s} {i.value:.4g} [{i.low:.4g}, {i.high:.4g}] n={i.n}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """``python -m lstm_core.claims [--seeds A-B] [--size small] [--trained] [--json]``: every
    verdict recomputed (trained ones on the seed range), with its numbers and intervals."""
    import argparse
    import json

    from .study import SIZES, parse_seeds

    parser = argparse.ArgumentParser(prog="python -m lstm_core.claims", description=main.__doc__)
    parser.add_argument("--seeds", help="seed range A-B for the trained claims (default 1-20)")
    parser.add_argument("--size", choices=tuple(SIZES), help="the study's budget")
    parser.add_argument("--trained", action="store_true", help="only the trained claims")
    parser.add_argument("--json", action="store_true", help="print JSON")
    options = parser.parse_args(argv)
    try:
        seeds = parse_seeds(options.seeds) if options.seeds else None
    except ValueError as why:
        parser.error(str(why))
    results = verdicts_for(seeds, options.size, trained_only=options.trained)
    if options.json:
        def number(x: float) -> float | None:  # JSON has no ∞: a run that never got there
            return float(x) if np.isfinite(x) else None

        print(json.dumps([{"key": v.key, "verdict": v.verdict,
                           "numbers": {k: number(x) for k, x in v.numbers.items()},
                           "intervals": {k: {"value": number(i.value), "low": number(i.low),
                                             "high": number(i.high), "n": i.n}
                                         for k, i in v.intervals.items()}}
                          for v in results], indent=1, allow_nan=False))
    else:
        print(_report(results))
    return 0


if __name__ == "__main__":
    import sys

    # run as lstm_core.claims, not __main__: one registry and one memo per process
    from lstm_core.claims import main as claims_main

    sys.exit(claims_main(sys.argv[1:]))
