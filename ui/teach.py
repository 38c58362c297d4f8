"""Teach page: the ready-made "Why tanh in the LSTM?" sequence and a builder for one's own.

The sequence being built is kept in the session (as its ``seq`` text) and in the page's URL
(``?seq=…``), so the address bar reproduces it; the start link opens its first point in
teacher mode, where a strip walks it (:func:`ui.teacher.sequence_strip`).
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit

import streamlit as st

from i18n import N_, _
from ui.language import link_params
from ui.sequence import (
    AT_PARAM,
    SEQ_PARAM,
    Point,
    Sequence,
    catalog,
    decode,
    ready_made,
    ready_made_title,
)
from ui.share import PAGE_FILES

PAGE = "teach"
#: The builder's sequence as its ``seq`` text ("" when empty).
WORKING_KEY = f"{PAGE}.sequence"
ADD_KEY = f"{PAGE}.add"
KIND_LABELS = {"lesson": N_("Lesson"), "claim": N_("Claim")}


def _points() -> list[Point]:
    seq, _notices = decode(st.session_state.get(WORKING_KEY, ""))
    return list(seq.points) if seq else []


def _store(points: list[Point]) -> None:
    st.session_state[WORKING_KEY] = Sequence(tuple(points)).encode() if points else ""


def _move(index: int, offset: int) -> None:
    points = _points()
    other = index + offset
    if 0 <= index < len(points) and 0 <= other < len(points):
        points[index], points[other] = points[other], points[index]
        _store(points)


def _remove(index: int) -> None:
    points = _points()
    if 0 <= index < len(points):
        del points[index]
        _store(points)


def _add() -> None:
    chosen = st.session_state.get(ADD_KEY)
    known = {point.id: point for point in catalog()}
    if chosen in known:
        _store([*_points(), known[chosen]])


def _reset(points: list[Point]) -> None:
    _store(points)


def point_label(point: Point) -> str:
    """"Lesson · title" or "Claim · statement", in the session's language."""
    return _("{kind} · {title}").format(kind=_(KIND_LABELS[point.kind]), title=_(point.title))


def current() -> Sequence | None:
    """The sequence being built: on the session's first visit the link's (else the ready-made
    one), afterwards the session's. Shows what a link's sequence lost, once."""
    if WORKING_KEY not in st.session_state:
        raw = st.query_params.get(SEQ_PARAM)
        seq, notices = decode(raw)
        for notice in notices:
            st.warning(_(notice), icon=":material/playlist_remove:")
        st.session_state[WORKING_KEY] = (seq or ready_made()).encode()
    seq, _notices = decode(st.session_state[WORKING_KEY])
    if seq is None:
        st.query_params.pop(SEQ_PARAM, None)
    else:
        st.query_params[SEQ_PARAM] = seq.encode()
    st.query_params.pop(AT_PARAM, None)
    return seq


def start_query(seq: Sequence, position: int = 0) -> dict[str, str]:
    """The parameters of the link that opens point ``position`` of ``seq`` in teacher mode."""
    return seq.link_query(position) | {"teacher": "1"} | link_params()


def start_link(seq: Sequence) -> str:
    """The full link that opens the sequence's first point in teacher mode."""
    base = st.context.url or "http://localhost:8501/"
    scheme, netloc, *_rest = urlsplit(base)
    return urlunsplit((scheme, netloc, "/" + seq.points[0].page,
                       urlencode(start_query(seq)), ""))


def render_points(seq: Sequence | None) -> None:
    """The sequence, point by point: title, suggested minutes, the teacher's note, a link that
    opens it on the projector, and (outside teacher mode) buttons to move or remove it."""
    if seq is None:
        st.info(_("The sequence is empty: add points below, or start from the ready-made one."))
        return
    same = seq.encode() == ready_made().encode()
    st.header(_(ready_made_title()) if same else _("Your sequence"))
    st.markdown(_("{count} points, about {minutes} minutes in all.").format(
        count=len(seq.points), minutes=seq.minutes))
    last = len(seq.points) - 1
    for index, point in enumerate(seq.points):
        with st.container(border=True, key=f"{PAGE}-point-{index}"):
            text, minutes, actions = st.columns([6, 1, 2], vertical_alignment="center")
            text.markdown(f"**{index + 1}.** {point_label(point)}")
            if point.note:
                text.caption(_(point.note))
            minutes.markdown(_("{minutes} min").format(minutes=point.minutes))
            with actions, st.container(horizontal=True, gap="small"):
                st.page_link(PAGE_FILES[point.page], label=_("Open"),
                             icon=":material/co_present:", query_params=start_query(seq, index))
                with st.container(key=f"{PAGE}-row-controls-{index}", horizontal=True,
                                  gap="small", width="content"):
                    st.button("", icon=":material/arrow_upward:", key=f"{PAGE}.up.{index}",
                              help=_("Move up"), on_click=_move, args=(index, -1),
                              disabled=index == 0, type="tertiary")
                    st.button("", icon=":material/arrow_downward:", key=f"{PAGE}.down.{index}",
                              help=_("Move down"), on_click=_move, args=(index, 1),
                              disabled=index == last, type="tertiary")
                    st.button("", icon=":material/close:", key=f"{PAGE}.remove.{index}",
                              help=_("Remove"), on_click=_remove, args=(index,), type="tertiary")


def builder() -> None:
    """Add a point, start again from the ready-made sequence, or empty it."""
    with st.container(key=f"{PAGE}-controls"):
        choices = catalog()
        labels = {point.id: point_label(point) for point in choices}
        add, button = st.columns([5, 1], vertical_alignment="bottom")
        add.selectbox(_("Add a point (a lesson or a claim)"), list(labels),
                      format_func=labels.get, key=ADD_KEY)
        button.button(_("Add"), icon=":material/add:", key=f"{PAGE}.add_button", on_click=_add,
                      width="stretch")
        left, right = st.columns(2)
        left.button(_("Start from the ready-made sequence"), key=f"{PAGE}.ready_made",
                    on_click=_reset, args=(list(ready_made().points),), width="stretch")
        right.button(_("Empty the sequence"), key=f"{PAGE}.clear", on_click=_reset, args=([],),
                     width="stretch")


def render_link(seq: Sequence | None) -> None:
    """The one link for the whole sequence, and a link that starts it here."""
    if seq is None:
        return
    st.markdown(_("**The link for the whole sequence** (it opens point 1 in teacher mode; "
                  "→ and ← walk it, R reveals a lesson's answer):"))
    st.code(start_link(seq), language=None, wrap_lines=True)
    st.page_link(PAGE_FILES[seq.points[0].page], label=_("Start the sequence in teacher mode"),
                 icon=":material/play_arrow:", query_params=start_query(seq))
