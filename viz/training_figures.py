"""Training Lab figures: loss curves across seeds, and a trained model's gates on one sequence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from i18n import _
from lstm_core.training import Band
from viz.theme import DARK_GREEN, DIVERGING, SEQUENTIAL, axis, figure, layout, series_style

DIED_SYMBOL = "x"


@dataclass(frozen=True)
class CurveSeries:
    """One configuration's curves: median and spread across seeds, and where runs died.

    ``deaths`` holds ``(step, loss to draw the mark at, seed)`` for every diverged run.
    """

    label: str
    band: Band
    deaths: tuple[tuple[int, float, int], ...] = ()


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha})"


def loss_curves(
    series: Sequence[CurveSeries], *, baseline: float, threshold: float, total_steps: int,
    loss_name: str, seeds: int,
) -> go.Figure:
    """Training loss per step on a log axis: median across seeds (line), min–max band, an ✕ where
    a run diverged, and the task's baseline and threshold as horizontal lines."""
    traces: list[dict] = []
    for index, item in enumerate(series):
        style = series_style(index)
        band = item.band
        group = dict(type="scatter", legendgroup=str(index))
        if seeds > 1 and band.steps.size:
            traces.append(dict(group, x=band.steps, y=band.high, mode="lines",
                               line=dict(width=0), hoverinfo="skip", showlegend=False))
            traces.append(dict(group, x=band.steps, y=band.low, mode="lines",
                               line=dict(width=0), fill="tonexty",
                               fillcolor=_rgba(style.color, 0.16), hoverinfo="skip",
                               showlegend=False))
        traces.append(dict(
            group, x=band.steps, y=band.median, mode="lines+markers", name=item.label,
            line=dict(color=style.color, dash=style.dash, width=2),
            marker=dict(symbol=style.marker, size=7, maxdisplayed=12),
            hovertemplate="%{y:.4g}",
        ))
        if item.deaths:
            steps, losses, seed_ids = zip(*item.deaths, strict=True)
            traces.append(dict(
                group, x=list(steps), y=list(losses), mode="markers",
                name=_("{configuration}: diverged").format(configuration=item.label),
                showlegend=False,
                # a filled ✕ with a white rim stands out on the curves and bands under it
                marker=dict(symbol=DIED_SYMBOL, size=20, color=style.color,
                            line=dict(width=2, color="#FFFFFF")),
                customdata=list(seed_ids),
                hovertemplate=_("diverged at step %{x} (seed %{customdata})<extra></extra>"),
            ))
    shapes, annotations = [], []
    for value, text, colour, text_colour, dash, anchor in (
        (baseline, _("baseline {value:.3g} (input-blind)").format(value=baseline), "#666666",
         "#666666", "dash", "bottom"),
        # the green line as Okabe–Ito's; its words darker: #009E73 text is 3.4:1 on white
        (threshold, _("threshold {value:g}").format(value=threshold), "#009E73", DARK_GREEN,
         "dot", "top"),
    ):
        shapes.append(dict(type="line", xref="x domain", x0=0, x1=1, yref="y", y0=value,
                           y1=value, line=dict(color=colour, dash=dash, width=1.5),
                           layer="below"))
        # Annotations on a log axis take log10(y) (shapes take y itself); drawn above the
        # curves, on a white box so that a curve passing behind never hides the words.
        annotations.append(dict(x=1, xref="paper", y=np.log10(value), yref="y", text=text,
                                showarrow=False, xanchor="right", yanchor=anchor,
                                font=dict(color=text_colour, size=12),
                                bgcolor="rgba(255, 255, 255, 0.9)", bordercolor=colour,
                                borderwidth=1, borderpad=2))
    # powers of ten, not SI prefixes: "100μ" for a loss reads as a unit
    y_axis = axis(type="log", dtick=1, exponentformat="power", showexponent="all",
                  title={"text": _("training {loss} (log scale)").format(loss=_(loss_name))})
    if not series:  # empty axes before a race: a decade either side of the two lines
        y_axis["range"] = [np.log10(threshold) - 1, np.log10(baseline) + 1]
    return figure(traces, layout(
        height=440,
        margin=dict(l=60, r=20, t=70, b=50),
        shapes=shapes,
        annotations=annotations,
        xaxis=axis(title={"text": _("training step")}, range=[0, max(total_steps, 1) * 1.01]),
        yaxis=y_axis,
    ))


