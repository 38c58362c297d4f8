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

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from i18n import N_, Text

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
             "{max_tanh:.6f} at $x = {where_tanh:+.3f}$. Through $n$ sigmoids a gradient shrinks "
             "by at least $4^n$ ($n = 10$: {gain:.1e}); tanh alone does not force a shrink.",
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
             "zero-centred, its largest slope is {max_slope:.4f} (each layer or step through it "
             "shrinks a gradient at least 4×), and on {flat:.0%} of the interval its slope is "
             "below 0.05 (saturated). A good gate, a poor general-purpose activation.",
             monotonic=_yes_no(monotonic), bounded=_yes_no(bounded), centre=centre,
             max_slope=max_slope, flat=flat),
        Text("Monotonic and bounded, but σ(0) = {centre:g} and max slope {max_slope:.2f}.",
             centre=centre, max_slope=max_slope),
        Evidence(GRID[SHOWN], {"σ(x)": values[SHOWN], "σ′(x)": slope[SHOWN]}, "x", N_("value")),
        {"sigma_at_0": centre, "max_slope": max_slope, "saturated_fraction": flat},
    )


# --- candidate and cell state --------------------------------------------------------------------


def _demo_lstm(candidate: str, steps: int = 200, seed: int = 0) -> tuple[LSTM, np.ndarray]:
    rng = np.random.default_rng(seed)
    cell = LSTM.random(1, 8, rng, weight_scale=2.0, candidate=_act(candidate))
    inputs = np.sin(np.linspace(0, 12 * np.pi, steps))[:, None] * 2.0
    inputs += rng.normal(scale=0.5, size=inputs.shape)
    return cell, inputs


def sigmoid_candidate_only_increases() -> Verdict:
    """With a sigmoid candidate, does the cell state only increase?"""
    cell, inputs = _demo_lstm("sigmoid")
    state = cell.forward(inputs).cell[:, 0, :]
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
        "sigmoid_candidate_only_increases", verdict,
        Text("In a run of {steps} steps with 8 units the cell state never went below "
             "{lowest:.3f} ≥ 0, yet it decreased in {decreases} of {total} unit-steps. What "
             r"holds: the cell can only *write* non-negative amounts ($i_t g_t \ge 0$), so from "
             r"$c_0 \ge 0$ it never goes negative — but the forget gate still shrinks it towards "
             "0.", steps=state.shape[0], lowest=state.min(), decreases=decreases, total=total),
        Text("Never below {lowest:.3f}, but decreased in {decreases} of {total} unit-steps.",
             lowest=state.min(), decreases=decreases, total=total),
        Evidence(steps_axis(state.shape[0]),
                 {Text("c (unit {unit})", unit=u + 1): state[:, u] for u in range(3)},
                 N_("step t"), N_("cell state c_t")),
        {"min_cell": float(state.min()), "decreasing_unit_steps": decreases},
    )


def candidate_both_directions() -> Verdict:
    """tanh candidate: writes of both signs; sigmoid candidate: only additions."""
    written = {}
    for key in ("tanh", "sigmoid"):
        cell, inputs = _demo_lstm(key)
        trace = cell.forward(inputs)
        written[key] = (trace.input_gate * trace.candidate)[:, 0, :]
    negative = {k: float(np.mean(w < 0.0)) for k, w in written.items()}
    holds = negative["tanh"] > 0.0 and negative["sigmoid"] == 0.0
    return Verdict(
        "candidate_both_directions", "true" if holds else "false",
        Text("Same weights and inputs (200 steps, 8 units): with a tanh candidate {tanh:.0%} of "
             "the writes $i_t g_t$ are negative, so the memory can be pushed down as well as up; "
             "with a sigmoid candidate {sigmoid:.0%} are — it can only add, and only the forget "
             "gate lowers the memory.", tanh=negative["tanh"], sigmoid=negative["sigmoid"]),
        Text("Negative writes: tanh {tanh:.0%}, sigmoid {sigmoid:.0%}.", tanh=negative["tanh"],
             sigmoid=negative["sigmoid"]),
        Evidence(steps_axis(200), {Text("i·g, {name} candidate (unit 1)", name=k): w[:, 0]
                                   for k, w in written.items()}, N_("step t"),
                 N_("written i_t g_t")),
        {"tanh_negative_writes": negative["tanh"], "sigmoid_negative_writes": negative["sigmoid"]},
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
             r"paths via $h_{{t-1}} = o_{{t-1}}\tanh(c_{{t-1}})$. What keeps the gradient stable "
             "is $f_t$ near 1.", error=max(errors.values()), differs=differs),
        Text("∂c_t/∂c_(t−1) = diag(f_t) to {error:.0e}, whatever the candidate.",
             error=max(errors.values())),
        Evidence(steps_axis(60), curves, N_("step t"), N_("‖∂L/∂c_t‖ (loss at the last step)"),
                 log_y=True),
        {"max_error_vs_forget_gate": max(errors.values()), "candidate_difference": differs},
    )


