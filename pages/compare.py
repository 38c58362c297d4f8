"""Compare Trajectories: the same input and weights, several activation choices side by side."""

import streamlit as st

from ui.compare import PAGE, compute_or_last_good, controls, render
from ui.content import prose
from ui.share import share_box
from ui.shared import shared_epsilon
from ui.state import announce_ignored

st.title("Compare Trajectories")
st.markdown(prose("compare"))
state, messages = controls()
announce_ignored(PAGE)
share_box(PAGE, state)
for message in messages:
    st.warning(message)
runs = compute_or_last_good(state, shared_epsilon())
if runs:
    render(runs, state.unit)
st.markdown(prose("compare_notes"))
