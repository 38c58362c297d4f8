"""Streamlit-side helpers: page state and URL sync, shared widgets, chart rendering."""
