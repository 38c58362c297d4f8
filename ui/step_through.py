"""Cell Step-Through: page state, controls, the cached computation and the rendering.

``state = controls()`` → ``result = compute(state)`` → ``render(result)``; a setup that cannot
run shows a friendly warning and keeps the last good result of the session.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from lstm_core.activations import Activation
from lstm_core.diagnoses import Diagnosis, diagnose, saturated_mask
from lstm_core.snippet import numpy_snippet
from lstm_core.step_values import PREACTIVATION_OF, unit_values
from lstm_core.trace import Trace
from ui import charts
from ui.content import prose
from ui.run_setup import (
    CSV_KEY,
    NPZ_KEY,
    SETUP_FIELDS,
    RunSetup,
    SetupError,
    build_cell,
    build_inputs,
    collect_state,
    escape_markdown,
    load_state,
    resolve_slots,
    save_state,
    setup_controls,
    setup_of,
    show_setup_error,
    slot_choices,
    uploaded,
)
from ui.state import announce_ignored, number, widget_key
from viz import step_figures
from viz.cell_diagram import SYMBOLS

PAGE = "step_through"
LAST_GOOD = f"{PAGE}.__last_good__"
MAX_CODE_CHARS = 30_000

#: Slot → trace quantities whose pre-activations go through that slot's activation.
SLOT_QUANTITIES = {
    "LSTM": {"gate": ("input_gate", "forget_gate", "output_gate"), "candidate": ("candidate",),
             "output": ("cell_squashed",)},
    "GRU": {"gate": ("reset_gate", "update_gate"), "candidate": ("candidate",)},
    "RNN": {"activation": ("hidden",)},
}
SLOT_TITLES = {"gate": "gate activation", "candidate": "candidate activation",
               "output": "cell-output squash φ", "activation": "activation φ"}
POINT_LABELS = {"input_gate": "i", "forget_gate": "f", "output_gate": "o", "candidate": "g",
                "cell_squashed": "φ(c)", "reset_gate": "r", "update_gate": "z", "hidden": "h"}
LATEX_SYMBOLS = {"sigmoid": r"\sigma", "tanh": r"\tanh", "identity": r"\mathrm{id}",
                 "custom": r"f_{\mathrm{custom}}"}


@dataclass(frozen=True)
class StepThroughState(RunSetup):
    """The shared run setup plus this page's own controls."""

    unit: int = number(1, 1, 16, integer=True)
    epsilon: float = number(0.05, 0.001, 0.5)


@dataclass
class StepResult:
    """Everything the page draws, for one setup (cached arrays + this page's choices)."""

    setup: RunSetup
    trace: Trace
    activations: dict[str, Activation]
    diagnoses: list[Diagnosis]
    saturated: dict[str, np.ndarray]     # quantity → (T, H) bool
    curves: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]  # slot → grid, f, saturated
    snippet: str
    unit: int
    epsilon: float

    @property
    def initial_step(self) -> int:
        """The step shown first: where the state blew up, else just after T/4 (an onset)."""
        blowup = self.trace.blowup_step
        return blowup if blowup is not None else self.trace.steps // 4 + 1


# --- controls ------------------------------------------------------------------------------------


def controls() -> StepThroughState:
    """Draw the sidebar controls and return the page state (saved to the URL)."""
    load_state(StepThroughState, PAGE)
    announce_ignored(PAGE)
    with st.sidebar:
        st.subheader("Run setup")
        setup_controls(PAGE)
        st.subheader("View")
        st.number_input("Unit shown in the diagram", min_value=1, max_value=16, step=1,
                        key=widget_key(PAGE, "unit"))
        st.number_input("Saturation threshold ε (|f′| below it)", min_value=0.001,
                        max_value=0.5, step=0.01, format="%.3f", key=widget_key(PAGE, "epsilon"))
    state = collect_state(StepThroughState, PAGE)
    save_state(PAGE, state)
    return state


# --- compute -------------------------------------------------------------------------------------


