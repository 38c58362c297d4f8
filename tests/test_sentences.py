"""Every number a sentence of the app asserts, recomputed with the engine at the settings of the
chart it sits beside (issue 21, goal 6). Each test checks the sentence says the number and that
the engine still gives it: a test fails if the claim stops being true or the text drifts."""

from __future__ import annotations

import logging
import math
import tomllib
from dataclasses import replace
from functools import cache

import numpy as np
import pytest

from lstm_core import REGISTRY, losses
from lstm_core.analysis import saturation, saturation_kinds
from lstm_core.experiments import (
    forget_path,
    gradient_flow,
    gradient_models,
    gradient_readout,
    norms_along_last,
    path_split,
    run_cells,
)
from lstm_core.sequences import make_sequence
from ui.content import CONTENT

logging.getLogger("streamlit").setLevel(logging.ERROR)  # bare-mode caching notices

TEXTBOOK = {"gate": REGISTRY["sigmoid"], "candidate": REGISTRY["tanh"],
            "output": REGISTRY["tanh"]}


def _flat(text: str) -> str:
    return " ".join(text.split())


@cache
def _lessons(kind: str) -> dict[str, dict]:
    name = {"scenario": "scenarios", "question": "quiz"}[kind]
    data = tomllib.loads((CONTENT / "lessons" / f"{name}.toml").read_text(encoding="utf-8"))
    return {item["key"]: {k: _flat(v) if isinstance(v, str) else v for k, v in item.items()}
            for item in data[kind]}


def _content(name: str) -> str:
    return _flat((CONTENT / f"{name}.md").read_text(encoding="utf-8"))


def _says(text: str, *parts: str) -> None:
    for part in parts:
        assert part in text, f"{part!r} not in {text[:120]!r}…"


def _pow(log10: float) -> str:
    """How the sentences write 10^k: $10^{-12.9}$."""
    return f"$10^{{{log10:.1f}}}$"


@cache
def _gf(steps=100, hidden=8, scale=1.0, forget_bias=1.0, seed=0):
    """The Gradient Flow page's numbers (engine called as the page does, loss on the last step):
    mean forget gate, log10 of the cell-state path / total at step 1, each model's readout."""
    x = make_sequence("noise", steps, 1, seed=seed + 1)
    runs = gradient_flow(gradient_models(1, hidden, seed, scale, forget_bias, TEXTBOOK), x,
                         "last")
    split = path_split(runs["LSTM"], "last")
    readouts = {name: gradient_readout(run.memory_norm) for name, run in runs.items()}
    return forget_path(runs["LSTM"].trace).mean_forget, split, readouts


# --- the forget-gate bias, the cell-state path and the constant error carousel --------------------


def test_a_forget_bias_of_1_keeps_f_near_073_not_near_1_quiz_and_home():
    mean_f, split, _r = _gf()
    assert mean_f == pytest.approx(0.725, abs=5e-4) and mean_f < 0.8
    assert 1 / (1 + math.exp(-1)) == pytest.approx(0.73, abs=0.005)
    assert split.log10_cell == pytest.approx(-12.9, abs=0.05)
    assert 0 < split.cell_share < 0.001  # "less than 0.1 %"
    _mean5, split5, _r5 = _gf(forget_bias=5.0)
    assert 10 ** split5.log10_cell == pytest.approx(0.44, abs=0.005)
    quiz = _lessons("question")["vanishing"]["explanation"]
    _says(quiz, "σ(1) ≈ 0.73", "averages 0.725", _pow(split.log10_cell), "less than 0.1 %",
          "keeps 0.44")
    assert "keeps near 1" not in quiz
    _says(_content("home_cell"), "σ(1) ≈ 0.73", "less than 0.1 %")


