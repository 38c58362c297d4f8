"""A generic evidence chart: a few named curves over one x axis."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .theme import axis, figure, layout, series_style


def curves_figure(
    x: np.ndarray,
    curves: dict[str, np.ndarray],
    x_title: str,
    y_title: str,
    *,
    log_y: bool = False,
    height: int = 360,
) -> go.Figure:
    """One line per curve, each with its own colour and dash; log y when asked."""
    traces = []
    for index, (name, values) in enumerate(curves.items()):
        style = series_style(index)
        traces.append(dict(
            type="scatter", x=x, y=values, name=name, mode="lines",
            line=dict(color=style.color, dash=style.dash, width=2.5),
        ))
    return figure(traces, layout(
        height=height,
        xaxis=axis(title={"text": x_title}),
        yaxis=axis(title={"text": y_title}, type="log" if log_y else "linear",
                   exponentformat="power" if log_y else "B"),
    ))


def seed_dots_figure(
    groups: dict[str, np.ndarray],
    medians: dict[str, tuple[float, float, float]],
    x_title: str,
    infinite_label: str,
    median_label: str,
    *,
    log_x: bool = False,
    line: float | None = None,
    line_label: str = "",
) -> go.Figure:
    """One row per group, one dot per seed, the median with its interval as a bar; a value of
    +∞ (the run never got there) is drawn as an × at the right edge, never left out.

    ``medians`` maps each group to (median, low, high); an infinite end is drawn at the edge.
    """
    names = list(groups)
    finite = np.concatenate([v[np.isfinite(v)] for v in groups.values()] or [np.zeros(0)])
    finite = finite[finite > 0] if log_x else finite
    if finite.size:
        low, high = float(finite.min()), float(finite.max())
    else:
        low, high = (1e-3, 1.0) if log_x else (0.0, 1.0)
    if log_x:
        edge = high * 3.0
        span = [np.log10(low) - 0.2, np.log10(edge) + 0.2]
    else:
        edge = high + 0.12 * (high - low or 1.0)
        span = [min(0.0, low) - 0.04 * (edge - low or 1.0), edge + 0.06 * (edge - low or 1.0)]
    traces, counts = [], []
    rows = {name: len(names) - 1 - k for k, name in enumerate(names)}  # the first on top
    for k, name in enumerate(names):
        values, style = groups[name], series_style(k)
        jitter = (np.arange(values.size) % 7 - 3) * 0.05 - 0.12  # below the row's label
        shown = values[np.isfinite(values)]
        traces.append(dict(
            type="scatter", x=shown, y=rows[name] + jitter[np.isfinite(values)], mode="markers",
            name=name, showlegend=False, marker=dict(color=style.color, size=8, opacity=0.75,
                                                    symbol="circle"),
            hovertemplate=f"{name}: %{{x:.4g}}<extra></extra>",
        ))
        missing = int(np.sum(~np.isfinite(values)))
        if missing:
            counts.append(dict(x=np.log10(edge) if log_x else edge, y=rows[name] - 0.12,
                               text=f"{missing}×", showarrow=False, xanchor="left", xshift=10,
                               font=dict(size=12, color="#333333")))
            traces.append(dict(
                type="scatter", x=[edge] * missing, y=rows[name] + jitter[~np.isfinite(values)],
                mode="markers", name=infinite_label, legendgroup="infinite",
                showlegend=not any(t.get("legendgroup") == "infinite" for t in traces),
                marker=dict(color="#555555", size=9, symbol="x"),
                hovertemplate=f"{name}: {infinite_label} ×{missing}<extra></extra>",
            ))
        median, lo, hi = medians[name]
        if np.isfinite(lo) or np.isfinite(median):
            shown_median = median if np.isfinite(median) else edge
            traces.append(dict(
                type="scatter", x=[shown_median], y=[rows[name] + 0.16], mode="markers",
                name=median_label, legendgroup="median",
                showlegend=not any(t.get("legendgroup") == "median" for t in traces),
                marker=dict(color="#000000", size=11, symbol="diamond"),
                error_x=dict(type="data", symmetric=False, color="#000000", thickness=2,
                             array=[(hi if np.isfinite(hi) else edge) - shown_median],
                             arrayminus=[shown_median - (lo if np.isfinite(lo) else edge)]),
                hovertemplate=f"{name}: {median_label} %{{x:.4g}}<extra></extra>",
            ))
    shapes = []
    if line is not None:
        shapes.append(dict(type="line", x0=line, x1=line, y0=-0.5, y1=len(names) - 0.2,
                           line=dict(color="#333333", dash="dash", width=1.5)))
    # each row's name above its dots, not as a tick label: a long name then never squeezes the
    # plot on a phone
    labels = [dict(xref="paper", x=0, y=rows[name] + 0.34, text=name, showarrow=False,
                   xanchor="left", yanchor="bottom", font=dict(size=12, color="#31333F"))
              for name in names]
    threshold = ([dict(x=np.log10(line) if log_x else line, y=len(names) - 0.2, text=line_label,
                       showarrow=False, yanchor="bottom", font=dict(size=12, color="#333333"))]
                 if line is not None and line_label else [])
    return figure(traces, layout(
        height=max(220, 80 * len(names) + 110),
        margin={"l": 10, "r": 40, "t": 40, "b": 50},
        hovermode="closest",
        shapes=shapes,
        # an annotation on a log axis is placed by the exponent (Plotly's rule)
        annotations=labels + counts + threshold,
        xaxis=axis(title={"text": x_title}, type="log" if log_x else "linear",
                   range=span, exponentformat="power" if log_x else "B"),
        yaxis=axis(showticklabels=False, tickmode="array", tickvals=[rows[n] for n in names],
                   range=[-0.5, len(names) - 0.1], zeroline=False),
    ))
