"""The figures of the Cell Step-Through page (pure builders: arrays in, ``go.Figure`` out).

* :func:`step_through_figure` — the cell diagram of one unit over its time series, with the
  step chosen *inside* the figure (Plotly frames + slider + play): scrubbing never reruns the
  script. Each frame carries only what changes: node colours and values, flow widths, the
  equation lines and the step cursor.
* :func:`overview_figure` — "Where each slot operates" (each slot's activation curve with the
  run's pre-activations on it) and, for H > 1, units × time heatmaps, in one figure.

Two figures, not three: Streamlit draws every changed chart from scratch (``newPlot``) and each
chart costs ~40–50 ms of browser time before it draws anything. Not one: the scrubbed figure
stays small so that its first draw stays cheap.

Frames animate with ``redraw: false``: plotly.js then restyles only the traces in the frame
(~15 ms a step instead of a ~60 ms full redraw at T = 100). Two rules make that safe:

* every subplot has a trace in each frame (each time-series panel its own cursor line, with
  the panel's y range fixed so the line spans it): plotly.js drops the traces of a subplot the
  frame does not touch;
* in the diagram the framed traces come last, in drawing order (flows, value markers, the op
  and box symbols — framed with an empty update — and the equations): plotly.js redraws framed
  traces above the others.

Everything is built in one step from plain dicts (``viz.theme``): no ``update_layout``, no trace
objects, no per-step loops over Plotly objects; the frames are never validated (see
:class:`AnimatedFigure`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from i18n import N_, _
from viz import cell_diagram as cd
from viz.theme import (
    DIVERGING,
    SATURATION_FILL,
    SEQUENTIAL,
    PlainFigure,
    axis,
    figure,
    layout,
    series_style,
)

#: Cell type → time-series panels: (panel title, ((series name, legend label), …)).
PANELS: dict[str, tuple[tuple[str, tuple[tuple[str, str], ...]], ...]] = {
    "LSTM": (
        (N_("input x"), (("x", N_("x (first feature)")),)),
        (N_("gates"), (("i", N_("i input gate")), ("f", N_("f forget gate")),
                       ("o", N_("o output gate")))),
        (N_("candidate"), (("g", N_("g candidate")),)),
        (N_("cell state"), (("c", N_("c cell state")),)),
        (N_("hidden state"), (("h", N_("h hidden state")),)),
    ),
    "GRU": (
        (N_("input x"), (("x", N_("x (first feature)")),)),
        (N_("gates"), (("r", N_("r reset gate")), ("z", N_("z update gate")))),
        (N_("candidate"), (("n", N_("n candidate")),)),
        (N_("hidden state"), (("h", N_("h hidden state")),)),
    ),
    "RNN": (
        (N_("input x"), (("x", N_("x (first feature)")),)),
        (N_("pre-activation"), (("pre", "W·[x, h] + b"),)),
        (N_("hidden state"), (("h", N_("h hidden state")),)),
    ),
}
#: Heights in pixels of the figures' bands (top to bottom).
#: Margins wide enough for the usual tick labels and axis titles: when Streamlit's theme makes an
#: axis push a margin out, plotly.js draws the whole figure a second time.
MARGIN = {"l": 44, "r": 24, "t": 34, "b": 24}
DIAGRAM_PX = 390
SLIDER_PX = 66         # the play buttons, then the slider under them
BUTTONS_PX = 30
#: Play speeds (steps a second) of the play buttons: the first, slow enough to narrate.
PLAY_RATES = (3, 10)
LEGEND_PX = 90         # room for a legend that wraps to four rows (a phone)
PANEL_PX, PANEL_GAP_PX = 68, 16
AXIS_PX = 60           # tick labels and title under a block of panels
TITLE_PX = 40          # a block's title (and its legend)
HEAT_PX, HEAT_GAP_PX = 74, 10
CURVES_PX = 250
#: Room above a slot's curve for its legend (with the top margin: three rows, the first slot's in
#: a third of a wide page): a legend that needs more pushes its curve down, out of line with the
#: curves beside it.
CURVE_LEGEND_PX = 72
COLORBAR_SPACE = 0.10  # share of the width kept for the heatmaps' colour bars
#: Frame options of the slider steps: no full redraw (see the module notes).
ANIMATE = {"mode": "immediate", "frame": {"duration": 0, "redraw": False},
           "transition": {"duration": 0}}


class _Bands:
    """Horizontal bands stacked top-down in pixels, placed in paper coordinates (0 at the bottom
    of the plot area, 1 at its top)."""

    def __init__(self) -> None:
        self._bands: list[tuple[float, float]] = []
        self.height = 0.0

    def add(self, pixels: float) -> int:
        self._bands.append((self.height, pixels))
        self.height += pixels
        return len(self._bands) - 1

    def domain(self, band: int) -> list[float]:
        top, pixels = self._bands[band]
        return [round(1.0 - (top + pixels) / self.height, 6), round(1.0 - top / self.height, 6)]


def _span(arrays: Sequence[np.ndarray]) -> list[float]:
    """A y range holding every finite value of ``arrays`` with 5 % to spare (fixed, so that the
    cursor line can span the panel)."""
    finite = np.concatenate([np.asarray(a, dtype=float).ravel() for a in arrays])
    finite = finite[np.isfinite(finite)]
    if not finite.size:
        return [-1.0, 1.0]
    lo, hi = float(finite.min()), float(finite.max())
    pad = 0.05 * (hi - lo) if hi > lo else max(abs(lo) * 0.1, 1.0)
    return [lo - pad, hi + pad]


def _finite(values: np.ndarray) -> np.ndarray:
    """Non-finite values become NaN, which Plotly draws as a gap."""
    v = np.asarray(values, dtype=float)
    return np.where(np.isfinite(v), v, np.nan)


NBSP = "\u00a0"
#: Cell type → the equation lines under the diagram; ``%{text}`` is each step's numbers. Short
#: lines (≤ 36 characters with the numbers) so that they fit a phone-wide chart.
EQUATION_TEMPLATES: dict[str, tuple[str, ...]] = {
    "LSTM": ("c_t = f·c_t−1 + i·g = %{text}", NBSP * 4 + "= %{text}",
             "h_t = o·φ(c_t) = %{text}", NBSP * 4 + "= %{text}"),
    "GRU": ("h_t = (1 − z)·n + z·h_t−1 = %{text}", NBSP * 4 + "= %{text}",
            N_("z = %{text} of h_t−1 is kept"), N_("r = %{text} of h_t−1 feeds n")),
    "RNN": ("h_t = φ(W·[x_t, h_t−1] + b)", NBSP * 4 + "= %{text}"),
}
STEP_TEMPLATE = N_("step t = %{text}")


def equation_lines(cell_type: str, series: Mapping[str, np.ndarray],
                   formatted: Mapping[str, list[str]] | None = None) -> list[list[str]]:
    """The numbers of the state-update equations at each step (plain text), one string per
    line of :data:`EQUATION_TEMPLATES`. ``series``: name → (T,) values; ``formatted``: the
    same values as printed (``cell_diagram.formatted_nodes``), computed when not given."""
    f = dict(formatted) if formatted is not None else cd.formatted_nodes(cell_type, series)
    p = {name: cd.bracket_negatives(texts) for name, texts in f.items()}  # factors: (−0.57)
    if cell_type == "LSTM":
        return [[c, f"{pf}·{pc} + {pi}·{pg}", h, f"{po}·{ps}"]
                for pf, pc, pi, pg, c, po, ps, h in zip(
                    p["f"], p["c_prev"], p["i"], p["g"], f["c"], p["o"], p["squashed"], f["h"],
                    strict=True)]
    if cell_type == "GRU":
        with np.errstate(all="ignore"):
            keep = cd.bracket_negatives(cd.format_values(1.0 - np.asarray(series["z"], float)))
        return [[h, f"{pk}·{pn} + {pz}·{ph}", z, r]
                for pk, pn, pz, ph, h, z, r in zip(
                    keep, p["n"], p["z"], p["h_prev"], f["h"], f["z"], f["r"], strict=True)]
    return [["", f"φ({pre}) = {h}"] for pre, h in zip(f["pre"], f["h"], strict=True)]


def equation_text(cell_type: str, numbers: Sequence[str]) -> list[str]:
    """The equation lines of one step as shown (``numbers``: one entry of
    :func:`equation_lines`)."""
    return [_(template).replace("%{text}", n)
            for template, n in zip(EQUATION_TEMPLATES[cell_type], numbers, strict=True)]


def step_through_figure(
    cell_type: str,
    series: Mapping[str, np.ndarray],
    saturated: Mapping[str, np.ndarray],
    symbols: Mapping[str, str],
    initial_step: int = 1,
    unit_label: str = "",
    large_text: bool = False,
) -> go.Figure:
    """Diagram (top) and time series (bottom) of one unit, scrubbed by an in-figure slider.

    ``series``: name → (T,) values (``step_values.unit_values``); ``saturated``: name → (T,)
    bool, true where that slot's pre-activation is in its flat region; ``symbols``: slot → box
    symbol; ``initial_step`` counts from 1. ``large_text``: the figure will be shown with
    projector-sized text (teacher mode): the pause button is labelled ❚❚ alone, so that the
    three buttons stay in one row even on a phone-wide chart at 20 px.
    """
    steps = len(series["h"])
    initial_step = int(min(max(initial_step, 1), steps))
    k0 = initial_step - 1
    panels = PANELS[cell_type]
    bands = _Bands()
    diagram_band = bands.add(DIAGRAM_PX)
    slider_band = bands.add(SLIDER_PX)
    legend_band = bands.add(LEGEND_PX)
    panel_bands = []
    for k in range(len(panels)):
        if k:
            bands.add(PANEL_GAP_PX)
        panel_bands.append(bands.add(PANEL_PX))
    bands.add(AXIS_PX)
    # -- what changes from step to step, for every step at once ---------------------------------
    nodes = cd.DIAGRAMS[cell_type].nodes
    values = np.stack([np.asarray(series[n.name], dtype=float) for n in nodes], axis=1)  # (T, N)
    colours = np.round(cd.colour_value(values), 3).tolist()
    formatted = cd.formatted_nodes(cell_type, series)
    texts = cd.node_values(cell_type, formatted)
    flows = cd.DIAGRAMS[cell_type].flows
    widths = np.round(cd.flow_width(np.stack([series[f.name] for f in flows], axis=1)), 2)
    opacity = cd.flow_opacity(widths).tolist()
    widths = widths.tolist()
    equations = equation_lines(cell_type, series, formatted)
    templates = [_(t) for t in (STEP_TEMPLATE, *EQUATION_TEMPLATES[cell_type])]
    # -- the diagram: static traces, then the ones frames change, in drawing order -------------
    under, over = cd.static_traces(cell_type, "x", "y")
    traces: list[dict] = [*under]
    changing = list(range(len(traces), len(traces) + len(flows) + 3))
    traces += cd.flow_traces(cell_type, widths[k0], "x", "y")
    traces.append(cd.node_trace(cell_type, colours[k0], texts[k0], dict(symbols), "x", "y"))
    traces += over
    traces.append({  # the step shown, then the equations with its numbers (frames: numbers)
        "type": "scatter", "x": [cd.EQUATION_X] * len(templates),
        "y": list(cd.EQUATION_Y[:len(templates)]), "mode": "text",
        "text": [str(initial_step), *equations[k0]], "texttemplate": templates,
        "textposition": "middle right",
        "textfont": {"size": 11, "family": "monospace", "color": "#222222"},
        "hoverinfo": "skip", "showlegend": False, "xaxis": "x", "yaxis": "y",
    })
    axes: dict = {
        "xaxis": {"domain": [0, 1], "range": cd.X_RANGE, "visible": False, "fixedrange": True},
        "yaxis": {"domain": bands.domain(diagram_band), "range": cd.Y_RANGE, "visible": False,
                  "fixedrange": True},
    }
    # -- time series: one y axis per panel, one shared step axis x2 --------------------------------
    t = np.arange(1, steps + 1, dtype=float)  # float: plotly.js has no int64 typed arrays
    colour_index = 0
    saturated_legend = True
    spans = []
    panel_titles: list[dict] = []
    for k, (title, lines) in enumerate(panels):
        span = _span([series[name] for name, _ in lines])
        spans.append(span)
        axes[f"yaxis{k + 2}"] = axis(
            domain=bands.domain(panel_bands[k]), anchor="x2", range=span,
            zeroline=True, zerolinecolor="#DDDDDD", nticks=4,
        )
        # The panel's name inside its top-left corner: a y-axis title would widen the left
        # margin, which a phone-wide chart cannot spare.
        panel_titles.append({
            "text": _(title), "x": 0.005, "y": bands.domain(panel_bands[k])[1], "xref": "paper",
            "yref": "paper", "xanchor": "left", "yanchor": "top", "showarrow": False,
            "font": {"size": 11, "color": "#444444"}, "bgcolor": "rgba(255,255,255,0.8)"})
        for name, label in lines:
            style = series_style(colour_index)
            colour_index += 1
            y = _finite(series[name])
            traces.append({
                "type": "scatter", "x": t, "y": y, "mode": "lines", "name": _(label),
                "line": {"color": style.color, "dash": style.dash, "width": 1.6},
                "xaxis": "x2", "yaxis": f"y{k + 2}",
                "hovertemplate": _("{name} = %{{y:.4g}}<extra>step %{{x}}</extra>").format(
                    name=name),
            })
            mask = np.asarray(saturated.get(name, np.zeros(steps, bool)), dtype=bool)
            if mask.any():
                traces.append({
                    "type": "scatter", "x": t[mask], "y": y[mask], "mode": "markers",
                    "name": _("saturated (|f′| < ε)"), "legendgroup": "saturated",
                    "showlegend": saturated_legend,
                    "marker": {"symbol": "x-thin", "size": 6, "color": "#555555",
                               "line": {"width": 1.2, "color": "#555555"}},
                    "xaxis": "x2", "yaxis": f"y{k + 2}", "hoverinfo": "skip",
                })
                saturated_legend = False
    axes["xaxis2"] = axis(domain=[0, 1], anchor=f"y{len(panels) + 1}",
                          range=[0.5, steps + 0.5], title={"text": _("step t")})
    # the step cursor: one line per panel, drawn over the series, spanning the panel
    changing += range(len(traces), len(traces) + len(panels))
    for k, span in enumerate(spans):
        traces.append({
            "type": "scatter", "x": [initial_step, initial_step], "y": span, "mode": "lines",
            "name": _("shown step"), "line": {"color": "#333333", "width": 2, "dash": "dot"},
            "xaxis": "x2", "yaxis": f"y{k + 2}", "hoverinfo": "skip", "showlegend": False,
        })
    names = [str(s) for s in range(1, steps + 1)]
    frames = [
        {"name": names[k], "traces": changing, "data": [
            *({"line": {"width": w}, "opacity": a}
              for w, a in zip(widths[k], opacity[k], strict=True)),
            {"marker": {"color": colours[k]}, "text": texts[k],
             "textfont": {"color": cd.node_text_colours(cell_type, colours[k])}},
            {},  # the symbols: unchanged, framed to stay above the value markers
            {"text": [names[k], *equations[k]]},
            *({"x": [k + 1, k + 1]} for _ in spans),
        ]}
        for k in range(steps)
    ]
    # Empty labels and no "current value" box: plotly.js measures every step's label (twice
    # with the box) whenever it draws the figure; the diagram shows the step instead.
    slider_steps = [{"method": "animate", "label": "", "args": [[name], ANIMATE]}
                    for name in names]
    slider_top = bands.domain(slider_band)[1]
    fig_layout = layout(
        height=round(bands.height + MARGIN["t"] + MARGIN["b"]),
        hovermode="closest",
        legend={"orientation": "h", "yanchor": "top", "y": bands.domain(legend_band)[1],
                "xanchor": "left", "x": 0},
        margin=MARGIN,
        annotations=[_title(_("Cell diagram{unit}").format(unit=unit_label), 1.0, size=13),
                     *panel_titles],
        sliders=[{
            "active": k0, "x": 0.0, "len": 1.0,
            "y": slider_top - BUTTONS_PX / bands.height,
            "yanchor": "top",
            "pad": {"t": 8, "b": 0}, "ticklen": 0, "minorticklen": 0,
            "font": {"size": 1, "color": "rgba(0,0,0,0)"}, "currentvalue": {"visible": False},
            "steps": slider_steps[:1],  # the rest is attached unvalidated (see AnimatedFigure)
        }],
        updatemenus=_play_menus(slider_top, compact=large_text),
        **axes,
    )
    return AnimatedFigure(traces, fig_layout, frames, slider_steps)


def _play_menus(top: float, compact: bool = False) -> list[dict]:
    """The play buttons (one per rate of :data:`PLAY_RATES`) and the pause button, in one row
    from paper height ``top`` down; ``compact``: the pause button labelled ❚❚ alone."""
    play = [{"label": _("▶ {rate}/s").format(rate=rate), "method": "animate",
             "args": [None, {**ANIMATE, "fromcurrent": True,
                             "frame": {"duration": round(1000 / rate), "redraw": False}}]}
            for rate in PLAY_RATES]
    pause = [{"label": "❚❚" if compact else _("❚❚ pause"), "method": "animate",
              "args": [[None], ANIMATE]}]
    return [{"type": "buttons", "direction": "left", "x": 0.0, "y": round(top, 6),
             "xanchor": "left", "yanchor": "top", "pad": {"t": 0, "r": 4}, "showactive": False,
             "buttons": play + pause}]


def overview_figure(
    curves: Sequence[dict], epsilon: float,
    units: Sequence[tuple[str, str, np.ndarray]] = (), shared_legend: bool = True,
    first_colour: int = 0,
) -> go.Figure:
    """"Where each slot operates" (the curves, side by side) and, when ``units`` is given,
    "All H units over time" (the heatmaps, stacked, under a title of their own). Either may be
    empty: the page draws each slot's curve as a figure of its own (one per column, so that a
    phone stacks them, one per row) and the heatmaps as another.

    ``curves``: one panel dict per slot: ``title`` (str), ``grid`` and ``curve`` (the
    activation on a grid), ``saturated`` (bool over the grid: |f′| < ε), ``points``: list of
    (label, pre, out). ``units``: (name, axis title, (T, H) values) per quantity, one heatmap
    each: signed quantities get colours symmetric around 0 (blue negative, vermillion
    positive); non-negative ones (e.g. σ gates) a sequential scale from 0, so that a gate at
    0.2 and one at 0.9 look different. NaN/∞ show as gaps. ``shared_legend``: whether the
    legend lists the activation curve and the saturated shading (the operating points always);
    ``first_colour``: the series style of the first operating point (so that the points of
    slots drawn as separate figures keep distinct colours and markers).
    """
    bands = _Bands()
    traces: list[dict] = []
    axes: dict = {}
    legend: dict = {}
    if curves:
        bands.add(CURVE_LEGEND_PX)  # the legend (the page titles this block itself)
        curves_band = bands.add(CURVES_PX)
        bands.add(AXIS_PX)
    heat_bands = []
    if units:
        heat_title = bands.add(TITLE_PX)
        for k in range(len(units)):
            if k:
                bands.add(HEAT_GAP_PX)
            heat_bands.append(bands.add(HEAT_PX))
        bands.add(AXIS_PX)
    if curves:
        low, high = bands.domain(curves_band)
        traces, axes = _curve_parts(curves, epsilon, [low, high], 1, 1, shared_legend,
                                     first_colour)
        legend = {"orientation": "h", "yanchor": "bottom", "y": high + 4 / bands.height,
                  "xanchor": "left", "x": 0}
    annotations = []
    if units:
        first_x, first_y = len(curves) + 1, len(curves) + 1
        right = 1.0 - COLORBAR_SPACE
        heat_traces, heat_axes = _heatmap_parts(
            units, [bands.domain(b) for b in heat_bands], _axis_ref("x", first_x), first_y,
            right)
        traces += heat_traces
        axes |= heat_axes
        axes["xaxis" + _axis_ref("", first_x)] = axis(
            domain=[0, right], anchor=_axis_ref("y", first_y + len(units) - 1),
            title={"text": _("step t")})
        annotations.append(_title(_("All {count} units over time").format(
                                      count=units[0][2].shape[1]),
                                  bands.domain(heat_title)[0]))
    return figure(traces, layout(
        height=round(bands.height + MARGIN["t"] + MARGIN["b"]), hovermode="closest",
        legend=legend, margin=MARGIN,
        annotations=annotations, **axes,
    ))


def _axis_ref(letter: str, number: int) -> str:
    """Plotly's name of axis ``number``: "x", "x2", … (``letter`` "" gives the suffix)."""
    return letter + ("" if number == 1 else str(number))


