"""Cell Step-Through: page state, controls, the cached computation and the rendering.

``state = controls()`` → ``result = compute(state)`` → ``render(result)``; a setup that cannot
run shows a friendly warning and keeps the last good result of the session.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from i18n import N_, _
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
    show_input_note,
    show_setup_error,
    slot_choices,
    uploaded,
)
from ui.state import announce_ignored, number, widget_key
from ui.teacher import teacher_mode
from viz import step_figures
from viz.cell_diagram import SYMBOLS

PAGE = "step_through"
MAX_STEP = 100_000
#: Keeps ``?step=`` in the address bar in step with the chart's slider and play buttons, in the
#: browser (no rerun); the next run reads it back (see :func:`controls`).
STEP_SYNC_JS = (Path(__file__).parent / "static" / "step_sync.js").read_text(encoding="utf-8")
LAST_GOOD = f"{PAGE}.__last_good__"
MAX_CODE_CHARS = 30_000

#: Slot → trace quantities whose pre-activations go through that slot's activation.
SLOT_QUANTITIES = {
    "LSTM": {"gate": ("input_gate", "forget_gate", "output_gate"), "candidate": ("candidate",),
             "output": ("cell_squashed",)},
    "GRU": {"gate": ("reset_gate", "update_gate"), "candidate": ("candidate",)},
    "RNN": {"activation": ("hidden",)},
}
SLOT_TITLES = {"gate": N_("gate activation"), "candidate": N_("candidate activation"),
               "output": N_("cell-output squash φ"), "activation": N_("activation φ")}
POINT_LABELS = {"input_gate": "i", "forget_gate": "f", "output_gate": "o", "candidate": "g",
                "cell_squashed": "φ(c)", "reset_gate": "r", "update_gate": "z", "hidden": "h"}
LATEX_SYMBOLS = {"sigmoid": r"\sigma", "tanh": r"\tanh", "identity": r"\mathrm{id}",
                 "custom": r"f_{\mathrm{custom}}"}


@dataclass(frozen=True)
class StepThroughState(RunSetup):
    """The shared run setup plus this page's own controls."""

    unit: int = number(1, 1, 16, integer=True)
    epsilon: float = number(0.05, 0.001, 0.5)
    #: The step shown in the chart (0: chosen for you); the chart's slider keeps it in the URL.
    step: int = number(0, 0, MAX_STEP, integer=True)


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
    step: int = 0

    @property
    def initial_step(self) -> int:
        """The step shown first: where the state blew up, else just after T/4 (an onset)."""
        blowup = self.trace.blowup_step
        return blowup if blowup is not None else self.trace.steps // 4 + 1

    @property
    def shown_step(self) -> int:
        """The link's step when the run has it, else :attr:`initial_step`."""
        return self.step if 1 <= self.step <= self.trace.steps else self.initial_step


# --- controls ------------------------------------------------------------------------------------


def controls() -> StepThroughState:
    """Draw the sidebar controls and return the page state (saved to the URL)."""
    load_state(StepThroughState, PAGE)
    announce_ignored(PAGE)
    with st.sidebar:
        st.header(_("Run setup"))
        setup_controls(PAGE)
        st.header(_("View"))
        st.number_input(_("Unit shown in the diagram"), min_value=1, max_value=16, step=1,
                        key=widget_key(PAGE, "unit"))
        st.number_input(_("Saturation threshold ε (|f′| below it)"), min_value=0.001,
                        max_value=0.5, step=0.01, format="%.3f", key=widget_key(PAGE, "epsilon"))
    _adopt_linked_step()
    state = collect_state(StepThroughState, PAGE)
    save_state(PAGE, state)
    st.html(f"<script>{STEP_SYNC_JS}</script>", unsafe_allow_javascript=True)
    return state


def _adopt_linked_step() -> None:
    """Take the step the chart last wrote into the URL (the browser sends it with each run)."""
    raw = st.query_params.get("step")
    if raw is None:
        return
    parsed, _ignored = StepThroughState.from_query({"step": raw})
    st.session_state[widget_key(PAGE, "step")] = parsed.step


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
                      float(state.epsilon), int(state.step))


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
            st.warning(escape_markdown(_(diagnosis.message)), icon=":material/warning:")
    notes = [d for d in found if d.severity != "warning"]
    if notes:
        st.info("\n".join(f"- {escape_markdown(_(d.message))}" for d in notes),
                icon=":material/lightbulb:")