def _curve_grid(pre: np.ndarray) -> np.ndarray:
    finite = pre[np.isfinite(pre)]
    lo, hi = -6.0, 6.0
    if finite.size:
        lo = min(lo, float(np.percentile(finite, 1)))
        hi = max(hi, float(np.percentile(finite, 99)))
    lo, hi = max(lo, -1e4), min(hi, 1e4)
    return np.linspace(lo * 1.05, hi * 1.05, 401)


@st.cache_data(max_entries=32, show_spinner=False)
def _run(
    setup_values: tuple, slot_ids: tuple, epsilon: float, csv: bytes | None, npz: bytes | None,
    _activations: dict[str, Activation],
):
    """The trace and everything derived from it that does not depend on the unit shown.

    ``slot_ids`` only keys the cache; ``_activations`` (not hashed by st.cache_data) carries the
    activations it names."""
    setup = RunSetup(**dict(zip(SETUP_FIELDS, setup_values, strict=True)))
    x = build_inputs(setup, csv, npz)
    cell = build_cell(setup, activations=_activations, input_size=x.shape[1], npz_data=npz)
    trace = cell.forward(x)
    saturated, curves = {}, {}
    for slot, quantities in SLOT_QUANTITIES[setup.cell_type].items():
        act = _activations[slot]
        for name in quantities:
            saturated[name] = saturated_mask(act, trace.preactivations[name], epsilon)[:, 0, :]
        pre = np.concatenate([trace.preactivations[n].ravel() for n in quantities])
        grid = _curve_grid(pre)
        with np.errstate(all="ignore"):
            curves[slot] = (grid, act.f(grid), saturated_mask(act, grid, epsilon))
    found = diagnose(trace, _activations, epsilon=epsilon)
    snippet = numpy_snippet(cell, x, setup.leaky_slope)
    trace.extras = {}  # backward is not needed here: keep the cached copy small
    return trace, found, saturated, curves, snippet


def compute(state: StepThroughState) -> StepResult:
    """Run the setup (cached); raises :class:`SetupError` with a friendly message."""
    setup = setup_of(state)
    activations = resolve_slots(slot_choices(setup), setup.leaky_slope)
    ids = tuple((slot, act.key, act.name) for slot, act in activations.items())
    csv = uploaded(CSV_KEY)[1] if setup.source == "csv" and uploaded(CSV_KEY) else None
    npz = uploaded(NPZ_KEY)[1] if setup.weights == "npz" and uploaded(NPZ_KEY) else None
    values = tuple(getattr(setup, name) for name in SETUP_FIELDS)
    trace, found, saturated, curves, snippet = _run(
        values, ids, float(state.epsilon), csv, npz, activations
    )
    unit = min(state.unit, trace.hidden.shape[2]) - 1
    return StepResult(setup, trace, activations, found, saturated, curves, snippet, unit,
                      float(state.epsilon))


def compute_or_keep(state: StepThroughState) -> StepResult | None:
    """:func:`compute`, or on bad input a warning and the session's last good result."""
    try:
        result = compute(state)
    except SetupError as err:
        last = st.session_state.get(LAST_GOOD)
        show_setup_error(err, kept_view=last is not None)
        return last
    st.session_state[LAST_GOOD] = result
    return result


# --- render --------------------------------------------------------------------------------------


def _symbols(result: StepResult) -> dict[str, str]:
    return {slot: SYMBOLS.get(act.key, "f*") for slot, act in result.activations.items()}


def _series_saturation(result: StepResult) -> dict[str, np.ndarray]:
    """Diagram-node name → (T,) bool: that slot's pre-activation is saturated for the unit."""
    return {node: result.saturated[quantity][:, result.unit]
            for node, quantity in PREACTIVATION_OF.items() if quantity in result.saturated}


def render_diagnoses(found: list[Diagnosis]) -> None:
    """Warnings as their own callouts, then every other diagnosis in one callout."""
    for diagnosis in found:
        if diagnosis.severity == "warning":
            st.warning(escape_markdown(diagnosis.message), icon=":material/warning:")
    notes = [d for d in found if d.severity != "warning"]
    if notes:
        st.info("\n".join(f"- {escape_markdown(d.message)}" for d in notes),
                icon=":material/lightbulb:")


