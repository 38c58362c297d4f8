"""Each diagnosis appears exactly when its condition holds (runs built so it does / does not)."""

import math

import numpy as np
import pytest

from lstm_core import GRU, LSTM, RNN
from lstm_core.diagnoses import diagnose, num, percent
from lstm_core.weights import hand_set_lstm

ZERO = {name: 0.0 for name in ("w_ii", "w_hi", "b_i", "w_if", "w_hf", "b_f", "w_ig", "w_hg",
                               "b_g", "w_io", "w_ho", "b_o")}
X = np.ones((60, 1))


def kinds(cell, x=X, **kw):
    trace = cell.forward(x, **kw)
    return {d.kind: d for d in diagnose(trace, cell.activations)}


def test_sigmoid_candidate_never_negative_and_only_then():
    cell = hand_set_lstm({**ZERO, "w_ig": -3.0, "b_i": 1.0}, candidate="sigmoid")
    found = kinds(cell)
    assert "nonnegative_state" in found and "sigmoid" in found["nonnegative_state"].message
    tanh_cell = hand_set_lstm({**ZERO, "w_ig": -3.0, "b_i": 1.0})
    assert "nonnegative_state" not in kinds(tanh_cell)
    # the claim needs c0 ≥ 0: a negative c0 withdraws it (the run does not agree)
    assert "nonnegative_state" not in kinds(cell, c0=-5.0)
    gru = GRU.random(1, 3, np.random.default_rng(0), candidate="relu")
    assert "nonnegative_state" in kinds(gru)
    assert "nonnegative_state" not in kinds(GRU.random(1, 3, np.random.default_rng(0)))


def blowup_cell(candidate):
    # f = i = o = σ(5) at every step, g = φ(2 h): with ReLU the state triples each step
    values = {**ZERO, "b_i": 5.0, "b_f": 5.0, "b_o": 5.0, "w_hg": 2.0, "b_g": 1.0}
    return hand_set_lstm(values, candidate=candidate, output="relu")


def test_blowup_names_the_step_candidate_and_forget_gate():
    found = kinds(blowup_cell("relu"))
    # by hand: c_t = f c + i relu(2 o relu(c) + 1), the first step with |c| > 1e6
    s = 1 / (1 + math.exp(-5.0))
    c, step = 0.0, 0
    while abs(c) <= 1e6:
        step += 1
        h_prev = s * max(c, 0.0) if step > 1 else 0.0
        c = s * c + s * max(2.0 * h_prev + 1.0, 0.0)
    message = found["blowup"].message
    assert found["blowup"].step == step
    assert f"passed 10⁶ at step {step}" in message
    assert "ReLU candidate" in message and "forget gate ≈ 0.993" in message
    assert "blowup" not in kinds(blowup_cell("tanh"))


def test_blowup_then_overflow_steps_by_hand():
    # h_t = relu(1 + 3 h_{t−1}) = (3^t − 1) / 2: passes 1e6 at t = 14, overflows at t = 647
    rnn = RNN(np.array([[1.0]]), np.array([[3.0]]), np.zeros(1), np.zeros(1), activation="relu")
    h, passed, overflow = 0.0, None, None
    for t in range(1, 801):
        h = 1.0 + 3.0 * h
        if passed is None and h > 1e6:
            passed = t
        if overflow is None and not math.isfinite(h):
            overflow = t
    found = kinds(rnn, x=np.ones((800, 1)))
    message = found["blowup"].message
    assert (passed, overflow) == (14, 647) and f"passed 10⁶ at step {passed}" in message
    assert f"overflowed to ∞ or NaN at step {overflow}" in message
    assert "ReLU activation" in message


def test_saturated_gates_with_percentages():
    cell = hand_set_lstm({**ZERO, "b_i": 10.0, "b_f": 10.0, "b_o": 10.0, "w_ig": 1.0})
    found = kinds(cell)
    # σ'(10) = 4.5e-5 < 0.05 at every step for all three gates
    assert "100 % of gate pre-activations" in found["saturated_gate"].message
    assert "forget 100 %" in found["saturated_gate"].message
    assert "saturated_gate" not in kinds(hand_set_lstm({**ZERO, "w_ig": 1.0}))  # σ'(0) = 1/4
    # half of the steps saturated: input +6 (σ' ≈ 0.0025) then 0, gate biases 0
    x = np.tile([[6.0], [0.0]], (30, 1))
    half = hand_set_lstm({**ZERO, "w_ii": 1.0, "w_if": 1.0, "w_io": 1.0})
    assert "50 % of gate pre-activations" in kinds(half, x=x)["saturated_gate"].message


def test_saturation_threshold_is_epsilon():
    cell = hand_set_lstm({**ZERO, "b_i": 3.0, "b_f": 3.0, "b_o": 3.0})  # σ'(3) ≈ 0.0452
    trace = cell.forward(X)
    assert any(d.kind == "saturated_gate" for d in diagnose(trace, cell.activations,
                                                            epsilon=0.05))
    assert not any(d.kind == "saturated_gate" for d in diagnose(trace, cell.activations,
                                                                epsilon=0.04))


def test_unbounded_hidden_only_for_unbounded_squash():
    found = kinds(hand_set_lstm({**ZERO, "w_ig": 1.0}, output="identity"))
    message = found["unbounded_hidden"].message
    assert "Output squash is identity, which has no bound: h can grow" in message
    run = hand_set_lstm({**ZERO, "w_ig": 1.0}, output="identity").forward(X)
    largest = np.abs(run.hidden).max()
    assert f"largest |h| in this run {num(float(largest))})" in message  # the run's own number
    assert "no longer bounded" not in message
    assert "unbounded_hidden" not in kinds(hand_set_lstm({**ZERO, "w_ig": 1.0}))
    rnn = RNN.random(1, 2, np.random.default_rng(0), activation="relu")
    assert "unbounded_hidden" in kinds(rnn)
    assert "unbounded_hidden" not in kinds(RNN.random(1, 2, np.random.default_rng(0)))


def test_gate_outside_unit_interval():
    found = kinds(hand_set_lstm({**ZERO, "b_f": -1.0, "w_ig": 1.0}, gate="tanh"))
    message = found["gate_outside_unit"].message
    assert f"from {'−0.762'}" in message  # tanh(−1) = −0.7616
    assert "gate_outside_unit" not in kinds(hand_set_lstm({**ZERO, "b_f": -1.0}))


def test_long_memory_time_constant():
    found = kinds(hand_set_lstm({**ZERO, "b_f": 5.0}))
    tau = -1.0 / math.log(1 / (1 + math.exp(-5.0)))  # ≈ 149.4 steps
    assert f"about {tau:.3g} steps" in found["long_memory"].message
    assert "long_memory" not in kinds(hand_set_lstm({**ZERO, "b_f": 0.0}))


@pytest.mark.parametrize("fraction,text", [(0.0, "0 %"), (0.004, "< 1 %"), (0.995, "> 99 %"),
                                           (1.0, "100 %"), (0.64, "64 %")])
def test_percent(fraction, text):
    assert percent(fraction) == text


def test_default_lstm_run_states_nothing_false():
    cell = LSTM.random(1, 4, np.random.default_rng(0))
    found = kinds(cell, x=np.sin(np.arange(100) / 3.0)[:, None])
    assert "blowup" not in found and "unbounded_hidden" not in found
    assert "nonnegative_state" not in found and "gate_outside_unit" not in found
