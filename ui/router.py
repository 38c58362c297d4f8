"""Make every run go through ``app.py``, even a fresh server's first visit to a page link.

Streamlit keeps a relic of its first multipage design: while no script has called
``st.navigation`` yet, an app with a ``pages/`` folder runs a requested page file *directly*
(auto-discovered sidebar, no ``set_page_config``, no teacher mode). On a fresh or restarted
server, the first student who opens a shared link would get that. Importing ``ui`` (every page
does) switches the relic off and reruns, so that run, too, starts from the router.
"""

from __future__ import annotations


def reroute_through_app() -> None:
    """If a page is being run without the router, rerun it through the router."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if not PagesManager.uses_pages_directory or get_script_run_ctx(suppress_warning=True) is None:
        return
    import streamlit as st

    PagesManager.uses_pages_directory = False
    st.rerun()
