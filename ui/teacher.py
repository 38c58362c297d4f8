"""Teacher mode for projecting: controls and sidebar hidden, larger text, high contrast.

Turned on by the sidebar toggle or by ``?teacher=1`` in a link; a button in the page turns it off.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from i18n import _

TOGGLE_KEY = "shared.teacher"
CSS = (Path(__file__).parent / "static" / "teacher.css").read_text(encoding="utf-8")
#: Chart text size in teacher mode (Plotly's default is 12–13).
PROJECTOR_FONT_SIZE = 20


def _leave() -> None:
    st.session_state[TOGGLE_KEY] = False
    st.query_params.pop("teacher", None)


def teacher_mode() -> bool:
    """Whether the session is in teacher mode."""
    return bool(st.session_state.get(TOGGLE_KEY, False))


def apply() -> None:
    """Read the link, draw the toggle, and restyle the app when teacher mode is on."""
    if TOGGLE_KEY not in st.session_state:
        st.session_state[TOGGLE_KEY] = st.query_params.get("teacher") == "1"
    st.sidebar.toggle(_("Teacher mode (for projecting)"), key=TOGGLE_KEY,
                      help=_("Hides every control and the sidebar and enlarges text and charts. "
                             "Add ?teacher=1 to a link to open it this way."))
    if teacher_mode():
        st.query_params["teacher"] = "1"
        st.html(f"<style>{CSS}</style>")  # our own static stylesheet, never user text
        st.button(_("Leave teacher mode"), key="teacher_exit", on_click=_leave, type="tertiary")
    else:
        st.query_params.pop("teacher", None)
