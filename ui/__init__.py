"""Streamlit-side helpers: page state and URL sync, shared widgets, chart rendering."""

from ui.router import reroute_through_app

reroute_through_app()
