"""Render figures the same way everywhere: a key, full width, alt text, export buttons."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

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
        fig.update_layout(font_size=PROJECTOR_FONT_SIZE)
    image_format = st.session_state.get(IMAGE_FORMAT_KEY, IMAGE_FORMATS[0])
    config = export_config(filename, image_format if image_format in IMAGE_FORMATS else "svg")
    st.plotly_chart(fig, key=key, width="stretch", config=config, alt=alt)
    if st.session_state.get(DATA_TABLES_KEY, False):
        st.caption(f"Data of the chart above: {alt}")
        st.dataframe(figure_to_frame(fig), hide_index=True, height=240, key=f"{key}.table")


def chart_options() -> None:
    """Sidebar options for every chart: a data-table twin (off by default: speed) and the
    format of the camera button's download."""
    st.sidebar.toggle("Show every chart's data as a table", key=DATA_TABLES_KEY,
                      help="For screen readers and for copying numbers: each chart gets a "
                           "table twin with the points it draws.")
    st.sidebar.segmented_control(
        "Chart downloads (camera button) as", IMAGE_FORMATS, key=IMAGE_FORMAT_KEY,
        default=IMAGE_FORMATS[0], format_func=str.upper,
        help="SVG scales cleanly for slides and print; PNG pastes anywhere.")
