"""One palette and one set of line styles for every figure.

Okabe–Ito's eight colour-blind-safe colours plus two extras; every series also gets its own dash
style and marker, so no chart relies on colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#D55E00",  # vermillion
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#882255",  # wine (extra)
    "#999999",  # grey (extra)
    "#F0E442",  # yellow: last, it has little contrast on white
)
DASHES = (
    "solid", "dash", "dot", "dashdot", "longdash", "longdashdot", "solid", "dash", "dot", "dashdot"
)
MARKERS = ("circle", "square", "diamond", "triangle-up", "x", "star", "cross", "triangle-down",
           "pentagon", "hexagon")

#: Diverging colours for signed values (negative, zero, positive): blue – white – vermillion.
DIVERGING = [[0.0, "#0072B2"], [0.5, "#F7F7F7"], [1.0, "#D55E00"]]
#: Sequential colours for magnitudes.
SEQUENTIAL = "Viridis"
SATURATION_FILL = "rgba(153, 153, 153, 0.22)"
GRID_COLOUR = "#E6E6E6"
ZERO_LINE_COLOUR = "#BBBBBB"
FONT_FAMILY = "Source Sans Pro, Helvetica, Arial, sans-serif"


@dataclass(frozen=True)
class SeriesStyle:
    color: str
    dash: str
    marker: str


def series_style(index: int) -> SeriesStyle:
    """The colour, dash and marker of the ``index``-th series of a figure."""
    k = index % len(PALETTE)
    return SeriesStyle(PALETTE[k], DASHES[k], MARKERS[k])


def axis(**overrides) -> dict:
    """One axis's style (grid and zero-line colours) plus ``overrides``, as a plain dict."""
    return {"gridcolor": GRID_COLOUR, "zerolinecolor": ZERO_LINE_COLOUR, **overrides}


def layout(*, height: int = 420, title: str | None = None, **overrides) -> dict:
    """The common layout as a plain dict: margins, fonts, legend on top, unified hover.

    ``overrides`` replace top-level keys (``margin=…``, ``xaxis2=axis(…)``, …). Build each figure
    once with :func:`figure` from dicts: every ``fig.update_*`` call re-validates the figure and
    costs 5–20 ms, while the whole dict-built figure costs ~3 ms.
    """
    base = {
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 60 if title else 30, "b": 50},
        "font": {"family": FONT_FAMILY, "size": 13},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        "hovermode": "x unified",
        "colorway": list(PALETTE),
        # Explicit colours instead of a named template: applying a template costs ~10 ms a
        # figure, and Streamlit's own chart theme restyles the rest in the browser.
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "xaxis": axis(),
        "yaxis": axis(),
    }
    if title:
        base["title"] = {"text": title, "x": 0, "xanchor": "left"}
    return base | overrides


def figure(data: list[dict], layout_dict: dict) -> go.Figure:
    """A figure built in one step from plain trace dicts and a layout dict (see :func:`layout`).

    Plotly's property validation is skipped (it costs 5–20 ms a figure on every rerun); every
    builder's output is validated once in the tests instead (tests/test_viz_common.py).
    """
    return go.Figure(data=data, layout=layout_dict, _validate=False)


def export_config(filename: str, image_format: str = "svg") -> dict:
    """Plotly config: the camera button saves the chart as ``image_format`` (svg or png) under
    a file name that says which chart it is."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": image_format, "filename": filename, "scale": 2},
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    }
