"""The data twin of a figure: the numbers a sighted reader sees, as one table (for screen
readers and for copying numbers)."""

from __future__ import annotations

import base64
import math
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from i18n import _

MAX_ROWS = 5000


def _array(values) -> np.ndarray | None:
    """A data array as the figure's JSON holds it: a list, or base64 ``{"dtype", "bdata"}``."""
    if values is None:
        return None
    if isinstance(values, dict) and "bdata" in values:
        raw = np.frombuffer(base64.b64decode(values["bdata"]), dtype=np.dtype(values["dtype"]))
        shape = values.get("shape")
        if isinstance(shape, str):
            shape = [int(n) for n in shape.split(",")]
        return raw.reshape(shape) if shape else raw
    return np.asarray(values)


#: A Plotly rich-text tag (``<br>``, ``<b>``, ``</sub>``…); a lone "<" as in "|f′| < ε" is not.
TAG = re.compile(r"</?[A-Za-z][^<>]*>")


def plain_text(text) -> str:
    """Plotly rich text (a title, a label) as plain text: tags dropped, spaces squeezed."""
    return " ".join(TAG.sub(" ", str(text or "")).split())


def _plain(text) -> str:
    """:func:`plain_text` without Plotly's ``%{…}`` placeholders (a text template's)."""
    return plain_text(re.sub(r"%\{[^}]*\}", " ", str(text or "")))


def _title(item: dict) -> str:
    title = (item or {}).get("title") or {}
    return _plain(title.get("text") if isinstance(title, dict) else title)


def _panel(layout: dict, trace: dict) -> str:
    """The title of the y axis ``trace`` is drawn on (its panel), as plain text."""
    ref = trace.get("yaxis") or "y"
    return _title(layout.get("yaxis" + ref[1:]) or {})


def _number(text: str) -> float:
    """A value as printed on a chart ("−0.57", "∞", "NaN") as a float."""
    text = str(text).strip().strip("()").replace("−", "-").replace("∞", "inf")
    try:
        return float(text)
    except ValueError:
        return math.nan


def _close(a, b) -> bool:
    try:
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    except (TypeError, ValueError):
        return False


def _line_label(layout: dict, data: list[dict], shape: dict, horizontal: bool) -> str:
    """A drawn line's name: the annotation written at its height (or place), else the series
    drawn in its colour, else "line"."""
    where = shape["y0"] if horizontal else shape["x0"]
    spots = (where, math.log10(where)) if isinstance(where, (int, float)) and where > 0 \
        else (where,)
    for note in layout.get("annotations") or ():
        at = note.get("y") if horizontal else note.get("x")
        if any(_close(at, spot) for spot in spots) and note.get("text"):
            return _plain(note["text"])
    colour = (shape.get("line") or {}).get("color")
    for trace in data:
        if colour and (trace.get("line") or {}).get("color") == colour and trace.get("name"):
            return _("{series}: line").format(series=_plain(trace["name"]))
    return _("line")


def _shape_rows(layout: dict, data: list[dict], columns: tuple[str, str]) -> list[dict]:
    """One row per straight horizontal or vertical line drawn as a shape (thresholds,
    baselines, markers of a step): its name and where it is."""
    panel_column, series_column = columns
    rows = []
    for shape in layout.get("shapes") or ():
        if shape.get("type", "line") != "line":
            continue
        horizontal = shape.get("y0") is not None and _close(shape.get("y0"), shape.get("y1"))
        vertical = shape.get("x0") is not None and _close(shape.get("x0"), shape.get("x1"))
        if horizontal == vertical:
            continue
        label = _line_label(layout, data, shape, horizontal)
        yref = (shape.get("yref") or "y").split(" ")[0]
        panel = _title(layout.get("yaxis" + yref[1:]) or {}) if yref != "paper" else ""
        rows.append({panel_column: panel, series_column: label,
                     "x": math.nan if horizontal else float(shape["x0"]),
                     "y": float(shape["y0"]) if horizontal else math.nan})
    return rows


