"""Cell Step-Through: watch information flow through an LSTM, GRU or RNN one step at a time."""

import streamlit as st

from i18n import _
from ui.content import prose
from ui.share import share_box
from ui.step_through import PAGE, compute_or_keep, controls, render

st.title(_("Cell Step-Through"))
st.markdown(prose("step_through"))

state = controls()
share_box(PAGE, state, live=("step",))
result = compute_or_keep(state)
if result is not None:
    render(result)
