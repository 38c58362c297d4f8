"""The session's language: the sidebar switch, ``?lang=zh`` in links, the browser's default."""

from __future__ import annotations

import threading
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from i18n import DEFAULT_LANGUAGE, LANGUAGES, _, use_language_source

#: The session's language (a plain key: it must outlive pages that do not draw the switch).
LANGUAGE_KEY = "shared.language"
SWITCH_KEY = "shared.lang"
#: The ``lang`` the app itself last wrote into the URL: a different one came with a link.
_URL_KEY = "shared.lang_in_url"
PARAM = "lang"

_last = threading.local()
#: Styles for languages written without spaces between words (all but English here).
CJK_CSS = (Path(__file__).parent / "static" / "cjk.css").read_text(encoding="utf-8")


def _session_language() -> str:
    """The session's language, read once per script run (``_()`` asks for it very often)."""
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return DEFAULT_LANGUAGE
    if getattr(_last, "run", None) is not ctx.cursors:  # Streamlit makes new cursors every run
        _last.run, _last.language = ctx.cursors, st.session_state.get(LANGUAGE_KEY,
                                                                      DEFAULT_LANGUAGE)
    return _last.language


use_language_source(_session_language)


def browser_language() -> str:
    """The app's language closest to the browser's (``st.context.locale``), else English."""
    locale = (st.context.locale or "").lower()
    return next((code for code in LANGUAGES if locale.split("-")[0] == code), DEFAULT_LANGUAGE)


def _switched() -> None:
    st.session_state[LANGUAGE_KEY] = st.session_state[SWITCH_KEY]


def apply() -> str:
    """Settle this run's language (link, else earlier choice, else browser) and draw the switch."""
    linked = st.query_params.get(PARAM)
    if linked in LANGUAGES and linked != st.session_state.get(_URL_KEY):
        st.session_state[LANGUAGE_KEY] = linked
    elif st.session_state.get(LANGUAGE_KEY) not in LANGUAGES:
        st.session_state[LANGUAGE_KEY] = browser_language()
    current = st.session_state[LANGUAGE_KEY]
    _last.run = None  # read it afresh
    st.session_state[SWITCH_KEY] = current
    st.sidebar.radio(_("Language · 语言"), list(LANGUAGES), key=SWITCH_KEY, horizontal=True,
                     format_func=LANGUAGES.get, on_change=_switched)
    if current == DEFAULT_LANGUAGE:
        st.query_params.pop(PARAM, None)
    else:
        st.query_params[PARAM] = current
    st.session_state[_URL_KEY] = st.query_params.get(PARAM)
    if current != DEFAULT_LANGUAGE:
        st.html(f"<style>{CJK_CSS}</style>")  # our own static stylesheet, never user text
    return current


def link_params() -> dict[str, str]:
    """The language's link parameter (none for English)."""
    current = st.session_state.get(LANGUAGE_KEY, DEFAULT_LANGUAGE)
    return {PARAM: current} if current in LANGUAGES and current != DEFAULT_LANGUAGE else {}
