"""Lessons: guided predict-then-reveal scenarios, a quiz, and loading a saved view.

Scenarios and quiz questions are prose, so they live in ``content/lessons/*.toml``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import streamlit as st

from i18n import LESSON_FIELDS, N_, _, lesson_text, message_of
from lstm_core.diagnoses import num
from lstm_core.stocks import LESSON_SEEDS, STOCKS, stock_sequence, weekly_returns, writes_over_seeds
from lstm_core.stocks import prices as stock_prices
from ui import progress
from ui.content import CONTENT, prose
from ui.share import PAGE_FILES, ViewFileError, parse_view_file
from ui.state import PageState, announce_ignored, choice, collect, load, save, widget_key

PAGE = "lessons"
PAGE_TITLES = {
    "activation_lab": N_("Activation Lab"),
    "step_through": N_("Cell Step-Through"),
    "compare": N_("Compare Trajectories"),
    "gradient_flow": N_("Gradient Flow"),
    "training_lab": N_("Training Lab"),
    "claims": N_("Claims, checked live"),
    "teach": N_("Teach a class"),
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
    #: A key of :data:`FIGURES`: the live numbers the question and the reveal are formatted
    #: with (their ``{placeholders}``); "" for a scenario whose text has none.
    figures: str = ""

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


def _normalised(item: dict[str, Any]) -> dict[str, Any]:
    """A lesson item with its text fields exactly as the catalog has them as message ids
    (choices as a tuple): each is shown through ``_()``."""
    out = dict(item)
    for field in LESSON_FIELDS.keys() & item.keys():
        value = item[field]
        out[field] = (tuple(lesson_text(field, v) for v in value) if isinstance(value, list)
                      else lesson_text(field, value))
    return out


@cache
def scenarios() -> tuple[Scenario, ...]:
    """Every scenario in lesson order."""
    data = tomllib.loads((CONTENT / "lessons" / "scenarios.toml").read_text(encoding="utf-8"))
    return tuple(Scenario(**_normalised(item)) for item in data["scenario"])


@cache
def quiz() -> tuple[QuizQuestion, ...]:
    data = tomllib.loads((CONTENT / "lessons" / "quiz.toml").read_text(encoding="utf-8"))
    return tuple(QuizQuestion(**_normalised(item)) for item in data["question"])


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
    titles = {s.key: f"{i + 1}. {_(s.title)}" for i, s in enumerate(scenarios())}
    left, middle, right = st.columns([1, 4, 1], vertical_alignment="bottom")
    middle.selectbox(_("Scenario"), keys, format_func=titles.get, key=widget_key(PAGE, "scenario"))
    state = collect(LessonsState, PAGE)
    index = keys.index(state.scenario)
    left.button(_("Previous"), icon=":material/arrow_back:", on_click=_step, args=(-1,),
                disabled=index == 0, key=f"{PAGE}.previous", width="stretch")
    right.button(_("Next"), icon=":material/arrow_forward:", on_click=_step, args=(1,),
                 disabled=index == len(keys) - 1, key=f"{PAGE}.next", width="stretch")
    done = sum(bool(st.session_state.get(f"{PAGE}.revealed.{k}")) for k in keys)
    bar, reset = st.columns([5, 1], vertical_alignment="bottom")
    bar.progress(done / len(keys), text=_("Scenario {number} of {total} · {done} revealed").format(
        number=index + 1, total=len(keys), done=done))
    reset.button(_("Start over"), icon=":material/restart_alt:", key=f"{PAGE}.start_over",
                 on_click=progress.start_over, width="stretch",
                 help=_("Forget every prediction, reveal and quiz answer kept in this browser."))
    progress.keep()
    save(PAGE, state)
    return state


def _live_views() -> dict[str, Callable[..., None]]:
    """Page → the function drawing that page's lesson view (imported here, on first use)."""
    from ui import activation_lab, compare, gradient_flow, step_through

    return {"activation_lab": activation_lab.lesson_view, "compare": compare.lesson_view,
            "gradient_flow": gradient_flow.lesson_view, "step_through": step_through.lesson_view}