def equation_block(result: StepResult) -> str:
    """The cell's equations with this run's activation in each slot, as one LaTeX ``aligned``
    block. Their numbers at the step chosen in the chart are printed in the diagram, so that
    one slider moves everything (no second "current step")."""
    sym = {slot: LATEX_SYMBOLS.get(act.key, rf"\operatorname{{{SYMBOLS.get(act.key, 'f')}}}")
           for slot, act in result.activations.items()}
    z = r"(W_{%s}\,[x_t, h_{t-1}] + b_{%s})"
    if result.trace.cell_type == "LSTM":
        gate = sym["gate"]
        rows = [rf"i_t &= {gate}{z % ('i', 'i')}", rf"f_t &= {gate}{z % ('f', 'f')}",
                rf"g_t &= {sym['candidate']}{z % ('g', 'g')}", rf"o_t &= {gate}{z % ('o', 'o')}",
                r"c_t &= f_t \odot c_{t-1} + i_t \odot g_t",
                rf"h_t &= o_t \odot {sym['output']}(c_t)"]
    elif result.trace.cell_type == "GRU":
        gate = sym["gate"]
        rows = [rf"r_t &= {gate}{z % ('r', 'r')}", rf"z_t &= {gate}{z % ('z', 'z')}",
                rf"n_t &= {sym['candidate']}(W_{{in}} x_t + b_{{in}} + r_t \odot "
                r"(W_{hn} h_{t-1} + b_{hn}))",
                r"h_t &= (1 - z_t) \odot n_t + z_t \odot h_{t-1}"]
    else:
        rows = [rf"h_t &= {sym['activation']}{z % ('h', 'h')}"]
    return r"\begin{aligned}" + r" \\ ".join(rows) + r"\end{aligned}"


#: Trace-table columns named by a word (the others are symbols: x1, h_prev, i, c…).
COLUMN_WORDS = {"keep": N_("keep"), "write": N_("write"), "squashed": N_("squashed"),
                "pre": N_("pre")}


def _table(result: StepResult) -> pd.DataFrame:
    v = unit_values(result.trace, result.unit)
    frame = {_("step"): np.arange(1, result.trace.steps + 1)}
    for d in range(result.trace.x.shape[2]):
        frame[f"x{d + 1}"] = result.trace.x[:, 0, d]
    frame.update({_(COLUMN_WORDS[name]) if name in COLUMN_WORDS else name: arr
                  for name, arr in v.items() if name not in ("x",)})
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
    show_input_note(result.setup)
    render_diagnoses(result.diagnoses)
    diagram(result, key=f"{PAGE}.diagram")
    st.caption(prose("step_through_reading"))
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.header(_("The equations"))
        st.latex(equation_block(result))
        st.caption(prose("step_through_equations"))
    with right:
        st.header(_("Where each slot operates"))
        st.caption(prose("step_through_curves"))
    overview(result, key=f"{PAGE}.overview")
    render_data(result)


def diagram(result: StepResult, key: str) -> None:
    """The cell diagram above the time series, scrubbed inside the chart (chart key ``key``)."""
    tr = result.trace
    hidden = tr.hidden.shape[2]
    series = unit_values(tr, result.unit)
    label = (_(" (unit {unit} of {units})").format(unit=result.unit + 1, units=hidden)
             if hidden > 1 else "")
    fig = step_figures.step_through_figure(
        tr.cell_type, series, _series_saturation(result), _symbols(result),
        initial_step=result.shown_step, unit_label=label, large_text=teacher_mode(),
    )
    charts.show(fig, key=key, alt=_(
        "{cell} cell diagram with the values of step {step}, above the time series of the "
        "gates, candidate and states; a slider inside the chart picks the step."
    ).format(cell=tr.cell_type, step=result.shown_step))


