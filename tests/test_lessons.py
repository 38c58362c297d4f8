"""Lessons: every scenario opens and sets what it says; predict → reveal; the quiz; view files."""

from __future__ import annotations

import importlib
import json

import pytest

from tests.apptest_helpers import charts, no_exceptions, run_page
from ui import lessons, progress
from ui.share import PAGE_FILES, ViewFileError, parse_view_file

STATE_CLASSES = {
    "activation_lab": "ui.activation_lab:ActivationLabState",
    "step_through": "ui.step_through:StepThroughState",
    "compare": "ui.compare:CompareState",
    "gradient_flow": "ui.gradient_flow:GradientFlowState",
    "training_lab": "ui.training_lab:TrainingLabState",
    "claims": "ui.claims:ClaimsState",
}
SCENARIOS = lessons.scenarios()


def _state_class(page: str):
    module, name = STATE_CLASSES[page].split(":")
    return getattr(importlib.import_module(module), name)


def test_the_library_has_the_required_scenarios():
    keys = {s.key for s in SCENARIOS}
    assert keys >= {"why_tanh_candidate", "sigmoid_candidate", "relu_both", "no_output_squash",
                    "saturation", "vanishing", "forget_bias", "gru_no_second_tanh", "hard_tanh"}
    for item in SCENARIOS:
        assert 0 <= item.answer < len(item.choices) and item.reveal.strip()


@pytest.mark.parametrize("item", SCENARIOS, ids=lambda s: s.key)
def test_each_scenario_opens_its_page_with_exactly_its_settings(item):
    state, ignored = _state_class(item.page).from_query(item.params)
    assert ignored == [], f"{item.key}: parameters the page would ignore: {ignored}"
    at = run_page(item.page_file, query=item.params)
    no_exceptions(at)
    assert not [i.value for i in at.info if "ignored" in i.value]
    shown, _ = _state_class(item.page).from_query(dict(at.query_params.items()))
    assert shown == state  # the page's link now describes exactly the scenario's settings
    for name in item.params:
        assert getattr(state, name) != getattr(_state_class(item.page)(), name), name


def test_relu_scenario_shows_a_blow_up_and_gru_scenario_a_bounded_h():
    relu = lessons.scenario("relu_both")
    table = run_page(relu.page_file, query=relu.params).dataframe[0].value
    assert "never" not in table["blow-up step"].iloc[2]
    assert table["blow-up step"].iloc[0] == "never"
    gru = lessons.scenario("gru_no_second_tanh")
    table = run_page(gru.page_file, query=gru.params).dataframe[0].value
    assert float(str(table["max |h|"].iloc[5]).replace("−", "-")) <= 1.0
    assert float(str(table["max |h|"].iloc[4]).replace("−", "-")) > 1.0


def test_predict_then_reveal_then_next():
    at = run_page("pages/lessons.py")
    no_exceptions(at)
    first = SCENARIOS[0]
    reveal = at.button(key=f"lessons.reveal.{first.key}")
    assert reveal.disabled  # predict first
    at.radio(key=f"lessons.prediction.{first.key}").set_value(first.answer).run()
    at.button(key=f"lessons.reveal.{first.key}").click().run()
    assert at.success[0].value == "Your prediction was right."
    assert any("The top panel shows the memory of unit 1" in m.value for m in at.markdown)
    assert "1 revealed" in at.get("progress")[0].proto.text
    at.button(key="lessons.next").click().run()
    assert at.selectbox(key="lessons.scenario").value == SCENARIOS[1].key
    assert at.query_params["scenario"] == SCENARIOS[1].key


def test_a_wrong_prediction_is_corrected():
    at = run_page("pages/lessons.py", query={"scenario": "vanishing"})
    item = lessons.scenario("vanishing")
    wrong = (item.answer + 1) % len(item.choices)
    at.radio(key="lessons.prediction.vanishing").set_value(wrong).run()
    at.button(key="lessons.reveal.vanishing").click().run()
    assert f"“{item.choices[item.answer].rstrip('.')}”" in at.warning[0].value


def test_quiz_gives_instant_feedback_and_links_the_scenario():
    at = run_page("pages/lessons.py")
    question = lessons.quiz()[2]
    at.radio(key=f"lessons.quiz.{question.key}").set_value(question.answer).run()
    assert at.success[0].value.startswith("Right.")
    wrong = (question.answer + 1) % len(question.choices)
    at.radio(key=f"lessons.quiz.{question.key}").set_value(wrong).run()
    assert at.error[0].value.startswith("Not quite: the answer is")
    assert "constant error carousel" in at.error[0].value
    for item in lessons.quiz():
        assert item.scenario in {s.key for s in SCENARIOS}


