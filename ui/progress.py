"""A student's lesson progress (predictions, reveals, quiz answers) kept in the browser.

The session holds the progress (``lessons.kept.*`` and ``lessons.revealed.*`` keys, see
:mod:`ui.lessons`); :func:`keep` mounts a small ``st.components.v2`` component
(``static/progress_store.js``) that mirrors it into the browser's ``localStorage``, so that a
reload or a second tab of the same browser starts where the student left off. Stored data is
checked against the lessons and anything that does not fit is ignored.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import streamlit as st

PAGE = "lessons"
COMPONENT_KEY = f"{PAGE}.progress_store"
#: Set once the browser's stored progress has been read into this session.
LOADED = f"{PAGE}.progress_loaded"
VERSION = 1
MAX_STORED_CHARS = 20_000
JS = (Path(__file__).parent / "static" / "progress_store.js").read_text(encoding="utf-8")
# The component draws nothing: take it out of the page's flow (no empty gap).
CSS = ".st-key-lessons-progress_store { display: none; }"

_store = st.components.v2.component("lstm_lens_progress", html="", js=JS, css=CSS,
                                    isolate_styles=False)

Progress = dict[str, Any]  # {"v": 1, "predictions": {key: i}, "revealed": [key], "quiz": {key: i}}


def _choices() -> tuple[dict[str, int], dict[str, int]]:
    """Scenario key → its number of choices, quiz key → its number of choices."""
    from ui import lessons

    return ({s.key: len(s.choices) for s in lessons.scenarios()},
            {q.key: len(q.choices) for q in lessons.quiz()})


def _answers(value: object, sizes: Mapping[str, int]) -> dict[str, int]:
    """The valid entries of a stored ``{key: choice index}`` (others dropped)."""
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items()
            if k in sizes and type(v) is int and 0 <= v < sizes[k]}


def parse(text: object) -> Progress:
    """Stored progress as the browser sent it, checked: unknown scenarios or questions, answers
    out of range, wrong types or a reveal without its prediction are dropped; anything that is
    not such a JSON object gives empty progress."""
    empty: Progress = {"v": VERSION, "predictions": {}, "revealed": [], "quiz": {}}
    if not isinstance(text, str) or not text or len(text) > MAX_STORED_CHARS:
        return empty
    try:
        data = json.loads(text)
    except ValueError:
        return empty
    if not isinstance(data, dict) or data.get("v") != VERSION:
        return empty
    scenarios, questions = _choices()
    predictions = _answers(data.get("predictions"), scenarios)
    revealed = data.get("revealed")
    revealed = sorted({k for k in revealed if isinstance(k, str) and k in predictions}
                      if isinstance(revealed, list) else set())
    return {"v": VERSION, "predictions": predictions, "revealed": revealed,
            "quiz": _answers(data.get("quiz"), questions)}


def _kept(widget: str) -> str:
    return f"{PAGE}.kept.{widget}"


def current() -> Progress:
    """This session's progress."""
    scenarios, questions = _choices()
    state = st.session_state

    def answers(kind: str, sizes: Mapping[str, int]) -> dict[str, int]:
        found = {k: state.get(_kept(f"{PAGE}.{kind}.{k}")) for k in sizes}
        return _answers({k: v for k, v in found.items() if v is not None}, sizes)

    predictions = answers("prediction", scenarios)
    revealed = sorted(k for k in scenarios if state.get(f"{PAGE}.revealed.{k}"))
    return {"v": VERSION, "predictions": predictions, "revealed": revealed,
            "quiz": answers("quiz", questions)}


def adopt(progress: Progress) -> None:
    """Make ``progress`` this session's (before the lesson widgets are drawn)."""
    scenarios, questions = _choices()
    state = st.session_state
    for kind, sizes in (("prediction", scenarios), ("quiz", questions)):
        chosen = progress["predictions" if kind == "prediction" else "quiz"]
        for key in sizes:
            widget = f"{PAGE}.{kind}.{key}"
            # None unchecks a radio the browser still shows checked (dropping the key would not)
            state[widget] = chosen.get(key)
            if chosen.get(key) is None:
                state.pop(_kept(widget), None)
            else:
                state[_kept(widget)] = chosen[key]
    for key in scenarios:
        state[f"{PAGE}.revealed.{key}"] = key in progress["revealed"]


def start_over() -> None:
    """Forget every prediction, reveal and answer, here and in the browser's storage."""
    adopt(parse(""))
    st.session_state[LOADED] = True


def _received() -> None:
    """The browser sent its stored progress (first run, or another tab changed it)."""
    result = st.session_state.get(COMPONENT_KEY) or {}
    text = result.get("stored") if isinstance(result, Mapping) else None
    first = not st.session_state.get(LOADED)
    st.session_state[LOADED] = True
    stored = parse(text)
    if first and not any((stored["predictions"], stored["quiz"])):
        return  # nothing stored: keep what this session has (it is written back next)
    adopt(stored)


def keep() -> None:
    """Mirror this session's progress into the browser (and read it from there first)."""
    loaded = bool(st.session_state.get(LOADED))
    progress = current()
    save = json.dumps(progress, sort_keys=True, separators=(",", ":")) if any(
        (progress["predictions"], progress["quiz"])) else ""
    _store(key=COMPONENT_KEY, data={"loaded": loaded, "save": save if loaded else None},
           on_stored_change=_received, height=0)
