"""Compare Trajectories page: one input and one set of weights, 2–6 configurations.

The input sequence and weights are the shared run setup (``ui.run_setup``, the same controls as
the Cell Step-Through, carried across pages in session state). Each configuration is a cell type
plus an activation per slot; presets fill them in.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, make_dataclass

import numpy as np
import pandas as pd
import streamlit as st

from lstm_core.activations import Activation
from lstm_core.diagnoses import Diagnosis, diagnose, num
from lstm_core.experiments import TrajectorySummary, memory_name, run_cells, summarize
from ui.activation_picker import CUSTOM, activation_label, activation_options, custom_expression
from ui.charts import show
from ui.gradient_flow import keep_valid_choice
from ui.run_setup import (
    ACTIVATION_KEYS,
    CSV_KEY,
    NPZ_KEY,
    SLOT_FIELDS,
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
    show_setup_error,
    uploaded,
)
from ui.state import choice, number, widget_key
from viz.compare_figures import Trajectory, trajectories_figure

PAGE = "compare"
MAX_CONFIGS = 6
CELL_CHOICES = ("LSTM", "GRU", "RNN")
#: The per-configuration fields: cell type, then the activation of each slot. A plain RNN's
#: activation φ is held in ``candidate``.
CONFIG_FIELDS = ("cell", "gate", "candidate", "output")
SLOT_LABELS = {"gate": "gates σ", "candidate": "candidate (RNN φ)", "output": "output squash"}

#: Preset name → (cell type, gate, candidate, output); unused slots keep the textbook choice.
PRESETS: dict[str, tuple[str, str, str, str]] = {
    "textbook (σ, tanh, tanh)": ("LSTM", "sigmoid", "tanh", "tanh"),
    "sigmoid candidate": ("LSTM", "sigmoid", "sigmoid", "tanh"),
    "ReLU candidate and output": ("LSTM", "sigmoid", "relu", "relu"),
    "hard tanh": ("LSTM", "sigmoid", "hard_tanh", "hard_tanh"),
    "no output squash": ("LSTM", "sigmoid", "tanh", "identity"),
    "GRU": ("GRU", "sigmoid", "tanh", "tanh"),
}
CUSTOM_PRESET = "custom"


def _field(k: int, name: str) -> str:
    return f"c{k}_{name}"


def _config_fields() -> list[tuple[str, type, object]]:
    specs: list[tuple[str, type, object]] = [
        ("count", int, number(MAX_CONFIGS, 2, MAX_CONFIGS, integer=True)),
        ("unit", int, number(1, 1, 16, integer=True)),
    ]
    for k, values in enumerate(PRESETS.values(), start=1):
        cell, *slots = values
        specs.append((_field(k, "cell"), str, choice(cell, CELL_CHOICES)))
        for name, default in zip(CONFIG_FIELDS[1:], slots, strict=True):
            specs.append((_field(k, name), str, choice(default, ACTIVATION_KEYS)))
    return specs


#: The page state: the shared run setup plus ``count``, ``unit`` and, for k = 1 … 6,
#: ``c{k}_cell``, ``c{k}_gate``, ``c{k}_candidate``, ``c{k}_output`` (defaults: the presets).
CompareState = make_dataclass("CompareState", _config_fields(), bases=(RunSetup,), frozen=True)
CompareState.__module__ = __name__


@dataclass(frozen=True)
class Configuration:
    """One configuration: cell type and slot activation keys (slot → key)."""

    cell_type: str
    slots: tuple[tuple[str, str], ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(key for _, key in self.slots)


def configurations(state) -> list[Configuration]:
    """The state's first ``count`` configurations."""
    found = []
    for k in range(1, state.count + 1):
        cell = getattr(state, _field(k, "cell"))
        chosen = {name: getattr(state, _field(k, name)) for name in CONFIG_FIELDS[1:]}
        if cell == "RNN":
            slots = (("activation", chosen["candidate"]),)
        else:
            slots = tuple((slot, chosen[slot]) for slot in SLOT_FIELDS[cell])
        found.append(Configuration(cell, slots))
    return found


def preset_of(cell: str, gate: str, candidate: str, output: str) -> str:
    """The preset these choices match (slots the cell type does not use are ignored)."""
    for name, (p_cell, p_gate, p_cand, p_out) in PRESETS.items():
        if p_cell != cell:
            continue
        used = {"LSTM": (gate == p_gate, candidate == p_cand, output == p_out),
                "GRU": (gate == p_gate, candidate == p_cand),
                "RNN": (candidate == p_cand,)}[cell]
        if all(used):
            return name
    return CUSTOM_PRESET


def _short(key: str) -> str:
    return {"sigmoid": "σ", "hard_sigmoid": "hard σ", "identity": "id"}.get(
        key, activation_label(key) if key != CUSTOM else "custom"
    )


def describe(config: Configuration) -> str:
    """A configuration's name: its preset's, or the cell type and slot activations."""
    chosen = dict(config.slots)
    if config.cell_type == "RNN":
        return f"RNN (φ = {_short(chosen['activation'])})"
    values = [chosen.get(s, "tanh") for s in ("gate", "candidate", "output")]
    name = preset_of(config.cell_type, *values)
    if name != CUSTOM_PRESET:
        return name
    return f"{config.cell_type} ({', '.join(_short(k) for _, k in config.slots)})"


