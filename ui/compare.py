"""Compare Trajectories page: one input and one set of weights, 2–6 configurations.

The input sequence and weights are the shared run setup (``ui.run_setup``, the same controls as
the Cell Step-Through, carried across pages in session state). Each configuration is a cell type
plus an activation per slot; presets fill them in, and only a "custom" configuration draws its
cell-type and slot boxes. The configurations, the figure, the table and the diagnoses form one
``st.fragment`` (:func:`comparison`), so changing a configuration reruns only that part.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, make_dataclass

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from i18n import N_, Text, _, message_of
from lstm_core.activations import REGISTRY, Activation
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
    setup_of,
    show_input_note,
    show_setup_error,
    uploaded,
)
from ui.share import share_box
from ui.shared import shared_epsilon
from ui.state import announce_ignored, choice, load, number, widget_key
from ui.teacher import wording
from viz.compare_figures import Trajectory, phase_figure, trajectories_figure

PAGE = "compare"
MAX_CONFIGS = 6
PER_ROW = 3
CELL_CHOICES = ("LSTM", "GRU", "RNN")
#: The per-configuration fields: cell type, then the activation of each slot. A plain RNN's
#: activation φ is held in ``candidate``.
CONFIG_FIELDS = ("cell", "gate", "candidate", "output")
SLOT_LABELS = {"gate": N_("gates σ"), "candidate": N_("candidate (RNN φ)"),
               "output": N_("output squash")}

#: Preset name → (cell type, gate, candidate, output); unused slots keep the textbook choice.
#: The names are shown through _() (names without words of their own are not marked).
PRESETS: dict[str, tuple[str, str, str, str]] = {
    N_("textbook (σ, tanh, tanh)"): ("LSTM", "sigmoid", "tanh", "tanh"),
    N_("sigmoid candidate"): ("LSTM", "sigmoid", "sigmoid", "tanh"),
    N_("ReLU candidate and output"): ("LSTM", "sigmoid", "relu", "relu"),
    "hard tanh": ("LSTM", "sigmoid", "hard_tanh", "hard_tanh"),
    N_("no output squash"): ("LSTM", "sigmoid", "tanh", "identity"),
    "GRU": ("GRU", "sigmoid", "tanh", "tanh"),
}
CUSTOM_PRESET = "custom"
#: bench/bench_rerun.py's heaviest setting: every configuration custom, so all six draw their
#: cell-type and slot boxes (30 selectboxes) on top of the largest sizes.
BENCH_HEAVY = {**{f"c{k}_output": "softsign" for k in range(1, MAX_CONFIGS)},
               f"c{MAX_CONFIGS}_candidate": "softsign"}


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
    """A slot's activation, briefly (English: names are translated where they are shown)."""
    return {"sigmoid": "σ", "hard_sigmoid": "hard σ", "identity": "id"}.get(
        key, (REGISTRY[key].name if key in REGISTRY else key) if key != CUSTOM else N_("custom")
    )


#: Formats without words of their own (so not catalog messages): a Text made with one keeps
#: them and translates its parts when shown (e.g. "custom", a preset's name).
_RNN_NAME = "RNN (φ = {activation})"
_CELL_NAME = "{cell} ({slots})"
_LABEL = "{k}. {name}"


def _slot_names(keys: list[str]) -> Text:
    """The slots' short names joined by ", " (each translated when shown)."""
    parts = {f"s{i}": _short(key) for i, key in enumerate(keys)}
    joined = ", ".join("{" + part + "}" for part in parts)  # not a catalog message
    return Text(joined, **parts)


def _named_by_slots(cell: str, slots: list[str]) -> Text:
    if cell == "RNN":
        return Text(_RNN_NAME, activation=_short(slots[0]))
    return Text(_CELL_NAME, cell=cell, slots=_slot_names(slots))


def describe(config: Configuration) -> str:
    """A configuration's name: its preset's, or the cell type and slot activations (a
    :class:`Text`, or a preset name: show it with ``_()``)."""
    chosen = dict(config.slots)
    if config.cell_type == "RNN":
        return _named_by_slots("RNN", [chosen["activation"]])
    values = [chosen.get(s, "tanh") for s in ("gate", "candidate", "output")]
    name = preset_of(config.cell_type, *values)
    if name != CUSTOM_PRESET:
        return name
    return _named_by_slots(config.cell_type, [k for _, k in config.slots])


