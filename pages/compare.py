"""Compare Trajectories: the same input and weights, several activation choices side by side."""

import streamlit as st

from i18n import _
from ui.compare import comparison, setup_sidebar
from ui.content import prose

st.title(_("Compare Trajectories"))
st.markdown(prose("compare"))
setup_sidebar()
comparison()  # a fragment: configurations, share box, figure, table and diagnoses
st.markdown(prose("compare_notes"))
