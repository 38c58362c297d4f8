"""Render figures the same way everywhere: a key, full width, alt text, export buttons.

Charts are drawn by a small ``st.components.v2`` component (``static/live_chart.js``) instead of
``st.plotly_chart``: Streamlit 1.67 hashes the figure into a Plotly chart's element id, so every
changed figure is remounted and drawn from scratch; the component keeps its element (the id is
the key) and updates the same plot with ``Plotly.react``. It loads the app's own cartesian
plotly.js bundle (``static/vendor``, a third of the full one; else the ``plotly`` package's full
bundle), both served here, and looks like
``st.plotly_chart(theme="streamlit")`` (tests/test_browser_renderer.py compares the pictures).
"""

from __future__ import annotations

import json
from pathlib import Path

import plotly
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st
from streamlit.components import v1 as components_v1
from streamlit.runtime import Runtime

from i18n import _, language
from ui.teacher import PROJECTOR_FONT_SIZE, PROJECTOR_MIN_FONT_SIZE, teacher_mode
from viz.tables import figure_to_frame, plain_text
from viz.theme import default_template, export_config

DATA_TABLES_KEY = "shared.data_tables"
IMAGE_FORMAT_KEY = "shared.image_format"
IMAGE_FORMATS = ("svg", "png")

STATIC = Path(__file__).parent / "static"
PLOTLY_JS_DIR = Path(plotly.__file__).parent / "package_data"
#: npm's ``plotly.js-cartesian-dist-min`` at the plotly.js version the ``plotly`` package bundles
#: (tests/test_charts_bundle.py): every trace type and layout part the app draws, 1.5 MB
#: instead of 4.8 MB (≈ 0.5 MB gzipped).
PLOTLY_BUNDLE = "vendor/plotly.js-cartesian-dist-min/plotly-cartesian.min.js"
#: Asset routes (``component/ui.charts.<name>/<file>``) the renderer may load once per browser
#: tab: the cartesian plotly.js and the Streamlit-themed Plotly template (``assets``), the
#: package's full plotly.js (a fallback).
ASSET_DIRS = {"plotlyjs": PLOTLY_JS_DIR, "assets": STATIC}
CHART_CSS = """
.lens-chart { width: 100%; position: relative; }
.lens-chart.lens-chart-fullscreen { position: fixed; inset: 0; z-index: 1000100;
  background: #fff; }
.lens-chart .lens-step-control { position: absolute; pointer-events: none; z-index: 1;
  border-radius: 6px; }
.lens-chart .lens-step-control:focus-visible { outline: 3px solid #0072B2;
  outline-offset: 0; }
.lens-chart .lens-live { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip-path: inset(50%); white-space: nowrap; }
.lens-chart .js-plotly-plot .plotly .modebar-btn:focus-visible { outline: 3px solid #0072B2;
  outline-offset: 1px; }
.lens-chart:focus-within .modebar, .lens-chart.lens-chart-strip .modebar { opacity: 1; }
.lens-chart:focus-within .modebar .modebar-group { opacity: 1; }
.lens-chart.lens-chart-strip { padding-top: 30px; }
.lens-chart.lens-chart-strip .modebar-container { top: -30px !important; }
.lens-chart.lens-chart-strip .modebar-group { opacity: 1; }
"""
COMPONENT_NAME = "lstm_lens_chart"
#: App language → Plotly locale (its toolbar and tooltips; ``static/plotly_locale_*.json``).
PLOTLY_LOCALES = {"zh": "zh-CN"}


def _component_js() -> str:
    """The renderer's module without its comment lines: it is sent with every chart, every run."""
    lines = (STATIC / "live_chart.js").read_text(encoding="utf-8").splitlines()
    code = "\n".join(line for line in lines if not line.lstrip().startswith("//"))
    return (code.replace("__PLOTLY_VERSION__", plotly.__version__)
            .replace("__PLOTLY_BUNDLE__", PLOTLY_BUNDLE))


_render_chart = st.components.v2.component(
    COMPONENT_NAME, html='<div class="lens-chart" data-testid="lensChart"></div>',
    js=_component_js(), css=CHART_CSS,
    isolate_styles=False)


def show(fig: go.Figure, key: str, alt: str) -> None:
    """Draw ``fig`` (in place of the chart drawn under ``key`` by the last run) full width, with
    alt text and SVG/PNG export, as ``st.plotly_chart`` would.

    In teacher mode the chart's text is enlarged for the projector. ``alt`` may hold a chart
    label's rich text (``<br>``): it is read and shown as plain text.
    """
    alt = plain_text(alt)
    filename = "lstm-lens-" + key.replace(".", "-")
    if teacher_mode():
        projector_fonts(fig)
    image_format = st.session_state.get(IMAGE_FORMAT_KEY, IMAGE_FORMATS[0])
    config = export_config(filename, image_format if image_format in IMAGE_FORMATS else "svg")
    if language() in PLOTLY_LOCALES:
        config = {**config, "locale": PLOTLY_LOCALES[language()]}
    table = bool(st.session_state.get(DATA_TABLES_KEY, False))
    _register_assets()
    _render_chart(key=key, data=chart_message(fig, config, alt, table=table), width="stretch",
                  height="content")
    if table:
        frame = figure_to_frame(fig)
        # keyed: the renderer links the chart to this twin (aria-details / aria-describedby)
        with st.container(key=f"{key}.twin"):
            st.caption(_("Data of the chart above: {alt}").format(alt=alt)
                       + thinned_note(frame))
            st.dataframe(frame, hide_index=True, height=240, key=f"{key}.table")


