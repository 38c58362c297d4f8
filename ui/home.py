"""Home page helpers: the "where to go" map as links to the pages."""

from __future__ import annotations

import streamlit as st

from i18n import N_, _
from ui.content import prose
from ui.lessons import PAGE_TITLES
from ui.share import PAGE_FILES

TITLES = {**PAGE_TITLES, "lessons": N_("Lessons")}


def where_to_go() -> None:
    """One row per question in ``content/home_map.md`` (``question | page``): the question,
    then a link to the page that answers it."""
    for line in prose("home_map").splitlines():
        question, _bar, page = (part.strip() for part in line.rpartition("|"))
        if not question:
            continue
        text, link = st.columns([3, 2], vertical_alignment="center")
        text.markdown(question)
        link.page_link(PAGE_FILES[page], label=_(TITLES[page]), icon=":material/arrow_forward:")
