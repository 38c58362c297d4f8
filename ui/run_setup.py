"""The shared "run setup": which cell, which activations, which input sequence, which weights.

Every page that runs a cell on a sequence (Cell Step-Through, Compare Trajectories, …) uses this:

* Declare the page's state as a subclass of :class:`RunSetup` (add the page's own fields), so
  one dataclass round-trips to the URL::

      @dataclass(frozen=True)
      class CompareState(RunSetup):
          configs: tuple[str, ...] = choices(...)

* ``state = load_state(CompareState, "compare")`` before the widgets; it seeds the setup fields
  from ``st.session_state[SHARED_KEY]`` when another page changed them, so a student carries
  the setup across pages (the URL wins on a session's first visit).
* ``setup_controls("compare", cell_controls=False)`` draws the controls (in the current
  container, e.g. ``with st.sidebar:``); ``cell_controls=False`` hides cell type and slot
  activations for pages that choose those per configuration.
* ``state = collect_state(CompareState, "compare")`` then ``save_state("compare", state)``.
* ``x = build_inputs(setup)`` → (T, D) array; ``cell = build_cell(setup, cell_type, slots)``.
  Both raise :class:`SetupError` (a ``ValueError``) with a friendly one-sentence message;
  show it with :func:`show_setup_error` and keep the last good view.

Uploaded CSV and ``.npz`` contents live in session state only (``CSV_KEY``, ``NPZ_KEY``, as
``(file name, bytes)``), never in the URL: a shared link with an upload source says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from typing import TypeVar

import numpy as np
import streamlit as st

from i18n import N_, Text, _, message_of
from lstm_core.activations import DEFAULT_LEAKY_SLOPE, REGISTRY, Activation
from lstm_core.cells import CELL_TYPES, PYTORCH_KEYS, WeightShapeError
from lstm_core.sequences import (
    MAX_INPUT_SIZE,
    MAX_STEPS,
    PRESETS,
    InputError,
    make_sequence,
    parse_sequence_csv,
    parse_sequence_text,
)
from lstm_core.stocks import RETURN_SCALE, STOCKS, WEEKS, stock_columns, weekly_returns
from lstm_core.stocks import prices as stock_prices
from lstm_core.stocks import weeks as stock_weeks
from lstm_core.weights import (
    HAND_SET_DEFAULTS,
    HAND_SET_GATES,
    HAND_SET_NAMES,
    MAX_HIDDEN_SIZE,
    hand_set_lstm,
    load_state_dict_npz,
)
from ui import state as page_state
from ui.activation_picker import CUSTOM, activation_label, activation_options, resolve_choice
from ui.state import PageState, choice, number, text, widget_key

S = TypeVar("S", bound="RunSetup")

SHARED_KEY = "shared.run_setup"
CSV_KEY = "shared.run_setup.csv"
NPZ_KEY = "shared.run_setup.npz"

ACTIVATION_KEYS = (*REGISTRY, CUSTOM)
SOURCES = {"preset": N_("preset"), "typed": N_("typed values"), "csv": N_("CSV file")}
WEIGHT_SOURCES = {"random": N_("seeded random"), "hand": N_("hand-set (1 unit, 1 input)"),
                  "npz": N_("PyTorch .npz")}
#: Cell type → its activation slots, each with the RunSetup field that holds it and a label.
SLOT_FIELDS: dict[str, dict[str, tuple[str, str]]] = {
    "LSTM": {"gate": ("gate", N_("Gates i, f, o")), "candidate": ("candidate", N_("Candidate g")),
             "output": ("output", N_("Cell-output squash"))},
    "GRU": {"gate": ("gate", N_("Gates r, z")), "candidate": ("candidate", N_("Candidate n"))},
    "RNN": {"activation": ("activation", N_("Activation φ"))},
}
#: The hand-set weights' gates (keys of ``HAND_SET_GATES``) as named in their help texts.
HAND_SET_GATE_LABELS = {"input_gate": N_("input gate"), "forget_gate": N_("forget gate"),
                        "candidate": N_("candidate"), "output_gate": N_("output gate")}
#: What a hand-set scalar is, by its first letter (``w_i·``; ``w_h·`` is the recurrent weight).
HAND_HELP = {"w": N_("weight on x_t"), "b": N_("bias")}
NPZ_RECIPE = 'np.savez("w.npz", **{k: v.numpy() for k, v in model.state_dict().items()})'


class SetupError(ValueError):
    """A setup that cannot be run; the message says why in one sentence."""


def _hand(name: str):
    return number(HAND_SET_DEFAULTS[name], -20.0, 20.0)


@dataclass(frozen=True)
class RunSetup(PageState):
    """Cell, activations, input sequence and weights of one run (every field is in the URL)."""

    cell_type: str = choice("LSTM", tuple(CELL_TYPES))
    gate: str = choice("sigmoid", ACTIVATION_KEYS)
    candidate: str = choice("tanh", ACTIVATION_KEYS)
    output: str = choice("tanh", ACTIVATION_KEYS)
    activation: str = choice("tanh", ACTIVATION_KEYS)
    leaky_slope: float = number(DEFAULT_LEAKY_SLOPE, 0.0, 1.0)
    source: str = choice("preset", tuple(SOURCES))
    preset: str = choice("sine", tuple(PRESETS))
    steps: int = number(100, 1, MAX_STEPS, integer=True)
    input_size: int = number(1, 1, MAX_INPUT_SIZE, integer=True)
    seed: int = number(0, 0, 99_999, integer=True)
    amplitude: float = number(1.0, -100.0, 100.0)
    period: int = number(20, 2, MAX_STEPS, integer=True)
    stock: str = choice("GOOG", tuple(STOCKS))
    typed: str = text("0.5, -1, 2, 0, 0, 0, 1, 1", 2000)
    weights: str = choice("random", tuple(WEIGHT_SOURCES))
    weight_scale: float = number(1.0, 0.0, 10.0)
    forget_bias: float = number(1.0, -10.0, 10.0)
    hidden_size: int = number(4, 1, MAX_HIDDEN_SIZE, integer=True)
    w_ii: float = _hand("w_ii")
    w_hi: float = _hand("w_hi")
    b_i: float = _hand("b_i")
    w_if: float = _hand("w_if")
    w_hf: float = _hand("w_hf")
    b_f: float = _hand("b_f")
    w_ig: float = _hand("w_ig")
    w_hg: float = _hand("w_hg")
    b_g: float = _hand("b_g")
    w_io: float = _hand("w_io")
    w_ho: float = _hand("w_ho")
    b_o: float = _hand("b_o")


SETUP_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(RunSetup))


def setup_of(state: RunSetup) -> RunSetup:
    """The plain :class:`RunSetup` part of a page state that subclasses it."""
    if type(state) is RunSetup:
        return state
    return RunSetup(**{name: getattr(state, name) for name in SETUP_FIELDS})


def slot_choices(setup: RunSetup, cell_type: str | None = None) -> dict[str, str]:
    """Slot → activation key chosen in ``setup`` for ``cell_type`` (default: the setup's)."""
    slots = SLOT_FIELDS[cell_type or setup.cell_type]
    return {slot: getattr(setup, field_name) for slot, (field_name, _) in slots.items()}


def resolve_slots(choices: dict[str, str], leaky_slope: float) -> dict[str, Activation]:
    """Slot → Activation; :class:`SetupError` when ``"custom"`` is chosen but none is set."""
    try:
        return {slot: resolve_choice(key, leaky_slope) for slot, key in choices.items()}
    except KeyError as err:
        raise SetupError(err.args[0] if err.args else Text("unknown activation")) from None


# --- session and URL ------------------------------------------------------------------------------


def load_state(cls: type[S], page: str) -> S:
    """``ui.state.load`` that also takes the setup fields another page saved in this session."""
    shared = st.session_state.get(SHARED_KEY)
    store = f"{page}.__state__"
    if isinstance(shared, RunSetup) and store in st.session_state:
        current = st.session_state[store]
        if setup_of(current) != shared:
            st.session_state[store] = replace(
                current, **{name: getattr(shared, name) for name in SETUP_FIELDS}
            )
            for name in SETUP_FIELDS:  # reseed the widgets from the new values
                st.session_state.pop(widget_key(page, name), None)
    elif isinstance(shared, RunSetup) and store not in st.session_state and not (
        st.query_params.to_dict()
    ):
        st.session_state[store] = cls(**{name: getattr(shared, name) for name in SETUP_FIELDS})
    return page_state.load(cls, page)


def collect_state(cls: type[S], page: str) -> S:
    """The page state made of the current widget values (``ui.state.collect``)."""
    return page_state.collect(cls, page)


def save_state(page: str, state: RunSetup) -> None:
    """Save the page state (URL + session) and share its setup with the other pages."""
    page_state.save(page, state)
    st.session_state[SHARED_KEY] = setup_of(state)


# --- controls -------------------------------------------------------------------------------------


def _store_upload(widget: str, target: str) -> None:
    """Upload callback: keep the file's name and bytes in session state (cleared with the file)."""
    uploaded = st.session_state.get(widget)
    if uploaded is None:
        st.session_state.pop(target, None)
    else:
        st.session_state[target] = (uploaded.name, uploaded.getvalue())


def uploaded(target: str) -> tuple[str, bytes] | None:
    """The session's kept upload for ``CSV_KEY`` or ``NPZ_KEY``: (file name, bytes), or None."""
    value = st.session_state.get(target)
    return value if isinstance(value, tuple) and len(value) == 2 else None


def _number(page: str, name: str, label: str, *, step: float | None = None, **kw) -> None:
    spec = RunSetup.spec(name)
    integer = spec["kind"] == "int"
    st.number_input(
        label, min_value=int(spec["lo"]) if integer else float(spec["lo"]),
        max_value=int(spec["hi"]) if integer else float(spec["hi"]),
        step=step if step is not None else (1 if integer else 0.1),
        key=widget_key(page, name), **kw,
    )


def setup_controls(page: str, *, cell_controls: bool = True) -> None:
    """Draw the run-setup widgets (keys ``"<page>.<field>"``) in the current container."""
    w = lambda name: widget_key(page, name)
    values = st.session_state
    if cell_controls:
        st.radio(_("Cell type"), tuple(CELL_TYPES), key=w("cell_type"), horizontal=True)
        cell_type = values.get(w("cell_type")) or "LSTM"
        options = activation_options()
        for _slot, (name, label) in SLOT_FIELDS[cell_type].items():
            if values.get(w(name)) not in options:  # e.g. "custom" from a link, none set
                values[w(name)] = getattr(RunSetup(), name)
            st.selectbox(_(label), options, format_func=activation_label, key=w(name))
        if any(values.get(w(name)) == "leaky_relu" for name, _ in SLOT_FIELDS[cell_type].values()):
            _number(page, "leaky_slope", _("Leaky ReLU slope"), step=0.01, format="%.3f")

    st.markdown(_("**Input sequence**"))
    st.radio(_("Source"), tuple(SOURCES), format_func=lambda k: _(SOURCES[k]), key=w("source"),
             horizontal=True)
    source = values.get(w("source"), "preset")
    weights = values.get(w("weights"), "random")
    if source == "preset":
        st.selectbox(_("Preset"), tuple(PRESETS), format_func=lambda k: _(PRESETS[k]),
                     key=w("preset"))
        stocks = values.get(w("preset")) == "stocks"
        if stocks:  # right under the preset it belongs to
            st.selectbox(_("Stock"), tuple(STOCKS), format_func=stock_label, key=w("stock"))
        left, right = st.columns(2)
        with left:
            if not stocks:  # real data has its own length
                _number(page, "steps", _("Steps T"))
            _number(page, "amplitude", _("Amplitude A"))
        with right:
            _number(page, "seed", _("Seed"))
            if values.get(w("preset")) in ("sine", "square"):
                _number(page, "period", _("Period"))
        if stocks:
            st.caption(stock_caption(values.get(w("stock"), "GOOG")))
    elif source == "typed":
        st.text_area(
            _("Values"), key=w("typed"), height=90,
            help=_("Commas, spaces, semicolons or new lines between values. With D > 1: one step "
                   "per line, D values per line."),
        )
    else:
        st.file_uploader(
            _("CSV file (one column per input feature, optional header, ≤ 1 MB)"),
            type=["csv", "txt"],
            key=w("csv_upload"), on_change=_store_upload, args=(w("csv_upload"), CSV_KEY),
        )
        _kept_caption(CSV_KEY)
    if source != "csv" and weights == "random":
        _number(page, "input_size", _("Input size D"))

    st.markdown(_("**Weights**"))
    st.radio(_("Weights"), tuple(WEIGHT_SOURCES), format_func=lambda k: _(WEIGHT_SOURCES[k]),
             key=w("weights"), label_visibility="collapsed")
    if weights == "random":
        left, right = st.columns(2)
        with left:
            _number(page, "hidden_size", _("Hidden size H"))
            _number(page, "weight_scale", _("Weight scale"), step=0.25)
        with right:
            if source != "preset":
                _number(page, "seed", _("Seed"))
            if not cell_controls or values.get(w("cell_type"), "LSTM") == "LSTM":
                # the GRU and the RNN have no forget gate (Compare's configurations may be LSTMs)
                _number(page, "forget_bias", _("Forget-gate bias"), step=0.5,
                        help=_("LSTM only: b_f for every unit (1 is the usual trick for long "
                               "memory)."))
    elif weights == "hand":
        st.caption(_("A 1-unit, 1-input LSTM: each gate gets x·w_i + h·w_h + b."))
        for gate, names in HAND_SET_GATES.items():
            cols = st.columns(3)
            for col, name in zip(cols, names, strict=True):
                with col:
                    _number(page, name, f"{name}", step=0.5,
                            help=_("{name}: {role}").format(name=_(HAND_SET_GATE_LABELS[gate]),
                                                         role=_hand_help(name)))
    else:
        st.file_uploader(
            _("PyTorch weights (.npz of a one-layer state_dict)"), type=["npz"],
            key=w("npz_upload"), on_change=_store_upload, args=(w("npz_upload"), NPZ_KEY),
        )
        st.caption(_("Expected keys: {keys} (a one-layer `nn.LSTM`, `nn.GRU` or `nn.RNN`). "
                     "Make one with `{recipe}`.").format(
            keys=", ".join(f"`{k}`" for k in PYTORCH_KEYS), recipe=NPZ_RECIPE))
        _kept_caption(NPZ_KEY)


def stock_label(stock: str) -> str:
    """A stock as the picker shows it: ticker and company (e.g. "GOOG · Alphabet (Google)")."""
    return f"{stock} · {_(STOCKS[stock])}" if stock in STOCKS else str(stock)


def stock_caption(stock: str) -> str:
    """How the stock input is made and where the prices come from (Markdown)."""
    if stock not in STOCKS:
        stock = RunSetup().stock
    returns = weekly_returns(stock_prices()[:, list(STOCKS).index(stock)])
    return _(r"$x_t = A \times {scale:g}\, r_t$ with the week's return "
             r"$r_t = p_t / p_{{t-1}} - 1$: with A = 1, the week's price change in percent "
             "({weeks} weeks, {down} of them down). Weekly closing prices, 2018–2019, from the "
             "sample data shipped with the plotly package (`plotly.data.stocks()`).").format(
        scale=RETURN_SCALE, weeks=WEEKS, down=int((returns < 0).sum()))


def input_note(setup: RunSetup, input_size: int = 1) -> str | None:
    """One line above the charts naming real data and its source (teacher mode hides the
    sidebar that says it), or None for every other input."""
    if setup.source != "preset" or setup.preset != "stocks" or setup.stock not in STOCKS:
        return None
    dates = stock_weeks()
    return _(r"**Input: {stocks}**, the weekly returns from {first} to {last} as "
             r"$x_t = A \times {scale:g}\, r_t$, here with A = {amplitude:g} (with A = 1, "
             "$x_t$ is the week's price change in percent). Weekly closing prices, 2018–2019, "
             "from the sample data shipped with the plotly package.").format(
        stocks=", ".join(stock_label(t) for t in stock_columns(setup.stock, input_size)),
        first=dates[1], last=dates[-1], scale=RETURN_SCALE, amplitude=setup.amplitude)


def show_input_note(setup: RunSetup) -> None:
    """:func:`input_note` as a caption, if the input is real data."""
    try:
        size = expected_input_size(setup)
    except SetupError:  # no .npz yet: the page's warning says so
        size = 1
    note = input_note(setup, size)
    if note:
        st.caption(note)


def _csv_problem(data: bytes) -> str | None:
    """Why the CSV ``data`` cannot be used (in the session's language), or None."""
    try:
        _csv(data)
    except InputError as err:
        return _(message_of(err))
    return None


def _kept_caption(target: str) -> None:
    kept = uploaded(target)
    if not kept:
        st.caption(_("No file yet. An uploaded file stays in this session only, not in the link."))
        return
    name = escape_markdown(kept[0][:60])
    problem = _csv_problem(kept[1]) if target == CSV_KEY else None
    if problem:  # never "Using" a file the page refused (the warning says why)
        st.caption(_("“{name}” is **not used**: {problem}").format(
            name=name, problem=escape_markdown(problem)))
    else:
        st.caption(_("Using “{name}”: kept for this session only, not in the link.").format(
            name=name))


def _hand_help(name: str) -> str:
    return _(HAND_HELP[name[0]]) if name[1] != "h" else _("weight on h_{t−1}")


# --- building inputs and cells -------------------------------------------------------------------


@st.cache_data(max_entries=64, show_spinner=False)
def _preset(preset: str, steps: int, size: int, seed: int, amplitude: float, period: int,
            stock: str):
    return make_sequence(preset, steps, size, seed, amplitude, period, stock)


@st.cache_data(max_entries=32, show_spinner=False)
def _typed(text_value: str, size: int):
    return parse_sequence_text(text_value, size)


@st.cache_data(max_entries=8, show_spinner=False)
def _csv(data: bytes):
    return parse_sequence_csv(data)


@st.cache_data(max_entries=8, show_spinner=False)
def _npz(data: bytes, cell_type: str):
    return load_state_dict_npz(data, cell_type)


@st.cache_data(max_entries=64, show_spinner=False)
def _random(cell_type: str, size: int, hidden: int, seed: int, scale: float, forget_bias: float):
    cls = CELL_TYPES[cell_type]
    rng = np.random.default_rng(seed)
    extra = {"forget_bias": forget_bias} if cell_type == "LSTM" else {}
    return cls.random(size, hidden, rng, weight_scale=scale, **extra).to_pytorch()


def expected_input_size(
    setup: RunSetup, npz_data: bytes | None = None, cell_type: str | None = None
) -> int:
    """D the weights need: the .npz's, 1 for hand-set, else the setup's ``input_size``."""
    if setup.weights == "npz":
        return _npz_parameters(setup, npz_data, cell_type)["weight_ih_l0"].shape[1]
    return 1 if setup.weights == "hand" else setup.input_size


def build_inputs(
    setup: RunSetup, csv_data: bytes | None = None, npz_data: bytes | None = None
) -> np.ndarray:
    """The setup's (T, D) input sequence (cached); :class:`SetupError` with a message if unusable.

    Upload bytes default to this session's kept files (``CSV_KEY`` / ``NPZ_KEY``).
    """
    csv_data = csv_data if csv_data is not None else _kept_bytes(CSV_KEY)
    size = expected_input_size(setup, npz_data)
    try:
        if setup.source == "preset":
            return _preset(setup.preset, setup.steps, size, setup.seed, setup.amplitude,
                           setup.period, setup.stock)
        if setup.source == "typed":
            return _typed(setup.typed, size)
        if csv_data is None:
            raise SetupError(Text("no CSV file uploaded yet: upload one, or choose another source"))
        x = _csv(csv_data)
    except InputError as err:
        raise SetupError(Text("{source}: {problem}", source=_source_name(setup),
                              problem=message_of(err))) from None
    if setup.weights != "random" and x.shape[1] != size:
        message = N_("the CSV has {columns} columns but the {weights} weights take D = {size} "
                   "inputs per step")
        if x.shape[1] == 1:
            message = N_("the CSV has {columns} column but the {weights} weights take D = {size} "
                       "inputs per step")
        raise SetupError(Text(message, columns=x.shape[1], weights=WEIGHT_SOURCES[setup.weights],
                              size=size))
    return x


def _source_name(setup: RunSetup) -> str:
    return {"preset": N_("Preset"), "typed": N_("Typed values"), "csv": N_("CSV file")}[
        setup.source]


def _kept_bytes(target: str) -> bytes | None:
    kept = uploaded(target)
    return kept[1] if kept else None


def _npz_parameters(setup: RunSetup, npz_data: bytes | None, cell_type: str | None):
    data = npz_data if npz_data is not None else _kept_bytes(NPZ_KEY)
    if data is None:
        raise SetupError(Text("no .npz weights uploaded yet: upload one, or choose other weights"))
    try:
        return _npz(data, cell_type or setup.cell_type)
    except WeightShapeError as err:
        raise SetupError(Text("Weights file: {problem}", problem=message_of(err))) from None


def build_parameters(
    setup: RunSetup, input_size: int, cell_type: str | None = None, npz_data: bytes | None = None
) -> dict[str, np.ndarray]:
    """The parameters (PyTorch ``state_dict`` keys) for ``cell_type`` with D = ``input_size``."""
    cell_type = cell_type or setup.cell_type
    if setup.weights == "npz":
        return _npz_parameters(setup, npz_data, cell_type)
    if setup.weights == "hand":
        if cell_type != "LSTM":
            raise SetupError(Text("hand-set weights are for a 1-unit LSTM; a {cell} needs "
                                  "seeded random or .npz weights", cell=cell_type))
        if input_size != 1:
            raise SetupError(Text("hand-set weights take one input per step; this sequence has "
                                  "D = {size}", size=input_size))
        return hand_set_lstm({n: getattr(setup, n) for n in HAND_SET_NAMES}).to_pytorch()
    try:
        return _random(cell_type, input_size, setup.hidden_size, setup.seed, setup.weight_scale,
                       setup.forget_bias)
    except ValueError as err:  # the engine refuses what it cannot draw (e.g. a negative scale)
        raise SetupError(Text("Random weights: {problem}", problem=message_of(err))) from None


def build_cell(
    setup: RunSetup,
    cell_type: str | None = None,
    activations: dict[str, Activation] | None = None,
    input_size: int | None = None,
    npz_data: bytes | None = None,
):
    """The cell (``LSTM``/``GRU``/``RNN``) of ``setup``; slots default to the setup's choices."""
    cell_type = cell_type or setup.cell_type
    if activations is None:
        activations = resolve_slots(slot_choices(setup, cell_type), setup.leaky_slope)
    size = input_size if input_size is not None else expected_input_size(setup, npz_data)
    params = build_parameters(setup, size, cell_type, npz_data)
    return CELL_TYPES[cell_type].from_pytorch(params, **activations)


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def escape_markdown(message: str) -> str:
    """``message`` with Markdown, HTML and LaTeX characters escaped (it may quote user text)."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", message)


def show_setup_error(err: Exception, kept_view: bool) -> None:
    """A friendly warning for a setup that cannot run; says whether the last view is kept."""
    tail = (_(" The last good run is shown below.") if kept_view
            else _(" Fix it (or pick another source) to see the run."))
    message = _(message_of(err)).rstrip()
    if not message.endswith((".", "!", "?", "。", "！", "？")):
        message += _(".")
    st.warning(escape_markdown(message) + tail, icon=":material/warning:")
