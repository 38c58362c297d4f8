"""The Compare Trajectories figures: states over time and differences (one figure, stacked), and
the h-vs-c phase plot (a figure of its own, beside them on a wide screen, under them on a phone).

Panels whose values pass :data:`SYMLOG_FROM` in size switch to a symmetric log scale: a value v
is drawn at sign(v)·log10(1 + |v|) and the ticks are labelled with the true values (0, ±1, ±10,
±10², …), so a state that explodes and one that stays in [−1, 1] fit on one honest axis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np
import plotly.graph_objects as go

from i18n import _
from viz.theme import axis, figure, layout, series_style

#: A panel whose largest finite |value| exceeds this is drawn on the symmetric log scale.
SYMLOG_FROM = 1e3


@dataclass(frozen=True)
class Trajectory:
    """One configuration's curves for one unit: ``memory`` (c_t, or h_t for a GRU/RNN) and
    ``hidden`` (h_t), both (T,), and the step where it blew up (or None)."""

    label: str
    memory: np.ndarray
    hidden: np.ndarray
    memory_symbol: str = "c"
    blowup_step: int | None = None


def symlog(values: np.ndarray) -> np.ndarray:
    """sign(v)·log10(1 + |v|); non-finite values become NaN (a gap)."""
    values = np.asarray(values, dtype=float)
    with np.errstate(all="ignore"):
        out = np.sign(values) * np.log10(1.0 + np.abs(values))
    return np.where(np.isfinite(values), out, np.nan)


def _finite_max_abs(arrays: Sequence[np.ndarray]) -> float:
    largest = 0.0
    for arr in arrays:
        arr = np.asarray(arr, dtype=float)
        finite = np.abs(arr[np.isfinite(arr)])
        if finite.size:
            largest = max(largest, float(finite.max()))
    return largest


def _symlog_ticks(largest: float) -> tuple[list[float], list[str]]:
    """Tick positions (in symlog units) and true-value labels 0, ±1, ±10, …, ±10^k ≥ largest."""
    top = max(1, int(np.ceil(np.log10(max(largest, 1.0)))))
    stride = max(1, int(np.ceil(top / 4)))
    powers = list(range(0 if top <= 3 else stride, top + 1, stride))  # ±1 crowds 0 on wide axes
    vals, text = [0.0], ["0"]
    for k in powers:
        label = "1" if k == 0 else ("10" if k == 1 else f"10<sup>{k}</sup>")
        position = float(np.log10(1.0 + 10.0**k))
        vals = [-position, *vals, position]
        text = ["−" + label, *text, label]
    return vals, text


def _panel_values(arrays: Sequence[np.ndarray]) -> tuple[bool, dict]:
    """Whether the panel uses symlog, and its axis settings."""
    largest = _finite_max_abs(arrays)
    if largest <= SYMLOG_FROM:
        return False, {}
    vals, text = _symlog_ticks(largest)
    return True, dict(tickvals=vals, ticktext=text)


def _draw(values: np.ndarray, use_symlog: bool) -> np.ndarray:
    if use_symlog:
        return symlog(values)
    values = np.asarray(values, dtype=float)
    return np.where(np.isfinite(values), values, np.nan)


def _hover(values: np.ndarray, use_symlog: bool, name: str) -> dict:
    """Hover settings: on a symlog panel the true values ride along as customdata."""
    if use_symlog:
        return dict(customdata=values,
                    hovertemplate=f"{name} = %{{customdata:.4g}}<extra>%{{fullData.name}}</extra>")
    return dict(hovertemplate=f"{name} = %{{y:.4g}}<extra>%{{fullData.name}}</extra>")


#: How far above the plots the legend starts, in pixels of figure height (a fraction of it in
#: paper units): the panel titles' two lines are ≈ 58 px at projector size (teacher mode), and
#: Plotly takes the legend's rows (six on a phone) off the height the fraction applies to.
LEGEND_GAP_PX = 95
#: The phase plot's own figure: its height, and the top margin holding its two-line title
#: (≈ 58 px at projector size).
PHASE_HEIGHT = 620
PHASE_TOP_PX = 80


@dataclass(frozen=True)
class _Scales:
    """Which quantities are drawn on the symmetric log scale, and their axis settings."""

    log_m: bool
    axis_m: dict
    log_h: bool
    axis_h: dict


def _scales(trajectories: Sequence[Trajectory]) -> _Scales:
    log_m, axis_m = _panel_values([t.memory for t in trajectories])
    log_h, axis_h = _panel_values([t.hidden for t in trajectories])
    return _Scales(log_m, axis_m, log_h, axis_h)


def _scaled(quantity: str, flag: bool) -> str:
    return _("{quantity} (symmetric log scale)").format(quantity=quantity) if flag else quantity


def _common(k: int, traj: Trajectory) -> dict:
    """A configuration's trace settings shared by every panel: its series style and name."""
    style = series_style(k)
    return dict(type="scatter", legendgroup=str(k), mode="lines",
                line=dict(color=style.color, dash=style.dash, width=2), name=escape(traj.label))