def overview(result: StepResult, key: str, side_by_side: bool = True) -> None:
    """Each slot's curve with the run's operating points (chart keys ``key.<slot>``), and
    (H > 1) the units × time heatmaps (``key.units``).

    One small chart per slot, ``side_by_side`` in columns: a wide screen shows them in a row,
    a phone stacks the columns, one full-width curve per row (three panels in one figure were
    ~70 px wide each there, their titles running into each other). In a page column (a
    lesson) they are always stacked: three columns inside it would be ~100 px wide.
    """
    tr = result.trace
    hidden = tr.hidden.shape[2]
    symbols = _symbols(result)
    slots = SLOT_QUANTITIES[tr.cell_type]
    colour = 0  # the operating points' series styles run on from one slot's chart to the next
    places = st.columns(len(slots)) if side_by_side else [st.container() for _slot in slots]
    for k, (place, (slot, quantities)) in enumerate(zip(places, slots.items(), strict=True)):
        grid, curve, sat = result.curves[slot]
        points = [(POINT_LABELS[q], tr.preactivations[q][:, 0, result.unit],
                   tr.values[q][:, 0, result.unit]) for q in quantities]
        title = _("{title}: {symbol}").format(title=_(SLOT_TITLES[slot]), symbol=symbols[slot])
        panel = dict(title=title, grid=grid, curve=curve, saturated=sat, points=points)
        with place:
            charts.show(step_figures.overview_figure([panel], result.epsilon,
                                                     shared_legend=k == 0,
                                                     first_colour=colour),
                        key=f"{key}.{slot}", alt=_(
                            "{title}: the activation curve with this run's pre-activations "
                            "({points}) drawn on it; saturated regions shaded.").format(
                                title=title, points=", ".join(p[0] for p in points)))
        colour += len(points)
    if hidden > 1:
        units = [(short, _("{name}: unit").format(name=short), tr.values[q][:, 0, :])
                 for q, short in HEATMAP_QUANTITIES[tr.cell_type]]
        charts.show(step_figures.overview_figure([], result.epsilon, units),
                    key=f"{key}.units", alt=_(
                        "Units × time heatmaps of all {units} units.").format(units=hidden))


def lesson_view(params: dict[str, str], key: str, below: DeltaGenerator | None = None) -> None:
    """A lesson's run (link ``params``): the diagram and where each slot operates (chart keys
    from ``key``), and the diagnoses in ``below`` (full width)."""
    state, _ignored = StepThroughState.from_query(params)
    result = compute(state)
    with below if below is not None else st.container():
        render_diagnoses(result.diagnoses)
    diagram(result, key=f"{key}.diagram")
    overview(result, key=f"{key}.overview", side_by_side=False)


@st.fragment
def render_data(result: StepResult) -> None:
    """The trace table with CSV download, and the NumPy snippet.

    Drawn only while its expander is open (opening it reruns just this fragment): closed, the
    table and the code cost no server or browser time on every other rerun.
    """
    box = st.expander(_("The data: trace table and NumPy code"), key=widget_key(PAGE, "data"),
                      on_change="rerun")
    if not box.open:
        return
    with box:
        table = _table(result)
        st.dataframe(table, hide_index=True, height=280)
        trace = result.trace
        st.download_button(
            _("Download the whole trace (CSV, every unit)"), data=lambda: trace.to_frame().to_csv(
                index=False).encode("utf-8"),
            file_name="lstm-lens-trace.csv", mime="text/csv", on_click="ignore",
            key=f"{PAGE}.download_trace",
        )
        st.markdown(_("**Copy as NumPy code**: this script reproduces this exact run."))
        if len(result.snippet) <= MAX_CODE_CHARS:
            st.code(result.snippet, language="python")
        else:
            st.caption(_("The script embeds the inputs and weights ({count:,} characters): "
                         "download it instead of copying.").format(count=len(result.snippet)))
        st.download_button(_("Download the script (.py)"), data=result.snippet.encode("utf-8"),
                           file_name="lstm_lens_run.py", mime="text/x-python",
                           on_click="ignore", key=f"{PAGE}.download_code")