def test_vanishing_lesson_credits_the_paths_through_h_not_the_carousel():
    params = _lessons("scenario")["vanishing"]
    assert params["params"] == {"steps": "200"}  # forget bias 1, the page's default
    mean_f, split, readouts = _gf(steps=200)
    tanh, lstm = readouts["RNN tanh"].log10_ratio, readouts["LSTM"].log10_ratio
    assert round(lstm - tanh) == 24
    assert split.log10_cell < split.log10_total - 10  # the cell-state path: a tiny part
    _mean0, _split0, readouts0 = _gf(steps=200, forget_bias=0.0)
    assert readouts0["LSTM"].log10_ratio < tanh  # at bias 0 no better than the tanh RNN
    _says(params["reveal"], _pow(tanh), _pow(lstm), "$10^{24}$", f"averages only {mean_f:.2f}",
          _pow(split.log10_cell), _pow(readouts0["LSTM"].log10_ratio))


def test_forget_bias_lesson_numbers():
    item = _lessons("scenario")["forget_bias"]
    assert item["params"] == {"forget_bias": "0", "steps": "200"}
    text = item["reveal"]
    means, totals = {}, {}
    for bias in (0.0, 1.0, 3.0):
        means[bias], split, readouts = _gf(steps=200, forget_bias=bias)
        totals[bias] = readouts["LSTM"].log10_ratio
        if bias == 0.0:
            _says(text, f"averages {means[bias]:.3f}", _pow(split.log10_cell),
                  _pow(readouts["RNN tanh"].log10_ratio))
    _says(text, f"{means[1.0]:.2f}, then {means[3.0]:.2f}",
          f"{_pow(totals[1.0])}, then {_pow(totals[3.0])}", _pow(totals[0.0]))
    assert means[3.0] < 0.96  # "even at 3 f_t is not 1"
    assert "keeps f near 1" not in " ".join(item["choices"])


def test_gradient_flow_notes_numbers_at_the_defaults():
    notes = _content("gradient_flow_notes")
    mean0, _split0, _r = _gf(forget_bias=0.0)
    _says(notes, f"mean f_t {mean0:.3f}")
    _says(notes, _pow(_gf()[1].log10_cell))
    for bias in (3.0, 5.0):
        _says(notes, _pow(_gf(forget_bias=bias)[2]["LSTM"].log10_ratio))
    # T = 500: only the sigmoid RNN's gradient underflows to exactly 0
    _mean, _split, long = _gf(steps=500)
    assert long["RNN sigmoid"].zero_through == 62 and long["RNN sigmoid"].log10_ratio is None
    for name in ("RNN tanh", "RNN ReLU", "GRU", "LSTM"):
        assert long[name].zero_through is None and long[name].log10_ratio is not None
    _says(notes, "only the sigmoid RNN", "steps 1–62", _pow(long["RNN tanh"].log10_ratio),
          _pow(long["RNN ReLU"].log10_ratio), _pow(long["LSTM"].log10_ratio),
          _pow(_gf(steps=500, forget_bias=5.0)[2]["LSTM"].log10_ratio))
    assert "plain RNNs' gradients fall below" not in notes
    # weight scale 3 and 4: the ReLU RNN's gradient grows
    grown = [_gf(scale=s)[2]["RNN ReLU"].log10_ratio for s in (3.0, 4.0)]
    assert min(grown) > 0
    _says(notes, f"$10^{{{grown[0]:.1f}}}$, then $10^{{{grown[1]:.1f}}}$")


def test_a_sigmoid_rnn_with_4x_weights_keeps_the_tanh_rnns_gradient():
    """gradient_flow_notes: equal weights is a choice; tanh(x) = 2σ(2x) − 1 makes a sigmoid RNN
    with 2× input, 4× recurrent weights and shifted biases the tanh RNN's (h + 1)/2."""
    x = make_sequence("noise", 100, 1, seed=1)
    tanh = gradient_models(1, 8, 0, 1.0, 1.0, TEXTBOOK)["RNN tanh"]
    p = tanh.parameters()
    sig = replace(tanh, activation=REGISTRY["sigmoid"]).with_parameters(
        weight_ih=2 * p["weight_ih"], weight_hh=4 * p["weight_hh"], bias_ih=2 * p["bias_ih"],
        bias_hh=2 * p["bias_hh"] - 2 * p["weight_hh"].sum(axis=1))
    shares, hidden = [], []
    for cell, h0 in ((tanh, 0.0), (sig, 0.5)):
        trace = cell.forward(x, h0=np.full((1, 8), h0))
        grads = cell.backward(trace, losses.sum_last_step(trace.hidden)[1])
        norms = norms_along_last(grads.hidden[:, 0])
        shares.append(norms[0] / norms[-1])
        hidden.append(trace.hidden)
    assert np.allclose(hidden[1], (hidden[0] + 1) / 2, atol=1e-12)
    assert shares[1] == pytest.approx(shares[0], rel=1e-9)
    _says(_content("gradient_flow_notes"), "4 times its recurrent weights", "not from σ alone")


