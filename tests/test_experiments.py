"""lstm_core.experiments: batched runs, the comparison table and the gradient-flow numbers,
checked against the engine called directly, hand-worked values and known limits."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from lstm_core import GRU, LSTM, RNN, get_activation, losses
from lstm_core.experiments import (
    cell_state_path,
    forget_path,
    gradient_flow,
    gradient_models,
    gradient_readout,
    path_split,
    recurrent_factor,
    run_cells,
    saturation_over_time,
    sign_changes,
    stack_rows,
    summarize,
)
from lstm_core.sequences import make_sequence

TEXTBOOK = dict(gate="sigmoid", candidate="tanh", output="tanh")
PRESET_SLOTS = [
    TEXTBOOK,
    dict(gate="sigmoid", candidate="sigmoid", output="tanh"),
    dict(gate="sigmoid", candidate="relu", output="relu"),
    dict(gate="sigmoid", candidate="hard_tanh", output="hard_tanh"),
    dict(gate="sigmoid", candidate="tanh", output="identity"),
]


def _lstm(seed=0, hidden=4, scale=1.0, forget_bias=1.0, **slots) -> LSTM:
    acts = {k: get_activation(v) for k, v in {**TEXTBOOK, **slots}.items()}
    return LSTM.random(1, hidden, np.random.default_rng(seed), scale, forget_bias=forget_bias,
                       **acts)


def _constant_lstm(bias_i, bias_f, bias_g, bias_o, hidden=1, **slots) -> LSTM:
    """Every weight zero; each gate's whole bias given: its value is the same at every step."""
    rows = 4 * hidden
    bias = np.repeat([bias_i, bias_f, bias_g, bias_o], hidden).astype(float)
    acts = {k: get_activation(v) for k, v in {**TEXTBOOK, **slots}.items()}
    return LSTM(np.zeros((rows, 1)), np.zeros((rows, hidden)), bias, np.zeros(rows), **acts)


# --- batched runs --------------------------------------------------------------------------------


def test_batched_runs_match_one_engine_run_per_configuration():
    base = _lstm(seed=3, hidden=5, scale=2.0)
    cells = [replace(base, **{k: get_activation(v) for k, v in slots.items()})
             for slots in PRESET_SLOTS]
    cells.append(GRU.random(1, 5, np.random.default_rng(3), 2.0))
    cells.append(replace(base, gate=get_activation("hard_sigmoid")))
    x = make_sequence("sine", 60, 1, amplitude=2.0)
    traces = run_cells(cells, x, c0=None)
    for cell, trace in zip(cells, traces, strict=True):
        direct = cell.forward(x)
        assert trace.cell_type == direct.cell_type
        for name, values in direct.values.items():
            np.testing.assert_allclose(trace.values[name], values, rtol=1e-12, atol=1e-14,
                                       err_msg=name)


def test_row_stacked_activation_refuses_a_wrong_row_count():
    act = stack_rows([get_activation("tanh"), get_activation("relu")])
    with pytest.raises(ValueError):
        act.f(np.zeros((3, 4)))
    np.testing.assert_allclose(act.f(np.array([[-1.0, 2.0], [-1.0, 2.0]])),
                               [[np.tanh(-1.0), np.tanh(2.0)], [0.0, 2.0]])


# --- the comparison table ------------------------------------------------------------------------


def test_summary_hand_worked_constant_gates():
    # i = f = o = σ(0) = ½, g = tanh(2): c_t = g + (c_0 − g)·½^t, so from c_0 = −1 the state
    # rises monotonically and changes sign once (between t = 1 and t = 2).
    cell = _constant_lstm(0.0, 0.0, 2.0, 0.0)
    steps = 12
    trace = cell.forward(np.zeros((steps, 1)), c0=np.array([[-1.0]]))
    g = np.tanh(2.0)
    c = g + (-1.0 - g) * 0.5 ** np.arange(1, steps + 1)
    s = summarize(cell, trace)
    assert s.memory == "cell"
    assert s.min_memory == pytest.approx(c[0], rel=1e-12)
    assert s.max_memory == pytest.approx(c[-1], rel=1e-12)
    assert s.max_abs_hidden == pytest.approx(np.max(np.abs(0.5 * np.tanh(c))), rel=1e-12)
    assert c[0] < 0 < c[1]
    assert s.sign_changes == 1
    assert s.blowup_step is None
    assert s.saturated_gate_fraction == 0.0  # σ′(0) = ¼ > ε


