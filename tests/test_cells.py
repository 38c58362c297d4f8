"""The engine: PyTorch's numbers, finite-difference gradients, hand-worked values, properties."""

from __future__ import annotations

import itertools
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_core import GRU, LSTM, RNN, WeightShapeError, get_activation
from lstm_core.cells import Workspace, model_rows
from lstm_core.losses import mse_every_step, mse_last_step, sum_last_step

REFERENCE = Path(__file__).parent / "data" / "pytorch_cells.npz"
CASES = {
    "lstm_small": (LSTM, {}),
    "lstm_wide": (LSTM, {}),
    "gru_small": (GRU, {}),
    "gru_wide": (GRU, {}),
    "rnn_tanh": (RNN, {"nonlinearity": "tanh"}),
    "rnn_relu": (RNN, {"nonlinearity": "relu"}),
}


def reference_case(name: str) -> dict[str, np.ndarray]:
    with np.load(REFERENCE) as data:
        return {k[len(name) + 1 :]: data[k] for k in data.files if k.startswith(name + "/")}


def reference_cell(name: str):
    cls, kwargs = CASES[name]
    case = reference_case(name)
    state = {k[len("state/") :]: v for k, v in case.items() if k.startswith("state/")}
    return cls.from_pytorch(state, **kwargs), case


# --- PyTorch's own outputs and gradients (no torch needed) -----------------------------------


@pytest.mark.parametrize("name", CASES)
def test_forward_and_gradients_match_pytorch(name):
    cell, case = reference_cell(name)
    trace = cell.forward(case["x"], case["h0"], case.get("c0"))
    np.testing.assert_allclose(trace.hidden, case["hidden"], rtol=0, atol=1e-12)
    if "final_cell" in case:
        np.testing.assert_allclose(trace.cell[-1], case["final_cell"], rtol=0, atol=1e-12)
    grads = cell.backward(trace, case["d_hidden"])
    for param in ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "x", "h0", "c0"):
        if f"grad_{param}" in case:
            np.testing.assert_allclose(
                getattr(grads, param), case[f"grad_{param}"], rtol=0, atol=1e-11, err_msg=param
            )


def test_to_pytorch_round_trips():
    cell, _ = reference_cell("lstm_small")
    again = LSTM.from_pytorch(cell.to_pytorch())
    for name, value in cell.parameters().items():
        np.testing.assert_array_equal(again.parameters()[name], value)


# --- a hand-worked 1-unit LSTM ------------------------------------------------------------------


def test_hand_worked_one_unit_lstm():
    """W_ih = (0.5, −0.5, 1, 0.2), W_hh = (0.1, 0.2, −0.3, 0.4), b_f = 1, x = (1, −1).

    Step 1: i = f = σ(0.5), g = tanh(1), o = σ(0.2); c₁ = i·g, h₁ = o·tanh(c₁), worked out with a
    pocket calculator (the numbers below), not with the engine.
    """
    cell = LSTM(
        weight_ih=[[0.5], [-0.5], [1.0], [0.2]],
        weight_hh=[[0.1], [0.2], [-0.3], [0.4]],
        bias_ih=[0.0, 1.0, 0.0, 0.0],
        bias_hh=[0.0, 0.0, 0.0, 0.0],
    )
    trace = cell.forward(np.array([[1.0], [-1.0]]))
    expected = {
        "input_gate": [0.6224593312018546, 0.3832618265081664],
        "forget_gate": [0.6224593312018546, 0.8247038600100214],
        "candidate": [0.7615941559557649, -0.7905218165461815],
        "output_gate": [0.549833997312478, 0.4742964741257035],
        "cell": [0.47406138896346633, 0.08798342205583964],
        "hidden": [0.24273796049057675, 0.04162288019835547],
    }
    for name, values in expected.items():
        np.testing.assert_allclose(trace.values[name][:, 0, 0], values, rtol=1e-14, err_msg=name)


# --- finite differences -------------------------------------------------------------------------

