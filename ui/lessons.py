"""Lessons: guided predict-then-reveal scenarios, a quiz, and loading a saved view.

Scenarios and quiz questions are prose, so they live in ``content/lessons/*.toml``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache

import streamlit as st

from ui.content import CONTENT
from ui.share import PAGE_FILES, ViewFileError, parse_view_file
from ui.state import PageState, announce_ignored, choice, collect, load, save, widget_key

PAGE = "lessons"
PAGE_TITLES = {
    "activation_lab": "Activation Lab",
    "step_through": "Cell Step-Through",
    "compare": "Compare Trajectories",
    "gradient_flow": "Gradient Flow",
    "training_lab": "Training Lab",
    "claims": "Claims, checked live",
}


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    page: str
    params: dict[str, str]
    question: str
    choices: tuple[str, ...]
    answer: int
    reveal: str

    @property
    def page_file(self) -> str:
        return PAGE_FILES[self.page]


@dataclass(frozen=True)
class QuizQuestion:
    key: str
    question: str
    choices: tuple[str, ...]
    answer: int
    explanation: str
    scenario: str


@cache
def scenarios() -> tuple[Scenario, ...]:
    """Every scenario in lesson order."""
    data = tomllib.loads((CONTENT / "lessons" / "scenarios.toml").read_text(encoding="utf-8"))
    return tuple(
        Scenario(**{**item, "choices": tuple(item["choices"]),
                    "question": " ".join(item["question"].split())})
        for item in data["scenario"]
    )


@cache
def quiz() -> tuple[QuizQuestion, ...]:
    data = tomllib.loads((CONTENT / "lessons" / "quiz.toml").read_text(encoding="utf-8"))
    return tuple(QuizQuestion(**{**item, "choices": tuple(item["choices"])})
                 for item in data["question"])


def scenario(key: str) -> Scenario:
    return next(s for s in scenarios() if s.key == key)


@dataclass(frozen=True)
class LessonsState(PageState):
    scenario: str = choice(scenarios()[0].key, [s.key for s in scenarios()])


def _step(offset: int) -> None:
    keys = [s.key for s in scenarios()]
    key = widget_key(PAGE, "scenario")
    index = keys.index(st.session_state[key])
    st.session_state[key] = keys[max(0, min(len(keys) - 1, index + offset))]


def controls() -> LessonsState:
    """Scenario picker with previous / next and the progress through the lesson."""
    load(LessonsState, PAGE)
    announce_ignored(PAGE)
    keys = [s.key for s in scenarios()]
    titles = {s.key: f"{i + 1}. {s.title}" for i, s in enumerate(scenarios())}
    left, middle, right = st.columns([1, 4, 1], vertical_alignment="bottom")
    middle.selectbox("Scenario", keys, format_func=titles.get, key=widget_key(PAGE, "scenario"))
    state = collect(LessonsState, PAGE)
    index = keys.index(state.scenario)
    left.button("Previous", icon=":material/arrow_back:", on_click=_step, args=(-1,),
                disabled=index == 0, key=f"{PAGE}.previous", width="stretch")
    right.button("Next", icon=":material/arrow_forward:", on_click=_step, args=(1,),
                 disabled=index == len(keys) - 1, key=f"{PAGE}.next", width="stretch")
    done = sum(bool(st.session_state.get(f"{PAGE}.revealed.{k}")) for k in keys)
    st.progress(done / len(keys), text=f"Scenario {index + 1} of {len(keys)} · {done} revealed")
    save(PAGE, state)
    return state


def render_scenario(item: Scenario) -> None:
    """Question, prediction, reveal and the link that opens the live view."""
    st.subheader(item.title)
    st.markdown(item.question)
    prediction = st.radio("Predict first: what will you see?", range(len(item.choices)),
                          format_func=lambda i: item.choices[i], index=None,
                          key=f"{PAGE}.prediction.{item.key}")
    revealed_key = f"{PAGE}.revealed.{item.key}"
    st.button("Reveal", key=f"{PAGE}.reveal.{item.key}", disabled=prediction is None,
              help="Choose a prediction first." if prediction is None else None,
              on_click=st.session_state.__setitem__, args=(revealed_key, True))
    if st.session_state.get(revealed_key):
        if prediction == item.answer:
            st.success("Your prediction was right.")
        elif prediction is not None:
            st.warning(f"Not quite: the answer is “{item.choices[item.answer]}”")
        st.markdown(item.reveal)
    st.page_link(item.page_file, label=f"Open this in {PAGE_TITLES[item.page]}",
                 icon=":material/open_in_new:", query_params=item.params)


def render_quiz() -> None:
    """Instant feedback on each classic review question, linking to the scenario that shows it."""
    for number, question in enumerate(quiz(), start=1):
        answer = st.radio(f"**Q{number}.** {question.question}", range(len(question.choices)),
                          format_func=lambda i, q=question: q.choices[i], index=None,
                          key=f"{PAGE}.quiz.{question.key}")
        if answer is None:
            continue
        shown = scenario(question.scenario)
        if answer == question.answer:
            st.success("Right. " + " ".join(question.explanation.split()))
        else:
            st.error("Not quite. " + " ".join(question.explanation.split()))
        st.page_link(shown.page_file, label=f"See it live: {shown.title}",
                     icon=":material/science:", query_params=shown.params)


def load_view_file() -> None:
    """Open a view saved with "Share this view" (a small JSON file)."""
    upload = st.file_uploader("Open a saved view (.json)", type=["json"],
                              key=f"{PAGE}.view_file")
    if upload is None:
        return
    try:
        page_file, params = parse_view_file(upload.getvalue())
    except ViewFileError as why:
        st.error(str(why))
        return
    st.page_link(page_file, label="Open the saved view", icon=":material/open_in_new:",
                 query_params=params)
