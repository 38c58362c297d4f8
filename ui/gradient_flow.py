"""Gradient Flow page: controls, cached computation and rendering.

Also holds the small helpers the Compare page shares (ε from the Activation Lab, templated
sentences from ``content/``, power-of-ten formatting).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

import numpy as np
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from i18n import N_, _, language, message_of
from lstm_core.activations import REGISTRY, Activation
from lstm_core.diagnoses import num
from lstm_core.experiments import (
    LOSSES,
    ForgetPath,
    GradientReadout,
    PathSplit,
    RecurrentFactor,
    forget_path,
    gradient_flow,
    gradient_models,
    gradient_readout,
    path_split,
    recurrent_factor,
    saturation_over_time,
)
from lstm_core.sequences import make_sequence
from ui.activation_picker import (
    CUSTOM,
    activation_label,
    activation_options,
    custom_expression,
    resolve_choice,
)
from ui.charts import show
from ui.content import CONTENT, prose
from ui.run_setup import escape_markdown
from ui.shared import shared_epsilon
from ui.state import PageState, choice, collect, load, number, save, widget_key
from viz.gradient_figures import gradient_norms_figure, lstm_inside_figure

PAGE = "gradient_flow"
ACTIVATION_CHOICES = (*REGISTRY, CUSTOM)
LSTM_SLOTS = ("gate", "candidate", "output")
SLOT_LABELS = {"gate": N_("Gates σ (i, f, o)"), "candidate": N_("Candidate g"),
               "output": N_("Output squash")}
CELL_PATH_LABEL = N_("LSTM ‖∂L/∂c_t‖, cell-state path only")
LOSS_LABELS = {"last": N_("last step only (L = Σ h_T)"),
               "every": N_("every step (L = Σ_t Σ h_t)")}


# --- helpers shared with the Compare page -------------------------------------------------------


def power_of_ten(log10: float) -> str:
    """10^k as Markdown: a plain number when 10⁻³ ≤ 10^k ≤ 10³, else ``$10^{k}$`` (1 decimal)."""
    if -3.0 <= log10 <= 3.0:
        return num(10.0**log10)
    return f"$10^{{{log10:.1f}}}$".replace("-", "−")


def _templates(text: str) -> dict[str, str]:
    templates: dict[str, str] = {}
    for block in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        key, _sep, body = block.partition("\n")
        templates[key.strip()] = " ".join(body.split())
    return templates


@cache
def _sentences(name: str, lang: str) -> dict[str, str]:
    # the English templates under the translated ones: a key a translation lost stays English
    english = _templates((CONTENT / f"{name}.md").read_text(encoding="utf-8"))
    return english | _templates(prose(name))


def sentences(name: str) -> dict[str, str]:
    """The templates in ``content/<name>.md`` in the session's language: each ``## key``
    heading starts one template."""
    return _sentences(name, language())


def resolve_or_default(key: str, default: str) -> tuple[Activation, str | None]:
    """The activation of a picker choice, or the default's plus a message saying why."""
    try:
        return resolve_choice(key), None
    except KeyError as why:
        return resolve_choice(default), _("{reason}; using {default} for now.").format(
            reason=_(message_of(why)), default=default)


def keep_valid_choice(key: str, default: str, options: list[str] | None = None) -> str | None:
    """Reset a picker widget whose value is no longer offered (a custom activation that is not
    set); returns a message when it did. ``options``: :func:`activation_options`, if known."""
    chosen = st.session_state.get(key)
    if chosen in (options if options is not None else activation_options()):
        return None
    st.session_state[key] = default
    return _("The custom activation is not available (none is set on the Activation Lab); "
             "using {default}.").format(default=activation_label(default))


# --- state and controls --------------------------------------------------------------------------


@dataclass(frozen=True)
class GradientFlowState(PageState):
    """The Gradient Flow page's controls (also its URL parameters)."""

    steps: int = number(100, 2, 500, integer=True)
    hidden: int = number(8, 1, 32, integer=True)
    scale: float = number(1.0, 0.0, 4.0)
    forget_bias: float = number(1.0, -5.0, 10.0)
    gate: str = choice("sigmoid", ACTIVATION_CHOICES)
    candidate: str = choice("tanh", ACTIVATION_CHOICES)
    output: str = choice("tanh", ACTIVATION_CHOICES)
    loss: str = choice("last", LOSSES)
    seed: int = number(0, 0, 9999, integer=True)


_DEFAULTS = GradientFlowState()


