"""Home: what an LSTM cell computes, the question the app answers, and a map of the pages."""

import streamlit as st

from i18n import _
from lstm_core import LSTM
from ui.content import prose
from ui.home import where_to_go

st.title(_("LSTM Lens"))
st.markdown(prose("home"))

left, right = st.columns([1, 1], gap="large")
with left:
    st.header(_("What one LSTM step computes"))
    for equation in LSTM.equations:
        st.latex(equation)
with right:
    st.header(_("How to read it"))
    st.markdown(prose("home_cell"))

st.header(_("Where to go"))
where_to_go()