def test_view_files_round_trip_and_bad_ones_are_refused():
    view = json.dumps({"app": "lstm-lens", "page": "gradient_flow",
                       "params": {"steps": "50"}}).encode()
    assert parse_view_file(view) == (PAGE_FILES["gradient_flow"], {"steps": "50"})
    bad = [b"\x00\xff", b"[]", b'{"app": "other"}', b"{" * 5000,
           json.dumps({"app": "lstm-lens", "page": "../../etc/passwd"}).encode(),
           json.dumps({"app": "lstm-lens", "page": "compare", "params": {"a": 1}}).encode(),
           b" " * 30_000]
    for data in bad:
        with pytest.raises(ViewFileError):
            parse_view_file(data)


def test_lessons_page_opens_an_uploaded_view_file():
    at = run_page("pages/lessons.py")
    view = json.dumps({"app": "lstm-lens", "page": "compare", "params": {"count": "2"}})
    at.file_uploader(key="lessons.view_file").upload("view.json", view.encode(),
                                                     "application/json").run()
    no_exceptions(at)
    links = at.get("page_link")
    assert any("saved view" in link.proto.label for link in links)
    at.file_uploader(key="lessons.view_file").upload("bad.json", b"nope", "application/json").run()
    assert "not a JSON view file" in at.error[0].value


@pytest.mark.parametrize("item", SCENARIOS, ids=lambda s: s.key)
def test_reveal_draws_the_live_chart_with_the_scenarios_exact_settings(item):
    before = run_page("pages/lessons.py", query={"scenario": item.key})
    assert not charts(before)  # predict first: nothing to peek at
    at = run_page("pages/lessons.py", query={"scenario": item.key},
                  session={f"lessons.revealed.{item.key}": True})
    no_exceptions(at)
    live = charts(at)
    assert live and any(item.reveal.split()[0] in m.value for m in at.markdown)
    if item.key in ("vanishing", "relu_both", "hard_tanh"):  # one per page kind: same numbers
        page = charts(run_page(item.page_file, query=item.params))
        assert [t.get("y") for t in live[0]["data"]] == [t.get("y") for t in page[0]["data"]]


def test_quiz_score_and_answers_survive_a_visit_to_another_page():
    at = run_page("pages/lessons.py")
    first, second = lessons.quiz()[:2]
    at.radio(key=f"lessons.quiz.{first.key}").set_value(first.answer).run()
    wrong = (second.answer + 1) % len(second.choices)
    at.radio(key=f"lessons.quiz.{second.key}").set_value(wrong).run()
    at.radio(key=f"lessons.prediction.{SCENARIOS[0].key}").set_value(0).run()
    total = len(lessons.quiz())
    score = f"Quiz score: 1 of {total} right (2 of {total} answered)"
    assert score in [p.proto.text for p in at.get("progress")]
    assert any(second.explanation.split()[0] in e.value for e in at.error)
    at.switch_page("pages/home.py").run()
    at.switch_page("pages/lessons.py").run()
    no_exceptions(at)
    assert at.radio(key=f"lessons.quiz.{first.key}").value == first.answer
    assert at.radio(key=f"lessons.quiz.{second.key}").value == wrong
    assert at.radio(key=f"lessons.prediction.{SCENARIOS[0].key}").value == 0
    assert score in [p.proto.text for p in at.get("progress")]


def test_a_quoted_answer_does_not_end_in_two_full_stops():
    at = run_page("pages/lessons.py")
    question = next(q for q in lessons.quiz() if q.choices[q.answer].endswith("."))
    wrong = (question.answer + 1) % len(question.choices)
    at.radio(key=f"lessons.quiz.{question.key}").set_value(wrong).run()
    text = at.error[0].value
    assert ".”." not in text and "”." in text
    assert question.choices[question.answer][:-1] + "”. " in text


@pytest.mark.parametrize("stored", [
    None, 3, "", "{", "[]", "null", '{"v": 2, "predictions": {"why_tanh_candidate": 1}}',
    '{"v": 1, "predictions": {"why_tanh_candidate": 1.0, "nope": 0, "vanishing": -1}}',
    '{"v": 1, "predictions": {"why_tanh_candidate": true}, "revealed": "all", "quiz": [1]}',
    '{"v": 1, "predictions": [], "revealed": ["why_tanh_candidate"], "quiz": {"x": 0}}',
    '{"v": 1, "predictions": {"why_tanh_candidate": 1}}' + " " * 30_000,
])
def test_stored_progress_that_does_not_fit_is_ignored(stored):
    assert progress.parse(stored) == {"v": 1, "predictions": {}, "revealed": [], "quiz": {}}


def test_stored_progress_keeps_what_fits_and_drops_the_rest():
    first, question = SCENARIOS[0], lessons.quiz()[0]
    stored = json.dumps({"v": 1, "predictions": {first.key: first.answer, "gone": 0,
                                                 SCENARIOS[1].key: 99},
                         "revealed": [first.key, SCENARIOS[2].key, 7],
                         "quiz": {question.key: 0, "gone": 1}})
    assert progress.parse(stored) == {"v": 1, "predictions": {first.key: first.answer},
                                      "revealed": [first.key], "quiz": {question.key: 0}}
