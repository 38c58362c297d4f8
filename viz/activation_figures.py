"""Activation Lab figures: f, f′, f″ in aligned panels with saturation shading, and the depth view.

Pure builders: arrays in, ``go.Figure`` out. Axes are laid out by domain (no ``make_subplots``).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from i18n import N_, _
from viz.theme import SATURATION_FILL, axis, figure, layout, series_style

#: The depth panel draws (max |f′|)ⁿ up to this value and leaves larger ones off (said in text).
DEPTH_CLIP = 1e50
PANEL_TITLES = {"f": "f(x)", "d1": N_("f′(x)  (slope)"), "d2": N_("f″(x)  (second derivative)")}
_GAP = 0.06


@dataclass(frozen=True)
class Curves:
    """One activation sampled on the shared x grid."""

    name: str
    f: np.ndarray
    d1: np.ndarray
    d2: np.ndarray
    saturated: np.ndarray  # bool: |f′(x)| < ε at each x


@dataclass(frozen=True)
class DepthSeries:
    """(max |f′|)^n for n = 1 … N of one activation."""

    name: str
    products: np.ndarray


def _safe(name: str) -> str:
    """Escape text for Plotly, which renders a subset of HTML in legends and hover labels."""
    return html.escape(name, quote=True)


def _robust_range(arrays: Sequence[np.ndarray], floor: float = 0.0) -> list[float] | None:
    """A y range that ignores isolated spikes (e.g. a numerical f″ at a kink, ~1/h): values
    more than 10× the 99th percentile of |y| are left off-scale; None = no finite values."""
    values = np.concatenate([a[np.isfinite(a)] for a in arrays]) if arrays else np.array([])
    if values.size == 0:
        return None
    limit = 10.0 * max(float(np.quantile(np.abs(values), 0.99)), 1e-12)
    kept = values[np.abs(values) <= limit]
    lo, hi = min(float(kept.min()), -floor), max(float(kept.max()), floor)
    pad = 0.08 * max(hi - lo, 1e-12)
    return [lo - pad, hi + pad]


def _stack(n_panels: int, top: float = 1.0) -> list[tuple[float, float]]:
    """Vertical domains for n panels, top to bottom."""
    height = (top - _GAP * (n_panels - 1)) / n_panels
    return [
        (top - (i + 1) * height - i * _GAP, top - i * height - i * _GAP) for i in range(n_panels)
    ]


def _scatter(**props: object) -> dict:
    return {"type": "scatter", **props}


def _shown(values: np.ndarray) -> np.ndarray:
    """Curve values as drawn: float32 halves the chart's payload (every rerun sends it to every
    browser) and is far finer than a pixel; values beyond float32 become ±inf, off the panel."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.asarray(values, dtype=float).astype(np.float32)


