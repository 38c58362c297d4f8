"""Short, computed statements about one run of a cell, each made only when it holds.

``diagnose(trace, activations)`` looks at a :class:`~lstm_core.trace.Trace` and the cell's slot
activations (``cell.activations``) and returns a list of :class:`Diagnosis`. Every message
quotes numbers measured in this run. The kinds:

``nonnegative_state``   LSTM: gates and candidate can only output ≥ 0 and c₀ ≥ 0 ⇒ c_t ≥ 0
                        (GRU: the same for h with h₀ ≥ 0); stated only if the run agrees.
``blowup``              the cell state (LSTM) or hidden state passed 10⁶ or became non-finite
                        at step k (with the candidate/activation and the mean forget/update gate).
``saturated_<slot>``    at least ``report_fraction`` of a slot's pre-activations lie where
                        |f′(x)| < ε (a saturated or flat region: less than ε of the gradient
                        reaching the slot passes to its pre-activation).
``unbounded_hidden``    the output squash (LSTM), candidate (GRU) or activation (RNN) is unbounded
                        ⇒ h is not bounded.
``gate_outside_unit``   a gate took values outside [0, 1] (not a "fraction let through").
``long_memory``         LSTM: the forget gate stays ≥ 0.9 on average (geometric mean over steps and
                        units), so the cell keeps a fraction 1/e of what it holds for ≈ τ steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from i18n import N_, Text

from .activations import Activation
from .trace import BLOWUP_BOUND, Trace

#: |f′(x)| below this counts as saturated (the Activation Lab's default).
EPSILON = 0.05
#: A slot is reported as saturated when at least this fraction of its pre-activations is.
REPORT_FRACTION = 0.25
#: Geometric-mean forget gate from which ``long_memory`` is reported.
LONG_MEMORY_FORGET = 0.9

GATE_NAMES = {
    "LSTM": ("input_gate", "forget_gate", "output_gate"),
    "GRU": ("reset_gate", "update_gate"),
    "RNN": (),
}
_SHORT = {"input_gate": "input", "forget_gate": "forget", "output_gate": "output",
          "reset_gate": "reset", "update_gate": "update"}


@dataclass(frozen=True)
class Diagnosis:
    """One statement about a run: ``kind`` (stable id), ``message`` (with numbers), ``severity``
    ("info" or "warning"), and the step t (from 1) it refers to, if any."""

    kind: str
    message: str
    severity: str = "info"
    step: int | None = None


def percent(fraction: float) -> str:
    """A fraction as a whole percentage, never rounding a non-zero share to 0 % or 100 %."""
    value = 100.0 * fraction
    if 0 < value < 1:
        return Text("< 1 %")
    if 99 < value < 100:
        return Text("> 99 %")
    return Text("{value:.0f} %", value=value)


def num(value: float) -> str:
    """A number as shown in messages: 3 significant digits, typographic minus."""
    if not np.isfinite(value):
        return "NaN" if np.isnan(value) else ("∞" if value > 0 else "−∞")
    text = f"{value:.3g}" if abs(value) < 1e4 else f"{value:.2e}"
    return text.replace("-", "−")


def saturated_mask(activation: Activation, pre: np.ndarray, epsilon: float = EPSILON):
    """True where |f′(pre)| < ε (non-finite pre-activations count as saturated)."""
    with np.errstate(all="ignore"):
        slope = np.abs(activation.d1(pre))
        return ~(slope >= epsilon)


def diagnose(
    trace: Trace,
    activations: Mapping[str, Activation],
    *,
    epsilon: float = EPSILON,
    report_fraction: float = REPORT_FRACTION,
    bound: float = BLOWUP_BOUND,
) -> list[Diagnosis]:
    """Every diagnosis that holds for ``trace`` run with the slot ``activations``."""
    kind = trace.cell_type
    found: list[Diagnosis] = []
    with np.errstate(all="ignore"):
        found += _blowup(trace, activations, bound)
        found += _nonnegative(trace, activations)
        found += _unbounded_hidden(trace, activations)
        found += _gate_outside_unit(trace, activations)
        found += _saturation(trace, activations, epsilon, report_fraction)
        if kind == "LSTM":
            found += _long_memory(trace)
    return found


def _blowup(trace: Trace, acts: Mapping[str, Activation], bound: float) -> list[Diagnosis]:
    name = "cell" if trace.cell_type == "LSTM" else "hidden"
    step = trace.first_step_over(name, bound)
    if step is None:
        return []
    values = trace.values[name][step - 1]
    what = N_("cell state") if name == "cell" else N_("hidden state")
    limit = "10⁶" if bound == 1e6 else num(bound)
    if np.isfinite(values).all():
        overflow = trace.first_nonfinite_step(name)
        if overflow is not None:
            event = Text("The {what} passed {limit} at step {step} and overflowed to ∞ or NaN at "
                         "step {overflow}", what=what, limit=limit, step=step, overflow=overflow)
        else:
            event = Text("The {what} passed {limit} at step {step}", what=what, limit=limit,
                         step=step)
    else:
        event = Text("The {what} stopped being a finite number (overflow to ∞ or NaN) at step "
                     "{step}", what=what, step=step)
    if trace.cell_type in ("LSTM", "GRU"):
        gate_name = "forget" if trace.cell_type == "LSTM" else "update"
        gate = trace.values[f"{gate_name}_gate"][:step]
        finite = gate[np.isfinite(gate)]  # all NaN when the weights themselves overflow
        average = (Text("≈ {mean} on average over steps 1–{step}", mean=num(float(finite.mean())),
                        step=step) if finite.size
                   else Text("not a finite number at steps 1–{step}", step=step))
        candidate = acts["candidate"].name
        detail = (Text(" ({candidate} candidate, forget gate {average})", candidate=candidate,
                       average=average) if gate_name == "forget"
                  else Text(" ({candidate} candidate, update gate {average})",
                            candidate=candidate, average=average))
    else:
        detail = Text(" ({name} activation)", name=acts["activation"].name)
    message = Text("{event}{detail}. Nothing bounds the state: after that its numbers no longer "
                   "carry meaning.", event=event, detail=detail)
    return [Diagnosis("blowup", message, "warning", step)]


def _nonnegative(trace: Trace, acts: Mapping[str, Activation]) -> list[Diagnosis]:
    gate, candidate = acts.get("gate"), acts.get("candidate")
    if gate is None or candidate is None or trace.cell_type == "RNN":
        return []
    if candidate.output_range[0] < 0 or gate.output_range[0] < 0:
        return []
    if trace.cell_type == "LSTM":
        state, start = trace.values["cell"], trace.c0
        template = N_("Candidate is {candidate}: the cell can only write non-negative amounts "
                    "(i_t·g_t ≥ 0) and f_t ≥ 0 keeps the sign, so with c₀ ≥ 0 the cell state "
                    "never goes negative (smallest c in this run: {smallest}). It can only count "
                    "up and leak away, never hold a negative memory.")
    else:
        if gate.output_range[1] > 1:  # h = (1 − z) n + z h_prev needs z in [0, 1]
            return []
        state, start = trace.hidden, trace.h0
        template = N_("Candidate is {candidate}: h_t mixes a non-negative candidate with h_{{t−1}} "
                    "using weights in [0, 1], so with h₀ ≥ 0 the hidden state never goes "
                    "negative (smallest h in this run: {smallest}). It can only count up and "
                    "leak away, never hold a negative memory.")
    if start is None or not (start >= 0).all() or not (state >= 0).all():
        return []
    message = Text(template, candidate=candidate.name, smallest=num(float(state.min())))
    return [Diagnosis("nonnegative_state", message)]


def _unbounded_hidden(trace: Trace, acts: Mapping[str, Activation]) -> list[Diagnosis]:
    slot = {"LSTM": "output", "GRU": "candidate", "RNN": "activation"}[trace.cell_type]
    act = acts[slot]
    if act.bounded:
        return []
    role = {"output": N_("Output squash"), "candidate": N_("Candidate"),
            "activation": N_("Activation")}[slot]
    largest = float(np.nanmax(np.abs(trace.hidden))) if np.isfinite(trace.hidden).any() else np.inf
    if not np.isfinite(trace.hidden).all():
        largest = np.inf
    message = Text("{role} is {name}, which has no bound: h can grow (largest |h| in this run "
                   "{largest}), and the next step and the next layer get h as it is.",
                   role=role, name=act.name, largest=num(largest))
    return [Diagnosis("unbounded_hidden", message, "warning")]


def _gate_outside_unit(trace: Trace, acts: Mapping[str, Activation]) -> list[Diagnosis]:
    gate = acts.get("gate")
    names = GATE_NAMES[trace.cell_type]
    if gate is None or not names:
        return []
    values = np.stack([trace.values[n] for n in names])
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return []
    lo, hi = float(finite.min()), float(finite.max())
    if lo >= 0.0 and hi <= 1.0:
        return []
    outside = float(((finite < 0) | (finite > 1)).mean())
    message = Text("Gate activation is {name}: gate values ranged from {lo} to {hi} ({share} "
                   "outside [0, 1]). A gate outside [0, 1] is no longer “how much to let "
                   "through”: it can flip signs or amplify.", name=gate.name, lo=num(lo),
                   hi=num(hi), share=percent(outside))
    return [Diagnosis("gate_outside_unit", message, "warning")]


def _saturation(
    trace: Trace, acts: Mapping[str, Activation], epsilon: float, report_fraction: float
) -> list[Diagnosis]:
    slots: dict[str, tuple[str, ...]] = {}
    if trace.cell_type == "LSTM":
        slots = {"gate": GATE_NAMES["LSTM"], "candidate": ("candidate",),
                 "output": ("cell_squashed",)}
    elif trace.cell_type == "GRU":
        slots = {"gate": GATE_NAMES["GRU"], "candidate": ("candidate",)}
    else:
        slots = {"activation": ("hidden",)}
    found = []
    for slot, names in slots.items():
        act = acts[slot]
        masks = {n: saturated_mask(act, trace.preactivations[n], epsilon) for n in names}
        total = float(np.mean([m.mean() for m in masks.values()]))
        if total < report_fraction or total == 0.0:
            continue
        label = {"gate": N_("gate"), "candidate": N_("candidate"),
                 "output": N_("cell-output squash"), "activation": N_("activation")}[slot]
        parts = (_gate_shares({_SHORT[n]: percent(float(m.mean())) for n, m in masks.items()})
                 if len(names) > 1 else "")
        message = Text("{share} of {label} pre-activations lie where {name}'s slope is "
                       "below {epsilon:g} (|f′| < ε: its flat or saturated region){parts}: "
                       "there the output barely responds to its input, and less than "
                       "{epsilon:g} of the gradient arriving at the slot passes back to its "
                       "pre-activation.", share=percent(total), label=label,
                       name=act.name, epsilon=epsilon, parts=parts)
        found.append(Diagnosis(f"saturated_{slot}", message))
    return found


def _gate_shares(shares: dict[str, str]) -> str:
    """" (input 30 %, forget 2 %, output 0 %)": each gate's share, for a slot of several
    gates."""
    if list(shares) == ["input", "forget", "output"]:
        return Text(" (input {input}, forget {forget}, output {output})", **shares)
    if list(shares) == ["reset", "update"]:
        return Text(" (reset {reset}, update {update})", **shares)
    return " (" + ", ".join(f"{name} {share}" for name, share in shares.items()) + ")"


def _long_memory(trace: Trace) -> list[Diagnosis]:
    forget = trace.values["forget_gate"]
    if not np.isfinite(forget).all() or (forget <= 0).any():
        return []
    log_mean = float(np.mean(np.log(forget)))
    geometric = float(np.exp(log_mean))
    if geometric < LONG_MEMORY_FORGET or geometric > 1.0:
        return []
    if log_mean == 0.0:
        message = Text("The forget gate stays near 1 (geometric mean {mean}): what the cell "
                       "stores fades to 1/e in forever. This is the LSTM's long memory.",
                       mean=num(geometric))
    else:
        message = Text("The forget gate stays near 1 (geometric mean {mean}): what the cell "
                       "stores fades to 1/e in about {steps} steps. This is the LSTM's long "
                       "memory.", mean=num(geometric), steps=num(-1.0 / log_mean))
    return [Diagnosis("long_memory", message)]
