"""One palette and one set of line styles for every figure.

Okabe–Ito's eight colour-blind-safe colours plus two extras; every series also gets its own dash
style and marker, so no chart relies on colour alone.
"""

from __future__ import annotations

import base64
import itertools
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import plotly.graph_objects as go
from _plotly_utils.basevalidators import ColorscaleValidator
from _plotly_utils.utils import to_typed_array_spec

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
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
MARKERS = ("circle", "square", "diamond", "triangle-up", "x", "star", "cross", "triangle-down",
           "pentagon", "hexagon")

#: Diverging colours for signed values (negative, zero, positive): dark blue – white – orange.
#: The ends differ in lightness (CIE L* 21 vs 58), so the sign survives greyscale and print;
#: Okabe–Ito's #0072B2 and #D55E00 (L* 46 and 55) both became one grey.
DIVERGING = [[0.0, "#053061"], [0.5, "#F7F7F7"], [1.0, "#E66100"]]
#: Sequential colours for magnitudes.
SEQUENTIAL = "Viridis"
SATURATION_FILL = "rgba(153, 153, 153, 0.22)"
GRID_COLOUR = "#E6E6E6"
ZERO_LINE_COLOUR = "#BBBBBB"
FONT_FAMILY = "Source Sans Pro, Helvetica, Arial, sans-serif"
#: Chart text (ticks, axis titles, legends, colour bars): Streamlit's chart theme draws it in
#: #808495, 3.72:1 on white; this grey is 7.05:1 (ui/static/plotly_streamlit_template.json).
TEXT_COLOUR = "#555867"
#: The Okabe–Ito green's text: #009E73 itself is 3.42:1 on white, this is 6.1:1.
DARK_GREEN = "#00704F"
#: Text on a dark / light marker (the cell diagram's boxes); black, not #111: at the crossover
#: of the two, #111 reaches only 4.35:1.
TEXT_ON_DARK, TEXT_ON_LIGHT = "#FFFFFF", "#000000"  # ≥ 4.58:1 on every colour


def _rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)


def scale_colour(scale: list[list], value: float) -> np.ndarray:
    """The sRGB colour (0–255) that ``scale`` gives ``value`` in [0, 1], interpolated as
    plotly.js does (linearly in RGB between stops)."""
    value = float(np.clip(value, 0.0, 1.0))
    for (lo, a), (hi, b) in itertools.pairwise(scale):
        if value <= hi:
            w = (value - lo) / (hi - lo) if hi > lo else 0.0
            return (1 - w) * _rgb(a) + w * _rgb(b)
    return _rgb(scale[-1][1])


def relative_luminance(rgb: np.ndarray) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0–255)."""
    c = np.asarray(rgb, dtype=float) / 255.0
    c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(c @ [0.2126, 0.7152, 0.0722])


def contrast_ratio(a: np.ndarray, b: np.ndarray) -> float:
    """WCAG 2 contrast ratio of two sRGB colours (1 … 21)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_on(scale: list[list], value: float) -> str:
    """The text colour (white or near-black) with the higher contrast on ``scale``'s colour
    for ``value`` in [0, 1]."""
    background = scale_colour(scale, value)
    return max((TEXT_ON_DARK, TEXT_ON_LIGHT),
               key=lambda text: contrast_ratio(_rgb(text), background))


@dataclass(frozen=True)
class SeriesStyle:
    color: str
    dash: str
    marker: str


def series_style(index: int) -> SeriesStyle:
    """The colour, dash and marker of the ``index``-th series of a figure. Past the 10 colours,
    the dash and the marker move on, so no two of the first 100 series look alike."""
    k, lap = index % len(PALETTE), index // len(PALETTE)
    return SeriesStyle(PALETTE[k], DASHES[(k + 3 * lap) % len(DASHES)],
                       MARKERS[(k + 7 * lap) % len(MARKERS)])


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


def figure(data: list[dict], layout_dict: dict, frames: list[dict] | None = None) -> go.Figure:
    """A figure built in one step from plain trace dicts and a layout dict (see :func:`layout`).

    Returns a :class:`PlainFigure`: neither Plotly's constructor nor its validation runs on the
    hot path; every builder's output is validated once in the tests instead
    (tests/test_viz_common.py, tests/test_step_figures.py).
    """
    return PlainFigure(data, layout_dict, frames)


@lru_cache(maxsize=1)
def _default_template() -> dict:
    """The JSON of Plotly's default template, which ``go.Figure`` puts in every layout."""
    return go.Figure().to_dict()["layout"].get("template", {})


def default_template() -> dict:
    """Plotly's default template as JSON (Streamlit's, once Streamlit is imported); shared:
    never write into it."""
    return _default_template()


@lru_cache(maxsize=1)
def _layout_property_names() -> frozenset[str]:
    return frozenset(go.Layout()._valid_props)


#: NumPy dtype → plotly.js typed-array name (Plotly's ``plotlyjsShortTypes``).
_TYPED_ARRAYS = {"int8": "i1", "uint8": "u1", "int16": "i2", "uint16": "u2", "int32": "i4",
                 "uint32": "u4", "float32": "f4", "float64": "f8"}
#: Keys whose arrays Plotly never turns into typed arrays (``is_skipped_key``).
_PLAIN_ARRAY_KEYS = frozenset({"geojson", "layer", "layers", "range"})
_COLORSCALE = ColorscaleValidator("colorscale", "layout.coloraxis")


