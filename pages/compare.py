"""Compare Trajectories: the same input and weights, several activation choices side by side."""

import streamlit as st

from ui.compare import compute_or_last_good, controls, page_notices, render
from ui.content import prose
from ui.shared import shared_epsilon

st.title("Compare Trajectories")
st.markdown(prose("compare"))
state, messages = controls()
page_notices()
for message in messages:
    st.warning(message)
runs = compute_or_last_good(state, shared_epsilon())
if runs:
    render(runs, state.unit)
st.markdown(prose("compare_notes"))
