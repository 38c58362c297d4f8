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

from lstm_core import analysis
from lstm_core.activations import REGISTRY, Activation
from lstm_core.expressions import ALLOWED, MAX_CHARS, ExpressionError
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
    saturation: list[tuple[str, str]]  # (activation name, where |f′| < ε in words)
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
                "Activations", list(REGISTRY), key=_key("activations"),
                format_func=lambda k: REGISTRY[k].name,
                help="Built-in activations; a valid custom one below is added automatically.",
            )
            st.text_input(
                "Custom activation f(x)", key=_key("custom"), max_chars=MAX_CHARS,
                placeholder="e.g. x/(1+abs(x))  or  where(x < 0, 0.1*x, tanh(x))",
                help="Allowed: " + ALLOWED.removeprefix("allowed: ") + ".",
            )
        with middle:
            st.slider("x range: from −a to a", 1.0, 20.0, step=0.5, key=_key("x_max"))
            st.slider(
                "Saturation threshold ε", 0.005, 0.5, step=0.005, key=_key("eps"), format="%.3f",
                help="A region counts as saturated where |f′(x)| < ε.",
            )
            st.slider("Leaky-ReLU slope", 0.0, 0.5, step=0.01, key=_key("leaky_slope"))
        with right:
            st.caption("Panels")
            st.toggle("f(x)", key=_key("show_f"))
            st.toggle("f′(x): slope", key=_key("show_d1"))
            st.toggle("f″(x): curvature", key=_key("show_d2"))
            st.toggle("Overlay 2σ(2x) − 1 on tanh", key=_key("rescaled_sigmoid"))
            st.toggle("Depth view", key=_key("depth"))
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
        return str(why)
    return None


# --- computation (cached on plain values) -------------------------------------------------------


def _activation(key: str, leaky_slope: float, custom_text: str | None) -> Activation:
    if key == CUSTOM:
        return activation_picker.compiled_custom(custom_text or "")
    return activation_picker.resolve_choice(key, leaky_slope)


@st.cache_data(max_entries=256, show_spinner=False)
def _curves(
    key: str, leaky_slope: float, custom_text: str | None, x_max: float, eps: float
) -> tuple[Curves, str]:
    act = _activation(key, leaky_slope, custom_text)
    x = np.linspace(-x_max, x_max, N_POINTS)
    with np.errstate(all="ignore"):
        values = [np.asarray(g(x), dtype=float) for g in (act.f, act.d1, act.d2)]
    values = [np.where(np.isfinite(v), v, np.nan) for v in values]
    saturated = np.abs(np.nan_to_num(values[1], nan=np.inf)) < eps
    where = analysis.saturation(act.d1, eps).describe()
    return Curves(act.name, *values, saturated), where


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
        curve, where = _curves(key, s.leaky_slope, custom_text, s.x_max, s.eps)
        row, peak = _row_and_peak(key, s.leaky_slope, custom_text, s.eps)
        curves.append(curve)
        saturation.append((curve.name, where))
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
        still = f" Still showing the last valid one, {_md(kept)}." if kept else ""
        st.error(f"Custom activation not used: {_md(result.custom_error)}{still}")
    if not result.curves:
        st.info("Pick at least one activation (or type a custom one) to see its curves.")
        return
    curves_chart(result, key=f"{PAGE}.curves")
    _saturation_text(result)
    if result.overlay_max_diff is not None:
        st.markdown(
            f"**Is tanh just a rescaled sigmoid?** Yes: tanh(x) = 2σ(2x) − 1. Measured on "
            f"[−{max(s.x_max, analysis.WINDOW):g}, {max(s.x_max, analysis.WINDOW):g}], "
            f"max |tanh(x) − (2σ(2x) − 1)| = {result.overlay_max_diff:.2g}, "
            "i.e. floating-point rounding. " + prose("activation_lab_rescaled")
        )
    st.subheader("Properties, measured from the functions")
    # A static table wraps long entries (a grid would cut them off at its column width).
    frame = pd.DataFrame(result.rows).set_index("activation")
    for column in frame.select_dtypes(include="bool").columns:
        frame[column] = frame[column].map({True: "yes", False: "no"})
    for column in frame.select_dtypes(include="float").columns:
        frame[column] = frame[column].map(_table_number)
    frame["range"] = frame["range"].str.replace(", ", ",\u00a0")  # "(−∞, ∞)" on one line
    st.table(frame)
    st.caption(prose("activation_lab_table"))
    if s.depth:
        st.markdown(prose("activation_lab_depth"))


def curves_chart(result: LabResult, key: str) -> None:
    """The f, f′, f″ (and depth) panels of the chosen activations (chart key ``key``)."""
    s = result.state
    panels = [p for p, on in (("f", s.show_f), ("d1", s.show_d1), ("d2", s.show_d2)) if on]
    if not panels and not s.depth:
        st.info("Switch on at least one panel (f, f′, f″ or the depth view).")
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
            notes.append(f"**{_md(curve.name)}**: {', '.join(bad)} is not a finite number at "
                         "some x shown (overflow, or outside its domain); those points are left "
                         "out.")
    if result.state.depth:
        for series in result.depth:
            over = np.flatnonzero(~(series.products <= DEPTH_CLIP))
            if over.size:
                notes.append(f"Depth view: (max |f′|)ⁿ of **{_md(series.name)}** passes "
                              f"10⁵⁰ from n = {over[0] + 1} on and is clipped there.")
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
    for name, where in result.saturation:
        if where == "no x":
            lines.append(f"- **{_md(name)}** never saturates: |f′| ≥ {eps:g} for every x.")
        else:
            lines.append(f"- **{_md(name)}** saturates for {where} at ε = {eps:g}.")
    st.markdown("\n".join(lines))
    st.markdown(prose("activation_lab_saturation"))


def _table_number(value: float) -> str:
    """A measured number for the table: 4 significant digits; no "None"/"nan" for NaN."""
    if np.isnan(value):
        return "not finite"
    if np.isinf(value):
        return "∞" if value > 0 else "−∞"
    return f"{value:.4g}".replace("-", "−")


def _md(text_: str) -> str:
    """Escape Markdown in user text (custom expressions are shown, never interpreted)."""
    return "".join("\\" + ch if ch in "\\`*_{}[]()<>#+-.!|~$:" else ch for ch in text_)


def _alt_text(result: LabResult, panels: list[str]) -> str:
    names = ", ".join(c.name for c in result.curves)
    shown = ", ".join({"f": "f", "d1": "f′", "d2": "f″"}[p] for p in panels)
    return (
        f"Panels {shown} against x from −{result.state.x_max:g} to {result.state.x_max:g} "
        f"for {names}; saturated stretches (|f′| < {result.state.eps:g}) highlighted."
    )