# --- controls ------------------------------------------------------------------------------------


def _editing_key(k: int) -> str:
    """Session flag: configuration k's slot boxes are open (the student chose "custom")."""
    return f"{PAGE}.__c{k}_custom__"


def _apply_preset(k: int) -> None:
    """Preset selectbox callback: fill configuration k's cell type and slots, or open its slot
    boxes for "custom" (starting from the values it has)."""
    name = st.session_state.get(widget_key(PAGE, f"c{k}_preset"))
    st.session_state[_editing_key(k)] = name == CUSTOM_PRESET
    if name not in PRESETS:
        return
    for field_name, value in zip(CONFIG_FIELDS, PRESETS[name], strict=True):
        st.session_state[widget_key(PAGE, _field(k, field_name))] = value


def _preset_caption(cell: str, gate: str, candidate: str, output: str) -> str:
    """What a preset sets, in one short line (its slot boxes are only drawn for "custom")."""
    if cell == "RNN":
        return _(_named_by_slots("RNN", [candidate]))
    chosen = {"gate": gate, "candidate": candidate, "output": output}
    return _(_named_by_slots(cell, [chosen[slot] for slot in SLOT_FIELDS[cell]]))


def _configuration_controls(k: int, options: list[str]) -> None:
    """Configuration k: its preset box, and its cell-type and slot boxes only when it is custom
    (each selectbox costs the rerun ~1 ms, 30 of them were most of this page's rerun)."""
    key = lambda name: widget_key(PAGE, _field(k, name))
    values = [st.session_state.get(key(name)) for name in CONFIG_FIELDS]
    matched = preset_of(*values)
    editing = matched == CUSTOM_PRESET or st.session_state.get(_editing_key(k), False)
    st.session_state[widget_key(PAGE, f"c{k}_preset")] = CUSTOM_PRESET if editing else matched
    # named by its slots, as in the chart
    custom_name = _("custom: {configuration}").format(configuration=_preset_caption(*values))
    st.selectbox(_("Configuration {k}").format(k=k), [*PRESETS, CUSTOM_PRESET],
                 format_func=lambda name: custom_name if name == CUSTOM_PRESET else _(name),
                 key=widget_key(PAGE, f"c{k}_preset"), on_change=_apply_preset, args=(k,))
    if not editing:
        st.caption(_preset_caption(*values))
        return
    st.selectbox(_("cell type"), CELL_CHOICES, key=key("cell"))
    cell = st.session_state.get(key("cell"), "LSTM")
    used = {"LSTM": ("gate", "candidate", "output"), "GRU": ("gate", "candidate"),
            "RNN": ("candidate",)}[cell]
    for name in CONFIG_FIELDS[1:]:
        st.selectbox(_(SLOT_LABELS[name]), options, format_func=activation_label, key=key(name),
                     disabled=name not in used)


def setup_sidebar() -> None:
    """The shared run setup in the sidebar. Drawn outside :func:`comparison`: a fragment cannot
    draw into the sidebar, and a setup change has to rerun the whole page anyway."""
    load_state(CompareState, PAGE)
    with st.sidebar:
        st.header(_("Input and weights"))
        st.caption(_("Shared with the Cell Step-Through page."))
        setup_controls(PAGE, cell_controls=False)


def controls():
    """Draw the configuration controls (after :func:`setup_sidebar`); returns the state and
    messages about choices that had to be reset."""
    # Reseed widget keys Streamlit dropped while their boxes were hidden: a rerun of the
    # fragment alone does not pass through setup_sidebar's load.
    load(CompareState, PAGE)
    defaults = CompareState()
    options = activation_options()
    messages = []
    for k in range(1, MAX_CONFIGS + 1):
        for name in CONFIG_FIELDS[1:]:
            message = keep_valid_choice(widget_key(PAGE, _field(k, name)),
                                        getattr(defaults, _field(k, name)), options)
            if message:
                messages.append(_("Configuration {k}: {message}").format(k=k, message=_(message)))
    with st.expander(_("Configurations (the first one is the reference)"), expanded=True):
        left, right = st.columns([3, 1])
        with left:
            st.slider(_("Number of configurations"), 2, MAX_CONFIGS,
                      key=widget_key(PAGE, "count"))
        with right:
            st.number_input(_("Unit shown in the figure"), 1, 16, step=1,
                            key=widget_key(PAGE, "unit"))
        st.caption(wording(_("Under each preset: its cell type (gates, candidate, output squash). "
                             "Choose **custom** to pick the cell type and each slot's activation "
                             "yourself."),
                           _("Under each preset: its cell type (gates, candidate, output "
                             "squash).")))
        count = st.session_state.get(widget_key(PAGE, "count"), MAX_CONFIGS)
        # Three per row: six narrow columns cut the configuration names off.
        for first in range(1, count + 1, PER_ROW):
            for k, column in enumerate(st.columns(PER_ROW), start=first):
                if k <= count:
                    with column:
                        _configuration_controls(k, options)
    state = collect_state(CompareState, PAGE)
    save_state(PAGE, state)
    return state, messages


