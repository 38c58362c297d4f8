"""Training Lab page in AppTest: a small race end to end, stop, resume, the table, bad input."""

from __future__ import annotations

import numpy as np

from lstm_core.tasks import TASKS
from lstm_core.training import PRESETS, Settings, train_run
from tests.apptest_helpers import charts, decode, no_exceptions, run_page
from ui.training_lab import (
    CHUNK,
    CHUNK_WORK,
    RACE_KEY,
    WORK_CAP,
    TrainingLabState,
    advance,
    new_race,
)

PAGE = "pages/training_lab.py"
SMALL = {"task": "adding", "length": "8", "presets": "lstm,rnn_tanh", "seeds": "2",
         "steps": "50"}


def _run_race(query: dict[str, str]):
    at = run_page(PAGE, query=query)
    no_exceptions(at)
    at.button(key="training_lab.run").click().run()
    no_exceptions(at)
    return at


def test_a_small_race_runs_end_to_end():
    at = _run_race(SMALL)
    race = at.session_state[RACE_KEY]
    assert race.status == "done"
    assert [r.state.step for r in race.runs] == [50] * 4
    assert any("Finished" in m.value for m in at.markdown)
    figures = charts(at)
    loss_fig = next(f for f in figures if f["layout"]["yaxis"].get("type") == "log")
    means = [t for t in loss_fig["data"] if t.get("mode") == "lines+markers"]
    assert [t["name"] for t in means] == [PRESETS["lstm"].label, PRESETS["rnn_tanh"].label]
    lstm_curves = [r.losses for r in race.runs if r.key.preset == "lstm"]
    np.testing.assert_allclose(decode(means[0]["y"]), np.median(lstm_curves, axis=0))
    assert len(figures) == 2  # the loss curves and the gates of a trained model


def test_the_table_matches_runs_computed_directly():
    at = _run_race(SMALL)
    table = at.dataframe[0].value
    for (_i, row), preset in zip(table.iterrows(), ("lstm", "rnn_tanh"), strict=True):
        # the page trains in cached chunks; one uninterrupted run must give the same numbers
        finals = [train_run(TASKS["adding"], PRESETS[preset].spec, Settings(0.05, 1.0), 8, seed, 50)
                  .evaluation.loss for seed in (1, 2)]
        assert list(table.columns[:3]) == ["configuration", "reached", "diverged (at step)"]
        assert row["configuration"] == PRESETS[preset].label
        assert row["test loss (median)"] == f"{np.median(finals):.4g}".replace("-", "−")
        # two seeds: the bootstrap interval of the median runs from the one to the other
        assert row["95 % interval"] == f"[{min(finals):.3g}, {max(finals):.3g}]"
        assert row["diverged (at step)"] == "0/2"
    assert "None" not in table.to_string()
    # 50 steps: the RNN does not reach it
    assert table["steps to threshold (median)"].iloc[1] == "not reached"


def _running_race(steps: int = 200):
    state = TrainingLabState(task="adding", length=8, presets=("lstm", "gru"), seeds=1,
                             steps=steps)
    race = new_race(state)
    chunks = advance(race)
    for _ in state.presets:  # one round: every run is at step 5, as if interrupted here
        next(chunks)
    return race


def test_stop_keeps_what_was_done_and_trains_no_further():
    at = run_page(PAGE, query=SMALL)
    race = _running_race()
    at.session_state[RACE_KEY] = race
    at.button(key="training_lab.stop").click().run()
    no_exceptions(at)
    race = at.session_state[RACE_KEY]
    assert race.status == "stopped"
    assert [r.state.step for r in race.runs] == [5, 5]
    assert any("Stopped** at step 5 of 200" in m.value for m in at.markdown)
    assert len(at.dataframe[0].value) == 2
    at.run()  # a later rerun does not restart it
    assert [r.state.step for r in at.session_state[RACE_KEY].runs] == [5, 5]


def test_an_interrupted_race_resumes_on_the_next_run():
    at = run_page(PAGE, query=SMALL)
    at.session_state[RACE_KEY] = _running_race(steps=40)
    at.run()
    no_exceptions(at)
    race = at.session_state[RACE_KEY]
    assert race.status == "done" and [r.state.step for r in race.runs] == [40, 40]


