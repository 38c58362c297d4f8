"""The data twin of a figure: every trace's points as one tidy table (for screen readers)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from i18n import _

MAX_ROWS = 5000


def _panel(fig: go.Figure, trace) -> str:
    """The title of the y axis ``trace`` is drawn on (its panel), as plain text."""
    ref = getattr(trace, "yaxis", None) or "y"
    try:
        title = fig.layout["yaxis" + ref[1:]].title.text or ""
    except (KeyError, AttributeError):
        return ""
    return " ".join(re.sub(r"<[^>]*>", " ", title).split())


def figure_to_frame(fig: go.Figure, max_rows: int = MAX_ROWS) -> pd.DataFrame:
    """Columns series, x, y (and z for heatmaps), one row per drawn point, evenly thinned to
    at most ``max_rows`` rows; a first column *panel* (the y-axis title) when the figure has
    several panels. Traces without data (shapes, annotations) are skipped."""
    parts = []
    panel_column, series_column = _("panel"), _("series")
    for index, trace in enumerate(fig.data):
        name = trace.name or _("series {number}").format(number=index + 1)
        panel = _panel(fig, trace)
        z = getattr(trace, "z", None)
        if z is not None:
            z = np.asarray(z, dtype=float)
            if z.ndim != 2:
                continue
            rows, cols = np.indices(z.shape)
            x = np.asarray(trace.x) if trace.x is not None else np.arange(z.shape[1])
            y = np.asarray(trace.y) if trace.y is not None else np.arange(z.shape[0])
            parts.append(pd.DataFrame({panel_column: panel, series_column: name,
                                       "x": x[cols.ravel()], "y": y[rows.ravel()],
                                       "z": z.ravel()}))
        elif getattr(trace, "y", None) is not None:
            y = np.asarray(trace.y)
            x = np.asarray(trace.x) if trace.x is not None else np.arange(len(y))
            if x.shape != y.shape:
                continue
            parts.append(pd.DataFrame({panel_column: panel, series_column: name, "x": x,
                                       "y": y}))
    if not parts:
        return pd.DataFrame(columns=[series_column, "x", "y"])
    frame = pd.concat(parts, ignore_index=True)
    if frame[panel_column].nunique() < 2:
        frame = frame.drop(columns=panel_column)
    step = max(1, int(np.ceil(len(frame) / max_rows)))
    return frame.iloc[::step].reset_index(drop=True)