def _slider(label: str, name: str, step: float, help: str | None = None) -> None:
    spec = GradientFlowState.spec(name)
    kind = int if spec["kind"] == "int" else float
    st.slider(label, kind(spec["lo"]), kind(spec["hi"]), step=kind(step),
              key=widget_key(PAGE, name), help=help)


def controls() -> tuple[GradientFlowState, list[str]]:
    """Draw the sidebar controls; returns the page state and messages about reset choices."""
    load(GradientFlowState, PAGE)
    options = activation_options()
    messages = [
        m for slot in LSTM_SLOTS
        if (m := keep_valid_choice(widget_key(PAGE, slot), getattr(_DEFAULTS, slot), options))
    ]
    with st.sidebar:
        st.header(_("Gradient Flow"))
        _slider(_("Sequence length T"), "steps", 1)
        _slider(_("Hidden size H"), "hidden", 1)
        _slider(_("Weight scale"), "scale", 0.1,
                help=_("Every weight and bias is drawn from U(−k, k), k = scale/√H "
                       "(PyTorch's initialisation at scale 1), with the same seed for every "
                       "model."))
        _slider(_("LSTM forget-gate bias"), "forget_bias", 0.5,
                help=_("b_if + b_hf for every unit. 1 is the common 'forget bias' trick."))
        st.markdown(_("**LSTM activations**"))
        for slot in LSTM_SLOTS:
            st.selectbox(_(SLOT_LABELS[slot]), options, format_func=activation_label,
                         key=widget_key(PAGE, slot))
        st.radio(_("Loss"), LOSSES, format_func=lambda k: _(LOSS_LABELS[k]),
                 key=widget_key(PAGE, "loss"))
        st.number_input(_("Seed (weights and input)"), 0, 9999, step=1,
                        key=widget_key(PAGE, "seed"))
    state = collect(GradientFlowState, PAGE)
    save(PAGE, state)
    return state, messages


# --- computation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class GradientFlowResult:
    """Everything the page shows, as plain arrays and numbers (cached)."""

    steps: int
    loss: str
    forget_bias: float
    epsilon: float
    gate_name: str
    norms: tuple[tuple[str, np.ndarray], ...]  # (label, ‖·‖ per step)
    readouts: tuple[tuple[str, str, GradientReadout], ...]  # (model, quantity, readout)
    cell_gradient: np.ndarray  # (T, H) |∂L/∂c_t| of the LSTM
    saturation: dict[str, np.ndarray]  # LSTM slot → (T,) saturated fraction
    forget: ForgetPath
    split: PathSplit  # ∂L/∂c_t of the LSTM: cell-state path vs paths through h and the gates
    factors: dict[str, RecurrentFactor]  # plain RNN → its step-Jacobian numbers


@st.cache_data(max_entries=64, show_spinner=False)
def _compute(
    steps: int, hidden: int, scale: float, forget_bias: float, slot_keys: tuple[str, ...],
    custom_text: str | None, loss: str, seed: int, epsilon: float,
    _activations: dict[str, Activation],
) -> GradientFlowResult:
    # slot_keys and custom_text only key the cache; the activations themselves (not hashable
    # by value) arrive as _activations, which st.cache_data does not hash.
    x = make_sequence("noise", steps, 1, seed=seed + 1)
    models = gradient_models(1, hidden, seed, scale, forget_bias, _activations)
    runs = gradient_flow(models, x, loss)
    lstm = runs["LSTM"]
    split = path_split(lstm, loss)
    norms = [("LSTM ‖∂L/∂c_t‖", lstm.cell_norm), ("LSTM ‖∂L/∂h_t‖", lstm.hidden_norm)]
    norms += [(f"{name} ‖∂L/∂h_t‖", run.hidden_norm) for name, run in runs.items()
              if name != "LSTM"]
    norms.append((CELL_PATH_LABEL, split.cell_norm))
    readouts = [
        (name, "‖∂L/∂c_t‖" if run.cell_norm is not None else "‖∂L/∂h_t‖",
         gradient_readout(run.memory_norm))
        for name, run in runs.items()
    ]
    factors = {name: recurrent_factor(run.cell, run.trace)
               for name, run in runs.items() if name.startswith("RNN")}
    return GradientFlowResult(
        steps=steps,
        loss=loss,
        forget_bias=forget_bias,
        epsilon=epsilon,
        gate_name=_activations["gate"].name,
        norms=tuple(norms),
        readouts=tuple(readouts),
        cell_gradient=np.abs(lstm.gradients.cell[:, 0, :]),
        saturation=saturation_over_time(lstm.cell, lstm.trace, epsilon),
        forget=forget_path(lstm.trace),
        split=split,
        factors=factors,
    )