def gru_has_no_second_tanh(steps: int = 300) -> Verdict:
    """The GRU has no output squash, yet its hidden state stays bounded."""
    rng = np.random.default_rng(2)
    inputs = rng.normal(scale=20.0, size=(steps, 1, 1))
    gru = GRU.random(1, 8, rng, weight_scale=3.0, candidate=_act("tanh"))
    lstm_no_squash = LSTM.random(1, 8, rng, weight_scale=3.0, output="identity")
    gru_h = np.max(np.abs(gru.forward(inputs).hidden[:, 0]), axis=1)
    lstm_h = np.max(np.abs(lstm_no_squash.forward(inputs).hidden[:, 0]), axis=1)
    gru_max, lstm_max = float(gru_h.max()), float(lstm_h.max())
    holds = "output" not in GRU.slots and gru_max <= 1.0
    return Verdict(
        "gru_no_second_tanh", "true" if holds else "false",
        Text("The GRU's slots are {slots}: no output squash. With inputs of scale 20 its $|h|$ "
             "never passed {gru_max:.3f} ($h_t$ is a convex mix of $n_t \\in (-1, 1)$ and "
             "$h_{{t-1}}$), while an LSTM without its output squash reached $|h|$ = "
             "{lstm_max:.1f}.", slots=", ".join(GRU.slots), gru_max=gru_max, lstm_max=lstm_max),
        Text("GRU max |h| = {gru_max:.3f}; LSTM without output squash {lstm_max:.1f}.",
             gru_max=gru_max, lstm_max=lstm_max),
        Evidence(steps_axis(steps), {"GRU max |h_t|": gru_h,
                                     N_("LSTM, no output squash"): lstm_h},
                 N_("step t"), N_("max over units of |h_t|")),
        {"gru_max_abs_hidden": gru_max, "lstm_identity_max_abs_hidden": lstm_max},
    )


# --- gradients -----------------------------------------------------------------------------------


def _gradient_norms(cell, inputs: np.ndarray) -> np.ndarray:
    """‖∂L/∂h_t‖ at every step t for L = Σ h_T (loss at the last step)."""
    trace = cell.forward(inputs)
    grads = cell.backward(trace, sum_last_step(trace.hidden)[1])
    return np.linalg.norm(grads.hidden[:, 0, :], axis=1)


