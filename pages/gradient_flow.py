"""Gradient Flow: ∂L/∂c_t and ∂L/∂h_t back through time for an LSTM, a GRU and plain RNNs."""

import streamlit as st

from i18n import _
from ui.content import prose
from ui.gradient_flow import PAGE, compute, controls, render
from ui.share import share_box
from ui.shared import shared_epsilon
from ui.state import announce_ignored

st.title(_("Gradient Flow"))
st.markdown(prose("gradient_flow"))
state, messages = controls()
announce_ignored(PAGE)
share_box(PAGE, state)
result, more = compute(state, shared_epsilon())
for message in messages + more:
    st.warning(message)
render(result)