def _kept(widget: str) -> str:
    """The session key that keeps a lesson widget's value while another page is shown
    (Streamlit drops a widget's own state when its page is not drawn)."""
    return f"{PAGE}.kept.{widget}"


def _restore(widget: str) -> None:
    if widget not in st.session_state and _kept(widget) in st.session_state:
        st.session_state[widget] = st.session_state[_kept(widget)]


def _keep(widget: str) -> None:
    st.session_state[_kept(widget)] = st.session_state.get(widget)


def _persistent_radio(label: str, choices: tuple[str, ...], key: str) -> int | None:
    """A radio over ``choices`` (message ids, shown translated; no default) whose answer
    survives visits to other pages."""
    _restore(key)
    return st.radio(label, range(len(choices)), format_func=lambda i: _(choices[i]), index=None,
                    key=key, on_change=_keep, args=(key,))


# --- live numbers in a scenario's text -----------------------------------------------------------


@st.cache_data(max_entries=16, show_spinner=False)
def _stock_writes(stock: str, amplitude: float, input_size: int, hidden_size: int,
                  weight_scale: float, forget_bias: float, seed: int):
    """The lesson seed's writes and those of every seed of ``LESSON_SEEDS``, per candidate."""
    x = stock_sequence(stock, input_size, amplitude)
    returns = weekly_returns(stock_prices()[:, list(STOCKS).index(stock)])
    weights = dict(hidden_size=hidden_size, weight_scale=weight_scale, forget_bias=forget_bias)
    return (writes_over_seeds(x, returns, (seed,), **weights),
            writes_over_seeds(x, returns, LESSON_SEEDS, **weights))


def stock_write_figures(params: dict[str, str]) -> dict[str, object]:
    """The numbers of the stock lesson, computed now for its link's setup (seeded random
    weights): on the down weeks, the share of negative writes i_t·g_t with a tanh and with a
    sigmoid candidate (same weights), the smallest cell state, and the same over every seed."""
    from ui.compare import CompareState  # imported on first use, like the live views
    from ui.run_setup import setup_of, stock_label

    setup = setup_of(CompareState.from_query(params)[0])
    one, sweep = _stock_writes(setup.stock, setup.amplitude, setup.input_size, setup.hidden_size,
                               setup.weight_scale, setup.forget_bias, setup.seed)
    tanh, sigmoid = one["tanh"][0], one["sigmoid"][0]
    shares = np.array([w.down_negative for w in sweep["tanh"]])
    return {
        "stock": stock_label(setup.stock), "seed": setup.seed, "units": setup.hidden_size,
        "forget_bias": setup.forget_bias, "weeks": tanh.down_weeks + tanh.up_weeks,
        "down": tanh.down_weeks,
        "tanh_down": tanh.down_negative, "tanh_up": tanh.up_negative,
        "sigmoid_down": sigmoid.down_negative,
        "tanh_min": num(tanh.min_cell), "sigmoid_min": num(sigmoid.min_cell),
        "count": len(LESSON_SEEDS), "first_seed": LESSON_SEEDS[0], "last_seed": LESSON_SEEDS[-1],
        "tanh_low": float(shares.min()), "tanh_high": float(shares.max()),
        "tanh_median": float(np.median(shares)),
        "tanh_below": sum(w.min_cell < 0 for w in sweep["tanh"]),
        "sigmoid_none": sum(w.down_negative == 0 for w in sweep["sigmoid"]),
        "sigmoid_below": sum(w.min_cell < 0 for w in sweep["sigmoid"]),
    }


#: Scenario ``figures`` key → the function giving its numbers from the scenario's link.
FIGURES: dict[str, Callable[[dict[str, str]], dict[str, object]]] = {
    "stock_writes": stock_write_figures,
}


def scenario_text(item: Scenario, text: str) -> str:
    """One of ``item``'s texts (a message id) translated, with its live numbers filled in."""
    shown = _(text)
    return shown.format(**FIGURES[item.figures](item.params)) if item.figures else shown