def tanh_prevents_vanishing_and_exploding(steps: int = 100) -> Verdict:
    """A tanh RNN with ordinary weights, one with large weights, and an LSTM."""
    inputs = np.random.default_rng(1).normal(size=(steps, 1, 1))
    small = np.random.default_rng(2).normal(scale=0.1, size=(steps, 1, 1))
    tanh = _act("tanh")
    norms = {
        N_("RNN, tanh, weight scale 1"): _gradient_norms(
            RNN.random(1, 8, np.random.default_rng(3), activation=tanh), inputs),
        N_("RNN, tanh, weight scale 3"): _gradient_norms(
            RNN.random(1, 8, np.random.default_rng(12), weight_scale=3.0, activation=tanh), small),
        N_("LSTM, forget bias 3"): _gradient_norms(
            LSTM.random(1, 8, np.random.default_rng(3), forget_bias=3.0), inputs),
    }
    vanish = float(norms["RNN, tanh, weight scale 1"][0] / norms["RNN, tanh, weight scale 1"][-1])
    grown = norms["RNN, tanh, weight scale 3"]
    explode = float(grown.max() / grown[-1])
    lstm = float(norms["LSTM, forget bias 3"][0] / norms["LSTM, forget bias 3"][-1])
    holds = vanish > 1e-3 and explode < 1e3
    return Verdict(
        "tanh_solves_vanishing", "true" if holds else "false",
        Text("Over {steps} steps a tanh RNN with ordinary weights keeps {vanish:.1e} of the "
             "gradient at step 1 (vanished); with weight scale 3 and small inputs the gradient "
             "grows {explode:.1e}-fold back through time (exploded). tanh's slope ≤ 1 cannot stop "
             "either. An LSTM keeps {lstm:.1e}: its additive cell path, multiplied only by the "
             "forget gate, is what helps.", steps=steps, vanish=vanish, explode=explode,
             lstm=lstm),
        Text("tanh RNN: gradient at step 1 × {vanish:.0e} (vanishes) or grows × {explode:.0e}.",
             vanish=vanish, explode=explode),
        Evidence(steps_axis(steps), norms, N_("step t"), "‖∂L/∂h_t‖", log_y=True),
        {"rnn_kept": vanish, "rnn_growth": explode, "lstm_kept": lstm},
    )


def tanh_vanishes_less_than_sigmoid(steps: int = 100) -> Verdict:
    """Same RNN weights and inputs, tanh vs sigmoid: how much gradient reaches step 1?"""
    inputs = np.random.default_rng(1).normal(size=(steps, 1, 1))
    norms = {f"RNN, {key}": _gradient_norms(
        RNN.random(1, 8, np.random.default_rng(3), activation=_act(key)), inputs)
        for key in ("tanh", "sigmoid")}
    kept = {k: float(v[0] / v[-1]) for k, v in norms.items()}
    per_step = {k: v ** (1.0 / (steps - 1)) for k, v in kept.items()}
    ratio = kept["RNN, tanh"] / kept["RNN, sigmoid"]
    verdict = "true" if ratio > 10.0 else "false"
    return Verdict(
        "tanh_vs_sigmoid_vanishing", verdict,
        Text("Same weights and inputs, {steps} steps: the tanh RNN keeps {tanh:.1e} of the "
             "gradient at step 1, the sigmoid RNN {sigmoid:.1e} — {ratio:.0e} times less "
             "(×{tanh_step:.2f} vs ×{sigmoid_step:.2f} per step on average: σ′ ≤ 1/4, tanh′ ≤ "
             "1). Better, yet both still vanish.", steps=steps, tanh=kept["RNN, tanh"],
             sigmoid=kept["RNN, sigmoid"], ratio=ratio, tanh_step=per_step["RNN, tanh"],
             sigmoid_step=per_step["RNN, sigmoid"]),
        Text("Kept at step 1: tanh {tanh:.0e}, sigmoid {sigmoid:.0e}.", tanh=kept["RNN, tanh"],
             sigmoid=kept["RNN, sigmoid"]),
        Evidence(steps_axis(steps), norms, N_("step t"), "‖∂L/∂h_t‖", log_y=True),
        {"tanh_kept": kept["RNN, tanh"], "sigmoid_kept": kept["RNN, sigmoid"]},
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
             "above 10 % of that only on {wide:.1f} units of $x$. ReLU has $f'' = 0$ everywhere "
             "and still passes gradients at full strength where it is active.", error=error,
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
             "slopes differ {ratio:.2f}×, and through $T$ steps the best case is $1^T$ for tanh "
             "against $(1/4)^T$ for σ: after {steps} steps {gain:.1e}. Same shape, very "
             "different gradients over time.", error=error, ratio=ratio, steps=steps,
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
             "tanh, on a whole half-line, so a unit pushed negative gets no gradient.",
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
             "error does pass — but weakly: through 10 negative steps it is multiplied by "
             "{gain:.0e}.", leaky=leaky.min(), relu=relu.max(), gain=leaky.min() ** 10),
        Text("For z < 0: leaky ReLU′ = {leaky:.2f}, ReLU′ = {relu:g}.", leaky=leaky.min(),
             relu=relu.max()),
        Evidence(x, {"leaky ReLU′(z)": central_difference(_act("leaky_relu").f, x, 1e-4),
                     "ReLU′(z)": central_difference(_act("relu").f, x, 1e-4)}, "z", N_("slope")),
        {"leaky_negative_slope": float(leaky.min()), "relu_negative_slope": float(relu.max())},
    )