def _title(text: str, y: float, size: int = 15) -> dict:
    """A block title at the left edge, just above paper height ``y``."""
    return {"text": text, "x": 0, "y": y, "xref": "paper", "yref": "paper", "showarrow": False,
            "xanchor": "left", "yanchor": "bottom", "font": {"size": size}}


class AnimatedFigure(PlainFigure):
    """A :class:`~viz.theme.PlainFigure` whose frames and slider steps are plain JSON-ready
    dicts, added as they are by :meth:`to_dict`.

    Why not ``go.Figure(frames=[dict, …])``: Plotly 7.1 validates every frame on construction
    and deep-copies them in ``to_dict``: measured at T = 500, 120–250 ms even for these minimal
    frames, against ~1 ms here. The builder above makes the frames to the schema itself, and
    like :func:`viz.theme.figure`, nothing is validated at run time; the tests validate the
    whole output, frames included (tests/test_step_figures.py).
    """

    _own_attributes = (*PlainFigure._own_attributes, "_plain_frames", "_plain_slider_steps")

    def __init__(self, data: list[dict], layout_dict: dict, frames: list[dict],
                 slider_steps: list[dict]):
        super().__init__(data, layout_dict)
        self._plain_frames = frames
        self._plain_slider_steps = slider_steps

    def to_dict(self) -> dict:
        out = super().to_dict()
        if self._plain_frames:
            out["frames"] = self._plain_frames
        sliders = out["layout"].get("sliders")
        if sliders and self._plain_slider_steps:
            sliders[0]["steps"] = self._plain_slider_steps
        return out


