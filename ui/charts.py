"""Render figures the same way everywhere: a key, full width, alt text, export buttons."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from i18n import _
from ui.teacher import PROJECTOR_FONT_SIZE, teacher_mode
from viz.tables import figure_to_frame
from viz.theme import export_config

DATA_TABLES_KEY = "shared.data_tables"
IMAGE_FORMAT_KEY = "shared.image_format"
IMAGE_FORMATS = ("svg", "png")


def show(fig: go.Figure, key: str, alt: str) -> None:
    """``st.plotly_chart`` with a stable key, ``width="stretch"``, alt text and SVG/PNG export.

    In teacher mode the chart's text is enlarged for the projector.
    """
    filename = "lstm-lens-" + key.replace(".", "-")
    if teacher_mode():
        projector_fonts(fig)
    image_format = st.session_state.get(IMAGE_FORMAT_KEY, IMAGE_FORMATS[0])
    config = export_config(filename, image_format if image_format in IMAGE_FORMATS else "svg")
    st.plotly_chart(fig, key=key, width="stretch", config=config, alt=alt)
    if st.session_state.get(DATA_TABLES_KEY, False):
        st.caption(_("Data of the chart above: {alt}").format(alt=alt))
        st.dataframe(figure_to_frame(fig), hide_index=True, height=240, key=f"{key}.table")


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
    for menu in layout.updatemenus:
        menu.font.size = PROJECTOR_FONT_SIZE
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
