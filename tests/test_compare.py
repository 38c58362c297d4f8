"""Compare Trajectories page (AppTest): defaults and every preset run; the table, the curves and
the blow-up marks match the engine called directly here; bad input keeps the last good view."""

from __future__ import annotations

import numpy as np
import pytest
from apptest_helpers import charts, decode, no_exceptions, run_page

from lstm_core import GRU, LSTM, RNN
from lstm_core.diagnoses import num
from lstm_core.sequences import make_sequence
from ui.compare import PRESETS
from ui.run_setup import RunSetup

PAGE = "compare.py"
PATH = "pages/compare.py"


def _cell(cell_type, gate, candidate, output, *, hidden=4, seed=0, scale=1.0, forget_bias=1.0):
    """The shared setup's seeded random weights, built here with the engine directly."""
    rng = np.random.default_rng(seed)
    if cell_type == "LSTM":
        return LSTM.random(1, hidden, rng, scale, forget_bias=forget_bias, gate=gate,
                           candidate=candidate, output=output)
    if cell_type == "GRU":
        return GRU.random(1, hidden, rng, scale, gate=gate, candidate=candidate)
    return RNN.random(1, hidden, rng, scale, activation=candidate)


def _sine(steps=100, seed=0):
    return make_sequence("sine", steps, 1, seed, 1.0, 20)


def _table(at):
    return at.dataframe[0].value


def test_defaults_table_and_curves_match_the_engine():
    at = run_page(PATH)
    no_exceptions(at)
    assert len(charts(at)) == 2  # the stacked panels, and the phase plot beside/under them
    table = _table(at)
    assert list(table["configuration"]) == [f"{k}. {name}" for k, name in
                                            enumerate(PRESETS, start=1)]
    x = _sine()
    for row, values in zip(table.itertuples(index=False), PRESETS.values(), strict=True):
        cell = _cell(*values)
        trace = cell.forward(x)
        memory = trace.cell if values[0] == "LSTM" else trace.hidden
        assert row.min == num(float(memory.min()))
        assert row.max == num(float(memory.max()))
        assert row[table.columns.get_loc("max |h|")] == num(float(np.abs(trace.hidden).max()))
        prev = np.concatenate([np.zeros((1, 1, 4)), memory[:-1]])
        assert row[table.columns.get_loc("sign changes")] == int(
            np.sum(np.sign(prev) * np.sign(memory) < 0))
        # σ′(z) = σ(z)(1 − σ(z)) < ε = 0.05, over every gate pre-activation
        gates = [n for n in trace.preactivations if n.endswith("_gate")]
        pre = np.stack([trace.preactivations[g] for g in gates])
        sig = 1.0 / (1.0 + np.exp(-pre))
        saturated = row[table.columns.get_loc("saturated gates")]
        assert saturated == pytest.approx(float(np.mean(sig * (1 - sig) < 0.05)))
    # The first panel's first trace is unit 1 of the textbook LSTM's cell state.
    textbook = _cell(*PRESETS["textbook (σ, tanh, tanh)"]).forward(x)
    first = charts(at)[0]["data"][0]
    np.testing.assert_allclose(decode(first["y"]), textbook.cell[:, 0, 0], rtol=1e-12)
    # The phase plot: one curve per configuration, h against the memory state, in the same
    # series style as the panels; the legend is the panels' (once).
    panels, phase = charts(at)
    assert [t["name"] for t in phase["data"]] == list(table["configuration"])
    np.testing.assert_allclose(decode(phase["data"][0]["x"]), textbook.cell[:, 0, 0],
                               rtol=1e-12)
    np.testing.assert_allclose(decode(phase["data"][0]["y"]), textbook.hidden[:, 0, 0],
                               rtol=1e-12)
    assert phase["layout"]["showlegend"] is False
    assert [t["name"] for t in panels["data"] if t.get("showlegend", True)] == list(
        table["configuration"])
    for trace in phase["data"]:
        style = panels["data"][[t["name"] for t in panels["data"]].index(trace["name"])]
        assert trace["line"]["color"] == style["line"]["color"]
        assert trace["line"]["dash"] == style["line"]["dash"]
    assert "phase plot" in phase["layout"]["annotations"][0]["text"]


def test_sigmoid_candidate_from_zero_reports_a_nonnegative_minimum():
    at = run_page(PATH, query={"weight_scale": "5.0", "amplitude": "4.0", "steps": "300"})
    no_exceptions(at)
    row = _table(at).set_index("configuration").loc["2. sigmoid candidate"]
    assert float(row["min"].replace("−", "-")) >= 0.0
    assert row["sign changes"] == 0


@pytest.mark.parametrize("preset", list(PRESETS))
def test_every_preset_as_the_reference(preset):
    at = run_page(PATH, query={"count": "2"})
    at.selectbox(key=f"{PAGE[:-3]}.c1_preset").set_value(preset).run()
    no_exceptions(at)
    table = _table(at)
    assert list(table["configuration"]) == [f"1. {preset}", "2. sigmoid candidate"]
    cell = _cell(*PRESETS[preset])
    trace = cell.forward(_sine())
    memory = trace.cell if PRESETS[preset][0] == "LSTM" else trace.hidden
    assert table["max"][0] == num(float(memory.max()))