def _heatmap_parts(
    quantities: Sequence[tuple[str, str, np.ndarray]], domains: Sequence[list[float]],
    x_name: str, first_y: int, right: float,
) -> tuple[list[dict], dict]:
    """Heatmap traces and their y axes (``y{first_y}`` on), one per quantity, on ``x_name``."""
    traces: list[dict] = []
    axes: dict = {}
    for k, (name, title, values) in enumerate(quantities):
        z = _finite(values).T  # (H, T)
        finite = z[np.isfinite(z)]
        bound = float(np.max(np.abs(finite))) if finite.size else 1.0
        low, high = domains[k]
        y_name = f"y{first_y + k}" if first_y + k > 1 else "y"
        axes[f"yaxis{first_y + k}" if first_y + k > 1 else "yaxis"] = axis(
            domain=[low, high], title={"text": title, "font": {"size": 11}},
            autorange="reversed", anchor=x_name, tickmode="auto", nticks=5)
        if finite.size and finite.min() >= 0.0:
            colours = {"colorscale": SEQUENTIAL, "zmin": 0.0, "zmax": max(bound, 1e-12)}
        else:
            colours = {"colorscale": DIVERGING, "zmid": 0.0, "zmin": -bound or -1,
                       "zmax": bound or 1}
        traces.append({
            "type": "heatmap", "z": z, "x": np.arange(1.0, z.shape[1] + 1),
            "y": np.arange(1.0, z.shape[0] + 1), **colours, "xaxis": x_name, "yaxis": y_name,
            "colorbar": {"len": round(high - low, 6), "y": round((low + high) / 2, 6),
                         "x": right + 0.01, "xanchor": "left", "thickness": 10, "nticks": 3,
                         "title": {"text": name, "side": "top"}},
            "hovertemplate": _("{name}: unit %{{y}}, step %{{x}}: %{{z:.4g}}<extra></extra>"
                               ).format(name=name),
        })
    return traces, axes


