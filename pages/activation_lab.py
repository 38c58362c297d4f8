"""Activation Lab: curves, derivatives, saturation, measured properties and custom activations."""

import streamlit as st

from i18n import _
from ui import activation_lab as lab
from ui.content import prose
from ui.share import share_box
from ui.state import announce_ignored

st.title(_("Activation Lab"))
st.markdown(prose("activation_lab"))
page_state, custom_error = lab.controls()
announce_ignored(lab.PAGE)
share_box("activation_lab", page_state)
lab.render(lab.compute(page_state, custom_error))
