"""Gradient Flow page (AppTest): runs with defaults and every activation choice, and what it shows
(curves, readouts, sentences, saturation) matches the engine called directly here."""

from __future__ import annotations

import numpy as np
import pytest
from apptest_helpers import charts, decode, no_exceptions, run_page

from lstm_core import GRU, LSTM, REGISTRY, RNN, losses
from lstm_core.sequences import make_sequence

PAGE = "pages/gradient_flow.py"


def _engine(steps=100, hidden=8, scale=1.0, forget_bias=1.0, seed=0, loss="last", **slots):
    """The page's five models run by hand: (name → memory-state gradient norms, LSTM trace)."""
    x = make_sequence("noise", steps, 1, seed=seed + 1)
    loss_fn = losses.sum_last_step if loss == "last" else losses.sum_every_step
    cells = {
        "LSTM": LSTM.random(1, hidden, np.random.default_rng(seed), scale,
                            forget_bias=forget_bias, **slots),
        "GRU": GRU.random(1, hidden, np.random.default_rng(seed), scale),
    }
    for act in ("tanh", "sigmoid", "relu"):
        label = {"tanh": "tanh", "sigmoid": "sigmoid", "relu": "ReLU"}[act]
        cells[f"RNN {label}"] = RNN.random(1, hidden, np.random.default_rng(seed), scale,
                                           activation=act)
    norms, lstm_trace = {}, None
    for name, cell in cells.items():
        trace = cell.forward(x)
        grads = cell.backward(trace, loss_fn(trace.hidden)[1])
        norms[f"{name} ‖∂L/∂h_t‖"] = np.linalg.norm(grads.hidden[:, 0], axis=-1)
        if name == "LSTM":
            norms["LSTM ‖∂L/∂c_t‖"] = np.linalg.norm(grads.cell[:, 0], axis=-1)
            lstm_trace = trace
    return norms, lstm_trace


def _grid(values) -> np.ndarray:
    """A 2-D Plotly array (base64 with a "rows, cols" shape string, or nested lists)."""
    if isinstance(values, dict):
        shape = tuple(int(n) for n in str(values["shape"]).split(","))
        return decode({k: v for k, v in values.items() if k != "shape"}).reshape(shape)
    return np.asarray(values, dtype=float)


def _curves(at) -> dict[str, np.ndarray]:
    return {t["name"]: decode(t["y"]) for t in charts(at)[0]["data"]}


def _power(ratio: float) -> str:
    log10 = np.log10(ratio)
    return f"$10^{{{log10:.1f}}}$".replace("-", "−")


