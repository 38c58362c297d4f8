"""LSTM Lens: the router. Every page lives in ``pages/``; this file only lists them."""

import streamlit as st

import lstm_core  # noqa: F401  (caps BLAS threads before any heavy NumPy work)

st.set_page_config(page_title="LSTM Lens", page_icon=":material/memory:", layout="wide")

PAGES = {
    "Learn": [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    ],
    "Explore": [],
    "Experiment": [],
}

st.navigation({section: pages for section, pages in PAGES.items() if pages}).run()