def test_gradient_norms_do_not_underflow_before_the_gradient_does():
    """A gradient of 10⁻¹⁶² squared is 0 in float64; the norm must not be (the readouts said
    "exactly 0 at steps 1–281" while the gradient there was 10⁻¹⁶²)."""
    assert norms_along_last(np.full(4, 1e-200)) == pytest.approx(2e-200, rel=1e-12)
    assert norms_along_last(np.array([[np.inf, 1.0], [np.nan, 1.0], [0.0, 0.0]])).tolist()[0] \
        == np.inf
    x = make_sequence("noise", 500, 1, seed=1)
    run = gradient_flow(gradient_models(1, 8, 0, 1.0, 1.0, TEXTBOOK), x, "last")["RNN sigmoid"]
    raw = np.abs(run.gradients.hidden[:, 0]).max(axis=-1)
    assert np.array_equal(run.hidden_norm == 0, raw == 0)
    assert (raw[:62] == 0).all() and raw[62] > 0


# --- the Activation Lab -------------------------------------------------------------------------


def test_leaky_relu_has_a_small_slope_but_does_not_saturate():
    saturated, flat = saturation_kinds(REGISTRY["leaky_relu"], 0.05)
    assert saturated.describe() == "no x" and flat.describe() == "x < 0"
    assert saturation_kinds(REGISTRY["relu"], 0.05)[0].describe() == "x < 0"
    assert saturation_kinds(REGISTRY["softsign"], 0.05)[1].describe() == "no x"
    for key in ("sigmoid", "tanh", "hard_tanh"):
        saturated, flat = saturation_kinds(REGISTRY[key], 0.05)
        assert flat.describe() == "no x"
        assert saturated.describe() == saturation(REGISTRY[key].d1, 0.05).describe()
    from tests.apptest_helpers import run_page

    at = run_page("pages/activation_lab.py", query={"activations": "leaky_relu,tanh"})
    texts = " ".join(m.value for m in at.markdown)
    assert "does not saturate there" in texts
    assert "leaky ReLU (0.01)** saturates" not in texts
    assert "tanh** saturates for |x| > 2.18" in texts
    _says(_content("activation_lab"), "for leaky ReLU the negative half")


def test_depth_view_sentence_and_quiz_slopes():
    sig, tanh = REGISTRY["sigmoid"], REGISTRY["tanh"]
    grid = np.linspace(-10, 10, 20001)
    assert sig.d1(grid).max() == pytest.approx(0.25) and tanh.d1(grid).max() == pytest.approx(1)
    assert 0.25**50 < 1e-30
    _says(_lessons("question")["tanh_training"]["explanation"], "largest slope is 1 (at 0)",
          "σ's largest (1/4)")
    _says(_content("activation_lab_depth"), "a weight of 4 per step")


# --- Compare lessons: which unit is plotted, and the table over all units ------------------------


def _compare(params: dict[str, str]):
    from ui.compare import CompareState, compute

    state, _ignored = CompareState.from_query(params)
    return state, compute(state, 0.05)


