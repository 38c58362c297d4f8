"""Training Lab: race tiny models with different activations on toy tasks, several seeds each."""

import streamlit as st

from i18n import _
from ui.content import prose
from ui.share import share_box
from ui.training_lab import PAGE, controls, render, start_controls

st.title(_("Training Lab"))
st.markdown(prose("training_lab"))
state = controls()
share_box(PAGE, state)
race = start_controls(state)
render(race, state)
