"""Activation Lab: curves, derivatives, saturation, measured properties and custom activations."""

import streamlit as st

from ui import activation_lab as lab
from ui.content import prose
from ui.state import notices

st.title("Activation Lab")
st.markdown(prose("activation_lab"))
page_state, custom_error = lab.controls()
ignored = notices(lab.PAGE)
if ignored:
    st.info("Some link settings were ignored: " + ", ".join(ignored))
lab.render(lab.compute(page_state, custom_error))
