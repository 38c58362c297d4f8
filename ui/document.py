"""The browser tab of a page: its title and ``<html lang>`` in the session's language.

Streamlit sets ``document.title`` from ``st.set_page_config(page_title=...)`` (which wins over
the ``st.Page`` title) and has no option for ``<html lang>``: its page is always ``lang="en"``.
A tiny ``st.components.v2`` component (no iframe, the same mechanism as ``ui/charts.py``) sets
the attribute; should it ever fail to run, the page keeps Streamlit's ``en``.
"""

from __future__ import annotations

import streamlit as st

from i18n import DEFAULT_LANGUAGE, _

#: BCP 47 tags for the app's languages (screen readers pick their voice by it).
HTML_LANG = {"en": "en", "zh": "zh-Hans"}
APP_NAME = "LSTM Lens"

_JS = """
export default function ({data}) {
  const lang = data && data.lang;
  if (typeof lang === "string" && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(lang)
      && document.documentElement.lang !== lang) document.documentElement.lang = lang;
}
"""
_set_lang = st.components.v2.component("lstm_lens_document", html="<span hidden></span>",
                                       js=_JS)


def tab_title(page_title: str) -> str:
    """The browser tab's title for a page: ``"Cell Step-Through · LSTM Lens"``, translated."""
    return _("{page} · {app}").format(page=page_title, app=APP_NAME)


def apply(page_title: str, language: str) -> None:
    """Title the tab after the current page and mark the document with ``language``."""
    st.set_page_config(page_title=tab_title(page_title))
    with st.sidebar:
        _set_lang(key="shared.document", data={"lang": HTML_LANG.get(language, DEFAULT_LANGUAGE)},
                  height=0)
