"""Gradient Flow: ∂L/∂c_t and ∂L/∂h_t back through time for an LSTM, a GRU and plain RNNs."""

import streamlit as st

from ui.content import prose
from ui.gradient_flow import compute, controls, page_notices, render
from ui.shared import shared_epsilon

st.title("Gradient Flow")
st.markdown(prose("gradient_flow"))
state, messages = controls()
page_notices()
result, more = compute(state, shared_epsilon())
for message in messages + more:
    st.warning(message)
render(result)