@st.fragment
def comparison() -> None:
    """Everything the configurations change: their controls, the share box, the figure, the
    table and the diagnoses. A fragment: changing a configuration reruns only this, not the
    sidebar, the router and the prose (the setup in the sidebar reruns the whole page)."""
    state, messages = controls()
    announce_ignored(PAGE)
    share_box(PAGE, state)
    for message in messages:
        st.warning(message)
    show_input_note(setup_of(state))
    runs = compute_or_last_good(state, shared_epsilon())
    if runs:
        render(runs, state.unit)


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
    _setup: RunSetup,
) -> tuple[ConfigurationRun, ...]:
    """Build the input and every cell, and run them. ``setup_key`` stands for ``_setup`` (its
    URL parameters and the digests of its uploads); ``custom_text`` for the custom activation.
    A :class:`SetupError` of the input propagates (and is not cached)."""
    x = build_inputs(_setup)
    configs = [Configuration(cell_type, slots) for cell_type, slots in plain_configs]
    cells: list[object] = []
    for config in configs:
        try:
            acts: dict[str, Activation] = resolve_slots(dict(config.slots), _setup.leaky_slope)
            cells.append(build_cell(_setup, config.cell_type, acts, input_size=x.shape[1]))
        except SetupError as err:  # kept as a Text if it is one (shown with _())
            cells.append(message_of(err))
    labels = [Text(_LABEL, k=k, name=describe(c)) for k, c in enumerate(configs, start=1)]
    runnable = [k for k, cell in enumerate(cells) if not isinstance(cell, str)]
    traces = run_cells([cells[k] for k in runnable], x)
    by_index = dict(zip(runnable, traces, strict=True))
    runs = []
    for k, (config, cell) in enumerate(zip(configs, cells, strict=True)):
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
    """Run every configuration on the setup's input (cached: a rerun with the same settings
    builds nothing). Raises :class:`SetupError` when the input cannot be built; a configuration
    whose cell cannot be built carries its error."""
    setup = RunSetup(**{name: getattr(state, name) for name in RunSetup.__dataclass_fields__})
    configs = tuple(configurations(state))
    uses_custom = any(CUSTOM in c.keys for c in configs)
    setup_key = (tuple(sorted(setup.to_query().items())), _digest(CSV_KEY), _digest(NPZ_KEY))
    plain = tuple((c.cell_type, c.slots) for c in configs)
    return _compute(setup_key, plain, custom_expression() if uses_custom else None,
                    float(epsilon), _setup=setup)


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
            "configuration": _(run.label),
            "memory": "c" if s.memory == "cell" else "h",
            "min": num(s.min_memory),
            "max": num(s.max_memory),
            "max |h|": num(s.max_abs_hidden),
            "sign changes": s.sign_changes,
            "blow-up step": _("never") if s.blowup_step is None
            else _("{step} (unit {unit})").format(step=s.blowup_step, unit=s.blowup_unit),
            "saturated gates": np.nan if s.saturated_gate_fraction is None
            else s.saturated_gate_fraction,
        })
    return pd.DataFrame(rows)