def test_too_much_work_is_refused_with_a_message():
    at = run_page(PAGE, query={"length": "100", "steps": "2000", "seeds": "5"})
    no_exceptions(at)
    assert any("at most 200,000" in w.value for w in at.warning)
    assert at.button(key="training_lab.run").disabled


def test_no_configuration_is_a_friendly_message():
    at = run_page(PAGE)
    at.multiselect(key="training_lab.presets").set_value([]).run()
    no_exceptions(at)
    assert any("at least one configuration" in w.value for w in at.warning)
    assert at.button(key="training_lab.run").disabled


def test_bad_link_parameters_fall_back_with_a_notice():
    at = run_page(PAGE, query={"steps": "-3", "presets": "lstm,nonsense", "length": "x"})
    no_exceptions(at)
    assert any("ignored" in i.value for i in at.info)


def test_a_race_stopped_mid_round_names_the_steps_its_curves_reach():
    """Stop can land between two configurations' chunks of one round: the message then names
    both ends, as the curves show them (not the slower one's step alone)."""
    from ui.training_lab import _status_text

    race = _running_race()
    next(advance(race))  # the first configuration's next chunk; Stop lands before the second's
    first = race.runs[0]
    assert race.runs[1].state.step == 5
    race.status = "stopped"
    assert race.steps_reached == (5, first.state.step) and first.state.step > 5
    text = _status_text(race)
    assert f"steps 5–{first.state.step} " in text and "of 200" in text


def test_a_stop_gets_in_after_every_chunk_not_only_after_a_round():
    """The page's progress call after each yield is where a Stop interrupts the script: a
    round of four heavy configurations must not run as one uninterruptible block."""
    state = TrainingLabState(task="adding", length=8, presets=("lstm", "gru", "rnn_tanh"),
                             seeds=1, steps=50)
    race = new_race(state)
    chunks = advance(race)
    next(chunks)
    assert [r.state.step for r in race.runs] == [5, 0, 0]
    next(chunks)
    assert [r.state.step for r in race.runs] == [5, 5, 0]


def test_no_chunk_of_any_allowed_race_is_heavier_than_the_bound():
    """A Stop waits for the chunk in progress: seeds × T × steps of one chunk stays within
    CHUNK_WORK for every race one click may ask for (the heaviest, 5 seeds × T = 100, too)."""
    for seeds in range(1, 6):
        for length in range(5, 101):
            state = TrainingLabState(length=length, seeds=seeds, steps=100)
            assert 1 <= state.chunk <= CHUNK
            assert seeds * length * state.chunk <= max(CHUNK_WORK, seeds * length)
    heaviest = TrainingLabState(length=100, seeds=5, steps=100)
    assert heaviest.work == WORK_CAP and heaviest.chunk == 3
    assert TrainingLabState().chunk == CHUNK  # the default race keeps its chunks (and cache)


def test_a_heavy_race_trains_in_small_chunks_on_the_same_boundaries():
    state = TrainingLabState(task="adding", length=100, presets=("rnn_tanh",), seeds=5, steps=15)
    race = new_race(state)
    steps = [race.runs[0].state.step for _ in advance(race)]
    assert steps == [3, 6, 9, 12, 15]


def test_a_stop_shows_its_message_and_curves_before_the_runs_are_scored(monkeypatch):
    """Scoring every run on the test set takes seconds for a heavy race: the "Stopped" message
    and the curves are sent first, so the Stop shows at once (here scoring is cut short)."""
    import ui.training_lab as lab

    def scoring_interrupted(race):
        raise RuntimeError("scoring interrupted")

    at = run_page(PAGE, query=SMALL)
    at.session_state[RACE_KEY] = _running_race()
    monkeypatch.setattr(lab, "finish", scoring_interrupted)
    at.button(key="training_lab.stop").click().run()
    assert any("Stopped** at step 5 of 200" in m.value for m in at.markdown)
    assert len(charts(at)) == 1 and "scoring interrupted" in at.exception[0].value