def hard_tanh_saturates() -> Verdict:
    """Hard tanh′ inside and outside [−1, 1], by finite differences."""
    f = _act("hard_tanh").f
    outside = np.concatenate([np.linspace(-8.0, -1.001, 300), np.linspace(1.001, 8.0, 300)])
    inside = np.linspace(-0.999, 0.999, 300)
    out_slope, in_slope = central_difference(f, outside), central_difference(f, inside)
    holds = bool(np.all(out_slope == 0.0) and np.all(np.abs(in_slope - 1.0) < 1e-6))
    x = np.linspace(-3.0, 3.0, 601)
    return Verdict(
        "hard_tanh_saturates", "true" if holds else "false",
        Text("For $|z| > 1$ hard tanh′ is exactly {outside:g} and inside $(-1, 1)$ exactly "
             "{inside:g}: it saturates completely at $|z| = 1$, where tanh′ is still 0.42 — a "
             "harder, earlier saturation than tanh's.", outside=float(np.abs(out_slope).max()),
             inside=float(in_slope.mean())),
        Text("hard tanh′ = {outside:g} for |z| > 1, 1 inside.",
             outside=float(np.abs(out_slope).max())),
        Evidence(x, {"hard tanh′(z)": central_difference(f, x), "tanh′(z)": _act("tanh").d1(x)},
                 "z", N_("slope")),
        {"largest_outside_slope": float(np.abs(out_slope).max())},
    )


# --- cost ----------------------------------------------------------------------------------------

#: "Cheaper" only below this ratio of median times; "more expensive" only above its inverse.
CHEAPER = 0.8
TIMING_SIZE = 100_000
TIMING_REPEATS = 25


def median_seconds(functions: dict[str, Callable[[], object]],
                   repeats: int = TIMING_REPEATS) -> dict[str, float]:
    """Median wall time of each function over ``repeats`` rounds, the functions interleaved so
    that a busy moment of the machine hits all of them alike."""
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeats):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(t)) for name, t in times.items()}


def _ratio_words(ratio: float) -> str:
    if ratio < CHEAPER:
        return Text("{factor:.1f}× cheaper", factor=1 / ratio)
    if ratio > 1 / CHEAPER:
        return Text("{factor:.1f}× more expensive", factor=ratio)
    return N_("no meaningful difference")