def test_summary_blowup_step_hand_worked():
    # Gates saturated open (bias 30: σ = 1 − 1e-13), ReLU candidate and output, g = relu(2h + 1):
    # with h_t = c_t this is c_t = 3 c_{t−1} + 1, so c_t = (3^t − 1)/2 first passes 10⁶ at t = 14.
    rows = 4
    cell = LSTM(np.zeros((rows, 1)), np.array([[0.0], [0.0], [2.0], [0.0]]),
                np.array([30.0, 30.0, 1.0, 30.0]), np.zeros(rows),
                candidate=get_activation("relu"), output=get_activation("relu"))
    trace = cell.forward(np.zeros((40, 1)))
    s = summarize(cell, trace)
    assert (3**13 - 1) / 2 < 1e6 < (3**14 - 1) / 2
    assert s.blowup_step == 14
    assert s.blowup_unit == 1
    assert s.saturated_gate_fraction == 1.0  # every gate pre-activation is 30: σ′ ≈ 1e-13
    assert s.sign_changes == 0


def test_summary_matches_the_engine_run_directly():
    base = _lstm(seed=7, hidden=6, scale=3.0)
    x = make_sequence("square", 80, 1, amplitude=3.0, period=16)
    cells = [replace(base, **{k: get_activation(v) for k, v in slots.items()})
             for slots in PRESET_SLOTS]
    for cell, trace in zip(cells, run_cells(cells, x), strict=True):
        direct = cell.forward(x)
        s = summarize(cell, trace, epsilon=0.1)
        c = direct.cell[:, 0, :]
        assert s.min_memory == pytest.approx(float(np.min(c)))
        assert s.max_memory == pytest.approx(float(np.max(c)))
        assert s.max_abs_hidden == pytest.approx(float(np.max(np.abs(direct.hidden))))
        prev = np.vstack([np.zeros((1, c.shape[1])), c[:-1]])
        assert s.sign_changes == int(np.sum(np.sign(prev) * np.sign(c) < 0))
        # σ′(z) = σ(z)(1 − σ(z)) < 0.1 for every gate pre-activation, counted by hand
        pre = np.stack([direct.preactivations[g] for g in
                        ("input_gate", "forget_gate", "output_gate")])
        sig = 1.0 / (1.0 + np.exp(-pre))
        assert s.saturated_gate_fraction == pytest.approx(float(np.mean(sig * (1 - sig) < 0.1)))


@pytest.mark.parametrize("candidate", ["sigmoid", "relu", "softplus"])
@pytest.mark.parametrize("seed", range(5))
def test_nonnegative_candidate_from_zero_never_goes_negative(candidate, seed):
    cell = _lstm(seed=seed, hidden=8, scale=4.0, candidate=candidate)
    x = make_sequence("noise", 200, 1, seed=seed, amplitude=3.0)
    s = summarize(cell, run_cells([cell], x)[0])
    assert s.min_memory >= 0.0
    assert s.sign_changes == 0


def test_tanh_candidate_does_go_negative_on_the_same_runs():
    # The limit above is a property of the candidate, not of the inputs: tanh goes below 0.
    cell = _lstm(seed=0, hidden=8, scale=4.0)
    s = summarize(cell, cell.forward(make_sequence("noise", 200, 1, seed=0, amplitude=3.0)))
    assert s.min_memory < 0.0 and s.sign_changes > 0


def test_gru_and_rnn_summaries_use_the_hidden_state():
    x = make_sequence("sine", 50, 1)
    gru = GRU.random(1, 3, np.random.default_rng(0))
    rnn = RNN.random(1, 3, np.random.default_rng(0))
    for cell in (gru, rnn):
        trace = cell.forward(x)
        s = summarize(cell, trace)
        assert s.memory == "hidden"
        assert s.max_memory == pytest.approx(float(trace.hidden.max()))
    assert summarize(rnn, rnn.forward(x)).saturated_gate_fraction is None


