"""Figures of the Cell Step-Through page (pure builders: arrays in, ``go.Figure`` out).

* :func:`step_through_figure` — the cell diagram over the time series of one unit, with the
  step chosen *inside* the figure (Plotly frames + slider + play): scrubbing never reruns the
  script. Each frame carries only what changes: node colours and values, flow widths, the two
  equation lines and the step cursor.
* :func:`unit_heatmaps` — units × time heatmaps (for H > 1).
* :func:`operating_points` — each slot's activation curve with the run's pre-activations on it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from viz import cell_diagram as cd
from viz.theme import DIVERGING, SATURATION_FILL, SEQUENTIAL, base_layout, series_style

#: Cell type → time-series panels: (panel title, ((series name, legend label), …)).
PANELS: dict[str, tuple[tuple[str, tuple[tuple[str, str], ...]], ...]] = {
    "LSTM": (
        ("input x", (("x", "x (first feature)"),)),
        ("gates", (("i", "i input gate"), ("f", "f forget gate"), ("o", "o output gate"))),
        ("candidate", (("g", "g candidate"),)),
        ("cell state", (("c", "c cell state"),)),
        ("hidden state", (("h", "h hidden state"),)),
    ),
    "GRU": (
        ("input x", (("x", "x (first feature)"),)),
        ("gates", (("r", "r reset gate"), ("z", "z update gate"))),
        ("candidate", (("n", "n candidate"),)),
        ("hidden state", (("h", "h hidden state"),)),
    ),
    "RNN": (
        ("input x", (("x", "x (first feature)"),)),
        ("pre-activation", (("pre", "W·[x, h] + b"),)),
        ("hidden state", (("h", "h hidden state"),)),
    ),
}
DIAGRAM_DOMAIN = (0.63, 1.0)
SERIES_DOMAIN = (0.0, 0.50)
SLIDER_Y = 0.60
GAP = 0.025


def _finite(values: np.ndarray) -> np.ndarray:
    """Non-finite values become NaN, which Plotly draws as a gap."""
    v = np.asarray(values, dtype=float)
    return np.where(np.isfinite(v), v, np.nan)


def equation_lines(cell_type: str, v: Mapping[str, float]) -> list[str]:
    """The state-update equations of one step with its numbers plugged in (plain text)."""
    f = cd.format_value

    def p(value: float) -> str:  # a factor: negatives in brackets
        text = f(value)
        return f"({text})" if text.startswith("−") else text

    if cell_type == "LSTM":
        return [
            f"c_t = f·c_t−1 + i·g = {p(v['f'])}·{p(v['c_prev'])} + {p(v['i'])}·{p(v['g'])}"
            f" = {f(v['c'])}",
            f"h_t = o·φ(c_t) = {p(v['o'])}·{p(v['squashed'])} = {f(v['h'])}",
        ]
    if cell_type == "GRU":
        return [
            f"h_t = (1 − z)·n + z·h_t−1 = {p(1.0 - v['z'])}·{p(v['n'])} + {p(v['z'])}·"
            f"{p(v['h_prev'])} = {f(v['h'])}",
            f"z = {f(v['z'])} of the old state is kept, r = {f(v['r'])} of it feeds n",
        ]
    return [f"h_t = φ(W·[x_t, h_t−1] + b) = φ({f(v['pre'])}) = {f(v['h'])}", ""]


def _at(series: Mapping[str, np.ndarray], t: int) -> dict[str, float]:
    return {name: float(arr[t - 1]) for name, arr in series.items()}


def step_through_figure(
    cell_type: str,
    series: Mapping[str, np.ndarray],
    saturated: Mapping[str, np.ndarray],
    symbols: Mapping[str, str],
    initial_step: int = 1,
    unit_label: str = "",
    height: int = 900,
) -> go.Figure:
    """Diagram (top) and time series (bottom) of one unit, scrubbed by an in-figure slider.

    ``series``: name → (T,) values (``step_values.unit_values``); ``saturated``: name → (T,)
    bool, true where that slot's pre-activation is in its flat region; ``symbols``: slot → box
    symbol; ``initial_step`` counts from 1.
    """
    steps = len(series["h"])
    initial_step = int(min(max(initial_step, 1), steps))
    now = _at(series, initial_step)
    traces: list = []
    # -- the diagram: static traces, then the ones frames change ---------------------------------
    under, over = cd.static_traces(cell_type, dict(symbols), "x", "y")
    for trace in under:
        traces.append(trace)
    changing = [len(traces)]
    traces.append(cd.node_trace(cell_type, now, "x", "y"))
    for trace in over:
        traces.append(trace)
    for trace in cd.flow_traces(cell_type, now, "x", "y"):
        changing.append(len(traces))
        traces.append(trace)
    changing.append(len(traces))
    traces.append(go.Scatter(
        x=[-0.4, -0.4], y=[-0.95, -1.6], mode="text", text=equation_lines(cell_type, now),
        textposition="middle right", textfont=dict(size=14, family="monospace"),
        hoverinfo="skip", showlegend=False, xaxis="x", yaxis="y",
    ))
    # -- time series: one y axis per panel, one shared x axis -------------------------------------
    panels = PANELS[cell_type]
    lo, hi = SERIES_DOMAIN
    height_each = (hi - lo - GAP * (len(panels) - 1)) / len(panels)
    t = np.arange(1, steps + 1, dtype=float)  # float: plotly.js has no int64 typed arrays
    layout_axes: dict = {}
    colour_index = 0
    for k, (title, lines) in enumerate(panels):
        axis_number = k + 2
        top = hi - k * (height_each + GAP)
        layout_axes[f"yaxis{axis_number}"] = dict(
            domain=[max(0.0, round(top - height_each, 6)), round(top, 6)], anchor="x2",
            title=dict(text=title, font=dict(size=11)),
            zeroline=True, zerolinecolor="#DDDDDD",
        )
        for name, label in lines:
            style = series_style(colour_index)
            colour_index += 1
            traces.append(go.Scatter(
                x=t, y=_finite(series[name]), mode="lines", name=label,
                line=dict(color=style.color, dash=style.dash, width=1.6),
                xaxis="x2", yaxis=f"y{axis_number}",
                hovertemplate=f"{name} = %{{y:.4g}}<extra>step %{{x}}</extra>",
            ))
            mask = np.asarray(saturated.get(name, np.zeros(steps, bool)), dtype=bool)
            if mask.any():
                traces.append(go.Scatter(
                    x=t[mask], y=_finite(series[name])[mask], mode="markers",
                    name="saturated (|f′| < ε)", legendgroup="saturated",
                    showlegend=not any(tr.legendgroup == "saturated" for tr in traces),
                    marker=dict(symbol="x-thin", size=6, color="#555555",
                                line=dict(width=1.2, color="#555555")),
                    xaxis="x2", yaxis=f"y{axis_number}", hoverinfo="skip",
                ))
    # the step cursor on an overlay axis spanning every panel
    cursor_axis = len(panels) + 2
    layout_axes[f"yaxis{cursor_axis}"] = dict(domain=[lo, hi], range=[0, 1], visible=False,
                                              anchor="x2", fixedrange=True)
    changing.append(len(traces))
    traces.append(go.Scatter(
        x=[initial_step, initial_step], y=[0, 1], mode="lines", name="shown step",
        line=dict(color="#333333", width=2, dash="dot"), xaxis="x2", yaxis=f"y{cursor_axis}",
        hoverinfo="skip", showlegend=False,
    ))
    fig = AnimatedFigure(data=traces)
    base_layout(fig, height=height)
    fig.update_layout(
        xaxis=dict(domain=[0, 1], range=cd.X_RANGE, visible=False, fixedrange=True),
        yaxis=dict(domain=list(DIAGRAM_DOMAIN), range=cd.Y_RANGE, visible=False,
                   fixedrange=True),
        xaxis2=dict(domain=[0, 1], anchor=f"y{len(panels) + 1}", range=[0.5, steps + 0.5],
                    title=dict(text="step t")),
        hovermode="closest",
        # the cursor's overlay subplot spans every panel: a see-through plot area keeps it from
        # painting over them
        plot_bgcolor="rgba(0,0,0,0)",
        legend=dict(orientation="h", yanchor="bottom", y=SERIES_DOMAIN[1] + 0.01, x=0),
        margin=dict(l=70, r=20, t=40, b=110),
        annotations=[dict(text=f"Cell diagram{unit_label}: values at the step chosen below",
                          x=0, y=1.0, xref="paper", yref="paper", showarrow=False,
                          xanchor="left", yanchor="bottom", font=dict(size=13))],
        **layout_axes,
    )
    _add_frames(fig, cell_type, series, changing, steps, initial_step)
    return fig


class AnimatedFigure(go.Figure):
    """A ``go.Figure`` whose frames and slider steps are attached as plain JSON-ready dicts.

    Validating 500 frames (``fig.frames = …``) cost ~0.2 s and ``to_dict`` deep-copies them
    (~0.08 s) on Plotly 7.1; the builder below makes them to the schema itself, so
    :meth:`to_dict` adds them to the validated rest of the figure as they are.
    """

    def to_dict(self) -> dict:
        out = super().to_dict()
        extra = self.__dict__.get("_animation")
        if extra:
            out["frames"] = extra["frames"]
            out["layout"]["sliders"][0]["steps"] = extra["steps"]
        return out

    @property
    def animation_frames(self) -> list[dict]:
        """The frames as attached (one per step)."""
        return self.__dict__.get("_animation", {}).get("frames", [])


def _add_frames(fig, cell_type, series, changing, steps, initial_step) -> None:
    names = [str(t) for t in range(1, steps + 1)]
    nodes = cd.DIAGRAMS[cell_type].nodes
    values = np.stack([np.asarray(series[n.name], dtype=float) for n in nodes], axis=1)  # (T, N)
    colours = np.round(cd.colour_value(values), 3).tolist()
    labels = [n.label for n in nodes]
    fmt = cd.format_value
    flows = cd.DIAGRAMS[cell_type].flows
    widths = np.round(cd.flow_width(np.stack([series[f.name] for f in flows], axis=1)), 2)
    opacity = np.round(0.25 + 0.75 * (widths - 1.5) / 8.0, 3).tolist()
    widths = widths.tolist()
    rows = values.tolist()  # Python floats: formatting them is ~20× faster than NumPy scalars
    frames = []
    for k in range(steps):
        row = rows[k]
        v = {n.name: row[j] for j, n in enumerate(nodes)}
        data = [{"marker": {"color": colours[k]},
                 "text": [f"{label} {fmt(value)}" for label, value in zip(labels, row,
                                                                           strict=True)]}]
        data += [{"line": {"width": w}, "opacity": a}
                 for w, a in zip(widths[k], opacity[k], strict=True)]
        data += [{"text": equation_lines(cell_type, v)}, {"x": [k + 1, k + 1]}]
        frames.append({"name": names[k], "data": data, "traces": changing})
    animate = dict(mode="immediate", frame=dict(duration=0, redraw=True),
                   transition=dict(duration=0))
    slider_steps = [{"method": "animate", "label": name, "args": [[name], animate]}
                    for name in names]
    fig.update_layout(
        sliders=[dict(
            active=initial_step - 1, x=0.10, len=0.90, y=SLIDER_Y,
            yanchor="top", pad=dict(t=0, b=0), ticklen=0, minorticklen=0,
            font=dict(size=1, color="rgba(0,0,0,0)"),
            currentvalue=dict(prefix="step t = ", font=dict(size=14, color="#333333"),
                              xanchor="left"),
            steps=slider_steps[:1],  # the rest is attached unvalidated (see AnimatedFigure)
        )],
        updatemenus=[dict(
            type="buttons", direction="left", x=0.0, y=SLIDER_Y, xanchor="left",
            yanchor="top", pad=dict(t=0, r=4), showactive=False,
            buttons=[
                dict(label="▶", method="animate",
                     args=[None, dict(mode="immediate", fromcurrent=True,
                                      frame=dict(duration=80, redraw=True),
                                      transition=dict(duration=0))]),
                dict(label="❚❚", method="animate",
                     args=[[None], dict(mode="immediate", frame=dict(duration=0, redraw=False),
                                        transition=dict(duration=0))]),
            ],
        )],
    )
    fig.__dict__["_animation"] = {"frames": frames, "steps": slider_steps}


def unit_heatmaps(
    cell_type: str, quantities: Sequence[tuple[str, str, np.ndarray]], height: int = 520
) -> go.Figure:
    """One units × time heatmap per quantity, stacked; ``quantities`` = (name, title, (T, H)).

    Signed quantities get colours symmetric around 0 (blue negative, vermillion positive);
    non-negative ones (e.g. σ gates) a sequential scale from 0, so that a gate at 0.2 and one at
    0.9 look different. NaN/∞ show as gaps.
    """
    traces: list = []
    count = len(quantities)
    each = (1.0 - 0.04 * (count - 1)) / count
    axes = {}
    for k, (name, title, values) in enumerate(quantities):
        z = _finite(values).T  # (H, T)
        finite = z[np.isfinite(z)]
        bound = float(np.max(np.abs(finite))) if finite.size else 1.0
        top = 1.0 - k * (each + 0.04)
        suffix = "" if k == 0 else str(k + 1)
        axes[f"yaxis{suffix}"] = dict(domain=[max(0.0, round(top - each, 6)), round(top, 6)],
                                      title=dict(text=title, font=dict(size=11)),
                                      autorange="reversed",
                                      anchor=f"x{len(quantities) if count > 1 else ''}",
                                      tickmode="auto", nticks=5)
        if finite.size and finite.min() >= 0.0:
            colours = dict(colorscale=SEQUENTIAL, zmin=0.0, zmax=max(bound, 1e-12))
        else:
            colours = dict(colorscale=DIVERGING, zmid=0.0, zmin=-bound or -1, zmax=bound or 1)
        traces.append(go.Heatmap(
            z=z, x=np.arange(1.0, z.shape[1] + 1), y=np.arange(1.0, z.shape[0] + 1), **colours,
            xaxis=f"x{len(quantities) if count > 1 else ''}", yaxis=f"y{suffix}",
            colorbar=dict(len=each, y=top - each / 2, thickness=10, title=dict(text=name)),
            hovertemplate=f"{name}: unit %{{y}}, step %{{x}}: %{{z:.4g}}<extra></extra>",
        ))
    fig = go.Figure(data=traces)
    base_layout(fig, height=height)
    xname = f"xaxis{count if count > 1 else ''}"
    fig.update_layout(hovermode="closest", margin=dict(l=70, r=20, t=30, b=45),
                      **{xname: dict(domain=[0, 0.92], anchor=f"y{count if count > 1 else ''}",
                                     title=dict(text="step t"))}, **axes)
    return fig


def operating_points(
    panels: Sequence[dict], epsilon: float, height: int = 360
) -> go.Figure:
    """Activation curves with the run's pre-activations as points, side by side.

    Each panel dict: ``title`` (str), ``grid`` and ``curve`` (the activation on a grid),
    ``saturated`` (bool over the grid: |f′| < ε), ``points``: list of (label, pre, out).
    """
    traces: list = []
    count = len(panels)
    width = (1.0 - 0.06 * (count - 1)) / count
    axes = {}
    colour_index = 0
    for k, panel in enumerate(panels):
        suffix = "" if k == 0 else str(k + 1)
        left = k * (width + 0.06)
        grid = np.asarray(panel["grid"], dtype=float)
        curve = _finite(panel["curve"])
        finite = curve[np.isfinite(curve)]
        y_lo, y_hi = (float(finite.min()), float(finite.max())) if finite.size else (-1.0, 1.0)
        pad = 0.08 * (y_hi - y_lo or 1.0)
        axes[f"xaxis{suffix}"] = dict(domain=[round(left, 6), min(1.0, round(left + width, 6))],
                                      anchor=f"y{suffix}",
                                      title=dict(text=panel["title"], font=dict(size=12)))
        axes[f"yaxis{suffix}"] = dict(anchor=f"x{suffix}", range=[y_lo - pad, y_hi + pad])
        fill_x, fill_y = _shading(grid, np.asarray(panel["saturated"], bool), y_lo - pad,
                                  y_hi + pad)
        if fill_x:
            traces.append(go.Scatter(
                x=fill_x, y=fill_y, fill="toself", fillcolor=SATURATION_FILL, mode="none",
                name=f"saturated: |f′| < {epsilon:g}", legendgroup="sat", showlegend=k == 0,
                xaxis=f"x{suffix}", yaxis=f"y{suffix}", hoverinfo="skip",
            ))
        traces.append(go.Scatter(
            x=grid, y=curve, mode="lines", line=dict(color="#333333", width=2),
            name="activation curve", legendgroup="curve", showlegend=k == 0,
            xaxis=f"x{suffix}", yaxis=f"y{suffix}", hoverinfo="skip",
        ))
        for label, pre, out in panel["points"]:
            style = series_style(colour_index)
            colour_index += 1
            pre, out = _finite(pre), _finite(out)
            keep = np.isfinite(pre) & np.isfinite(out) & (pre >= grid[0]) & (pre <= grid[-1])
            traces.append(go.Scatter(
                x=pre[keep], y=out[keep], mode="markers", name=label,
                marker=dict(color=style.color, symbol=style.marker, size=6, opacity=0.6),
                xaxis=f"x{suffix}", yaxis=f"y{suffix}",
                hovertemplate=f"{label}: x = %{{x:.3g}}, f(x) = %{{y:.3g}}<extra></extra>",
            ))
    fig = go.Figure(data=traces)
    base_layout(fig, height=height)
    fig.update_layout(hovermode="closest", margin=dict(l=50, r=20, t=40, b=50), **axes)
    return fig


def _shading(grid: np.ndarray, mask: np.ndarray, y_lo: float, y_hi: float):
    """Closed rectangles (one path with gaps) over the runs of ``mask`` on ``grid``."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    if not mask.any():
        return xs, ys
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(int), [0]])))
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        a, b = float(grid[start]), float(grid[stop - 1])
        xs += [a, b, b, a, a, None]
        ys += [y_lo, y_lo, y_hi, y_hi, y_lo, None]
    return xs, ys
