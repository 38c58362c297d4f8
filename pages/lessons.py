"""Lessons: guided scenarios (predict, then reveal), a quiz, and saved views."""

import streamlit as st

from i18n import _
from ui import lessons
from ui.content import prose
from ui.share import share_box

st.title(_("Lessons"))
st.markdown(prose("lessons"))
state = lessons.controls()
share_box(lessons.PAGE, state)
lessons.render_scenario(lessons.scenario(state.scenario))

st.divider()
st.header(_("Quiz"))
lessons.render_quiz()

st.divider()
lessons.load_view_file()