def compute(state: GradientFlowState, epsilon: float) -> tuple[GradientFlowResult, list[str]]:
    """The cached result for ``state``; messages name any activation that had to be replaced."""
    activations, messages = {}, []
    for slot in LSTM_SLOTS:
        activations[slot], message = resolve_or_default(getattr(state, slot),
                                                        getattr(_DEFAULTS, slot))
        if message:
            messages.append(message)
    keys = tuple(getattr(state, slot) for slot in LSTM_SLOTS)
    custom_text = custom_expression() if CUSTOM in keys else None
    try:
        result = _compute(state.steps, state.hidden, float(state.scale), float(state.forget_bias),
                          keys, custom_text, state.loss, int(state.seed), float(epsilon),
                          _activations=activations)
    except ValueError as err:  # the engine refuses what it cannot run: say so, show the defaults
        if state == _DEFAULTS:
            raise
        result, more = compute(_DEFAULTS, epsilon)
        reason = escape_markdown(_(message_of(err)).rstrip(".。"))
        return result, [*messages, _("These settings cannot be run ({reason}); showing the "
                                     "defaults instead.").format(reason=reason), *more]
    return result, messages


# --- sentences and readouts ---------------------------------------------------------------------


def _amount(log10: float | None) -> str:
    """10^k of the gradient at step T, or why there is no such number."""
    return _("no positive finite amount") if log10 is None else power_of_ten(log10)


def _percent(share: float) -> str:
    if 0.0 < share < 0.001:
        return _("less than 0.1 %")
    if 0.999 < share < 1.0:
        return _("more than 99.9 %")
    return _("{percent} %").format(percent=f"{100.0 * share:.1f}".replace("-", "−"))


def readout_text(model: str, quantity: str, readout: GradientReadout, steps: int,
                 split: PathSplit | None = None) -> str:
    """One readout line: how much of the gradient at step T reaches step 1 (for the LSTM, also
    along which paths, when ``split`` is given)."""
    t = sentences("gradient_flow_sentences")
    if readout.nonfinite_through is not None:
        body = t["readout_nonfinite"].format(through=readout.nonfinite_through)
    elif readout.zero_through is not None:
        body = t["readout_zero"].format(through=readout.zero_through)
    elif readout.log10_ratio is None:
        body = t["readout_nonfinite"].format(through=steps)
    elif readout.log10_ratio > 0:
        body = t["readout_grew"].format(ratio=power_of_ten(readout.log10_ratio), steps=steps)
    else:
        body = t["readout"].format(ratio=power_of_ten(readout.log10_ratio), steps=steps)
    if split is not None and readout.log10_ratio is not None:
        hidden = "0" if split.log10_hidden is None else power_of_ten(split.log10_hidden)
        body = _("{sentence} {paths}.").format(
            sentence=body.rstrip(".。"),
            paths=t["readout_split"].format(cell=_amount(split.log10_cell), hidden=hidden))
    return _("**{model}** ({quantity}): {body}").format(model=model, quantity=quantity, body=body)


def _split_sentence(split: PathSplit) -> str:
    """Where ∂L/∂c_1 comes from: the cell-state path or the paths through h and the gates."""
    t = sentences("gradient_flow_sentences")
    if split.log10_total is None or split.cell_share is None:
        return ""
    if split.log10_hidden is None:
        return t["split_cell_only"]
    if not 0.0 <= split.cell_share <= 1.0:
        key = "split_opposed"
    else:
        key = "split_hidden" if split.cell_share < 0.5 else "split_cell"
    return t[key].format(
        total=power_of_ten(split.log10_total), hidden=power_of_ten(split.log10_hidden),
        cell=_amount(split.log10_cell),
        cell_share=_percent(split.cell_share), hidden_share=_percent(1.0 - split.cell_share),
    )


