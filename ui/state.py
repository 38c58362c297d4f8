"""Page state: one typed dataclass per page that round-trips to URL query parameters.

A page's controls are the fields of one frozen dataclass deriving from :class:`PageState`. Each
field is declared with :func:`number`, :func:`choice`, :func:`choices`, :func:`flag` or
:func:`text`, which record its type and allowed values. Then:

* ``State.from_query(params)`` parses URL parameters; bad, unknown or out-of-range ones fall back
  to defaults and are listed in the returned notices (never an exception);
* ``state.to_query()`` gives the parameters that differ from the defaults, so a link is short
  and reproduces the exact view;
* :func:`load` / :func:`save` bind a state to Streamlit's session: widget keys are
  ``"<page>.<field>"``, seeded from the URL on a session's first visit and from a non-widget copy
  afterwards (Streamlit drops a widget's state while its page is not shown).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import MISSING, Field, dataclass, field, fields
from typing import Any, TypeVar

from i18n import N_, Text, _
from lstm_core.expressions import ExpressionError
from ui.activation_picker import CUSTOM as CUSTOM_CHOICE
from ui.activation_picker import CUSTOM_KEY, set_custom_expression

S = TypeVar("S", bound="PageState")

_MAX_PARAM_CHARS = 2000


# --- field declarations --------------------------------------------------------------------------


def number(default: float, lo: float, hi: float, *, integer: bool = False) -> Any:
    """A number in [lo, hi] (an int when ``integer``)."""
    return field(default=default, metadata=dict(kind="int" if integer else "float", lo=lo, hi=hi))


def choice(default: str, options: Sequence[str]) -> Any:
    """One of ``options``."""
    return field(default=default, metadata=dict(kind="choice", options=tuple(options)))


def choices(
    default: Sequence[str], options: Sequence[str], *, min_count: int = 0, max_count: int = 99
) -> Any:
    """A tuple of distinct values from ``options`` (comma-separated in the URL)."""
    meta = dict(kind="choices", options=tuple(options), min_count=min_count, max_count=max_count)
    return field(default=tuple(default), metadata=meta)


def flag(default: bool) -> Any:
    """A yes/no switch (``1``/``0`` in the URL)."""
    return field(default=default, metadata=dict(kind="flag"))


def text(default: str, max_chars: int) -> Any:
    """Free text of at most ``max_chars`` characters (validated again by whoever uses it)."""
    return field(default=default, metadata=dict(kind="text", max_chars=max_chars))


# --- parsing and formatting ----------------------------------------------------------------------


class _Invalid(ValueError):
    pass


#: A number as a link writes it: ASCII digits, optional sign, point and exponent. Python's
#: ``float`` also reads " 1", "1_000", "٣", "nan" and "infinity"; a link gets none of them.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)


def _parse(spec: Field, raw: str) -> Any:
    meta = spec.metadata
    kind = meta["kind"]
    if kind in ("int", "float"):
        if not _NUMBER.fullmatch(raw):
            raise _Invalid(N_("not a number"))  # also spaces, 0x10, 1_000, ٣, nan, inf
        value = float(raw) + 0.0  # −0.0 + 0.0 is 0.0: "-0" means zero, not a negative bound
        if not math.isfinite(value):
            raise _Invalid(N_("not a finite number"))
        if kind == "int":
            if value != int(value):
                raise _Invalid(N_("not a whole number"))
            value = int(value)
        if not meta["lo"] <= value <= meta["hi"]:
            raise _Invalid(Text("outside {lo:g}…{hi:g}", lo=meta["lo"], hi=meta["hi"]))
        return value
    if kind == "choice":
        if raw not in meta["options"]:
            raise _Invalid(N_("not one of the choices"))
        return raw
    if kind == "choices":
        values = tuple(v for v in raw.split(",") if v) if raw else ()
        if any(v not in meta["options"] for v in values) or len(set(values)) != len(values):
            raise _Invalid(N_("holds an unknown or repeated choice"))
        if not meta["min_count"] <= len(values) <= meta["max_count"]:
            raise _Invalid(Text("needs {low}–{high} choices", low=meta["min_count"],
                                high=meta["max_count"]))
        return values
    if kind == "flag":
        if raw not in ("0", "1", "true", "false"):
            raise _Invalid(N_("not 0 or 1"))
        return raw in ("1", "true")
    if kind == "text":
        if len(raw) > meta["max_chars"]:
            raise _Invalid(Text("longer than {count} characters", count=meta["max_chars"]))
        return raw
    raise AssertionError(kind)


def _format(spec: Field, value: Any) -> str:
    kind = spec.metadata["kind"]
    if kind == "float":
        return repr(float(value))
    if kind == "int":
        return str(int(value))
    if kind == "choices":
        return ",".join(value)
    if kind == "flag":
        return "1" if value else "0"
    return str(value)


def _code_span(name: object) -> str:
    """A link's unknown parameter name, quoted for a Markdown notice: at most 40 characters
    in a code span, without backticks and non-printable characters, so the name is shown
    literally and can never become a link, a heading or hidden text."""
    clean = "".join(ch for ch in str(name)[:40] if ch.isprintable() and ch != "`").strip()
    return f"`{clean}`" if clean else NAMELESS


#: How a notice names a parameter without a printable name, and why parameters were ignored.
NAMELESS = N_("a parameter without a name")
UNKNOWN = N_("unknown")
TOO_LONG = N_("too long")
NOT_AN_EXPRESSION = N_("not a valid expression")


def ignored_notice(name: str, reason: str) -> Text:
    """One entry of the ignored-parameters notice: the name as Markdown, then why."""
    return Text("{name} ({reason})", name=name, reason=reason)


@dataclass(frozen=True)
class PageState:
    """Base class of every page's state dataclass (see the module docstring)."""

    @classmethod
    def from_query(cls: type[S], params: Mapping[str, Any]) -> tuple[S, list[str]]:
        """Parse URL parameters. Returns the state and a notice per parameter that was ignored."""
        specs = {spec.name: spec for spec in fields(cls)}
        values, notices = {}, []
        for name, raw in params.items():
            raw = raw[-1] if isinstance(raw, list) and raw else raw
            if name not in specs:
                if name not in IGNORED_PARAMS:
                    notices.append(ignored_notice(_code_span(name), UNKNOWN))
                continue
            if not isinstance(raw, str) or len(raw) > _MAX_PARAM_CHARS:
                notices.append(ignored_notice(f"`{name}`", TOO_LONG))
                continue
            try:
                values[name] = _parse(specs[name], raw)
            except _Invalid as why:
                notices.append(ignored_notice(f"`{name}`", why.args[0]))
        return cls(**values), notices

    def to_query(self) -> dict[str, str]:
        """The parameters that differ from the defaults."""
        query = {}
        for spec in fields(self):
            value = getattr(self, spec.name)
            default = spec.default if spec.default is not MISSING else None
            if value != default:
                query[spec.name] = _format(spec, value)
        return query

    @classmethod
    def from_values(cls: type[S], values: Mapping[str, Any]) -> S:
        """A state from widget values, each validated like a URL parameter."""
        state, _ = cls.from_query(
            {
                spec.name: _format(spec, values[spec.name])
                for spec in fields(cls)
                if spec.name in values
            }
        )
        return state

    @classmethod
    def spec(cls, name: str) -> Mapping[str, Any]:
        """The declared type and limits of field ``name``."""
        return next(f.metadata for f in fields(cls) if f.name == name)


