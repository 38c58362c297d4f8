"""Cell Step-Through: watch information flow through an LSTM, GRU or RNN one step at a time."""

import streamlit as st

from ui.content import prose
from ui.step_through import compute_or_keep, controls, render

st.title("Cell Step-Through")
st.markdown(prose("step_through"))

state = controls()
result = compute_or_keep(state)
if result is not None:
    render(result)