# --- controls ------------------------------------------------------------------------------------


def _apply_preset(k: int) -> None:
    """Preset selectbox callback: fill configuration k's cell type and slots."""
    name = st.session_state.get(widget_key(PAGE, f"c{k}_preset"))
    if name not in PRESETS:
        return
    for field_name, value in zip(CONFIG_FIELDS, PRESETS[name], strict=True):
        st.session_state[widget_key(PAGE, _field(k, field_name))] = value


def _configuration_controls(k: int, options: list[str]) -> None:
    key = lambda name: widget_key(PAGE, _field(k, name))
    values = [st.session_state.get(key(name)) for name in CONFIG_FIELDS]
    st.session_state[widget_key(PAGE, f"c{k}_preset")] = preset_of(*values)
    st.selectbox(f"Configuration {k}", [*PRESETS, CUSTOM_PRESET],
                 key=widget_key(PAGE, f"c{k}_preset"), on_change=_apply_preset, args=(k,))
    st.selectbox("cell type", CELL_CHOICES, key=key("cell"))
    cell = st.session_state.get(key("cell"), "LSTM")
    used = {"LSTM": ("gate", "candidate", "output"), "GRU": ("gate", "candidate"),
            "RNN": ("candidate",)}[cell]
    for name in CONFIG_FIELDS[1:]:
        st.selectbox(SLOT_LABELS[name], options, format_func=activation_label, key=key(name),
                     disabled=name not in used)


def controls():
    """Draw the setup (sidebar) and configuration controls; returns the state and messages."""
    load_state(CompareState, PAGE)
    defaults = CompareState()
    messages = []
    for k in range(1, MAX_CONFIGS + 1):
        for name in CONFIG_FIELDS[1:]:
            message = keep_valid_choice(widget_key(PAGE, _field(k, name)),
                                        getattr(defaults, _field(k, name)))
            if message:
                messages.append(f"Configuration {k}: {message}")
    with st.sidebar:
        st.subheader("Input and weights")
        st.caption("Shared with the Cell Step-Through page.")
        setup_controls(PAGE, cell_controls=False)
    options = activation_options()
    with st.expander("Configurations (the first one is the reference)", expanded=True):
        left, right = st.columns([3, 1])
        with left:
            st.slider("Number of configurations", 2, MAX_CONFIGS,
                      key=widget_key(PAGE, "count"))
        with right:
            st.number_input("Unit shown in the figure", 1, 16, step=1,
                            key=widget_key(PAGE, "unit"))
        count = st.session_state.get(widget_key(PAGE, "count"), MAX_CONFIGS)
        for k, column in enumerate(st.columns(MAX_CONFIGS), start=1):
            if k <= count:
                with column:
                    _configuration_controls(k, options)
    state = collect_state(CompareState, PAGE)
    save_state(PAGE, state)
    return state, messages


# --- computation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConfigurationRun:
    """One configuration's outcome: its curves (T, H), table row and diagnoses, or an error."""

    label: str
    cell_type: str
    memory: np.ndarray | None = None
    hidden: np.ndarray | None = None
    summary: TrajectorySummary | None = None
    diagnoses: tuple[Diagnosis, ...] = ()
    error: str | None = None


def _digest(target: str) -> str | None:
    kept = uploaded(target)
    return hashlib.sha256(kept[1]).hexdigest() if kept else None


@st.cache_data(max_entries=32, show_spinner=False)
def _compute(
    setup_key: tuple, plain_configs: tuple, custom_text: str | None, epsilon: float,
    _x: np.ndarray, _cells: tuple[object, ...],
) -> tuple[ConfigurationRun, ...]:
    configs = [Configuration(cell_type, slots) for cell_type, slots in plain_configs]
    labels = [f"{k}. {describe(c)}" for k, c in enumerate(configs, start=1)]
    runnable = [k for k, cell in enumerate(_cells) if not isinstance(cell, str)]
    traces = run_cells([_cells[k] for k in runnable], _x)
    by_index = dict(zip(runnable, traces, strict=True))
    runs = []
    for k, (config, cell) in enumerate(zip(configs, _cells, strict=True)):
        if isinstance(cell, str):
            runs.append(ConfigurationRun(labels[k], config.cell_type, error=cell))
            continue
        trace = by_index[k]
        runs.append(ConfigurationRun(
            label=labels[k],
            cell_type=config.cell_type,
            memory=np.array(trace.values[memory_name(config.cell_type)][:, 0, :]),
            hidden=np.array(trace.hidden[:, 0, :]),
            summary=summarize(cell, trace, epsilon),
            diagnoses=tuple(diagnose(trace, cell.activations, epsilon=epsilon)),
        ))
    return tuple(runs)


