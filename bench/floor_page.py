"""The benchmarks' floor: one slider and nothing else, behind the same router as every page.

``app.py`` adds it (URL path ``floor``) only when ``LSTM_LENS_BENCH_FLOOR=1`` is set, which
``bench/load_test.py`` and ``bench/bench_browser.py`` do for the server they start. Its cost is
what any page pays for the router, the sidebar and one widget; the real pages are measured
against it in the same run.
"""

import streamlit as st

st.title("Floor")
st.slider("A slider that changes nothing", 0, 100, 50, key="floor.value")