def table_columns() -> dict[str, object]:
    """The summary table's column settings: headers and help in the session's language."""
    return {
        "configuration": st.column_config.TextColumn(_("configuration")),
        "memory": st.column_config.TextColumn(_("memory")),
        "min": st.column_config.TextColumn(
            _("min"), help=_("Smallest memory state (c, or h for GRU/RNN)")),
        "max": st.column_config.TextColumn(
            _("max"), help=_("Largest memory state (c, or h for GRU/RNN)")),
        "sign changes": st.column_config.NumberColumn(
            _("sign changes"), help=_("Steps where a unit's memory changed sign "
                                      "(s_{t−1}·s_t < 0), summed over units")),
        "blow-up step": st.column_config.TextColumn(
            _("blow-up step"), help=_("First step t where |memory| passed 10⁶ or stopped being "
                                      "finite, and the unit")),
        "saturated gates": st.column_config.NumberColumn(
            _("saturated gates"), format="percent",
            help=_("Share of gate values (steps × units × gates) with |σ′(pre-activation)| < ε; "
                   "empty for a plain RNN, which has no gates")),
    }


def diagnoses_markdown(runs: tuple[ConfigurationRun, ...]) -> str:
    """Every configuration's diagnoses as one Markdown list."""
    lines = []
    for run in runs:
        label = escape_markdown(_(run.label))
        if run.error is not None:
            lines.append("- " + _("**{label}**: not run. {error}").format(
                label=label, error=escape_markdown(_(run.error))))
            continue
        if not run.diagnoses:
            lines.append("- " + _("**{label}**: nothing unusual.").format(label=label))
            continue
        lines.append(f"- **{label}**")
        for d in run.diagnoses:
            mark = "⚠️ " if d.severity == "warning" else ""
            lines.append(f"    - {mark}{escape_markdown(_(d.message))}")
    return "\n".join(lines)


def render(runs: tuple[ConfigurationRun, ...], unit: int) -> None:
    """The figure, the table and the diagnoses."""
    for run in runs:
        if run.error is not None:
            st.warning(_("{label} was not run: {error}").format(
                label=escape_markdown(_(run.label)), error=escape_markdown(_(run.error))))
    if figure_and_table(runs, unit, key=f"{PAGE}.trajectories"):
        st.header(_("Diagnoses"))
        st.markdown(diagnoses_markdown(runs))


def figure_and_table(runs: tuple[ConfigurationRun, ...], unit: int, key: str,
                     table_area: DeltaGenerator | None = None, side_by_side: bool = True) -> bool:
    """The trajectories figure (chart key ``key``), the phase plot (``key.phase``) and the
    summary table (in ``table_area`` if given); False if no configuration ran.

    The phase plot is a chart of its own, ``side_by_side`` in a column right of the stacked
    panels: a phone stacks the columns, the phase plot full width under the panels (beside them
    in one figure it was ~70 px wide there). In a page column (a lesson) it is always under
    them.
    """
    ran = [r for r in runs if r.memory is not None]
    if len(ran) == 0:
        return False
    units = ran[0].memory.shape[1]
    shown = min(unit, units)
    if unit > units:
        message = (_("This setup has {units} units; showing unit {shown}.") if units != 1
                   else _("This setup has {units} unit; showing unit {shown}."))
        st.info(message.format(units=units, shown=shown))
    trajectories = [
        Trajectory(_(r.label), r.memory[:, shown - 1], r.hidden[:, shown - 1],
                   "c" if r.cell_type == "LSTM" else "h", r.summary.blowup_step)
        for r in ran
    ]
    panels, phase = (st.columns([3, 2], vertical_alignment="bottom") if side_by_side
                     else (st.container(), st.container()))
    with panels:
        show(trajectories_figure(trajectories, shown), key=key,
             alt=_("Memory state and hidden state over time for each configuration, and the "
                   "memory state's difference from the first configuration."))
    with phase:
        show(phase_figure(trajectories, shown), key=f"{key}.phase",
             alt=_("Phase plot: h against the memory state for each configuration."))
    with table_area if table_area is not None else st.container():
        st.header(_("Summary"))
        st.dataframe(summary_frame(runs), hide_index=True, column_config=table_columns(),
                     width="stretch")
    return True


def lesson_view(params: dict[str, str], key: str, below: DeltaGenerator) -> None:
    """The comparison of a lesson's link ``params``: the figure (chart key ``key``), and the
    table in the container ``below`` (full width: its columns are what the lesson points at)."""
    state, _ = CompareState.from_query(params)
    show_input_note(setup_of(state))
    figure_and_table(compute(state, shared_epsilon()), state.unit, key, table_area=below,
                     side_by_side=False)