def compute(state, epsilon: float) -> tuple[ConfigurationRun, ...]:
    """Run every configuration on the setup's input (cached). Raises :class:`SetupError` when
    the input cannot be built; a configuration whose cell cannot be built carries its error."""
    setup = RunSetup(**{name: getattr(state, name) for name in RunSetup.__dataclass_fields__})
    x = build_inputs(setup)
    configs = tuple(configurations(state))
    cells: list[object] = []
    for config in configs:
        try:
            acts: dict[str, Activation] = resolve_slots(dict(config.slots), setup.leaky_slope)
            cells.append(build_cell(setup, config.cell_type, acts, input_size=x.shape[1]))
        except SetupError as err:
            cells.append(str(err))
    uses_custom = any(CUSTOM in c.keys for c in configs)
    setup_key = (tuple(sorted(setup.to_query().items())), _digest(CSV_KEY), _digest(NPZ_KEY))
    plain = tuple((c.cell_type, c.slots) for c in configs)
    return _compute(setup_key, plain, custom_expression() if uses_custom else None,
                    float(epsilon), _x=x, _cells=tuple(cells))


def compute_or_last_good(state, epsilon: float) -> tuple[ConfigurationRun, ...] | None:
    """:func:`compute`, or — with a friendly warning — the last good runs when the setup
    cannot be used (None if there are none yet)."""
    store = f"{PAGE}.__last_good__"
    try:
        runs = compute(state, epsilon)
    except SetupError as err:
        runs = st.session_state.get(store)
        show_setup_error(err, runs is not None)
        return runs
    st.session_state[store] = runs
    return runs


# --- rendering -----------------------------------------------------------------------------------


def summary_frame(runs: tuple[ConfigurationRun, ...]) -> pd.DataFrame:
    """The comparison table, one row per configuration that ran."""
    rows = []
    for run in runs:
        s = run.summary
        if s is None:
            continue
        rows.append({
            "configuration": run.label,
            "memory": "c" if s.memory == "cell" else "h",
            "min": num(s.min_memory),
            "max": num(s.max_memory),
            "max |h|": num(s.max_abs_hidden),
            "sign changes": s.sign_changes,
            "blow-up step": "never" if s.blowup_step is None
            else f"{s.blowup_step} (unit {s.blowup_unit})",
            "saturated gates": np.nan if s.saturated_gate_fraction is None
            else s.saturated_gate_fraction,
        })
    return pd.DataFrame(rows)


TABLE_COLUMNS = {
    "min": st.column_config.TextColumn("min", help="Smallest memory state (c, or h for GRU/RNN)"),
    "max": st.column_config.TextColumn("max", help="Largest memory state (c, or h for GRU/RNN)"),
    "sign changes": st.column_config.NumberColumn(
        "sign changes", help="Steps where a unit's memory changed sign (s_{t−1}·s_t < 0), "
                             "summed over units"),
    "blow-up step": st.column_config.TextColumn(
        "blow-up step",
        help="First step t where |memory| passed 10⁶ or stopped being finite, and the unit"),
    "saturated gates": st.column_config.NumberColumn(
        "saturated gates", format="percent",
        help="Share of gate values (steps × units × gates) with |σ′(pre-activation)| < ε; "
             "empty for a plain RNN, which has no gates"),
}


def diagnoses_markdown(runs: tuple[ConfigurationRun, ...]) -> str:
    """Every configuration's diagnoses as one Markdown list."""
    lines = []
    for run in runs:
        if run.error is not None:
            lines.append(f"- **{escape_markdown(run.label)}**: not run. "
                         f"{escape_markdown(run.error)}")
            continue
        if not run.diagnoses:
            lines.append(f"- **{escape_markdown(run.label)}**: nothing unusual.")
            continue
        lines.append(f"- **{escape_markdown(run.label)}**")
        for d in run.diagnoses:
            mark = "⚠️ " if d.severity == "warning" else ""
            lines.append(f"    - {mark}{escape_markdown(d.message)}")
    return "\n".join(lines)


def render(runs: tuple[ConfigurationRun, ...], unit: int) -> None:
    """The figure, the table and the diagnoses."""
    ran = [r for r in runs if r.memory is not None]
    for run in runs:
        if run.error is not None:
            st.warning(f"{escape_markdown(run.label)} was not run: {escape_markdown(run.error)}")
    if len(ran) == 0:
        return
    units = ran[0].memory.shape[1]
    shown = min(unit, units)
    if unit > units:
        st.info(f"This setup has {units} unit{'s' * (units != 1)}; showing unit {shown}.")
    trajectories = [
        Trajectory(r.label, r.memory[:, shown - 1], r.hidden[:, shown - 1],
                   "c" if r.cell_type == "LSTM" else "h", r.summary.blowup_step)
        for r in ran
    ]
    show(trajectories_figure(trajectories, shown), key=f"{PAGE}.trajectories",
         alt="Memory state and hidden state over time for each configuration, the memory "
             "state's difference from the first configuration, and h against the memory state.")
    st.subheader("Summary")
    st.dataframe(summary_frame(runs), hide_index=True, column_config=TABLE_COLUMNS,
                 width="stretch")
    st.subheader("Diagnoses")
    st.markdown(diagnoses_markdown(runs))