def test_why_tanh_lesson_describes_the_plotted_unit_and_the_table():
    item = _lessons("scenario")["why_tanh_candidate"]
    state, runs = _compare(item["params"])
    assert state.unit == 1  # the figure's top panel: "memory of unit 1"
    tanh, sig = runs[0], runs[1]
    c = tanh.memory[:, 0]
    assert c.max() < 0  # unit 1 never crosses 0
    per_unit = [int(np.count_nonzero(m[1:] * m[:-1] < 0)) for m in tanh.memory.T]
    assert per_unit == [0, 9, 9, 0] and tanh.summary.sign_changes == 18
    assert sig.summary.sign_changes == 0 and sig.summary.min_memory > 0
    _says(item["reveal"], "top panel shows the memory of unit 1",
          f"between {c.min():.3f} and {c.max():.3f}".replace("-", "−"),
          f"between {sig.memory[:, 0].min():.3f} and {sig.memory[:, 0].max():.3f}",
          "9 each in units 2 and 3", f"is {sig.summary.min_memory:.3f}")
    assert "top-left" not in item["reveal"]
    from ui.compare import CompareState
    from viz.compare_figures import Trajectory, trajectories_figure

    fig = trajectories_figure([Trajectory("a", c, tanh.hidden[:, 0], "c", None)], 1)
    titles = [a["text"] for a in fig.to_plotly_json()["layout"]["annotations"]]
    assert any("memory of unit 1" in t for t in titles)
    assert CompareState.from_query(item["params"])[0].count == 2


def test_relu_lesson_names_the_exploding_unit_and_the_plotted_one():
    item = _lessons("scenario")["relu_both"]
    state, runs = _compare(item["params"])
    textbook, relu = runs[0], runs[2]
    assert (relu.summary.blowup_step, relu.summary.blowup_unit) == (36, 5)
    assert state.unit == 1
    unit1_c, unit1_h = relu.memory[:, 0], relu.hidden[:, 0]
    assert unit1_c.max() > 1e104 and unit1_h[-1] == 0 and unit1_h.max() < 0.35
    assert relu.hidden[:, 4].max() == pytest.approx(2.29e105, rel=0.005)
    assert textbook.summary.max_memory == pytest.approx(78.3, abs=0.05)  # not capped at 1
    _says(item["reveal"], "step 36, unit 5", "2.29·10¹⁰⁵", "8.17·10¹⁰⁴", "reaches 78.3",
          "12 of the 20 seeds 0–19")
    assert "caps both" not in item["reveal"]
    blew = sum(_compare({**item["params"], "seed": str(seed)})[1][2].summary.blowup_step
               is not None for seed in range(20))
    assert blew == 12


def test_relu_lesson_unit_1_output_gate_shuts_and_forget_gate_mean():
    from ui.compare import configurations
    from ui.run_setup import RunSetup, build_cell, build_inputs, resolve_slots

    state, _runs = _compare(_lessons("scenario")["relu_both"]["params"])
    setup = RunSetup(**{n: getattr(state, n) for n in RunSetup.__dataclass_fields__})
    x = build_inputs(setup)
    cells = [build_cell(setup, c.cell_type, resolve_slots(dict(c.slots), setup.leaky_slope),
                        input_size=x.shape[1]) for c in configurations(state)]
    with np.errstate(all="ignore"):
        textbook, _sig, relu = run_cells(cells, x)
    assert (relu.output_gate[40:, 0, 0] == 0).all()
    assert textbook.forget_gate.mean() == pytest.approx(0.94, abs=0.005)
    step = np.abs(np.diff(textbook.cell[:, 0], axis=0))  # training_lab.md: at most 1 per step
    assert step.max() < 1


def test_gru_and_no_output_squash_lessons():
    item = _lessons("scenario")["gru_no_second_tanh"]
    _state, runs = _compare(item["params"])
    assert runs[5].summary.max_abs_hidden == 1.0  # tanh rounded to 1.0, never above
    assert runs[4].summary.max_abs_hidden == pytest.approx(1.84, abs=0.005)
    _says(item["reveal"], "rounded to 1.0 in float64", "reaches 1.84")
    _state, runs = _compare(_lessons("scenario")["no_output_squash"]["params"])
    assert runs[0].summary.max_abs_hidden < 1 < runs[4].summary.max_abs_hidden


