"""Teach a class: a ready-made sequence of points for a 45-minute class, and one's own."""

import streamlit as st

from i18n import _
from ui import teach
from ui.content import prose

st.title(_("Teach a class"))
st.markdown(prose("teach"))
sequence = teach.current()
teach.render_link(sequence)
teach.render_points(sequence)
teach.builder()