def _text(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_defaults_match_the_engine():
    at = run_page(PAGE)
    no_exceptions(at)
    assert len(charts(at)) == 2
    expected, trace = _engine()
    curves = _curves(at)
    assert set(curves) == set(expected) | {"LSTM ‖∂L/∂c_t‖, cell-state path only"}
    for name, norms in expected.items():
        np.testing.assert_allclose(curves[name], norms, rtol=1e-9, err_msg=name)
    text = _text(at)
    # The readouts: the memory-state gradient at step 1 relative to step T, per model.
    for model, key in [("LSTM", "LSTM ‖∂L/∂c_t‖"), ("GRU", "GRU ‖∂L/∂h_t‖"),
                       ("RNN sigmoid", "RNN sigmoid ‖∂L/∂h_t‖")]:
        norms = expected[key]
        line = next(ln for ln in text.splitlines() if ln.startswith(f"- **{model}**"))
        assert _power(norms[0] / norms[-1]) in line, line
    # The LSTM sentence quotes the mean forget gate of this run.
    mean_f = float(np.mean(trace.forget_gate))
    assert f"f_t averages {mean_f:.3g}" in text
    assert not at.warning


def test_controls_change_the_curves():
    at = run_page(PAGE)
    at.slider(key="gradient_flow.steps").set_value(300)
    at.slider(key="gradient_flow.forget_bias").set_value(5.0)
    at.radio(key="gradient_flow.loss").set_value("every")
    at.run()
    no_exceptions(at)
    expected, _ = _engine(steps=300, forget_bias=5.0, loss="every")
    curves = _curves(at)
    for name, norms in expected.items():
        assert len(curves[name]) == 300
        np.testing.assert_allclose(curves[name], norms, rtol=1e-9, err_msg=name)


@pytest.mark.parametrize("key", list(REGISTRY))
def test_every_activation_in_the_lstm_slots(key):
    at = run_page(PAGE, query={"candidate": key, "output": key})
    no_exceptions(at)
    assert len(charts(at)) == 2
    expected, _ = _engine(candidate=key, output=key)
    curves = _curves(at)
    np.testing.assert_allclose(curves["LSTM ‖∂L/∂c_t‖"], expected["LSTM ‖∂L/∂c_t‖"],
                               rtol=1e-9)


def test_gate_activation_choice_and_hidden_size():
    at = run_page(PAGE, query={"gate": "hard_sigmoid", "hidden": "3", "scale": "2.5"})
    no_exceptions(at)
    expected, _ = _engine(hidden=3, scale=2.5, gate="hard_sigmoid")
    curves = _curves(at)
    np.testing.assert_allclose(curves["LSTM ‖∂L/∂c_t‖"], expected["LSTM ‖∂L/∂c_t‖"], rtol=1e-9)
    # The heatmap holds |∂L/∂c_t| per unit (rows) and step (columns).
    heatmap = charts(at)[1]["data"][0]
    cell = LSTM.random(1, 3, np.random.default_rng(0), 2.5, forget_bias=1.0, gate="hard_sigmoid")
    trace = cell.forward(make_sequence("noise", 100, 1, seed=1))
    grads = cell.backward(trace, losses.sum_last_step(trace.hidden)[1])
    np.testing.assert_allclose(_grid(heatmap["customdata"]), np.abs(grads.cell[:, 0].T),
                               rtol=1e-9)


def test_custom_activation_from_the_session():
    at = run_page(PAGE, query={"candidate": "custom"},
                  session={"shared.custom_expression": "x/(1+abs(x))"})
    no_exceptions(at)
    assert not at.warning
    softsign, _ = _engine(candidate="softsign")
    # The typed x/(1+|x|) is softsign: the cell-state gradients agree to the finite-difference
    # accuracy of the custom activation's numerical derivative.
    np.testing.assert_allclose(_curves(at)["LSTM ‖∂L/∂c_t‖"], softsign["LSTM ‖∂L/∂c_t‖"],
                               rtol=1e-4)


def test_custom_choice_without_an_expression_is_a_friendly_warning():
    at = run_page(PAGE, query={"candidate": "custom"})
    no_exceptions(at)
    assert any("custom" in w.value for w in at.warning)
    assert len(charts(at)) == 2


def test_bad_link_parameters_are_ignored_with_a_notice():
    at = run_page(PAGE, query={"steps": "abc", "hidden": "999", "loss": "sometimes"})
    no_exceptions(at)
    assert any("steps" in i.value and "hidden" in i.value for i in at.info)
    assert len(_curves(at)["GRU ‖∂L/∂h_t‖"]) == 100


def test_shared_epsilon_drives_the_saturation_panel():
    # σ′ ≤ ¼ everywhere, so with ε = 0.3 every sigmoid gate counts as saturated at every step.
    at = run_page(PAGE, session={"shared.epsilon": 0.3})
    no_exceptions(at)
    inside = {t.get("name"): t for t in charts(at)[1]["data"]}
    for gate in ("input gate i", "forget gate f", "output gate o"):
        np.testing.assert_array_equal(decode(inside[gate]["y"]), np.ones(100))
    assert any("ε = 0.3" in c.value for c in at.caption)


def test_zero_weights_and_high_forget_bias_show_the_constant_error_carousel():
    at = run_page(PAGE, query={"scale": "0.0", "forget_bias": "10.0"})
    no_exceptions(at)
    # Zero weights: the only path back is the cell state, ∂L/∂c_{t−1} = f·∂L/∂c_t with
    # f = σ(10) at every step, and ∂L/∂c_T = o·tanh′(0) = ½ per unit (8 units).
    lstm = _curves(at)["LSTM ‖∂L/∂c_t‖"]
    f = 1.0 / (1.0 + np.exp(-10.0))
    np.testing.assert_allclose(lstm, 0.5 * np.sqrt(8) * f ** np.arange(99, -1, -1), rtol=1e-9)
    assert "constant error carousel" in _text(at)


def test_sentence_readout_and_chart_tell_one_story_about_the_cell_path():
    # Default view: the cell-state path alone brings ~10^−12.9 to c_1, yet c_1 receives ~10^−5.5:
    # the rest comes through h and the gates. Sentence, readout and chart must say so.
    from lstm_core.experiments import cell_state_path

    at = run_page(PAGE)
    no_exceptions(at)
    norms, trace = _engine()
    cell = LSTM.random(1, 8, np.random.default_rng(0), 1.0, forget_bias=1.0)
    part = cell_state_path(cell, trace, losses.sum_last_step(trace.hidden)[1])[:, 0]
    full = norms["LSTM ‖∂L/∂c_t‖"]
    cell_only = _power(np.linalg.norm(part[0]) / full[-1])
    total = _power(full[0] / full[-1])
    text = _text(at)
    assert f"cell-state path alone delivers {cell_only}" in text
    assert f"c_1 receives {total} in all" in text
    assert f"step 1 receives {total} of the gradient at step T = 100 (cell-state path {cell_only}" \
        in text
    curve = _curves(at)["LSTM ‖∂L/∂c_t‖, cell-state path only"]
    np.testing.assert_allclose(curve, np.linalg.norm(part, axis=-1), rtol=1e-10)


def test_a_flat_saturation_panel_says_why_and_a_saturated_one_does_not():
    """At the defaults no gate or candidate saturates, so the lower panel is flat at 0 %: a
    caption says so; with weights ×4 units saturate and the caption goes."""
    flat = run_page(PAGE)
    no_exceptions(flat)
    assert any("lower panel stays at 0 %" in c.value for c in flat.caption)
    saturated = run_page(PAGE, query={"scale": "4"})
    no_exceptions(saturated)
    assert not any("lower panel stays at 0 %" in c.value for c in saturated.caption)