def _latex_number(value: float, bracket: bool = True) -> str:
    """A number in LaTeX: 3 significant digits, ×10^k when large; negatives in brackets when
    it is a factor (``bracket``)."""
    if not np.isfinite(value):
        return r"\text{NaN}" if np.isnan(value) else (r"\infty" if value > 0 else r"-\infty")
    text = f"{value:.3g}" if abs(value) < 1e4 else f"{value:.2e}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = rf"{mantissa}\times 10^{{{int(exponent)}}}"
    return f"({text})" if value < 0 and bracket else text


def latex_lines(result: StepResult, t: int) -> list[str]:
    """The cell's equations at step ``t`` (from 1) for the shown unit, numbers plugged in.

    Rows of one ``aligned`` block (``&=`` marks where the rows line up): the gates two to a
    row, then each state update as its formula and, on the next row, its numbers, so the
    longest row stays short enough for the column at the default width.
    """
    tr, u, k = result.trace, result.unit, t - 1
    n = _latex_number

    def a(value: float) -> str:  # an argument or a result: needs no brackets
        return _latex_number(value, bracket=False)

    sym = {slot: LATEX_SYMBOLS.get(act.key, rf"\operatorname{{{SYMBOLS.get(act.key, 'f')}}}")
           for slot, act in result.activations.items()}
    v = unit_values(tr, u)
    pre = {name: float(arr[k, 0, u]) for name, arr in tr.preactivations.items()}
    if tr.cell_type == "LSTM":
        gate, out = sym["gate"], sym["output"]
        return [
            rf"i_t &= {gate}({a(pre['input_gate'])}) = {a(v['i'][k])}, \quad "
            rf"f_t = {gate}({a(pre['forget_gate'])}) = {a(v['f'][k])}",
            rf"g_t &= {sym['candidate']}({a(pre['candidate'])}) = {a(v['g'][k])}, \quad "
            rf"o_t = {gate}({a(pre['output_gate'])}) = {a(v['o'][k])}",
            r"c_t &= f_t\,c_{t-1} + i_t\,g_t",
            rf"&= {n(v['f'][k])}\cdot{n(v['c_prev'][k])} + {n(v['i'][k])}\cdot{n(v['g'][k])}"
            rf" = {a(v['c'][k])}",
            rf"h_t &= o_t\,{out}(c_t)",
            rf"&= {n(v['o'][k])}\cdot {out}({a(v['c'][k])}) = {a(v['h'][k])}",
        ]
    if tr.cell_type == "GRU":
        gate = sym["gate"]
        return [
            rf"r_t &= {gate}({a(pre['reset_gate'])}) = {a(v['r'][k])}, \quad "
            rf"z_t = {gate}({a(pre['update_gate'])}) = {a(v['z'][k])}",
            rf"n_t &= {sym['candidate']}({a(pre['candidate'])}) = {a(v['n'][k])}",
            r"h_t &= (1-z_t)\,n_t + z_t\,h_{t-1}",
            rf"&= {n(1.0 - v['z'][k])}\cdot{n(v['n'][k])} + {n(v['z'][k])}\cdot"
            rf"{n(v['h_prev'][k])} = {a(v['h'][k])}",
        ]
    return [rf"h_t &= {sym['activation']}({a(pre['hidden'])}) = {a(v['h'][k])}"]


def latex_block(result: StepResult, t: int) -> str:
    """:func:`latex_lines` as one ``aligned`` block (one ``st.latex`` element)."""
    return r"\begin{aligned}" + r" \\ ".join(latex_lines(result, t)) + r"\end{aligned}"


@st.fragment
def equations_panel(result: StepResult) -> None:
    """The equations with one step's numbers (its own step box reruns only this panel)."""
    steps = result.trace.steps
    key = widget_key(PAGE, "equation_step")
    if key not in st.session_state or st.session_state[key] > steps:
        st.session_state[key] = min(result.initial_step, steps)
    st.number_input(f"Equations at step t (1–{steps})", min_value=1, max_value=steps, step=1,
                    key=key)
    st.latex(latex_block(result, int(st.session_state[key])))


