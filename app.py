"""LSTM Lens: the router. Every page lives in ``pages/``; this file only lists them."""

import os
from pathlib import Path

import streamlit as st

import lstm_core  # noqa: F401  (caps BLAS threads before any heavy NumPy work)
from i18n import _
from ui import charts, document, language, teacher, warmup

#: The browser-tab icon ships with the app: a classroom network may have no internet access.
ICON = Path(__file__).parent / "ui" / "static" / "icon.png"
st.set_page_config(page_title="LSTM Lens", page_icon=str(ICON), layout="wide")

session_language = language.apply()  # first: the page titles below are in the session's language
PAGES = {
    _("Learn"): [
        st.Page("pages/home.py", title=_("Home"), icon=":material/home:", default=True),
        st.Page("pages/lessons.py", title=_("Lessons"), icon=":material/school:"),
        st.Page("pages/claims.py", title=_("Claims, checked live"),
                icon=":material/fact_check:"),
        st.Page("pages/teach.py", title=_("Teach a class"), icon=":material/co_present:"),
    ],
    _("Explore"): [
        st.Page("pages/activation_lab.py", title=_("Activation Lab"),
                icon=":material/show_chart:"),
        st.Page("pages/step_through.py", title=_("Cell Step-Through"),
                icon=":material/account_tree:"),
    ],
    _("Experiment"): [
        st.Page("pages/compare.py", title=_("Compare Trajectories"),
                icon=":material/compare_arrows:"),
        st.Page("pages/gradient_flow.py", title=_("Gradient Flow"),
                icon=":material/trending_down:"),
        st.Page("pages/training_lab.py", title=_("Training Lab"),
                icon=":material/model_training:"),
    ],
}

if os.environ.get("LSTM_LENS_BENCH_FLOOR") == "1":  # the benchmarks' reference page only
    PAGES["Benchmark"] = [st.Page("bench/floor_page.py", title="Floor", url_path="floor")]

warmup.start()  # once per process, in the background: see ui/warmup.py
teacher.apply()
charts.chart_options()
current = st.navigation({section: pages for section, pages in PAGES.items() if pages})
document.apply(current.title, session_language)  # the tab's title and <html lang>
teacher.sequence_strip({p.url_path: p for pages in PAGES.values() for p in pages},
                       current.url_path)
current.run()