@dataclass(frozen=True)
class HeatRow:
    """One row of the gates figure: a (T, H) quantity and how to colour it."""

    name: str
    values: np.ndarray
    bounded01: bool


def gates_figure(
    rows: Sequence[HeatRow], *, inputs: np.ndarray, input_names: Sequence[str],
    prediction: np.ndarray, target: np.ndarray, prediction_name: str, title: str,
) -> go.Figure:
    """Stacked heatmaps (unit × step) of every gate and state on one test sequence, under the
    inputs and above the read-out compared with the target. Axes are laid out by hand."""
    steps = np.arange(1, inputs.shape[0] + 1)
    panel_count = len(rows) + 2  # inputs, the rows, the read-out
    gap = 0.025
    height = (1.0 - gap * (panel_count - 1)) / panel_count
    # clamped: rounding can leave the last panel's bottom at −1e-17, which Plotly rejects
    domains = [(max(0.0, 1.0 - (k + 1) * height - k * gap), min(1.0, 1.0 - k * height - k * gap))
               for k in range(panel_count)]
    traces: list[dict] = []
    axes: dict = {}

    def axis_names(k: int) -> tuple[str, str, str]:
        suffix = "" if k == 0 else str(k + 1)
        return f"y{suffix}", f"yaxis{suffix}", f"coloraxis{suffix}"

    heat_panels = [HeatRow(_("inputs"), inputs, False), *rows]
    for k, row in enumerate(heat_panels):
        y_ref, y_name, colour_name = axis_names(k)
        values = np.asarray(row.values, dtype=float)
        finite = values[np.isfinite(values)]
        reach = float(np.max(np.abs(finite))) if finite.size else 1.0
        reach = reach if reach > 0 else 1.0
        if row.bounded01:
            colour = dict(colorscale=SEQUENTIAL, cmin=0.0, cmax=1.0)
        else:
            colour = dict(colorscale=DIVERGING, cmin=-reach, cmax=reach)
        lo, hi = domains[k]
        axes[colour_name] = dict(
            **colour,
            colorbar=dict(y=(lo + hi) / 2, len=(hi - lo) * 1.05, thickness=12, x=1.01,
                          yanchor="middle", tickfont=dict(size=10)),
        )
        labels = list(input_names) if k == 0 else [_("unit {number}").format(number=j + 1)
                                                   for j in range(values.shape[1])]
        traces.append(dict(
            type="heatmap", x=steps, y=labels, z=values.T, coloraxis=colour_name, yaxis=y_ref,
            hovertemplate=f"{row.name}<br>t=%{{x}}, %{{y}}: %{{z:.3f}}<extra></extra>",
        ))
        axes[y_name] = axis(domain=[lo, hi], anchor="x", showticklabels=k == 0,
                            title=dict(text=row.name, font=dict(size=12)))
    k = len(heat_panels)
    y_ref, y_name, _colour = axis_names(k)
    lo, hi = domains[k]
    every_step = np.asarray(prediction).size > 1
    read_x = steps if every_step else steps[-1:]
    mode = "lines+markers" if every_step else "markers"
    traces.append(dict(type="scatter", x=read_x, y=np.ravel(target), yaxis=y_ref, name=_("target"),
                       mode=mode, line=dict(color="#000000", dash="dot"),
                       marker=dict(symbol="circle-open", size=10, color="#000000")))
    traces.append(dict(type="scatter", x=read_x, y=np.ravel(prediction), yaxis=y_ref,
                       name=prediction_name, mode=mode, line=dict(color="#D55E00"),
                       marker=dict(symbol="x", size=9, color="#D55E00")))
    axes[y_name] = axis(domain=[lo, hi], anchor="x",
                        title=dict(text=_("read-out"), font=dict(size=12)))
    return figure(traces, layout(
        height=120 * panel_count + 80,
        title=title,
        **axes,
        hovermode="closest",
        margin=dict(l=60, r=80, t=60, b=50),
        # the legend names the read-out panel's two series, so it sits on that panel
        legend=dict(orientation="h", x=1, xanchor="right", y=hi, yanchor="bottom",
                    bgcolor="rgba(255,255,255,0.7)"),
        xaxis=axis(title={"text": _("step t")}, anchor=axis_names(k)[0],
                   range=[0.5, steps[-1] + 0.5]),
    ))