def thinned_note(frame) -> str:
    """" (thinned for speed: 4,057 of 12,170 points, one in 3)" when ``frame``
    (:func:`figure_to_frame`) was thinned, else ""."""
    total, every = frame.attrs.get("points", len(frame)), frame.attrs.get("every", 1)
    if every <= 1:
        return ""
    return " " + _("(thinned for speed: {rows:,} of {total:,} points, one in {every})").format(
        rows=len(frame), total=total, every=every)


def chart_message(fig: go.Figure, config: dict, alt: str, table: bool = False) -> bytes:
    """What the renderer receives: ``{"config", "alt", "labels", "table", "spec"}`` as UTF-8
    JSON bytes (``labels``: the renderer's own texts, in the session's language; ``table``:
    a table twin follows the chart).

    ``spec`` is the JSON ``st.plotly_chart`` sends, except that Plotly's default (Streamlit's)
    template is replaced by ``"streamlitTemplate": true``: the browser has that template
    already themed (``static/plotly_streamlit_template.json``). Bytes, so Streamlit neither
    re-encodes the spec nor parses it to hash it.
    """
    figure = fig.to_dict()
    layout = figure.get("layout", {})
    if layout.get("template") == default_template():
        figure = {**figure, "layout": {k: v for k, v in layout.items() if k != "template"},
                  "streamlitTemplate": True}
    labels = {"open": _("Fullscreen"), "close": _("Close fullscreen"),
              "stepControl": _("Step of the chart"),
              "stepKeys": _("← → one step, Home / End first / last, Space play / pause"),
              "stepOf": _("step {step} of {steps}")}
    head = json.dumps({"config": config, "alt": alt, "labels": labels, "table": table})
    return (head[:-1] + ', "spec": ' + pio.to_json(figure, validate=False) + "}").encode()


def _register_assets() -> None:
    """Serve the renderer's assets from this server (once per runtime; there is no internet)."""
    registry = Runtime.instance().component_registry
    for name, path in ASSET_DIRS.items():
        if registry.get_component_path(f"{__name__}.{name}") is None:
            components_v1.declare_component(name, path=str(path))


def chart_options() -> None:
    """Sidebar options for every chart: a data-table twin (off by default: speed) and the
    format of the camera button's download."""
    st.sidebar.toggle(_("Show every chart's data as a table"), key=DATA_TABLES_KEY,
                      help=_("For screen readers and for copying numbers: each chart gets a "
                             "table twin with the points it draws."))
    st.sidebar.segmented_control(
        _("Chart downloads (camera button) as"), IMAGE_FORMATS, key=IMAGE_FORMAT_KEY,
        default=IMAGE_FORMATS[0], format_func=str.upper,
        help=_("SVG scales cleanly for slides and print; PNG pastes anywhere."))


def _bigger(size):
    """A font size for the projector: at least PROJECTOR_FONT_SIZE, larger ones scaled up."""
    if isinstance(size, (list, tuple)):
        return [_bigger(s) for s in size]
    return max(PROJECTOR_FONT_SIZE, round(size * PROJECTOR_FONT_SIZE / 13)) if size else size


def projector_fonts(fig: go.Figure) -> None:
    """Enlarge every text of ``fig`` for a projector (teacher mode): no chart text under
    PROJECTOR_FONT_SIZE px, sizes set per element scaled alike. Markers that hold their text
    inside (the cell diagram's boxes) grow with it."""
    layout = fig.layout
    layout.font.size = PROJECTOR_FONT_SIZE
    if layout.height:  # room for the larger text: the diagram's rows, the equation lines
        layout.height = round(layout.height * PROJECTOR_FONT_SIZE / 13)
    for annotation in layout.annotations:
        annotation.font.size = _bigger(annotation.font.size or 13)
    for name in [k for k in layout if k.startswith(("xaxis", "yaxis"))]:
        ax = layout[name]
        ax.title.font.size = _bigger(ax.title.font.size or 13)
        ax.tickfont.size = _bigger(ax.tickfont.size or 13)
    layout.legend.font.size = PROJECTOR_FONT_SIZE
    for menu in layout.updatemenus:  # 18 px, the projector minimum: one row on a phone-wide chart
        menu.font.size = PROJECTOR_MIN_FONT_SIZE
    for trace in fig.data:
        if "textfont" in trace and trace.textfont.size is not None:
            old = trace.textfont.size
            trace.textfont.size = _bigger(old)
            inside = trace.textposition if isinstance(trace.textposition, (list, tuple)) else ()
            if inside and "marker" in trace and isinstance(trace.marker.size, (list, tuple)):
                trace.marker.size = [
                    round(m * PROJECTOR_FONT_SIZE / 11) if pos == "middle center" else m
                    for m, pos in zip(trace.marker.size, inside, strict=True)]
        if "colorbar" in trace:
            trace.colorbar.title.font.size = PROJECTOR_FONT_SIZE
            trace.colorbar.tickfont.size = PROJECTOR_FONT_SIZE
