"""Claims: common statements about LSTM activations, each checked live by the engine."""

import streamlit as st

from i18n import _
from lstm_core.claims import CLAIMS
from ui.claims import arrive, controls, pending, progress, render_claim, summary_table, verdicts
from ui.content import prose
from ui.share import share_box

st.title(_("Claims, checked live"))
st.markdown(prose("claims"))
arrive()

results = verdicts()
if pending():
    progress()
st.dataframe(summary_table(results), hide_index=True, width="stretch", key="claims.summary")

filter_row = st.container()
left, right = st.columns([1, 2], gap="large")
with filter_row:
    state = controls(results, picker=left)
with left:
    share_box("claims", state)
with right:
    render_claim(CLAIMS[state.claim], results[state.claim])