def quoted(choice: str) -> str:
    """A choice (message id) translated, as it reads inside quotation marks in a sentence: without
    its closing full stop (the sentence has its own: no "…unchanged.”.")."""
    return _(choice).rstrip(".。")


def render_scenario(item: Scenario) -> None:
    """Question and prediction beside the live chart (computed with the scenario's exact
    settings, drawn once revealed), then the explanation and the link to explore further."""
    st.header(_(item.title))
    st.markdown(scenario_text(item, item.question))
    revealed_key = f"{PAGE}.revealed.{item.key}"
    revealed = bool(st.session_state.get(revealed_key))
    side, chart = st.columns([2, 3], gap="large")  # prediction first, also on a phone
    with side:
        prediction = _persistent_radio(_("Predict first: what will you see?"), item.choices,
                                       f"{PAGE}.prediction.{item.key}")
        st.button(_("Reveal"), key=f"{PAGE}.reveal.{item.key}", disabled=prediction is None,
                  help=_("Choose a prediction first.") if prediction is None else None,
                  on_click=st.session_state.__setitem__, args=(revealed_key, True),
                  type="primary", width="stretch")
        if revealed:
            if prediction == item.answer:
                st.success(_("Your prediction was right."))
            elif prediction is not None:
                st.warning(_("Not quite: the answer is “{answer}”").format(
                    answer=quoted(item.choices[item.answer])))
    below = st.container()  # full width under the two columns (e.g. a wide table)
    with chart:
        if revealed:
            _live_views()[item.page](item.params, f"{PAGE}.live.{item.key}", below)
        else:
            st.info(prose("lessons_before_reveal"), icon=":material/visibility_off:")
    if revealed:
        st.markdown(scenario_text(item, item.reveal))
    st.page_link(item.page_file,
                 label=_("Explore further in {page}").format(page=_(PAGE_TITLES[item.page])),
                 icon=":material/open_in_new:", query_params=item.params)


def quiz_score() -> tuple[int, int]:
    """(right, answered) over the quiz questions answered this session."""
    answers = [st.session_state.get(_kept(f"{PAGE}.quiz.{q.key}")) for q in quiz()]
    right = sum(a == q.answer for a, q in zip(answers, quiz(), strict=True))
    return right, sum(a is not None for a in answers)


def render_quiz() -> None:
    """Each classic review question with its explanation once answered, the score so far, and
    the scenario that shows the answer live."""
    score = st.empty()
    for number, question in enumerate(quiz(), start=1):
        answer = _persistent_radio(
            _("**Q{number}.** {question}").format(number=number, question=_(question.question)),
            question.choices, f"{PAGE}.quiz.{question.key}")
        if answer is None:
            continue
        shown = scenario(question.scenario)
        explanation = " ".join(_(question.explanation).split())
        if answer == question.answer:
            st.success(_("Right. {explanation}").format(explanation=explanation))
        else:
            st.error(_("Not quite: the answer is “{answer}”. {explanation}").format(
                answer=quoted(question.choices[question.answer]), explanation=explanation))
        st.page_link(shown.page_file, label=_("See it live: {title}").format(title=_(shown.title)),
                     icon=":material/science:", query_params=shown.params)
    right, answered = quiz_score()
    total = len(quiz())
    score.progress(answered / total, text=_(
        "Quiz score: {right} of {total} right ({answered} of {total} answered)").format(
        right=right, total=total, answered=answered))


def load_view_file() -> None:
    """Open a view saved with "Share this view" (a small JSON file)."""
    upload = st.file_uploader(_("Open a saved view (.json)"), type=["json"],
                              key=f"{PAGE}.view_file")
    if upload is None:
        return
    try:
        page_file, params = parse_view_file(upload.getvalue())
    except ViewFileError as why:  # its message: a str or a Text, shown in the session's language
        st.error(_(message_of(why)))
        return
    st.page_link(page_file, label=_("Open the saved view"), icon=":material/open_in_new:",
                 query_params=params)