#: Parameters that belong to the app as a whole, not to a page: teacher mode, the language,
#: Streamlit's own, the student's custom activation (carried into every link that uses it) and
#: a teacher's sequence with its position (``seq``, ``at``: ui/sequence.py).
IGNORED_PARAMS = frozenset({"teacher", "lang", "embed", "embed_options", "custom", "seq", "at"})
#: App-wide parameters a page keeps in its URL when it writes its own state there.
KEPT_PARAMS = ("teacher", "lang", "seq", "at")
CUSTOM_PARAM = "custom"


# --- binding to a Streamlit session --------------------------------------------------------------


def widget_key(page: str, name: str) -> str:
    return f"{page}.{name}"


def _widget_value(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def load(cls: type[S], page: str) -> S:
    """The page's state for this session, seeding its widget keys.

    On the first visit in a session the state comes from the URL, and a notice lists any
    parameter that was ignored; afterwards from the session's copy.
    """
    import streamlit as st

    store = f"{page}.__state__"
    sent: set[str] = set()
    if store not in st.session_state:
        params = st.query_params.to_dict()
        notices = _adopt_custom_activation(params.get(CUSTOM_PARAM), cls)
        state, ignored = cls.from_query(params)
        st.session_state[store] = state
        st.session_state[f"{page}.__notices__"] = notices + ignored
        sent = _keys_sent_by_the_browser()
    state = st.session_state[store]
    for spec in fields(state):
        key = widget_key(page, spec.name)
        if key not in st.session_state and key not in sent:
            st.session_state[key] = _widget_value(getattr(state, spec.name))
    return state


def _keys_sent_by_the_browser() -> set[str]:
    """Widget keys whose values came with this run's request.

    A tab that reconnects to a restarted server gets a new session but keeps its page on
    screen; its first change is sent with the values of every widget shown. Seeding those
    widgets from the URL would overwrite that change (the student's first click after a
    restart would snap back), so they keep the browser's values. Reads Streamlit's widget
    state (1.67: ids are ``$$ID-<hash>-<key>``); on any mismatch it finds nothing and the URL
    wins, as on a first visit.
    """
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    try:
        states = get_script_run_ctx(suppress_warning=True).session_state._state
        ids = list(states._new_widget_state.states)
    except (AttributeError, TypeError):
        return set()
    return {wid.split("-", 2)[2] for wid in ids if wid.startswith("$$ID-") and wid.count("-") >= 2}


def collect(cls: type[S], page: str) -> S:
    """The state made of the page's current widget values (after the widgets are drawn)."""
    import streamlit as st

    values = {
        spec.name: st.session_state[widget_key(page, spec.name)]
        for spec in fields(cls)
        if widget_key(page, spec.name) in st.session_state
    }
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
    return cls.from_values(values)


def _adopt_custom_activation(text: str | None, cls: type[PageState]) -> list[str]:
    """On a first visit, take a link's custom activation for the session (if the page does not
    hold one itself). Returns a notice when the link's expression is not valid."""
    import streamlit as st

    if not text or CUSTOM_PARAM in {spec.name for spec in fields(cls)}:
        return []
    if st.session_state.get(CUSTOM_KEY):
        return []  # the student's own expression wins over a link's
    try:
        set_custom_expression(str(text)[:_MAX_PARAM_CHARS])
    except ExpressionError:
        return [ignored_notice(f"`{CUSTOM_PARAM}`", NOT_AN_EXPRESSION)]
    return []


def save(page: str, state: PageState) -> None:
    """Keep the session's copy and make the URL reproduce this view."""
    import streamlit as st

    st.session_state[f"{page}.__state__"] = state
    query = state.to_query()
    for name in KEPT_PARAMS:
        if name in st.query_params:
            query[name] = st.query_params[name]
    custom = st.session_state.get(CUSTOM_KEY)
    if custom and CUSTOM_PARAM not in query and any(
        CUSTOM_CHOICE in value.split(",") for value in query.values()
    ):
        query[CUSTOM_PARAM] = custom  # a link that uses the custom activation carries it
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)


def notices(page: str) -> list[str]:
    """URL parameters ignored on this page's first visit (shown once, then cleared)."""
    import streamlit as st

    return st.session_state.pop(f"{page}.__notices__", [])


def announce_ignored(page: str) -> None:
    """Show one short notice listing the link parameters that were ignored (call after load)."""
    import streamlit as st

    ignored = notices(page)
    if ignored:
        st.info(_("Some link parameters were ignored and their defaults used: {parameters}")
                .format(parameters=_(", ").join(_(notice) for notice in ignored)))


def open_view(page: str, state: PageState) -> None:
    """Make ``state`` the session's state of ``page``, widgets included: its next run shows it
    (call before that page's widgets are drawn in this run)."""
    import streamlit as st

    st.session_state[f"{page}.__state__"] = state
    for spec in fields(state):
        st.session_state[widget_key(page, spec.name)] = _widget_value(getattr(state, spec.name))