def test_sign_changes_ignore_exact_zeros():
    states = np.array([1.0, 0.0, -1.0, -2.0, 3.0])[:, None, None]
    assert sign_changes(states, np.zeros((1, 1))) == 1  # only −2 → 3; 1 → 0 → −1 is not strict


# --- gradient flow -------------------------------------------------------------------------------


def _direct_norms(cell, x, loss=losses.sum_last_step):
    trace = cell.forward(x)
    _, d_hidden = loss(trace.hidden)
    grads = cell.backward(trace, d_hidden)
    h = np.linalg.norm(grads.hidden[:, 0, :], axis=-1)
    c = None if grads.cell is None else np.linalg.norm(grads.cell[:, 0, :], axis=-1)
    return h, c


@pytest.mark.parametrize("loss", ["last", "every"])
def test_gradient_flow_matches_backward_called_directly(loss):
    acts = {k: get_activation(v) for k, v in TEXTBOOK.items()}
    models = gradient_models(1, 6, seed=4, weight_scale=1.5, forget_bias=2.0,
                             lstm_activations=acts)
    x = make_sequence("noise", 70, 1, seed=5)
    runs = gradient_flow(models, x, loss)
    loss_fn = losses.sum_last_step if loss == "last" else losses.sum_every_step
    assert list(runs) == ["LSTM", "GRU", "RNN tanh", "RNN sigmoid", "RNN ReLU"]
    for name, run in runs.items():
        # Rebuild each model by hand from the same seed: the page's models are these.
        rng = np.random.default_rng(4)
        if name == "LSTM":
            cell = LSTM.random(1, 6, rng, 1.5, forget_bias=2.0)
        elif name == "GRU":
            cell = GRU.random(1, 6, rng, 1.5)
        else:
            cell = RNN.random(1, 6, rng, 1.5, activation=name.split()[1].lower())
        h, c = _direct_norms(cell, x, loss_fn)
        np.testing.assert_allclose(run.hidden_norm, h, rtol=1e-10, err_msg=name)
        if c is not None:
            np.testing.assert_allclose(run.cell_norm, c, rtol=1e-10)
        memory = c if c is not None else h
        readout = gradient_readout(run.memory_norm)
        assert readout.log10_ratio == pytest.approx(np.log10(memory[0] / memory[-1]), abs=1e-9)


def test_forget_gate_at_one_keeps_the_cell_gradient_constant():
    # Zero weights and a forget bias of 30: f = σ(30) = 1 − 9e-14, and the only path back is
    # the cell state, so ∂L/∂c_t stays at its step-T value all the way to step 1.
    acts = {k: get_activation(v) for k, v in TEXTBOOK.items()}
    models = gradient_models(1, 4, seed=0, weight_scale=0.0, forget_bias=30.0,
                             lstm_activations=acts)
    runs = gradient_flow(models, np.zeros((100, 1)), "last")
    lstm = runs["LSTM"].cell_norm
    np.testing.assert_allclose(lstm, lstm[-1], rtol=1e-9)
    assert lstm[-1] == pytest.approx(0.5 * np.sqrt(4))  # o = σ(0) = ½, tanh′(c = 0) = 1
    sigmoid_rnn = runs["RNN sigmoid"].hidden_norm
    assert sigmoid_rnn[0] <= 1e-5 * sigmoid_rnn[-1]


def test_sigmoid_rnn_vanishes_even_with_identity_recurrence():
    # W_hh = I, everything else 0: each step multiplies by σ′(pre) ≤ ¼, so over 99 steps at
    # most 4^−99 survives; the bound from recurrent_factor must hold and be that small.
    rnn = RNN(np.zeros((3, 1)), np.eye(3), np.zeros(3), np.zeros(3), activation="sigmoid")
    runs = gradient_flow({"RNN sigmoid": rnn}, np.zeros((100, 1)), "last")
    norms = runs["RNN sigmoid"].hidden_norm
    assert norms[0] / norms[-1] <= 1e-5
    factor = recurrent_factor(rnn, runs["RNN sigmoid"].trace)
    assert factor.max_slope <= 0.25
    assert factor.log10_bound <= 99 * np.log10(0.25) + 1e-9
    assert np.log10(norms[0] / norms[-1]) <= factor.log10_bound + 1e-9