def tanh_gradient_cheaper() -> Verdict:
    """Backprop's tanh′ = 1 − y² vs σ′ = y(1 − y), both from the stored output y."""
    x = np.random.default_rng(0).normal(size=TIMING_SIZE)
    tanh, sig = _act("tanh"), _act("sigmoid")
    y_tanh, y_sig = tanh.f(x), sig.f(x)
    t = median_seconds({"tanh": lambda: tanh.derivative_given_output(x, y_tanh),
                        "sigmoid": lambda: sig.derivative_given_output(x, y_sig)})
    ratio = t["tanh"] / t["sigmoid"]
    verdict = "true" if ratio < CHEAPER else "false"
    ns = {k: v / TIMING_SIZE * 1e9 for k, v in t.items()}
    return Verdict(
        "tanh_gradient_cheaper", verdict,
        Text("Backprop reuses the stored output $y$: $\\tanh' = 1 - y^2$, $\\sigma' = y(1 - y)$ "
             "— one multiply and one subtract each. Median of {repeats} interleaved timings on "
             "{size:,} values: tanh′ {tanh:.2f} ns, σ′ {sigmoid:.2f} ns per value, ratio "
             "{ratio:.2f}: {words} (we call it cheaper only below {cheaper}).",
             repeats=TIMING_REPEATS, size=TIMING_SIZE, tanh=ns["tanh"], sigmoid=ns["sigmoid"],
             ratio=ratio, words=_ratio_words(ratio), cheaper=CHEAPER),
        Text("tanh′/σ′ time ratio {ratio:.2f}: {words}.", ratio=ratio,
             words=_ratio_words(ratio)),
        Evidence(np.array([1.0, 2.0]),
                 {N_("ns per value"): np.array([ns["tanh"], ns["sigmoid"]])},
                 "1 = tanh′ (1 − y²), 2 = σ′ (y(1 − y))", N_("median ns per value")),
        {"time_ratio": ratio},
    )


def hard_tanh_cheaper() -> Verdict:
    """Hard tanh vs tanh, the function and the derivative backprop uses, timed."""
    x = np.random.default_rng(0).normal(size=TIMING_SIZE)
    tanh, hard = _act("tanh"), _act("hard_tanh")
    y_tanh, y_hard = tanh.f(x), hard.f(x)
    t = median_seconds({
        "tanh": lambda: tanh.f(x), "hard tanh": lambda: hard.f(x),
        "tanh′": lambda: tanh.derivative_given_output(x, y_tanh),
        "hard tanh′": lambda: hard.derivative_given_output(x, y_hard),
    })
    forward, backward = t["hard tanh"] / t["tanh"], t["hard tanh′"] / t["tanh′"]
    cheaper = (forward < CHEAPER, backward < CHEAPER)
    verdict = "true" if all(cheaper) else ("partly" if any(cheaper) else "false")
    ns = {k: v / TIMING_SIZE * 1e9 for k, v in t.items()}
    return Verdict(
        "hard_tanh_cheaper", verdict,
        Text("Median of {repeats} interleaved timings on {size:,} values: the function — hard "
             "tanh {hard:.2f} ns vs tanh {tanh:.2f} ns per value, {forward}; the derivative "
             "backprop uses — hard tanh′ {hard_d:.2f} ns vs tanh′ = 1 − y² {tanh_d:.2f} ns, "
             "{backward} (a clip is cheaper than an exponential; two comparisons are not cheaper "
             "than one multiply). Cheaper means a ratio below {cheaper}.",
             repeats=TIMING_REPEATS, size=TIMING_SIZE, hard=ns["hard tanh"], tanh=ns["tanh"],
             forward=_ratio_words(forward), hard_d=ns["hard tanh′"], tanh_d=ns["tanh′"],
             backward=_ratio_words(backward), cheaper=CHEAPER),
        Text("Function {forward}; derivative {backward}.", forward=_ratio_words(forward),
             backward=_ratio_words(backward)),
        Evidence(np.arange(1.0, 5.0), {N_("ns per value"): np.array(
            [ns["tanh"], ns["hard tanh"], ns["tanh′"], ns["hard tanh′"]])},
                 "1 = tanh, 2 = hard tanh, 3 = tanh′, 4 = hard tanh′", N_("median ns per value")),
        {"function_ratio": forward, "derivative_ratio": backward},
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

    from .study import parse_seeds

    parser = argparse.ArgumentParser(prog="python -m lstm_core.claims", description=main.__doc__)
    parser.add_argument("--seeds", help="seed range A-B for the trained claims (default 1-20)")
    parser.add_argument("--size", choices=("default", "small", "tiny"), help="the study's budget")
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
