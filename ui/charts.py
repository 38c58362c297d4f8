"""Render figures the same way everywhere: a key, full width, alt text, export buttons."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from ui.teacher import PROJECTOR_FONT_SIZE, teacher_mode
from viz.tables import figure_to_frame
from viz.theme import export_config

DATA_TABLES_KEY = "shared.data_tables"


def show(fig: go.Figure, key: str, alt: str) -> None:
    """``st.plotly_chart`` with a stable key, ``width="stretch"``, alt text and SVG/PNG export.

    In teacher mode the chart's text is enlarged for the projector.
    """
    filename = "lstm-lens-" + key.replace(".", "-")
    if teacher_mode():
        fig.update_layout(font_size=PROJECTOR_FONT_SIZE)
    st.plotly_chart(fig, key=key, width="stretch", config=export_config(filename), alt=alt)
    if st.session_state.get(DATA_TABLES_KEY, False):
        st.caption(f"Data of the chart above: {alt}")
        st.dataframe(figure_to_frame(fig), hide_index=True, height=240, key=f"{key}.table")


def data_tables_toggle() -> None:
    """The sidebar switch that adds a data table under every chart (off by default: speed)."""
    st.sidebar.toggle("Show every chart's data as a table", key=DATA_TABLES_KEY,
                      help="For screen readers and for copying numbers: each chart gets a "
                           "table twin with the points it draws.")