def test_recurrent_factor_hand_worked_scaled_identity():
    # tanh RNN, W_hh = a·I, zero input weights and biases, h_0 = 0: every pre-activation is 0,
    # tanh′(0) = 1, so each step multiplies the gradient by exactly a.
    a, steps = 0.8, 50
    rnn = RNN(np.zeros((2, 1)), a * np.eye(2), np.zeros(2), np.zeros(2))
    runs = gradient_flow({"RNN tanh": rnn}, np.zeros((steps, 1)), "last")
    factor = recurrent_factor(rnn, runs["RNN tanh"].trace)
    assert factor.geo_mean_norm == pytest.approx(a)
    assert factor.log10_bound == pytest.approx((steps - 1) * np.log10(a))
    readout = gradient_readout(runs["RNN tanh"].hidden_norm)
    assert readout.log10_ratio == pytest.approx((steps - 1) * np.log10(a))


def test_forget_path_hand_worked():
    bias, steps = 1.5, 40
    cell = _constant_lstm(0.0, bias, 0.0, 0.0, hidden=3)
    trace = cell.forward(np.zeros((steps, 1)))
    f = 1.0 / (1.0 + np.exp(-bias))
    path = forget_path(trace)
    assert path.mean_forget == pytest.approx(f)
    assert path.log10_path == pytest.approx((steps - 1) * np.log10(f))


def test_readout_reports_zero_and_nonfinite_steps():
    zero = gradient_readout(np.array([0.0, 0.0, 0.5, 1.0]))
    assert zero.zero_through == 2 and zero.log10_ratio is None
    bad = gradient_readout(np.array([np.inf, np.nan, 3.0, 1.0]))
    assert bad.nonfinite_through == 2 and bad.log10_ratio is None
    grew = gradient_readout(np.array([100.0, 10.0, 1.0]))
    assert grew.log10_ratio == pytest.approx(2.0)


def test_saturation_over_time_limits():
    # Gate biases ±30 put every gate on σ's flat tails; the candidate at 0 sits on tanh's
    # steepest point (tanh′(0) = 1), so it is never saturated.
    cell = _constant_lstm(30.0, -30.0, 0.0, 30.0, hidden=3)
    trace = cell.forward(np.zeros((10, 1)))
    fractions = saturation_over_time(cell, trace, epsilon=0.05)
    for gate in ("input_gate", "forget_gate", "output_gate"):
        np.testing.assert_array_equal(fractions[gate], np.ones(10))
    np.testing.assert_array_equal(fractions["candidate"], np.zeros(10))
    # Half the units saturated: pre-activations 0 and 5 (σ′(5) = 0.0066 < 0.05 < σ′(0) = ¼).
    half = LSTM(np.zeros((8, 1)), np.zeros((8, 2)), np.array([0, 5, 0, 5, 0, 0, 0, 5.0]),
                np.zeros(8))
    fractions = saturation_over_time(half, half.forward(np.zeros((4, 1))), epsilon=0.05)
    np.testing.assert_array_equal(fractions["input_gate"], np.full(4, 0.5))


# --- cell-state path vs the paths through h and the gates ----------------------------------------


def _loss_from_c1(cell: LSTM, x: np.ndarray, trace, c1: np.ndarray, loss: str,
                  frozen: bool) -> float:
    """L with c_1 replaced by ``c1`` (H,): the real recurrence, or (``frozen``) every gate and
    the candidate held at the recorded values so only the cell state carries the change."""
    o = trace.output_gate[:, 0]
    c = c1
    h = o[0] * cell.output(c)
    hs = [h]
    for t in range(1, x.shape[0]):
        if frozen:
            c = trace.forget_gate[t, 0] * c + trace.input_gate[t, 0] * trace.candidate[t, 0]
            h = o[t] * cell.output(c)
        else:
            out = cell.step(x[t][None], h[None], c[None])
            h, c = out["hidden"][0], out["cell"][0]
        hs.append(h)
    return float(np.sum(hs[-1]) if loss == "last" else np.sum(hs))