def test_hard_tanh_lesson_numbers():
    item = _lessons("scenario")["hard_tanh"]
    _state, runs = _compare({})
    diff = np.abs(runs[0].memory - runs[3].memory).max()
    assert diff == pytest.approx(0.34, abs=0.005)
    assert runs[0].summary.max_memory == pytest.approx(2.0, abs=0.005)
    assert math.atanh(math.sqrt(0.95)) == pytest.approx(2.18, abs=0.005)
    kinds = {d.kind: d.message for d in runs[3].diagnoses}
    assert "30 %" in str(kinds["saturated_output"])  # the table's column counts gates only
    assert runs[3].summary.saturated_gate_fraction == 0.0
    _says(item["reveal"], "up to 0.34", "reaches 2.0", "30 % of its output-squash inputs",
          "11 % of its candidate inputs", "2.18")
    _says(_content("compare_notes"), "counts the gates only")


# --- Step-Through lessons -----------------------------------------------------------------------


def _step(params):
    from ui.step_through import StepThroughState, compute

    state, _ignored = StepThroughState.from_query(params)
    return state, compute(state)


def test_sigmoid_candidate_lesson_unit_range():
    item = _lessons("scenario")["sigmoid_candidate"]
    _state, result = _step(item["params"])
    assert result.unit == 0
    c = result.trace.cell[:, 0, 0]
    _says(item["reveal"], "(unit 1)", f"between {c.min():.3f} and {c.max():.3f}")


def test_saturation_lesson_gradients_to_the_weights():
    """Scaling the input by 20 saturates the gates but makes the input weights' gradients larger;
    only the gate biases get less."""
    item = _lessons("scenario")["saturation"]
    _state, result = _step(item["params"])
    share = {d.kind: str(d.message) for d in result.diagnoses}["saturated_gate"]
    assert share.startswith("62 %")
    norms = {}
    for amplitude in ("1", "20"):
        from ui.run_setup import build_cell, build_inputs, resolve_slots

        state, _r = _step({"amplitude": amplitude})
        x = build_inputs(state)
        cell = build_cell(state, "LSTM", resolve_slots(
            {"gate": "sigmoid", "candidate": "tanh", "output": "tanh"}, 0.01), input_size=1)
        trace = cell.forward(x)
        grads = cell.backward(trace, d_hidden=np.ones_like(trace.hidden))
        hidden = trace.hidden.shape[2]
        norms[amplitude] = {
            (name, gate): float(np.linalg.norm(getattr(grads, name)[k * hidden:(k + 1) * hidden]))
            for name in ("weight_ih", "bias_ih") for k, gate in enumerate("ifgo")}
    assert norms["20"][("weight_ih", "i")] > norms["1"][("weight_ih", "i")]
    for gate in "io":
        assert norms["20"][("bias_ih", gate)] < norms["1"][("bias_ih", gate)]
    n1, n20 = norms["1"], norms["20"]
    _says(item["reveal"], "62 %", f"from {n1[('weight_ih', 'i')]:.2f} (amplitude 1) to "
          f"{n20[('weight_ih', 'i')]:.1f}", f"from {n1[('bias_ih', 'i')]:.1f} to "
          f"{n20[('bias_ih', 'i')]:.2f}", f"from {n1[('bias_ih', 'o')]:.1f} to "
          f"{n20[('bias_ih', 'o')]:.2f}")


# --- Gradient Flow: the sentences the code chooses ------------------------------------------------


@pytest.mark.parametrize("bias", [1.0, 5.0])
def test_carousel_sentence_matches_the_cell_state_path(bias):
    from ui.gradient_flow import GradientFlowState, compute, explanation

    result, _messages = compute(GradientFlowState(forget_bias=bias), 0.05)
    text = explanation(result)
    keeps_a_tenth = 10 ** result.split.log10_cell > 0.1
    assert ("more than a tenth of the gradient" in text) == keeps_a_tenth
    assert keeps_a_tenth == (bias == 5.0)
