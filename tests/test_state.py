"""Page state ⇄ URL: round trips, bad parameters, fuzzing of every page's state class."""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass, fields
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ui.state import PageState, choice, choices, flag, number, text

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Example(PageState):
    steps: int = number(100, 2, 500, integer=True)
    scale: float = number(1.0, 0.0, 4.0)
    cell: str = choice("LSTM", ["LSTM", "GRU", "RNN"])
    picked: tuple[str, ...] = choices(("a", "b"), ["a", "b", "c"], min_count=1, max_count=2)
    squash: bool = flag(True)
    note: str = text("", 10)


def test_defaults_make_an_empty_query_and_changes_round_trip():
    assert Example().to_query() == {}
    state = Example(steps=7, scale=0.3, cell="GRU", picked=("c",), squash=False, note="hi")
    query = state.to_query()
    assert query == {"steps": "7", "scale": "0.3", "cell": "GRU", "picked": "c", "squash": "0",
                     "note": "hi"}
    again, ignored = Example.from_query(query)
    assert again == state and ignored == []


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"steps": "501"}, "outside"),
        ({"steps": "2.5"}, "whole"),
        ({"steps": "nan"}, "finite"),
        ({"scale": "1e999"}, "finite"),
        ({"scale": "abc"}, "number"),
        ({"cell": "LSTM<script>"}, "choices"),
        ({"picked": "a,a"}, "repeated"),
        ({"picked": "a,b,c"}, "1–2"),
        ({"picked": ""}, "1–2"),
        ({"squash": "yes"}, "0 or 1"),
        ({"note": "x" * 11}, "longer"),
        ({"unknown": "1"}, "unknown"),
        ({"steps": "9" * 3000}, "too long"),
    ],
)
def test_bad_parameters_fall_back_to_defaults_with_a_notice(params, reason):
    state, ignored = Example.from_query(params)
    assert state == Example()
    assert len(ignored) == 1 and reason in ignored[0]


def test_good_parameters_survive_next_to_bad_ones():
    state, ignored = Example.from_query({"steps": "50", "scale": "-1", "teacher": "1"})
    assert state.steps == 50 and state.scale == 1.0
    assert ignored == ["`scale` (outside 0…4)"]


def _page_state_classes() -> list[type[PageState]]:
    classes = []
    for path in sorted((ROOT / "ui").glob("*.py")):
        module = importlib.import_module(f"ui.{path.stem}")
        classes += [
            obj for obj in vars(module).values()
            if isinstance(obj, type) and issubclass(obj, PageState) and obj is not PageState
            and obj.__module__ == module.__name__
        ]
    return classes


PAGE_STATES = _page_state_classes()


def test_every_page_has_a_state_class():
    assert len(PAGE_STATES) >= 2


@pytest.mark.parametrize("cls", PAGE_STATES, ids=lambda c: c.__name__)
def test_page_state_defaults_round_trip(cls):
    default = cls()
    assert cls.from_query(default.to_query()) == (default, [])
    for spec in fields(cls):
        assert "kind" in spec.metadata, f"{cls.__name__}.{spec.name} has no declared limits"


names = st.one_of(st.sampled_from(["steps", "x_max", "eps", "activations", "cell", "seed",
                                   "custom", "hidden", "preset", "claim"]), st.text(max_size=20))
values = st.one_of(st.text(max_size=60), st.from_regex(r"-?[0-9.e+]{1,12}", fullmatch=True),
                   st.sampled_from(["nan", "inf", "-inf", "1e308", "0", "1", "", ",", "a,,b"]))


@pytest.mark.parametrize("cls", PAGE_STATES, ids=lambda c: c.__name__)
@settings(max_examples=150, deadline=None)
@given(params=st.dictionaries(names, values, max_size=6))
def test_fuzzed_url_parameters_never_raise_and_are_fast(cls, params):
    start = time.thread_time()  # CPU time: a loaded CI machine must not fail a fast parser
    state, ignored = cls.from_query(params)
    assert time.thread_time() - start < 0.1
    assert isinstance(state, cls) and isinstance(ignored, list)
    assert cls.from_query(state.to_query()) == (state, [])
