"""Teacher mode for projecting: controls and sidebar hidden, larger text, high contrast.

Turned on by the sidebar toggle or by ``?teacher=1`` in a link; a button in the page turns it off.
With a teacher's sequence in the link (``?seq=…&at=…``, :mod:`ui.sequence`), a strip at the top
walks it: previous / next (also the ← and → keys) and R to reveal a lesson's answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import streamlit as st

from i18n import _
from ui.language import link_params

TOGGLE_KEY = "shared.teacher"
STATIC = Path(__file__).parent / "static"
CSS = (STATIC / "teacher.css").read_text(encoding="utf-8")
#: Chart text size in teacher mode (Plotly's default is 12–13).
PROJECTOR_FONT_SIZE = 20
#: No chart text in teacher mode is smaller (18 px is legible from the back of a classroom).
PROJECTOR_MIN_FONT_SIZE = 18
#: The (sequence, position) whose point this session last opened: a new one opens its settings.
OPENED_KEY = "shared.sequence_opened"
#: Notices about a link's sequence already shown this session (each is shown once).
NOTICED_KEY = "shared.sequence_noticed"


def _leave() -> None:
    st.session_state[TOGGLE_KEY] = False
    st.query_params.pop("teacher", None)


def teacher_mode() -> bool:
    """Whether the session is in teacher mode."""
    return bool(st.session_state.get(TOGGLE_KEY, False))


def wording(normal: str, projector: str | None) -> str | None:
    """``projector`` in teacher mode (None: the sentence goes), else ``normal``: for sentences
    that refer to a control teacher mode hides. Both are shown text (already translated)."""
    return projector if teacher_mode() else normal


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


_sequence_keys = st.components.v2.component(
    "lstm_lens_sequence_keys", html="<span></span>",
    js=(STATIC / "sequence_keys.js").read_text(encoding="utf-8"))


def sequence_strip(pages: Mapping[str, st.Page], current: str) -> None:
    """In teacher mode with a sequence in the link: open the current point's settings when it
    is new to the session, and draw "3 / 12 · title" with previous / next links and the keys.

    ``pages``: URL path → page of the router; ``current``: the URL path being shown.
    """
    from ui import sequence

    if not teacher_mode():
        return
    seq, notices = sequence.decode(st.query_params.get(sequence.SEQ_PARAM),
                                   st.query_params.get(sequence.AT_PARAM))
    noticed = st.session_state.setdefault(NOTICED_KEY, set())
    for notice in notices:
        if str(notice) not in noticed:
            noticed.add(str(notice))
            st.warning(_(notice), icon=":material/playlist_remove:")
    if seq is None:
        return
    point = seq.current
    marker = (seq.encode(), seq.position)
    if current == point.page and st.session_state.get(OPENED_KEY) != marker:
        st.session_state[OPENED_KEY] = marker
        from ui.state import open_view

        open_view(point.page, point.state())
    # The strip walks the class: the lesson's own scenario picker and buttons would compete.
    st.html("<style>.st-key-lessons-previous, .st-key-lessons-next, .st-key-lessons-scenario "
            "{ display: none !important; }</style>")
    extra = {"teacher": "1"} | link_params()
    last = len(seq.points) - 1
    with st.container(key="sequence-strip", horizontal=True, vertical_alignment="center",
                      gap="medium"):
        with st.container(key="sequence-previous", width="content"):
            before = seq.moved(-1)
            st.page_link(pages[before.current.page], label=_("Previous"),
                         icon=":material/arrow_back:", disabled=seq.position == 0,
                         query_params=seq.link_query(before.position) | extra)
        st.markdown(_("**{number} / {total}** · {title}").format(
            number=seq.position + 1, total=len(seq.points), title=_(point.title)),
            width="content")
        with st.container(key="sequence-next", width="content"):
            after = seq.moved(1)
            st.page_link(pages[after.current.page], label=_("Next"),
                         icon=":material/arrow_forward:", disabled=seq.position == last,
                         query_params=seq.link_query(after.position) | extra)
        if current != point.page:
            st.page_link(pages[point.page], label=_("Back to this point"),
                         icon=":material/undo:", query_params=seq.link_query() | extra)
        keys = _("keys: ← →, R reveals") if point.kind == "lesson" else _("keys: ← →")
        st.caption(keys, width="content")
        _sequence_keys(key="sequence.keys")