ACTIVATION_COMBOS = {
    LSTM: [
        dict(gate=g, candidate=c, output=o)
        for g, c, o in [
            ("sigmoid", "tanh", "tanh"),
            ("sigmoid", "relu", "relu"),
            ("sigmoid", "sigmoid", "tanh"),
            ("hard_sigmoid", "hard_tanh", "identity"),
            ("sigmoid", "softsign", "elu"),
            ("softplus", "gelu", "silu"),
            ("tanh", "leaky_relu", "softsign"),
        ]
    ],
    GRU: [
        dict(gate=g, candidate=c)
        for g, c in [("sigmoid", "tanh"), ("sigmoid", "relu"), ("hard_sigmoid", "gelu"),
                     ("softplus", "identity")]
    ],
    RNN: [dict(activation=a) for a in ("tanh", "relu", "sigmoid", "elu", "silu", "hard_tanh")],
}
FD_CASES = [(cls, combo) for cls, combos in ACTIVATION_COMBOS.items() for combo in combos]


def _loss(cell, x, h0, c0, weights):
    return float(np.sum(cell.forward(x, h0, c0).hidden * weights))


def _numeric_grad(fn, array, eps=1e-6):
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        saved = array[index]
        array[index] = saved + eps
        plus = fn()
        array[index] = saved - eps
        minus = fn()
        array[index] = saved
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def _relative_error(a, b):
    return np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)))


@pytest.mark.parametrize(("cls", "activations"), FD_CASES, ids=lambda v: getattr(v, "__name__", v))
def test_backward_matches_central_finite_differences(cls, activations):
    rng = np.random.default_rng(7)
    cell = cls.random(2, 3, rng, weight_scale=1.5, **activations)
    x = rng.normal(size=(6, 2, 2))
    h0 = rng.normal(size=(2, 3)) * 0.5
    c0 = rng.normal(size=(2, 3)) * 0.5
    weights = rng.normal(size=(6, 2, 3))
    trace = cell.forward(x, h0, c0)
    grads = cell.backward(trace, weights)
    params = {k: v.copy() for k, v in cell.parameters().items()}

    def loss_with_params():
        return _loss(cell.with_parameters(**params), x, h0, c0, weights)

    for name, value in params.items():
        numeric = _numeric_grad(loss_with_params, value)
        assert _relative_error(numeric, getattr(grads, name)) < 1e-6, name
    inputs = {"x": x, "h0": h0} | ({"c0": c0} if cls is LSTM else {})
    for name, value in inputs.items():
        numeric = _numeric_grad(lambda: _loss(cell, x, h0, c0, weights), value)
        assert _relative_error(numeric, getattr(grads, name)) < 1e-6, name


def test_per_step_gradients_are_total_derivatives():
    """grads.cell[t−1] is ∂L/∂c_t through h_t and every later step, checked by perturbing c_t."""
    rng = np.random.default_rng(3)
    cell = LSTM.random(1, 2, rng)
    x = rng.normal(size=(8, 1, 1))
    weights = rng.normal(size=(8, 1, 2))
    trace = cell.forward(x)
    grads = cell.backward(trace, weights)
    t = 4
    output_gate = trace.output_gate[t - 1]

    def loss_after_nudging(unit, delta, nudge_cell):
        cell_t, hidden_t = trace.cell[t - 1].copy(), trace.hidden[t - 1].copy()
        if nudge_cell:
            cell_t[0, unit] += delta
            hidden_t = output_gate * np.tanh(cell_t)
        else:
            hidden_t[0, unit] += delta
        tail = cell.forward(x[t:], hidden_t, cell_t).hidden
        return (np.sum(weights[: t - 1] * trace.hidden[: t - 1]) + np.sum(weights[t - 1] * hidden_t)
                + np.sum(weights[t:] * tail))

    for unit in range(2):
        for nudge_cell, total in ((True, grads.cell), (False, grads.hidden)):
            numeric = (loss_after_nudging(unit, 1e-6, nudge_cell)
                       - loss_after_nudging(unit, -1e-6, nudge_cell)) / 2e-6
            assert total[t - 1, 0, unit] == pytest.approx(numeric, rel=1e-7, abs=1e-10)


# --- the runner equals a hand loop over the single step ------------------------------------------