def _typed_array(array: np.ndarray):
    """``array`` as Plotly's base64 typed-array spec, exactly as ``to_typed_array_spec``."""
    if array.dtype.name in _TYPED_ARRAYS and array.size:
        spec = {"dtype": _TYPED_ARRAYS[array.dtype.name],
                "bdata": base64.b64encode(np.ascontiguousarray(array)).decode("ascii")}
        if array.ndim > 1:
            spec["shape"] = str(array.shape)[1:-1]
        return spec
    return to_typed_array_spec(array)  # int64 downcasts, empty and other arrays


def _json_ready(value, key: str = ""):
    """A copy of nested dicts and lists with NumPy arrays as typed-array specs: what
    ``to_dict`` + ``convert_to_base64`` make of them, without touching the builder's dicts."""
    if isinstance(value, dict):
        return {k: _json_ready(v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    if isinstance(value, np.ndarray) and key not in _PLAIN_ARRAY_KEYS:
        return _typed_array(value)
    return value


def _validated(value, key: str = ""):
    """What Plotly's validators make of a subplot's (``xaxis2``, ``coloraxis2``…) plain dict:
    every compound property's keys sorted and named colour scales expanded — what the figures
    here use (tests/test_viz_common.py checks the result against Plotly itself)."""
    if isinstance(value, dict):
        return {k: _validated(value[k], k) for k in sorted(value)}
    if key == "colorscale" and isinstance(value, str):
        return _COLORSCALE.validate_coerce(value)
    if isinstance(value, (list, tuple)):
        return [_validated(v) for v in value]
    return value


def _trace_json(trace: dict, default_type: str | None) -> dict:
    """A trace as ``go.Figure.to_dict`` orders it: properties sorted, ``type`` last."""
    out = {k: _json_ready(trace[k], k) for k in sorted(trace) if k != "type"}
    kind = trace.get("type", default_type)
    if kind is not None:
        out["type"] = kind
    return out


class PlainFigure(go.Figure):
    """A ``go.Figure`` that keeps its data, layout and frames as the plain dicts it was given.

    Why: ``go.Figure(...)`` costs even with ``_validate=False`` (it wraps every trace in an
    object and applies the template), and ``st.plotly_chart`` then deep-copies it all again in
    ``to_dict``. Here :meth:`to_dict` writes the same JSON as ``go.Figure(data, layout,
    frames, _validate=False).to_dict()`` straight from the dicts. Anything else a figure offers
    (``fig.data``, ``update_layout``, ``write_image``…) builds that real figure once, on
    first use, and from then on :meth:`to_dict` is the real figure's.
    """

    #: Attributes kept on this object; every other attribute belongs to the real figure.
    _own_attributes: tuple[str, ...] = ("_plain", "_real")

    def __init__(self, data: list[dict], layout_dict: dict, frames: list[dict] | None = None):
        # BaseFigure.__init__ is deliberately not called: it is the cost this class avoids.
        self._plain = (data, layout_dict, frames or [])
        self._real: go.Figure | None = None

    def _materialised(self) -> go.Figure:
        if self._real is None:
            data, layout_dict, frames = self._plain
            self._real = go.Figure(data=data, layout=layout_dict, frames=frames or None,
                                   _validate=False)
        return self._real

    def __getattr__(self, name: str):
        # Reached only when normal lookup fails: BaseFigure's properties read attributes
        # that its constructor would have set.
        if name.startswith("__") or name in self._own_attributes:
            raise AttributeError(name)
        return getattr(self._materialised(), name)

    def __setattr__(self, name: str, value) -> None:
        if name in self._own_attributes:
            object.__setattr__(self, name, value)
        elif name.startswith("_"):  # a BaseFigure method writing its internals on this object
            raise AttributeError(f"PlainFigure does not support {name!r}: use update_layout")
        else:
            setattr(self._materialised(), name, value)

    def __repr__(self) -> str:
        return f"PlainFigure({len(self._plain[0])} traces, {len(self._plain[2])} frames)"

    def update_layout(self, dict1=None, overwrite=False, **kwargs) -> PlainFigure:
        self._materialised().update_layout(dict1, overwrite, **kwargs)
        return self

    def to_dict(self) -> dict:
        if self._real is not None:
            return self._real.to_dict()
        data, layout_dict, frames = self._plain
        # go.Layout sets its named properties in sorted order, then subplots (xaxis2, …) as
        # given; only the subplots become (validated) objects.
        named = _layout_property_names()
        out_layout = {k: _json_ready(layout_dict[k], k) for k in sorted(layout_dict)
                      if k in named}
        out_layout |= {k: _json_ready(_validated(v)) for k, v in layout_dict.items()
                       if k not in named}
        # Shared, not copied: nothing downstream (Streamlit, plotly.io) writes into it.
        out_layout.setdefault("template", _default_template())
        result = {"data": [_trace_json(t, None) for t in data], "layout": out_layout}
        if frames:
            result["frames"] = [
                {**{k: _json_ready(v, k) for k, v in frame.items() if k != "data"},
                 **({"data": [_trace_json(t, "scatter") for t in frame["data"]]}
                    if "data" in frame else {})}
                for frame in frames
            ]
        return result

    def to_plotly_json(self) -> dict:
        return self.to_dict()


def export_config(filename: str, image_format: str = "svg") -> dict:
    """Plotly config: the camera button saves the chart as ``image_format`` (svg or png) under
    a file name that says which chart it is."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {"format": image_format, "filename": filename, "scale": 2},
        "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    }