def test_slot_choice_turns_a_preset_into_a_custom_configuration():
    at = run_page(PATH, query={"count": "3"})
    # a preset shows only its preset box; "custom" opens the cell-type and slot boxes
    assert "compare.c3_cell" not in [s.key for s in at.selectbox]
    at.selectbox(key="compare.c3_preset").set_value("custom").run()
    assert at.selectbox(key="compare.c3_candidate").value == "relu"  # the preset's, to edit
    at.selectbox(key="compare.c3_cell").set_value("RNN").run()
    at.selectbox(key="compare.c3_candidate").set_value("softsign").run()
    no_exceptions(at)
    table = _table(at)
    assert table["configuration"][2] == "3. RNN (φ = softsign)"
    assert np.isnan(table["saturated gates"][2])  # a plain RNN has no gates
    trace = _cell("RNN", "sigmoid", "softsign", "tanh").forward(_sine())
    assert table["max"][2] == num(float(trace.hidden.max()))
    assert at.selectbox(key="compare.c3_preset").value == "custom"
    # the box names the custom configuration by its slots, as the chart and table do
    assert "custom: RNN (φ = softsign)" in at.selectbox(key="compare.c3_preset").options
    # … and the link carries it: opening the link shows the same configuration
    again = run_page(PATH, query=dict(at.query_params.items()))
    assert _table(again)["configuration"][2] == "3. RNN (φ = softsign)"
    # choosing a preset again fills the slots and closes the boxes
    at.selectbox(key="compare.c3_preset").set_value("GRU").run()
    no_exceptions(at)
    assert _table(at)["configuration"][2] == "3. GRU"
    assert "compare.c3_cell" not in [s.key for s in at.selectbox]


def test_blowup_is_reported_and_marked_at_the_engines_step():
    query = {"weight_scale": "4.0", "forget_bias": "5.0", "seed": "2"}
    at = run_page(PATH, query=query)
    no_exceptions(at)
    cell = _cell(*PRESETS["ReLU candidate and output"], seed=2, scale=4.0, forget_bias=5.0)
    trace = cell.forward(_sine(seed=2))
    step = trace.first_step_over("cell")
    assert step is not None
    unit = int(np.flatnonzero(~(np.abs(trace.cell[step - 1, 0]) <= 1e6))[0]) + 1
    row = _table(at).set_index("configuration").loc["3. ReLU candidate and output"]
    assert row["blow-up step"] == f"{step} (unit {unit})"
    shapes = charts(at)[0]["layout"].get("shapes", [])
    assert any(s["x0"] == step for s in shapes)
    # Showing that unit switches the memory panel to the symmetric log scale, with the true
    # values kept for hovering.
    at.number_input(key="compare.unit").set_value(unit).run()
    fig = charts(at)[0]
    assert "symmetric log" in fig["layout"]["yaxis"]["title"]["text"]
    relu = fig["data"][[t["name"] for t in fig["data"]].index("3. ReLU candidate and output")]
    true = decode(relu["customdata"])
    np.testing.assert_allclose(true, trace.cell[:, 0, unit - 1], rtol=1e-12)
    drawn = decode(relu["y"])
    finite = np.isfinite(true)
    np.testing.assert_allclose(drawn[finite], np.sign(true[finite]) *
                               np.log10(1 + np.abs(true[finite])), rtol=1e-12)
    phase = charts(at)[1]  # … and so does the phase plot's memory axis
    assert "symmetric log" in phase["layout"]["xaxis"]["title"]["text"]
    relu = phase["data"][[t["name"] for t in phase["data"]].index("3. ReLU candidate and output")]
    np.testing.assert_allclose(decode(relu["customdata"])[:, 1], trace.cell[:, 0, unit - 1],
                               rtol=1e-12)


def test_bad_typed_input_keeps_the_last_good_view():
    at = run_page(PATH)
    at.radio(key="compare.source").set_value("typed").run()
    at.text_area(key="compare.typed").input("0.5, abc, 2").run()
    no_exceptions(at)
    assert any("abc" in w.value for w in at.warning)
    assert len(charts(at)) == 2  # the last good figures stay


def test_custom_activation_without_an_expression_is_a_friendly_warning():
    at = run_page(PATH, query={"c1_candidate": "custom"})
    no_exceptions(at)
    assert any("custom" in w.value for w in at.warning)
    assert _table(at)["configuration"][0] == "1. textbook (σ, tanh, tanh)"


def test_hand_set_weights_skip_the_gru_with_a_message():
    at = run_page(PATH, query={"weights": "hand"})
    no_exceptions(at)
    warnings = [w.value.replace("\\", "") for w in at.warning]  # Markdown-escaped text
    assert any("6. GRU" in w and "hand-set" in w for w in warnings), warnings
    assert len(_table(at)) == 5


def test_setup_is_shared_from_another_page():
    shared = RunSetup(preset="ramp", steps=40, hidden_size=2)
    at = run_page(PATH, session={"shared.run_setup": shared})
    no_exceptions(at)
    first = charts(at)[0]["data"][0]
    assert len(decode(first["y"])) == 40
    trace = _cell("LSTM", "sigmoid", "tanh", "tanh", hidden=2).forward(
        make_sequence("ramp", 40, 1, 0, 1.0, 20))
    np.testing.assert_allclose(decode(first["y"]), trace.cell[:, 0, 0], rtol=1e-12)


def test_bad_link_parameters_are_ignored_with_a_notice():
    at = run_page(PATH, query={"count": "9", "c2_gate": "nonsense"})
    no_exceptions(at)
    assert any("count" in i.value and "c2_gate" in i.value for i in at.info)
    assert len(_table(at)) == 6