def trajectories_figure(
    trajectories: Sequence[Trajectory], unit: int, *, height: int = 720
) -> go.Figure:
    """Stacked over the step axis: memory state, hidden state, and the memory state's
    difference from the first configuration; the legend (once, for this figure and the
    :func:`phase_figure` drawn beside it or, on a phone, under it).

    ``unit`` (from 1) only labels the panels; the arrays are already that unit's.
    """
    reference = np.asarray(trajectories[0].memory, dtype=float)
    with np.errstate(all="ignore"):
        diffs = [np.asarray(t.memory, dtype=float) - reference for t in trajectories[1:]]
    scales = _scales(trajectories)
    log_m, axis_m, log_h, axis_h = scales.log_m, scales.axis_m, scales.log_h, scales.axis_h
    log_d, axis_d = _panel_values(diffs)

    steps = np.arange(1, len(reference) + 1)
    traces: list[dict] = []
    shapes: list[dict] = []
    for k, traj in enumerate(trajectories):
        common = _common(k, traj)
        traces.append(dict(
            common, x=steps, y=_draw(traj.memory, log_m),
            **_hover(traj.memory, log_m, f"{traj.memory_symbol}_t"),
        ))
        traces.append(dict(
            common, x=steps, y=_draw(traj.hidden, log_h), showlegend=False, xaxis="x2",
            yaxis="y2", **_hover(traj.hidden, log_h, "h_t"),
        ))
        if k > 0:
            traces.append(dict(
                common, x=steps, y=_draw(diffs[k - 1], log_d), showlegend=False, xaxis="x3",
                yaxis="y3", **_hover(diffs[k - 1], log_d, _("difference")),
            ))
        if traj.blowup_step is not None:
            shapes.append(dict(type="line", x0=traj.blowup_step, x1=traj.blowup_step, y0=0,
                               y1=1, xref="x", yref="y domain",
                               line=dict(color=common["line"]["color"], dash="dot", width=1)))

    full = [0.0, 1.0]
    return figure(traces, layout(
        height=height,
        hovermode="closest",
        shapes=shapes,
        xaxis=axis(domain=full, anchor="y", showticklabels=False),
        yaxis=axis(domain=[0.70, 1.0], anchor="x", title={"text": _scaled(_("memory"), log_m)},
                   **axis_m),
        xaxis2=axis(domain=full, anchor="y2", matches="x", showticklabels=False),
        yaxis2=axis(domain=[0.38, 0.64], anchor="x2",
                    title={"text": _scaled("h<sub>t</sub>", log_h)}, **axis_h),
        xaxis3=axis(domain=full, anchor="y3", matches="x", title={"text": _("step t")}),
        yaxis3=axis(domain=[0.0, 0.28], anchor="x3",
                    title={"text": _scaled(_("difference"), log_d)}, **axis_d),
        annotations=[
            _title(_("memory of unit {unit}: c<sub>t</sub><br>(h<sub>t</sub> for GRU/RNN)")
                   .format(unit=unit), 0.0, 1.0),
            _title(_("hidden state h<sub>t</sub> of unit {unit}").format(unit=unit), 0.0, 0.64),
            # two lines: a configuration's name at projector size is wider than a phone
            _title(_("difference from<br>{label}").format(label=escape(trajectories[0].label)),
                   0.0, 0.28),
        ],
        # The legend's rows grow upwards from its bottom edge, which sits LEGEND_GAP_PX of
        # figure height above the plots: room for the two-line panel titles under it.
        legend=dict(orientation="h", yanchor="bottom", y=1.0 + LEGEND_GAP_PX / height,
                    xanchor="left", x=0),
        margin=dict(l=60, r=20, t=100, b=50),
    ))


def phase_figure(
    trajectories: Sequence[Trajectory], unit: int, *, height: int = PHASE_HEIGHT
) -> go.Figure:
    """The phase plot: h_t against the memory state, one curve per configuration, in the
    series styles of :func:`trajectories_figure` (whose legend names them: this figure has
    none). A figure of its own, so that a phone shows it full width under the stacked panels.

    ``unit`` (from 1) only labels the plot; the arrays are already that unit's.
    """
    scales = _scales(trajectories)
    log_m, log_h = scales.log_m, scales.log_h
    memory = _("memory")
    traces: list[dict] = []
    for k, traj in enumerate(trajectories):
        style = series_style(k)
        steps = np.arange(1, len(traj.memory) + 1)
        if log_m or log_h:  # hover shows the true values, not the drawn symlog ones
            phase_data = np.stack([steps, traj.memory, traj.hidden], axis=-1)
            phase_hover = (f"t = %{{customdata[0]}}<br>{memory} = %{{customdata[1]:.4g}}<br>"
                           "h = %{customdata[2]:.4g}")
        else:
            phase_data = steps
            phase_hover = f"t = %{{customdata}}<br>{memory} = %{{x:.4g}}<br>h = %{{y:.4g}}"
        traces.append(dict(
            _common(k, traj), x=_draw(traj.memory, log_m), y=_draw(traj.hidden, log_h),
            customdata=phase_data, showlegend=False,
            mode="lines+markers", line=dict(color=style.color, dash=style.dash, width=1.5),
            marker=dict(symbol=style.marker, size=4, color=style.color),
            hovertemplate=phase_hover + "<extra>%{fullData.name}</extra>",
        ))
    return figure(traces, layout(
        height=height,
        hovermode="closest",
        showlegend=False,
        xaxis=axis(title={"text": _scaled(_("memory"), log_m)}, **scales.axis_m),
        yaxis=axis(title={"text": _scaled("h<sub>t</sub>", log_h)}, **scales.axis_h),
        annotations=[_title(_("phase plot: h<sub>t</sub><br>against memory (unit {unit})")
                            .format(unit=unit), 0.0, 1.0)],
        margin=dict(l=60, r=20, t=PHASE_TOP_PX, b=50),
    ))


def _title(text: str, x: float, y: float) -> dict:
    return dict(text=text, xref="paper", yref="paper", x=x, y=y, xanchor="left",
                yanchor="bottom", showarrow=False, font=dict(size=13))
