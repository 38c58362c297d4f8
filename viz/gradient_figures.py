"""Figures of the Gradient Flow page: gradient norms back through time, and inside the LSTM."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

import numpy as np
import plotly.graph_objects as go

from i18n import _
from viz.theme import SEQUENTIAL, axis, figure, layout, series_style


def _positive_or_nan(values: np.ndarray) -> np.ndarray:
    """Values a log axis can draw: zeros and non-finite values become gaps (NaN)."""
    values = np.asarray(values, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(values) & (values > 0), values, np.nan)


def gradient_norms_figure(
    series: Sequence[tuple[str, np.ndarray]], *, height: int = 440
) -> go.Figure:
    """One log-scale line per (label, norms) pair, norms (T,) plotted at t = 1 … T.

    Zeros and non-finite norms cannot be drawn on a log axis and show as gaps.
    """
    traces = []
    for k, (label, norms) in enumerate(series):
        style = series_style(k)
        traces.append(dict(
            type="scatter", x=np.arange(1, len(norms) + 1), y=_positive_or_nan(norms),
            name=escape(_(label)), mode="lines", hovertemplate="%{y:.3e}",
            line=dict(color=style.color, dash=style.dash, width=2),
        ))
    return figure(traces, layout(
        height=height,
        xaxis=axis(title={"text": _("step t (the gradient enters at t = T<br>and flows left)")}),
        yaxis=axis(title={"text": _("gradient norm (log scale)")}, type="log",
                   exponentformat="power", showexponent="all"),
    ))


def _power_ticks(lo: float, hi: float, most: int = 8) -> tuple[list[float], list[str]]:
    """Integer exponents between lo and hi (at most ``most`` of them), labelled 10^k."""
    first, last = int(np.ceil(lo)), int(np.floor(hi))
    if last < first:
        return [lo], [f"10<sup>{lo:.1f}</sup>"]
    stride = max(1, int(np.ceil((last - first + 1) / most)))
    ticks = list(range(last, first - 1, -stride))[::-1]
    return [float(t) for t in ticks], [f"10<sup>{t}</sup>" for t in ticks]


def lstm_inside_figure(
    cell_gradient: np.ndarray,
    saturation: Mapping[str, np.ndarray],
    epsilon: float,
    *,
    height: int = 560,
) -> go.Figure:
    """Top: heatmap of |∂L/∂c_t| (units × steps) on a log colour scale. Bottom: for each named
    slot, the fraction of units saturated (|f′| < ε) at each step. Both share the step axis.

    ``cell_gradient`` is (T, H); each array of ``saturation`` is (T,).
    """
    grad = np.abs(np.asarray(cell_gradient, dtype=float))
    steps = np.arange(1, grad.shape[0] + 1)
    units = np.arange(1, grad.shape[1] + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        exponent = np.where(np.isfinite(grad) & (grad > 0), np.log10(grad), np.nan)
    finite = exponent[np.isfinite(exponent)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if hi - lo < 1e-9:
        lo, hi = lo - 0.5, hi + 0.5
    tickvals, ticktext = _power_ticks(lo, hi)
    traces: list[dict] = [dict(
        type="heatmap", x=steps, y=units, z=exponent.T, customdata=grad.T, zmin=lo, zmax=hi,
        colorscale=SEQUENTIAL, name="|∂L/∂c_t|", showlegend=False,
        colorbar=dict(title=dict(text="|∂L/∂c<sub>t</sub>|", side="top"), tickvals=tickvals,
                      ticktext=ticktext, y=0.8, len=0.42, thickness=14),
        hovertemplate=_("t = %{x}, unit %{y}<br>|∂L/∂c_t| = %{customdata:.3e}<extra></extra>"),
    )]
    labels = {"input_gate": _("input gate i"), "forget_gate": _("forget gate f"),
              "candidate": _("candidate g"), "output_gate": _("output gate o")}
    for k, (name, fraction) in enumerate(saturation.items()):
        style = series_style(k)
        traces.append(dict(
            type="scatter", x=steps, y=np.asarray(fraction, dtype=float),
            name=labels.get(name, escape(name)), mode="lines", xaxis="x2", yaxis="y2",
            line=dict(color=style.color, dash=style.dash, width=2), hovertemplate="%{y:.0%}",
        ))
    return figure(traces, layout(
        height=height,
        hovermode="closest",
        # below the step axis: between the panels it wrapped over the lower panel on a phone
        legend=dict(orientation="h", yanchor="top", y=-0.16, xanchor="left", x=0),
        xaxis=axis(domain=[0, 1], anchor="y", showticklabels=False),
        yaxis=axis(domain=[0.6, 1.0], anchor="x", title={"text": _("unit")}, autorange="reversed"),
        xaxis2=axis(domain=[0, 1], anchor="y2", matches="x", title={"text": _("step t")}),
        yaxis2=axis(
            domain=[0.0, 0.38], anchor="x2", range=[-0.02, 1.02], tickformat=".0%",
            title={"text": _("saturated (|f′| < {epsilon:g})").format(epsilon=epsilon)},
        ),
        annotations=[
            dict(text=_("|∂L/∂c<sub>t</sub>| per unit (log colour scale)"), xref="paper",
                 yref="paper", x=0, y=1.0, yanchor="bottom", showarrow=False,
                 xanchor="left"),
            dict(text=_("share of units saturated"), xref="paper",
                 yref="paper", x=0, y=0.49, yanchor="bottom", xanchor="left", showarrow=False),
        ],
        margin=dict(l=60, r=20, t=40, b=50),
    ))