def _curve_parts(
    panels: Sequence[dict], epsilon: float, domain: list[float], first_x: int, first_y: int,
    shared_legend: bool = True, first_colour: int = 0,
) -> tuple[list[dict], dict]:
    """Operating-point traces and axes: panel k on ``x{first_x + k}`` / ``y{first_y + k}``."""
    traces: list[dict] = []
    count = len(panels)
    width = (1.0 - 0.06 * (count - 1)) / count
    axes: dict = {}
    colour_index = first_colour
    for k, panel in enumerate(panels):
        xn, yn = first_x + k, first_y + k
        x_suffix, y_suffix = ("" if xn == 1 else str(xn)), ("" if yn == 1 else str(yn))
        left = k * (width + 0.06)
        grid = np.asarray(panel["grid"], dtype=float)
        curve = _finite(panel["curve"])
        finite = curve[np.isfinite(curve)]
        y_lo, y_hi = (float(finite.min()), float(finite.max())) if finite.size else (-1.0, 1.0)
        pad = 0.08 * (y_hi - y_lo or 1.0)
        axes[f"xaxis{x_suffix}"] = axis(
            domain=[round(left, 6), min(1.0, round(left + width, 6))], anchor=f"y{y_suffix}",
            title={"text": panel["title"], "font": {"size": 12}})
        axes[f"yaxis{y_suffix}"] = axis(anchor=f"x{x_suffix}", range=[y_lo - pad, y_hi + pad],
                                        domain=domain)
        where = {"xaxis": f"x{x_suffix}", "yaxis": f"y{y_suffix}"}
        fill_x, fill_y = _shading(grid, np.asarray(panel["saturated"], bool), y_lo - pad,
                                  y_hi + pad)
        if fill_x:
            traces.append({
                "type": "scatter", "x": fill_x, "y": fill_y, "fill": "toself",
                "fillcolor": SATURATION_FILL, "mode": "none",
                "name": _("saturated: |f′| < {epsilon:g}").format(epsilon=epsilon),
                "legendgroup": "sat",
                "showlegend": shared_legend and k == 0, "hoverinfo": "skip", **where,
            })
        traces.append({
            "type": "scatter", "x": grid, "y": curve, "mode": "lines",
            "line": {"color": "#333333", "width": 2}, "name": _("activation curve"),
            "legendgroup": "curve", "showlegend": shared_legend and k == 0, "hoverinfo": "skip",
            **where,
        })
        for label, pre, out in panel["points"]:
            style = series_style(colour_index)
            colour_index += 1
            pre, out = _finite(pre), _finite(out)
            keep = np.isfinite(pre) & np.isfinite(out) & (pre >= grid[0]) & (pre <= grid[-1])
            traces.append({
                "type": "scatter", "x": pre[keep], "y": out[keep], "mode": "markers",
                "name": label,
                "marker": {"color": style.color, "symbol": style.marker, "size": 6,
                           "opacity": 0.6},
                "hovertemplate": f"{label}: x = %{{x:.3g}}, f(x) = %{{y:.3g}}<extra></extra>",
                **where,
            })
    return traces, axes


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
