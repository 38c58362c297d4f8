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
