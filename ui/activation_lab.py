"""Activation Lab: state, controls, cached computation and rendering (``pages/activation_lab.py``).

Numbers come from :mod:`lstm_core.analysis` (measured from the functions), figures from
:mod:`viz.activation_figures`. The custom expression is shared with other pages through
:mod:`ui.activation_picker`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from i18n import N_, _
from lstm_core import analysis
from lstm_core.activations import REGISTRY, Activation
from lstm_core.expressions import ALLOWED_LIST, MAX_CHARS, ExpressionError
from ui import activation_picker, charts, shared, state
from ui.content import prose
from ui.state import PageState, choices, flag, number, text, widget_key
from viz.activation_figures import DEPTH_CLIP, Curves, DepthSeries, activation_figure

PAGE = "activation_lab"
CUSTOM = activation_picker.CUSTOM
N_POINTS = 801
DEPTH_STEPS = 50


@dataclass(frozen=True)
class ActivationLabState(PageState):
    """Every control of the Activation Lab (also its URL parameters)."""

    activations: tuple[str, ...] = choices(("sigmoid", "tanh", "relu"), tuple(REGISTRY))
    x_max: float = number(6.0, 1.0, 20.0)
    leaky_slope: float = number(0.01, 0.0, 0.5)
    eps: float = number(0.05, 0.005, 0.5)
    show_f: bool = flag(True)
    show_d1: bool = flag(True)
    show_d2: bool = flag(True)
    rescaled_sigmoid: bool = flag(False)
    depth: bool = flag(True)
    custom: str = text("", MAX_CHARS)


@dataclass(frozen=True)
class LabResult:
    """Everything the page draws, computed from the state."""

    state: ActivationLabState
    x: np.ndarray
    curves: list[Curves]
    #: (activation name, where |f′| < ε and f levels off, where |f′| < ε and it does not), in
    #: words ("no x" when nowhere)
    saturation: list[tuple[str, str, str]]
    rows: list[dict[str, object]]
    depth: list[DepthSeries]
    overlay: np.ndarray | None
    overlay_max_diff: float | None
    custom_error: str | None


# --- controls -----------------------------------------------------------------------------------


def _key(name: str) -> str:
    return widget_key(PAGE, name)


def controls() -> tuple[ActivationLabState, str | None]:
    """Draw the controls; returns the state and, for a rejected custom expression, the reason."""
    state.load(ActivationLabState, PAGE)
    # Keyed "…controls": teacher mode hides the whole block, leaving no gap (teacher.css).
    with st.container(key=f"{PAGE}.controls"):
        left, middle, right = st.columns([3, 2, 2], gap="medium")
        with left:
            st.multiselect(
                _("Activations"), list(REGISTRY), key=_key("activations"),
                format_func=lambda k: _(REGISTRY[k].name),
                help=_("Built-in activations; a valid custom one below is added automatically."),
            )
            st.text_input(
                _("Custom activation f(x)"), key=_key("custom"), max_chars=MAX_CHARS,
                placeholder=_("e.g. x/(1+abs(x))  or  where(x < 0, 0.1*x, tanh(x))"),
                help=_("Allowed: {list}.").format(list=_(ALLOWED_LIST)),
            )
        with middle:
            st.slider(_("x range: from −a to a"), 1.0, 20.0, step=0.5, key=_key("x_max"))
            st.slider(
                _("Saturation threshold ε"), 0.005, 0.5, step=0.005, key=_key("eps"),
                format="%.3f", help=_("A region counts as saturated where |f′(x)| < ε."),
            )
            st.slider(_("Leaky-ReLU slope"), 0.0, 0.5, step=0.01, key=_key("leaky_slope"))
        with right:
            st.caption(_("Panels"))
            st.toggle("f(x)", key=_key("show_f"))
            st.toggle(_("f′(x): slope"), key=_key("show_d1"))
            st.toggle(_("f″(x): second derivative"), key=_key("show_d2"))
            st.toggle(_("Overlay 2σ(2x) − 1 on tanh"), key=_key("rescaled_sigmoid"))
            st.toggle(_("Depth view"), key=_key("depth"))
    page_state = state.collect(ActivationLabState, PAGE)
    state.save(PAGE, page_state)
    shared.set_epsilon(page_state.eps)  # the other pages' saturation threshold
    return page_state, _apply_custom(page_state.custom)


def _apply_custom(typed: str) -> str | None:
    """Make the typed expression the shared custom activation; the last good one stays if not."""
    typed = typed.strip()
    if not typed:
        st.session_state.pop(activation_picker.CUSTOM_KEY, None)
        return None
    try:
        activation_picker.set_custom_expression(typed)
    except ExpressionError as why:
        return why.args[0]  # a Text: shown with _()
    return None


# --- computation (cached on plain values) -------------------------------------------------------


def _activation(key: str, leaky_slope: float, custom_text: str | None) -> Activation:
    if key == CUSTOM:
        return activation_picker.compiled_custom(custom_text or "")
    return activation_picker.resolve_choice(key, leaky_slope)


@st.cache_data(max_entries=256, show_spinner=False)
def _curves(
    key: str, leaky_slope: float, custom_text: str | None, x_max: float, eps: float
) -> tuple[Curves, str, str]:
    act = _activation(key, leaky_slope, custom_text)
    x = np.linspace(-x_max, x_max, N_POINTS)
    with np.errstate(all="ignore"):
        values = [np.asarray(g(x), dtype=float) for g in (act.f, act.d1, act.d2)]
    values = [np.where(np.isfinite(v), v, np.nan) for v in values]
    saturated = np.abs(np.nan_to_num(values[1], nan=np.inf)) < eps
    saturated_where, flat_where = (part.describe() for part in analysis.saturation_kinds(act, eps))
    return Curves(act.name, *values, saturated), saturated_where, flat_where


@st.cache_data(max_entries=128, show_spinner=False)
def _row_and_peak(
    key: str, leaky_slope: float, custom_text: str | None, eps: float
) -> tuple[dict[str, object], float]:
    act = _activation(key, leaky_slope, custom_text)
    return analysis.property_row(act, eps), analysis.max_abs_derivative(act.d1).value


@st.cache_data(max_entries=32, show_spinner=False)
def _overlay(x_max: float) -> tuple[np.ndarray, float]:
    x = np.linspace(-x_max, x_max, N_POINTS)
    return analysis.rescaled_sigmoid(x), analysis.tanh_vs_rescaled_sigmoid(
        analysis.window_grid(max(x_max, analysis.WINDOW))
    )


def compute(page_state: ActivationLabState, custom_error: str | None) -> LabResult:
    """Arrays, sentences and table rows for the current state (each piece cached)."""
    s = page_state
    custom_text = activation_picker.custom_expression()
    keys = list(s.activations)
    if s.rescaled_sigmoid and "tanh" not in keys:
        keys.append("tanh")
    if custom_text:
        keys.append(CUSTOM)
    curves, saturation, rows, depth = [], [], [], []
    for key in keys:
        curve, where, flat = _curves(key, s.leaky_slope, custom_text, s.x_max, s.eps)
        row, peak = _row_and_peak(key, s.leaky_slope, custom_text, s.eps)
        curves.append(curve)
        saturation.append((curve.name, where, flat))
        rows.append(row)
        if np.isfinite(peak):
            depth.append(DepthSeries(curve.name, analysis.depth_products(peak, DEPTH_STEPS)))
    overlay, max_diff = _overlay(s.x_max) if s.rescaled_sigmoid else (None, None)
    return LabResult(
        s, np.linspace(-s.x_max, s.x_max, N_POINTS), curves, saturation, rows, depth, overlay,
        max_diff, custom_error,
    )


# --- rendering ----------------------------------------------------------------------------------


def render(result: LabResult) -> None:
    """Messages, the combined figure, the property table and the explanations."""
    s = result.state
    if result.custom_error:
        kept = activation_picker.custom_expression()
        reason = _md(_(result.custom_error))
        if kept:
            st.error(_("Custom activation not used: {reason} Still showing the last valid one, "
                       "{kept}.").format(reason=reason, kept=_md(kept)))
        else:
            st.error(_("Custom activation not used: {reason}").format(reason=reason))
    if not result.curves:
        st.info(_("Pick at least one activation (or type a custom one) to see its curves."))
        return
    curves_chart(result, key=f"{PAGE}.curves")
    _saturation_text(result)
    if result.overlay_max_diff is not None:
        st.markdown(
            _("**Is tanh just a rescaled sigmoid?** Yes: tanh(x) = 2σ(2x) − 1. Measured on "
              "[−{window:g}, {window:g}], max |tanh(x) − (2σ(2x) − 1)| = {diff:.2g}, "
              "i.e. floating-point rounding.").format(
                window=max(s.x_max, analysis.WINDOW), diff=result.overlay_max_diff)
            + " " + prose("activation_lab_rescaled")
        )
    st.header(_("Properties, measured from the functions"))
    # A static table wraps long entries (a grid would cut them off at its column width).
    st.table(property_frame(result.rows))
    st.caption(prose("activation_lab_table"))
    if s.depth:
        st.markdown(prose("activation_lab_depth"))


def curves_chart(result: LabResult, key: str) -> None:
    """The f, f′, f″ (and depth) panels of the chosen activations (chart key ``key``)."""
    s = result.state
    panels = [p for p, on in (("f", s.show_f), ("d1", s.show_d1), ("d2", s.show_d2)) if on]
    if not panels and not s.depth:
        st.info(_("Switch on at least one panel (f, f′, f″ or the depth view)."))
        return
    fig = activation_figure(
        result.x, result.curves, panels=panels, eps=s.eps, overlay=result.overlay,
        depth=result.depth if s.depth else None,
        height=220 * max(len(panels), 2) + 60,
    )
    charts.show(fig, key=key, alt=_alt_text(result, panels))
    notes = clipped_notes(result, panels)
    if notes:
        st.caption(" ".join(notes))


def clipped_notes(result: LabResult, panels: list[str]) -> list[str]:
    """One sentence per curve the chart cannot draw in full: points that are not finite
    (overflow, or outside the function's domain) and depth products past the clip."""
    notes = []
    titles = {"f": "f", "d1": "f′", "d2": "f″"}
    for curve in result.curves:
        bad = [titles[p] for p in panels if not np.isfinite(getattr(curve, p)).all()]
        if bad:
            notes.append(_("**{name}**: {panels} is not a finite number at some x shown "
                           "(overflow, or outside its domain); those points are left out.")
                         .format(name=_md(_(curve.name)), panels=", ".join(bad)))
    if result.state.depth:
        for series in result.depth:
            over = np.flatnonzero(~(series.products <= DEPTH_CLIP))
            if over.size:
                notes.append(_("Depth view: (max |f′|)ⁿ of **{name}** passes 10⁵⁰ from "
                               "n = {n} on and is clipped there.")
                             .format(name=_md(_(series.name)), n=over[0] + 1))
    return notes


def lesson_view(params: dict[str, str], key: str, below: DeltaGenerator | None = None) -> None:
    """A lesson's activations (link ``params``): the curves and the saturation sentences."""
    state, _ = ActivationLabState.from_query(params)
    result = compute(state, None)
    curves_chart(result, key)
    _saturation_text(result)


def _saturation_text(result: LabResult) -> None:
    eps = result.state.eps
    lines = []
    for name, where, flat in result.saturation:
        if where == "no x" and flat == "no x":
            lines.append("- " + _("**{name}** never saturates: |f′| ≥ {eps:g} for every x.")
                         .format(name=_md(_(name)), eps=eps))
        if where != "no x":
            lines.append("- " + _("**{name}** saturates for {where} at ε = {eps:g}.")
                         .format(name=_md(_(name)), where=_(where), eps=eps))
        if flat != "no x":  # e.g. leaky ReLU for x < 0: a small slope, but no bound
            lines.append("- " + _("**{name}** has |f′| < {eps:g} for {where} but does not "
                                  "saturate there: its output does not level off towards a "
                                  "bound.").format(name=_md(_(name)), where=_(flat), eps=eps))
    st.markdown("\n".join(lines))
    st.markdown(prose("activation_lab_saturation"))


#: The property table's headers that are words (keys of :func:`analysis.property_row`), marked
#: for the catalog; the saturation header is a Text of its own, the others are maths.
TABLE_HEADERS = (N_("activation"), N_("range"), N_("zero-centred"), N_("bounded"),
                 N_("monotonic"), N_("smooth"), N_("max |f′| at"))


def property_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    """The property table in the session's language: headers, yes/no, words and numbers."""
    shown = []
    for row in rows:
        cells = {}
        for column, value in row.items():
            if isinstance(value, (bool, np.bool_)):
                value = _("yes") if value else _("no")
            elif isinstance(value, float):
                value = _table_number(value)
            elif isinstance(value, str):
                value = _(value)
                if column == "range":
                    value = value.replace(", ", ",\u00a0")  # "(−∞, ∞)" on one line
            cells[_(column)] = value  # headers: TABLE_HEADERS and a Text
        shown.append(cells)
    return pd.DataFrame(shown).set_index(_("activation"))


def _table_number(value: float) -> str:
    """A measured number for the table: 4 significant digits; no "None"/"nan" for NaN."""
    if np.isnan(value):
        return _("not finite")
    if np.isinf(value):
        return "∞" if value > 0 else "−∞"
    return f"{value:.4g}".replace("-", "−")


def _md(text_: str) -> str:
    """Escape Markdown in user text (custom expressions are shown, never interpreted)."""
    return "".join("\\" + ch if ch in "\\`*_{}[]()<>#+-.!|~$:" else ch for ch in text_)


def _alt_text(result: LabResult, panels: list[str]) -> str:
    names = ", ".join(_(c.name) for c in result.curves)
    shown = ", ".join({"f": "f", "d1": "f′", "d2": "f″"}[p] for p in panels)
    return _(
        "Panels {panels} against x from −{x_max:g} to {x_max:g} for {names}; saturated "
        "stretches (|f′| < {eps:g}) highlighted."
    ).format(panels=shown, x_max=result.state.x_max, names=names, eps=result.state.eps)