def activation_figure(
    x: np.ndarray,
    curves: Sequence[Curves],
    *,
    panels: Sequence[str] = ("f", "d1", "d2"),
    eps: float,
    overlay: np.ndarray | None = None,
    depth: Sequence[DepthSeries] | None = None,
    height: int = 640,
) -> go.Figure:
    """f, f′ and f″ stacked with a shared x axis; saturated stretches highlighted on each curve
    (the curve's own colour and dash, translucent) and the band |f′| < ε shaded in the f′ panel.

    ``overlay`` is 2σ(2x) − 1 on ``x`` (drawn over tanh); ``depth`` adds a right-hand panel of
    (max |f′|)^n on a log scale.
    """
    x = _shown(x)
    data: list[dict] = []
    panels = [p for p in panels if p in PANEL_TITLES]
    right = 0.62 if depth else 1.0
    domains = _stack(max(len(panels), 1))
    axes: dict = {}
    for row, (panel, (y0, y1)) in enumerate(zip(panels, domains, strict=False)):
        suffix = "" if row == 0 else str(row + 1)
        bottom = row == len(panels) - 1
        axes[f"xaxis{suffix}"] = axis(
            domain=[0.0, right], anchor=f"y{suffix}", showticklabels=bottom, zeroline=True,
            **({"matches": "x"} if row else {}),
            **({"title": {"text": _("x (pre-activation)")}} if bottom else {}),
        )
        series = [getattr(c, panel) for c in curves]
        axes[f"yaxis{suffix}"] = axis(
            domain=[y0, y1], anchor=f"x{suffix}", zeroline=True,
            range=_robust_range(series, floor=eps if panel == "d1" else 0.0),
            title=dict(text=_(PANEL_TITLES[panel]), standoff=10),
        )
        axis_x, axis_y = f"x{suffix}", f"y{suffix}"
        if panel == "d1":  # the band |f′| < ε: slopes inside it pass almost no gradient
            data.append(_scatter(
                x=[x[0], x[-1], x[-1], x[0], x[0]], y=[-eps, -eps, eps, eps, -eps],
                fill="toself", fillcolor=SATURATION_FILL, line=dict(width=0), mode="lines",
                name=f"|f′| < ε = {eps:g}", hoverinfo="skip", xaxis=axis_x, yaxis=axis_y,
                legendgroup="band",
            ))
        for i, c in enumerate(curves):
            style = series_style(i)
            values = _shown(getattr(c, panel))
            name = _safe(_(c.name))
            data.append(_scatter(
                x=x, y=values, mode="lines+markers", name=name, legendgroup=name,
                showlegend=row == 0, line=dict(color=style.color, dash=style.dash, width=2),
                # a few markers each: with more than ten curves colour and dash repeat
                marker=dict(symbol=style.marker, size=6, color=style.color, maxdisplayed=9),
                xaxis=axis_x, yaxis=axis_y,
                hovertemplate=f"{name}: %{{y:.4g}}<extra>{PANEL_TITLES[panel].split()[0]}</extra>",
            ))
            if panel in ("f", "d1") and c.saturated.any():
                data.append(_scatter(
                    x=x, y=np.where(c.saturated, values, np.nan), mode="lines",
                    name=_("{name} saturated").format(name=name), legendgroup=name,
                    showlegend=False,
                    line=dict(color=style.color, dash=style.dash, width=11), opacity=0.25,
                    hoverinfo="skip", xaxis=axis_x, yaxis=axis_y,
                ))
        if panel == "f" and overlay is not None:
            data.append(_scatter(
                x=x, y=_shown(overlay), mode="lines", name="2σ(2x) − 1", xaxis=axis_x,
                yaxis=axis_y,
                line=dict(color="#000000", dash="dot", width=3),
                hovertemplate="2σ(2x) − 1: %{y:.4g}<extra></extra>",
            ))
    if depth:
        n_axis = str(len(panels) + 1)
        axes[f"xaxis{n_axis}"] = axis(
            domain=[right + 0.13, 1.0], anchor=f"y{n_axis}",
            title=dict(text=_("n steps back<br>through f")),
        )
        axes[f"yaxis{n_axis}"] = axis(
            domain=[0.0, 1.0], anchor=f"x{n_axis}", type="log", exponentformat="power",
            # short: the tick labels (10⁻¹⁶) and this title share the gap between the panels
            title=dict(text=_("factor (max |f′|)ⁿ"), standoff=8),
        )
        names = [_safe(_(c.name)) for c in curves]
        for series in depth:
            name = _safe(_(series.name))
            i = names.index(name) if name in names else len(names)
            style = series_style(i)
            n = np.arange(1, len(series.products) + 1)
            # beyond DEPTH_CLIP a log axis has no useful ticks left (inf gives "Infinity^−NaN")
            positive = (series.products > 0) & (series.products <= DEPTH_CLIP)
            data.append(_scatter(
                x=n[positive], y=series.products[positive], mode="lines+markers", name=name,
                legendgroup=name, showlegend=name not in names,
                line=dict(color=style.color, dash=style.dash, width=2),
                marker=dict(symbol=style.marker, size=5, maxdisplayed=12),
                xaxis=f"x{n_axis}", yaxis=f"y{n_axis}",
                hovertemplate=_("{name}: n = {n}, factor ≤ {factor}").format(
                    name=name, n="%{x}", factor="%{y:.3g}") + "<extra></extra>",
            ))
    entries = len(curves) + (overlay is not None) + ("d1" in panels)
    legend_rows = -(-entries // 5)  # about five legend entries fit on one row
    top = 20 + 24 * legend_rows
    return figure(data, layout(height=height, margin={"l": 60, "r": 20, "t": top, "b": 50},
                               **axes))