@pytest.mark.parametrize("cls", [LSTM, GRU, RNN])
def test_sequence_runner_equals_step_loop(cls):
    rng = np.random.default_rng(11)
    cell = cls.random(3, 4, rng, weight_scale=2.0)
    x = rng.normal(size=(9, 2, 3))
    trace = cell.forward(x)
    h, c = np.zeros((2, 4)), np.zeros((2, 4))
    for t in range(9):
        values = cell.step(x[t], h, c)
        for name, value in values.items():
            np.testing.assert_allclose(trace.values[name][t], value, rtol=1e-13, atol=1e-15)
        h, c = values["hidden"], values.get("cell")


STACK_CASES = [(LSTM, {}), (LSTM, {"candidate": "relu", "output": "relu"}),
               (LSTM, {"candidate": "sigmoid"}), (GRU, {}),
               (GRU, {"candidate": "relu"}), (RNN, {}), (RNN, {"activation": "identity"})]


@pytest.mark.parametrize(("cls", "activations"), STACK_CASES, ids=str)
def test_a_model_stack_equals_each_model_alone(cls, activations):
    """S models in one call give each model's own trace and gradients; the first one holds a
    NaN, and it stays out of the others."""
    rng = np.random.default_rng(5)
    models = [cls.random(2, 3, rng, weight_scale=1.5, **activations) for _ in range(3)]
    poisoned = models[0].weight_hh.copy()
    poisoned[0, 0] = np.nan  # what a diverged run leaves behind
    models[0] = models[0].with_parameters(weight_hh=poisoned)
    names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    stack = cls(*(np.stack([m.parameters()[n] for m in models]) for n in names), **activations)
    assert stack.stack_shape == (3,)
    x = rng.normal(size=(12, 3, 4, 2)) * 3.0          # (T, S, B, D)
    h0, c0 = rng.normal(size=(3, 4, 3)), rng.normal(size=(3, 4, 3))
    d_hidden = rng.normal(size=(12, 3, 4, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a NaN is data, as for one model
        trace = stack.forward(x, h0, c0)
        grads = stack.backward(trace, d_hidden, d_final_hidden=h0, d_final_cell=c0)
    assert np.all(np.isnan(trace.hidden[1:, 0])) and np.all(np.isnan(grads.weight_hh[0]))
    for k, model in enumerate(models):
        alone = model.forward(x[:, k], h0[k], c0[k])
        alone_grads = model.backward(alone, d_hidden[:, k], h0[k], c0[k])
        for name, value in alone.values.items():
            np.testing.assert_allclose(trace.values[name][:, k], value, rtol=0, atol=1e-12,
                                       err_msg=name)
        lstm = cls is LSTM
        for name in (*names, "h0", *(("c0",) if lstm else ())):
            np.testing.assert_allclose(getattr(grads, name)[k], getattr(alone_grads, name),
                                       rtol=0, atol=1e-12, err_msg=name)
        for name in ("x", "hidden", *(("cell",) if lstm else ())):
            np.testing.assert_allclose(getattr(grads, name)[:, k], getattr(alone_grads, name),
                                       rtol=0, atol=1e-12, err_msg=name)
        if k:
            assert np.all(np.isfinite(trace.hidden[:, k])) and np.all(np.isfinite(grads.x[:, k]))


def _equal_bits(a, b, name):
    np.testing.assert_array_equal(a, b, err_msg=name, strict=True)


@pytest.mark.parametrize(("cls", "activations"), STACK_CASES, ids=str)
@pytest.mark.parametrize("stacked", [False, True], ids=["one model", "stack with a NaN model"])
def test_a_workspace_gives_the_fresh_results_bit_for_bit(cls, activations, stacked):
    """Forward and backward with a workspace, called again on other inputs (and once with
    other lengths), equal the runs on fresh arrays bit for bit: nothing of an earlier call leaks
    into a later one, and a NaN model stays in its own rows."""
    rng = np.random.default_rng(8)
    models = [cls.random(2, 3, rng, weight_scale=1.5, **activations) for _ in range(3)]
    poisoned = models[0].weight_hh.copy()
    poisoned[0, 0] = np.nan
    models[0] = models[0].with_parameters(weight_hh=poisoned)
    names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
    cell = (cls(*(np.stack([m.parameters()[n] for m in models]) for n in names), **activations)
            if stacked else models[1])
    lead = (3,) if stacked else ()
    workspace, traces = Workspace(), []
    for steps in (7, 7, 4, 7):
        x = rng.normal(size=(steps, *lead, 4, 2)) * 3.0
        h0, c0, d_final = (rng.normal(size=(*lead, 4, 3)) for _ in range(3))
        d_hidden = rng.normal(size=(steps, *lead, 4, 3))
        fresh = cell.forward(x, h0, c0)
        fresh_grads = cell.backward(fresh, d_hidden, d_final, d_final)
        trace = cell.forward(x, h0, c0, workspace=workspace)
        grads = cell.backward(trace, d_hidden, d_final, d_final, workspace=workspace,
                              input_gradient=False)
        traces.append(trace)
        for group in ("values", "preactivations"):
            for name, value in getattr(fresh, group).items():
                _equal_bits(getattr(trace, group)[name], value, f"{group} {name}")
        for name, value in vars(fresh_grads).items():
            if name == "x":
                assert grads.x is None and value.shape == x.shape
            elif value is not None:
                _equal_bits(getattr(grads, name), value, name)
        if stacked:
            assert np.all(np.isnan(trace.hidden[1:, 0]))
            assert np.all(np.isfinite(trace.hidden[:, 1:]))
    # the workspace really is reused (and replaced when the length changes)
    assert np.shares_memory(traces[0].hidden, traces[1].hidden)
    assert not np.shares_memory(traces[1].hidden, traces[2].hidden)


@pytest.mark.parametrize("lead", [(), (3,)], ids=["one model", "stack"])
def test_the_states_feeding_a_weight_gradient_are_stored_model_by_model(lead):
    cell = RNN.random(2, 3, np.random.default_rng(1))
    if lead:
        cell = RNN(*(np.stack([p] * 3) for p in cell.parameters().values()))
    trace = cell.forward(np.ones((5, *lead, 4, 2)), workspace=Workspace())
    rows = model_rows(trace.extras["hidden_prev"])  # a view: the weight gradient copies nothing
    assert rows.shape == (*lead, 5 * 4, 3) and np.shares_memory(rows, trace.hidden)


def test_a_model_stack_needs_the_stack_axis_in_x():
    stack = RNN(np.zeros((2, 3, 1)), np.zeros((2, 3, 3)), np.zeros((2, 3)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"\(T, 2, B, 1\)"):
        stack.forward(np.zeros((5, 4, 1)))
    with pytest.raises(WeightShapeError, match=r"bias_hh must be \(2, 3,\)"):
        RNN(np.zeros((2, 3, 1)), np.zeros((2, 3, 3)), np.zeros((2, 3)), np.zeros(3))


def test_two_dimensional_input_is_one_sequence():
    cell = LSTM.random(2, 3, np.random.default_rng(0))
    x = np.random.default_rng(1).normal(size=(5, 2))
    one_sequence = cell.forward(x[:, None]).hidden[:, 0]
    np.testing.assert_array_equal(cell.forward(x).hidden[:, 0], one_sequence)


# --- properties ----------------------------------------------------------------------------------

scales = st.floats(0.1, 5.0)
seeds = st.integers(0, 2**32 - 1)


@settings(max_examples=40, deadline=None)
@given(seed=seeds, scale=scales, amplitude=st.floats(0.0, 100.0))
def test_textbook_lstm_bounds(seed, scale, amplitude):
    """σ gates, tanh candidate/output: |h_t| < 1 and |c_t| ≤ |c_{t−1}| + 1 at every step."""
    rng = np.random.default_rng(seed)
    cell = LSTM.random(2, 3, rng, weight_scale=scale)
    trace = cell.forward(rng.normal(size=(30, 2, 2)) * amplitude)
    assert np.all(np.abs(trace.hidden) <= 1.0)
    previous = np.concatenate([trace.c0[None], trace.cell[:-1]])
    assert np.all(np.abs(trace.cell) <= np.abs(previous) + 1.0 + 1e-12)


@settings(max_examples=40, deadline=None)
@given(seed=seeds, scale=scales, c0=st.floats(0.0, 10.0))
def test_sigmoid_candidate_never_makes_the_cell_negative(seed, scale, c0):
    rng = np.random.default_rng(seed)
    cell = LSTM.random(1, 4, rng, weight_scale=scale, candidate="sigmoid")
    trace = cell.forward(rng.normal(size=(40, 1, 1)) * 3, c0=np.full(4, c0))
    assert np.all(trace.cell >= 0.0)


BOUNDED = ["sigmoid", "tanh", "hard_sigmoid", "hard_tanh", "softsign"]


@pytest.mark.parametrize(("gate", "squash"), list(itertools.product(BOUNDED, BOUNDED)))
def test_no_floating_point_warnings_for_bounded_activations(gate, squash):
    rng = np.random.default_rng(0)
    for cls, kwargs in ((LSTM, dict(gate=gate, candidate=squash, output=squash)),
                        (GRU, dict(gate=gate, candidate=squash)), (RNN, dict(activation=squash))):
        cell = cls.random(1, 3, rng, weight_scale=3.0, **kwargs)
        x = np.array([[1e4], [-1e4], [5e3], [0.0], [-1e4]])
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            trace = cell.forward(x)
            cell.backward(trace, np.ones_like(trace.hidden))
        assert np.all(np.isfinite(trace.hidden))


def test_relu_candidate_blowup_is_reported_not_warned():
    """A 1-unit cell with f ≈ 1, a ReLU candidate fed by h (W_hg = 2) and an identity output:
    c_t ≈ c_{t−1}(1 + 2·i·o) grows geometrically, passes 1e6, then overflows to inf and NaN."""
    cell = LSTM(
        weight_ih=[[0.0], [0.0], [1.0], [0.0]],
        weight_hh=[[0.0], [0.0], [2.0], [0.0]],
        bias_ih=[0.0, 20.0, 0.0, 0.0],
        bias_hh=[0.0, 0.0, 0.0, 0.0],
        candidate="relu",
        output="identity",
    )
    x = np.ones((2000, 1, 1))
    with np.errstate(all="raise"):
        trace = cell.forward(x)
        cell.backward(trace, np.ones_like(trace.hidden))
    step = trace.blowup_step
    assert step is not None and 10 < step < 100
    assert np.all(np.abs(trace.cell[: step - 1]) <= 1e6)
    assert np.abs(trace.cell[step - 1]).max() > 1e6
    assert trace.first_step_over("cell", 1e100) > step
    nonfinite = trace.first_nonfinite_step("cell")
    assert nonfinite is not None and nonfinite > trace.first_step_over("cell", 1e100)
    assert np.all(np.isfinite(trace.cell[: nonfinite - 1]))


def test_textbook_lstm_never_blows_up():
    cell = LSTM.random(1, 4, np.random.default_rng(0), weight_scale=3.0)
    assert cell.forward(np.full((500, 1), 5.0)).blowup_step is None


def test_forget_bias_sets_the_total_forget_bias():
    cell = LSTM.random(1, 3, np.random.default_rng(0), forget_bias=1.0)
    total = cell.bias_ih + cell.bias_hh
    np.testing.assert_array_equal(cell.block(total, "forget_gate"), [1.0, 1.0, 1.0])
    assert np.all(cell.block(total, "input_gate") != 1.0)


def test_random_init_is_pytorch_uniform():
    cell = GRU.random(2, 16, np.random.default_rng(0), weight_scale=2.0)
    bound = 2.0 / np.sqrt(16)
    assert cell.weight_hh.shape == (48, 16) and cell.weight_ih.shape == (48, 2)
    assert np.abs(cell.weight_hh).max() <= bound
    assert np.abs(cell.weight_hh).max() > 0.9 * bound


# --- bad weights ---------------------------------------------------------------------------------


def test_from_pytorch_rejects_bad_state_dicts():
    good = LSTM.random(2, 3, np.random.default_rng(0)).to_pytorch()
    with pytest.raises(WeightShapeError, match="missing weight_hh_l0"):
        LSTM.from_pytorch({"weight_ih_l0": good["weight_ih_l0"]})
    with pytest.raises(WeightShapeError, match="weight_hh"):
        GRU.from_pytorch(good)  # 4H rows are not 3H
    with pytest.raises(WeightShapeError, match="numbers"):
        LSTM.from_pytorch(good | {"bias_ih_l0": np.array(["a"] * 12)})
    with pytest.raises(WeightShapeError, match="bias_hh"):
        LSTM.from_pytorch(good | {"bias_hh_l0": np.zeros(5)})
    no_bias = {k: v for k, v in good.items() if k.startswith("weight")}
    assert np.all(LSTM.from_pytorch(no_bias).bias_ih == 0)


def test_bad_input_shape_is_a_clear_error():
    cell = LSTM.random(2, 3, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"\(T, B, 2\)"):
        cell.forward(np.zeros((4, 3)))


# --- trace and losses ----------------------------------------------------------------------------


def test_trace_to_frame_is_tidy():
    cell = LSTM.random(1, 2, np.random.default_rng(0))
    trace = cell.forward(np.arange(3.0)[:, None])
    frame = trace.to_frame()
    assert list(frame.columns) == ["step", "sequence", "unit", "quantity", "value"]
    row = frame[(frame.quantity == "cell") & (frame.step == 3) & (frame.unit == 1)]
    assert row.value.item() == trace.cell[2, 0, 1]
    assert set(frame.quantity) >= {"input_gate", "forget_gate", "candidate", "output_gate",
                                   "cell", "hidden", "forget_gate_pre"}
    assert len(frame) == 3 * 2 * (7 + 5)


def test_losses_and_their_gradients():
    outputs = np.array([[[1.0, 2.0]], [[3.0, 5.0]]])
    targets = np.zeros_like(outputs)
    loss, grad = mse_every_step(outputs, targets)
    assert loss == pytest.approx(0.5 * (1 + 4 + 9 + 25) / 4)
    np.testing.assert_allclose(grad, outputs / 4)
    loss, grad = mse_last_step(outputs, np.array([[1.0, 1.0]]))
    assert loss == pytest.approx(0.5 * (4 + 16) / 2)
    np.testing.assert_allclose(grad, [[[0, 0]], [[1.0, 2.0]]])
    loss, grad = sum_last_step(outputs)
    assert loss == 8.0 and grad[-1].tolist() == [[1.0, 1.0]] and grad[0].tolist() == [[0, 0]]


def test_activation_slots_accept_keys_and_objects():
    cell = LSTM.random(1, 1, np.random.default_rng(0), candidate="relu",
                       output=get_activation("leaky_relu", 0.2))
    assert cell.candidate.key == "relu" and cell.output.name == "leaky ReLU (0.2)"
    with pytest.raises(KeyError, match="unknown activation"):
        LSTM.random(1, 1, np.random.default_rng(0), gate="nope")


@pytest.mark.parametrize("cls", [LSTM, GRU, RNN])
@pytest.mark.parametrize("scale", [-1.0, -1e-300, np.nan, np.inf, -np.inf, "abc"])
def test_random_refuses_a_scale_it_cannot_draw_with(cls, scale):
    with pytest.raises(ValueError, match="weight_scale"):
        cls.random(1, 2, np.random.default_rng(0), weight_scale=scale)


@pytest.mark.parametrize("cls", [LSTM, GRU, RNN])
@pytest.mark.parametrize(("inputs", "hidden"), [(0, 2), (1, 0), (-1, 2), (1, 2.5)])
def test_random_refuses_sizes_below_one(cls, inputs, hidden):
    with pytest.raises(ValueError, match="_size"):
        cls.random(inputs, hidden, np.random.default_rng(0))


@pytest.mark.parametrize("cls", [LSTM, GRU, RNN])
def test_a_negative_zero_scale_is_a_zero_scale(cls):
    """−0.0 passes ``0 <= scale`` and used to reach ``uniform(0.0, -0.0)``, which refuses."""
    cell = cls.random(2, 3, np.random.default_rng(0), weight_scale=-0.0)
    for value in cell.parameters().values():
        assert not value.any() and not np.signbit(value).any()


@pytest.mark.parametrize("bias", [np.nan, np.inf])
def test_lstm_random_refuses_a_forget_bias_that_is_not_finite(bias):
    with pytest.raises(ValueError, match="forget_bias"):
        LSTM.random(1, 2, np.random.default_rng(0), forget_bias=bias)