def _table(result: StepResult) -> pd.DataFrame:
    v = unit_values(result.trace, result.unit)
    frame = {"step": np.arange(1, result.trace.steps + 1)}
    for d in range(result.trace.x.shape[2]):
        frame[f"x{d + 1}"] = result.trace.x[:, 0, d]
    frame.update({name: arr for name, arr in v.items() if name not in ("x",)})
    return pd.DataFrame(frame)


#: Cell type → the quantities of the units × time heatmaps: (trace quantity, short name).
HEATMAP_QUANTITIES = {
    "LSTM": (("input_gate", "i"), ("forget_gate", "f"), ("output_gate", "o"), ("candidate", "g"),
             ("cell", "c"), ("hidden", "h")),
    "GRU": (("reset_gate", "r"), ("update_gate", "z"), ("candidate", "n"), ("hidden", "h")),
    "RNN": (("hidden", "h"),),
}


def render(result: StepResult) -> None:
    """Draw the page for one result: the scrubbed figure, the equations, the overview figure
    (operating points and, for H > 1, every unit over time), the data."""
    tr = result.trace
    hidden = tr.hidden.shape[2]
    render_diagnoses(result.diagnoses)
    series = unit_values(tr, result.unit)
    label = f" (unit {result.unit + 1} of {hidden})" if hidden > 1 else ""
    symbols = _symbols(result)
    fig = step_figures.step_through_figure(
        tr.cell_type, series, _series_saturation(result), symbols,
        initial_step=result.initial_step, unit_label=label,
    )
    charts.show(fig, key=f"{PAGE}.diagram", alt=(
        f"{tr.cell_type} cell diagram with the values of step {result.initial_step}, above the "
        "time series of the gates, candidate and states; a slider inside the chart picks the step."
    ))
    st.caption(prose("step_through_reading"))
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.subheader("The equations, with numbers")
        equations_panel(result)
    with right:
        st.subheader("Where each slot operates")
        st.caption(prose("step_through_curves"))
    curves = []
    for slot, quantities in SLOT_QUANTITIES[tr.cell_type].items():
        grid, curve, sat = result.curves[slot]
        points = [(POINT_LABELS[q], tr.preactivations[q][:, 0, result.unit],
                   tr.values[q][:, 0, result.unit]) for q in quantities]
        curves.append(dict(title=f"{SLOT_TITLES[slot]}: {symbols[slot]}", grid=grid,
                           curve=curve, saturated=sat, points=points))
    units = [(short, f"{short}: unit", tr.values[q][:, 0, :])
             for q, short in HEATMAP_QUANTITIES[tr.cell_type]] if hidden > 1 else []
    charts.show(step_figures.overview_figure(curves, result.epsilon, units),
                key=f"{PAGE}.overview", alt=(
                    "Each slot's activation curve with this run's pre-activations drawn on it; "
                    "saturated regions shaded" + (f"; below, units × time heatmaps of all {hidden} "
                                                  "units" if hidden > 1 else "") + "."))
    render_data(result)


@st.fragment
def render_data(result: StepResult) -> None:
    """The trace table with CSV download, and the NumPy snippet.

    Drawn only while its expander is open (opening it reruns just this fragment): closed, the
    table and the code cost no server or browser time on every other rerun.
    """
    box = st.expander("The data: trace table and NumPy code", key=widget_key(PAGE, "data"),
                      on_change="rerun")
    if not box.open:
        return
    with box:
        table = _table(result)
        st.dataframe(table, hide_index=True, height=280)
        trace = result.trace
        st.download_button(
            "Download the whole trace (CSV, every unit)", data=lambda: trace.to_frame().to_csv(
                index=False).encode("utf-8"),
            file_name="lstm-lens-trace.csv", mime="text/csv", on_click="ignore",
            key=f"{PAGE}.download_trace",
        )
        st.markdown("**Copy as NumPy code**: this script reproduces this exact run.")
        if len(result.snippet) <= MAX_CODE_CHARS:
            st.code(result.snippet, language="python")
        else:
            st.caption(f"The script embeds the inputs and weights ({len(result.snippet):,} "
                       "characters): download it instead of copying.")
        st.download_button("Download the script (.py)", data=result.snippet.encode("utf-8"),
                           file_name="lstm_lens_run.py", mime="text/x-python",
                           on_click="ignore", key=f"{PAGE}.download_code")
