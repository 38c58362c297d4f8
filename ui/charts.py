"""Render figures the same way everywhere: a key, full width, alt text, export buttons."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from viz.theme import export_config


def show(fig: go.Figure, key: str, alt: str) -> None:
    """``st.plotly_chart`` with a stable key, ``width="stretch"``, alt text and SVG/PNG export."""
    filename = "lstm-lens-" + key.replace(".", "-")
    st.plotly_chart(fig, key=key, width="stretch", config=export_config(filename), alt=alt)