def _steps_frame(figure: dict) -> pd.DataFrame:
    """A figure scrubbed through steps (Plotly frames, e.g. the Step-Through's diagram): one row
    per step with every value printed in the chart's boxes at that step (named as on the
    boxes) and every curve drawn over the steps."""
    data, frames = figure["data"], figure["frames"]
    step_column = _("step t")
    table: dict[str, list] = {step_column: [_number(f.get("name")) for f in frames]}
    for j, trace in enumerate(data):
        templates = trace.get("texttemplate")
        if not isinstance(templates, list) or "marker" not in trace:
            continue
        names = [_plain(t) for t in templates]
        for frame in frames:
            if j not in frame.get("traces", ()):
                break
        else:
            texts = [frame["data"][frame["traces"].index(j)].get("text", ()) for frame in frames]
            for k, name in enumerate(names):
                table[name] = [_number(row[k]) for row in texts]
    steps = np.asarray(table[step_column], dtype=float)
    for trace in data:
        x, y = _array(trace.get("x")), _array(trace.get("y"))
        if trace.get("name") and x is not None and y is not None and len(x) == len(steps) \
                and np.array_equal(x.astype(float), steps):
            table.setdefault(_plain(trace["name"]), y.astype(float).tolist())
    frame = pd.DataFrame(table)
    if frame[step_column].notna().all() and (frame[step_column] % 1 == 0).all():
        frame[step_column] = frame[step_column].astype(int)
    return frame


def figure_to_frame(fig: go.Figure, max_rows: int = MAX_ROWS) -> pd.DataFrame:
    """The twin of ``fig``.

    A figure with frames (scrubbed through steps): see :func:`_steps_frame`. Any other: columns
    series, x, y (and z for heatmaps), one row per drawn point, then one per straight line
    drawn as a shape (x or y empty); a first column *panel* (the y-axis title) when the figure
    has several panels. Evenly thinned to at most ``max_rows`` rows: ``frame.attrs`` holds
    ``points`` (rows before thinning) and ``every`` (1 if none was dropped)."""
    figure = fig.to_dict()
    if figure.get("frames"):
        frame = _steps_frame(figure)
        frame.attrs.update(points=len(frame), every=1)
        return frame
    data, layout = figure.get("data", []), figure.get("layout", {})
    parts = []
    panel_column, series_column = _("panel"), _("series")
    for index, trace in enumerate(data):
        name = _plain(trace.get("name")) or _("series {number}").format(number=index + 1)
        panel = _panel(layout, trace)
        z, x, y = (_array(trace.get(k)) for k in ("z", "x", "y"))
        if z is not None:
            z = np.asarray(z, dtype=float)
            if z.ndim != 2:
                continue
            rows, cols = np.indices(z.shape)
            x = x if x is not None else np.arange(z.shape[1])
            y = y if y is not None else np.arange(z.shape[0])
            parts.append(pd.DataFrame({panel_column: panel, series_column: name,
                                       "x": x[cols.ravel()], "y": y[rows.ravel()],
                                       "z": z.ravel()}))
        elif y is not None:
            x = x if x is not None else np.arange(len(y))
            if x.shape != y.shape:
                continue
            parts.append(pd.DataFrame({panel_column: panel, series_column: name, "x": x,
                                       "y": y}))
    lines = _shape_rows(layout, data, (panel_column, series_column))
    if not parts and not lines:
        return pd.DataFrame(columns=[series_column, "x", "y"])
    points = pd.concat(parts, ignore_index=True) if parts else None
    total = 0 if points is None else len(points)
    step = max(1, int(np.ceil(total / max_rows)))
    frame = pd.concat([p for p in (None if points is None else points.iloc[::step],
                                   pd.DataFrame(lines) if lines else None) if p is not None],
                      ignore_index=True)
    if frame[panel_column].nunique() < 2:
        frame = frame.drop(columns=panel_column)
    frame.attrs.update(points=total + len(lines), every=step)
    return frame