@pytest.mark.parametrize("loss", ["last", "every"])
def test_path_split_adds_up_and_matches_finite_differences(loss):
    cell = _lstm(seed=3, hidden=3, scale=1.5, forget_bias=0.5)
    x = make_sequence("noise", 12, 1, seed=2)
    run = gradient_flow({"LSTM": cell}, x, loss)["LSTM"]
    loss_fn = losses.sum_last_step if loss == "last" else losses.sum_every_step
    cell_part = cell_state_path(cell, run.trace, loss_fn(run.trace.hidden)[1])[0, 0]
    total = run.gradients.cell[0, 0]
    c1 = run.trace.cell[0, 0]
    eps = 1e-6
    for frozen, expected in ((False, total), (True, cell_part)):
        fd = [(_loss_from_c1(cell, x, run.trace, c1 + eps * e, loss, frozen)
               - _loss_from_c1(cell, x, run.trace, c1 - eps * e, loss, frozen)) / (2 * eps)
              for e in np.eye(3)]
        np.testing.assert_allclose(fd, expected, rtol=1e-6, atol=1e-9)
    split = path_split(run, loss)
    norm_last = np.linalg.norm(run.gradients.cell[-1, 0])
    assert split.log10_total == pytest.approx(np.log10(np.linalg.norm(total) / norm_last))
    assert split.log10_cell == pytest.approx(np.log10(np.linalg.norm(cell_part) / norm_last))
    hidden_part = total - cell_part
    assert split.log10_hidden == pytest.approx(np.log10(np.linalg.norm(hidden_part) / norm_last))
    assert split.cell_share == pytest.approx(cell_part @ total / (total @ total))


def test_path_split_hand_worked_one_unit_two_steps():
    # H = 1, T = 2, L = h_2. ∂L/∂c_1 = f_2·o_2·tanh′(c_2)            (cell state)
    #                              + o_1·tanh′(c_1)·Σ_k W_hh[k]·∂L/∂pre_2[k]   (via h_1, gates)
    cell = _lstm(seed=7, hidden=1, scale=2.0)
    x = np.array([[0.7], [-1.2]])
    run = gradient_flow({"LSTM": cell}, x, "last")["LSTM"]
    tr = run.trace
    i, f, g, o, c = (v[:, 0, 0] for v in (tr.input_gate, tr.forget_gate, tr.candidate,
                                         tr.output_gate, tr.cell))
    dc2 = o[1] * (1 - np.tanh(c[1]) ** 2)
    d_pre2 = np.array([dc2 * g[1] * i[1] * (1 - i[1]), dc2 * c[0] * f[1] * (1 - f[1]),
                       dc2 * i[1] * (1 - g[1] ** 2), np.tanh(c[1]) * o[1] * (1 - o[1])])
    via_h = (cell.weight_hh[:, 0] @ d_pre2) * o[0] * (1 - np.tanh(c[0]) ** 2)
    assert run.gradients.cell[0, 0, 0] == pytest.approx(f[1] * dc2 + via_h, rel=1e-12)
    split = path_split(run, "last")
    assert split.log10_cell == pytest.approx(np.log10(abs(f[1] * dc2) / dc2), rel=1e-12)
    assert split.log10_hidden == pytest.approx(np.log10(abs(via_h) / dc2), rel=1e-12)
    assert split.cell_share == pytest.approx(f[1] * dc2 / (f[1] * dc2 + via_h), rel=1e-12)


def test_path_split_without_recurrent_weights_is_all_cell_state():
    # W_hh = 0: no path leaves the cell state, so the cell-state part is all of ∂L/∂c_1 =
    # f^(T−1)·o·tanh′(0) with f = σ(1.5), o = σ(0) = ½, c = 0 throughout.
    steps, f = 10, 1 / (1 + np.exp(-1.5))
    run = gradient_flow({"LSTM": _constant_lstm(0.0, 1.5, 0.0, 0.0)}, np.zeros((steps, 1)),
                        "last")["LSTM"]
    split = path_split(run, "last")
    assert split.cell_norm[0] == pytest.approx(0.5 * f ** (steps - 1))
    assert split.log10_cell == pytest.approx((steps - 1) * np.log10(f))
    assert split.log10_hidden is None and split.cell_share == pytest.approx(1.0)