def explanation(result: GradientFlowResult) -> str:
    """Two to four computed sentences on what the chart shows."""
    t = sentences("gradient_flow_sentences")
    span = result.steps - 1
    parts = []
    forget, split = result.forget, result.split
    if split.log10_cell is not None:
        carousel = t["carousel_on"] if split.log10_cell > -1.0 else t["carousel_off"]
        parts.append(_("{sentence} {next_sentence}").format(
            sentence=t["lstm"].format(
                mean_forget=num(forget.mean_forget), forget_bias=num(result.forget_bias),
                gate=result.gate_name, span=span, cell=power_of_ten(split.log10_cell),
                carousel=carousel),
            next_sentence=_split_sentence(split)))
    sigmoid = result.factors.get("RNN sigmoid")
    measured = dict((m, r) for m, _q, r in result.readouts).get("RNN sigmoid")
    if sigmoid is not None and sigmoid.geo_mean_norm is not None:
        bound = (_("nothing") if sigmoid.log10_bound is None
                 else power_of_ten(sigmoid.log10_bound))
        key = "rnn_last" if result.loss == "last" else "rnn_every"
        if measured is not None and measured.log10_ratio is not None:
            got = power_of_ten(measured.log10_ratio)
        elif measured is not None and measured.zero_through is not None:
            got = t["measured_zero"]
        else:
            got = t["measured_nonfinite"]
        parts.append(t[key].format(
            max_slope=num(sigmoid.max_slope), factor=num(sigmoid.geo_mean_norm), span=span,
            bound=bound, measured=got,
        ))
    ranked = sorted(
        (-math.inf if r.zero_through is not None and r.nonfinite_through is None
         else r.log10_ratio, m)
        for m, _q, r in result.readouts
        if r.log10_ratio is not None or (r.zero_through is not None
                                         and r.nonfinite_through is None)
    )
    if len(ranked) >= 2 and result.loss == "last" and ranked[-1][0] > -math.inf:
        (worst_value, worst), (best_value, best) = ranked[0], ranked[-1]
        parts.append(t["ranking"].format(
            steps=result.steps, best=best, best_value=power_of_ten(best_value), worst=worst,
            worst_value=power_of_ten(worst_value) if worst_value > -math.inf else _("exactly 0"),
        ))
    return "\n\n".join(parts)  # one paragraph per model


NOTHING_SATURATED = N_(
    "At these settings no gate or candidate is ever saturated (|f′| < ε = "
    "{epsilon:g}), so the lower panel stays at 0 % for every slot: larger weights or inputs "
    "push them into the flat regions.")


# --- rendering -----------------------------------------------------------------------------------


def render(result: GradientFlowResult) -> None:
    """The page body: explanation, readouts, the two figures and the notes."""
    st.markdown(explanation(result))
    readouts_and_norms(result, key=f"{PAGE}.norms")
    st.header(_("Inside the LSTM"))
    show(lstm_inside_figure(result.cell_gradient, result.saturation, result.epsilon),
         key=f"{PAGE}.inside",
         alt=_("Heatmap of |dL/dc_t| per unit and step on a log colour scale, and below it "
               "the share of units whose gate or candidate pre-activation is saturated at each "
               "step."))
    if not any(np.any(share > 0) for share in result.saturation.values()):
        st.caption(_(NOTHING_SATURATED).format(epsilon=result.epsilon))
    st.caption(sentences("gradient_flow_sentences")["epsilon"].format(epsilon=result.epsilon))
    st.markdown(prose("gradient_flow_notes"))


def readouts_and_norms(result: GradientFlowResult, key: str,
                       readout_area: DeltaGenerator | None = None) -> None:
    """The readout box (in ``readout_area`` if given) and the gradient-norm chart (key ``key``)."""
    area = readout_area if readout_area is not None else st
    with area.container(border=True):
        st.markdown(sentences("gradient_flow_sentences")["readout_title"])
        st.markdown("\n".join(
            "- " + readout_text(model, quantity, readout, result.steps,
                                result.split if model == "LSTM" else None)
            for model, quantity, readout in result.readouts
        ))
    show(gradient_norms_figure(result.norms), key=key,
         alt=_("Gradient norm against step t on a log scale for the LSTM (cell and hidden "
               "state, and the part of the cell-state gradient carried by the cell-state path "
               "alone), the GRU and plain RNNs with tanh, sigmoid and ReLU."))


def lesson_view(params: dict[str, str], key: str, below: DeltaGenerator | None = None) -> None:
    """A lesson's gradient flow (link ``params``): the chart (key ``key``), and the sentences
    and readouts in ``below`` (full width)."""
    state, _notices = GradientFlowState.from_query(params)
    result, _messages = compute(state, shared_epsilon())
    area = below if below is not None else st.container()
    area.markdown(explanation(result))
    readouts_and_norms(result, key, readout_area=area)
