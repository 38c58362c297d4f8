"""The activation registry: derivatives vs finite differences, hand values, no FP warnings."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lstm_core.activations import REGISTRY, get_activation, leaky_relu
from lstm_core.analysis import measured_interval, measured_range

KINKS = {
    "hard_sigmoid": (-3.0, 3.0), "hard_tanh": (-1.0, 1.0), "relu": (0.0,), "leaky_relu": (0.0,),
    "elu": (0.0,), "softsign": (0.0,),
}
ALL = [*REGISTRY.values(), leaky_relu(0.2)]


def _away_from_kinks(key: str, x: np.ndarray, margin: float = 1e-3) -> np.ndarray:
    keep = np.ones_like(x, dtype=bool)
    for k in KINKS.get(key, ()):
        keep &= np.abs(x - k) > margin
    return x[keep]


@pytest.mark.parametrize("act", ALL, ids=lambda a: a.name)
def test_first_derivative_matches_central_difference(act):
    x = _away_from_kinks(act.key, np.linspace(-8, 8, 1601) + 1.234e-4)
    h = 1e-6
    numeric = (act.f(x + h) - act.f(x - h)) / (2 * h)
    np.testing.assert_allclose(act.d1(x), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("act", ALL, ids=lambda a: a.name)
def test_second_derivative_matches_difference_of_first(act):
    x = _away_from_kinks(act.key, np.linspace(-8, 8, 1601) + 1.234e-4)
    h = 1e-6
    numeric = (act.d1(x + h) - act.d1(x - h)) / (2 * h)
    np.testing.assert_allclose(act.d2(x), numeric, rtol=1e-5, atol=1e-7)


def test_hand_values():
    s, t = REGISTRY["sigmoid"], REGISTRY["tanh"]
    zero = np.zeros(1)
    assert s.f(zero)[0] == 0.5 and s.d1(zero)[0] == 0.25 and s.d2(zero)[0] == 0.0
    assert t.f(zero)[0] == 0.0 and t.d1(zero)[0] == 1.0
    # σ(ln 3) = 3/4, σ'(ln 3) = 3/16
    assert s.f(np.array([math.log(3)]))[0] == pytest.approx(0.75, abs=1e-15)
    assert s.d1(np.array([math.log(3)]))[0] == pytest.approx(3 / 16, abs=1e-15)
    # softplus(0) = ln 2; softsign(1) = 1/2; ELU(−ln 2) = −1/2
    assert REGISTRY["softplus"].f(zero)[0] == pytest.approx(math.log(2), abs=1e-15)
    assert REGISTRY["softsign"].f(np.array([1.0]))[0] == 0.5
    assert REGISTRY["elu"].f(np.array([-math.log(2)]))[0] == pytest.approx(-0.5, abs=1e-15)
    # SiLU(1) = σ(1) = 1/(1+e^-1); SiLU'(0) = 1/2
    assert REGISTRY["silu"].f(np.array([1.0]))[0] == pytest.approx(1 / (1 + math.exp(-1)))
    assert REGISTRY["silu"].d1(zero)[0] == 0.5
    # tanh-approx GELU(1) = ½(1 + tanh(√(2/π)·1.044715)) = 0.841191990607…
    assert REGISTRY["gelu"].f(np.array([1.0]))[0] == pytest.approx(0.8411919906082768, 1e-12)
    assert REGISTRY["gelu"].d1(zero)[0] == 0.5
    assert REGISTRY["hard_sigmoid"].f(np.array([1.5]))[0] == 0.75


def test_kink_subgradients_follow_pytorch():
    at = np.array([0.0])
    assert REGISTRY["relu"].d1(at)[0] == 0.0
    assert get_activation("leaky_relu", 0.3).d1(at)[0] == 0.3
    assert REGISTRY["hard_tanh"].d1(np.array([-1.0, 1.0])).tolist() == [0.0, 0.0]
    assert REGISTRY["hard_sigmoid"].d1(np.array([-3.0, 3.0])).tolist() == [0.0, 0.0]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("act", ALL, ids=lambda a: a.name)
def test_no_floating_point_warnings_at_large_inputs(act, dtype):
    x = np.array([-1e4, -1000, -89, -30, 0, 30, 89, 1000, 1e4], dtype=dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for g in (act.f, act.d1, act.d2):
            assert np.all(np.isfinite(g(x)))


def test_sigmoid_far_out():
    s = REGISTRY["sigmoid"]
    with np.errstate(over="raise", under="ignore"):
        assert s.f(np.array([-1000.0]))[0] == 0.0
        assert s.f(np.array([1000.0]))[0] == 1.0
        low = s.f(np.array([-89.0], dtype=np.float32))[0]
    assert 0.0 <= low < 1e-30


@pytest.mark.parametrize("act", ALL, ids=lambda a: a.name)
def test_declared_range_matches_measured(act):
    lo, hi = measured_range(act.f)
    d_lo, d_hi = act.output_range
    # The declared range is the closure of the set of values: measured values lie inside it
    # and come within 1e-5 of each finite end (±inf when the function keeps growing).
    assert lo >= d_lo - 1e-12 and hi <= d_hi + 1e-12
    for measured, declared in ((lo, d_lo), (hi, d_hi)):
        if math.isinf(declared):
            assert measured == declared
        else:
            assert measured == pytest.approx(declared, abs=1e-5)


@pytest.mark.parametrize("act", ALL, ids=lambda a: a.name)
def test_measured_range_ends_are_closed_where_the_formula_says(act):
    # measured from samples alone: attained inside or on a plateau, or only approached
    _, closed = measured_interval(act.f)
    assert closed == tuple(c and math.isfinite(e) for c, e in
                           zip(act.range_closed, act.output_range, strict=True))


def test_gelu_minimum_is_declared_exactly():
    # GELU (tanh approx.): minimum ≈ −0.170041 near x ≈ −0.7525, below the often-quoted −0.17.
    x = np.linspace(-0.76, -0.745, 150_001)
    assert REGISTRY["gelu"].f(x).min() == pytest.approx(REGISTRY["gelu"].output_range[0], abs=1e-12)


def test_leaky_relu_reads_negative_zero_as_zero_and_refuses_non_finite_slopes():
    act = leaky_relu(-0.0)
    assert act.name == "leaky ReLU (0)" and "-0" not in act.latex
    for slope in (float("nan"), float("inf")):
        with pytest.raises(ValueError, match="slope"):
            leaky_relu(slope)


@pytest.mark.parametrize("key", list(REGISTRY))
def test_the_derivative_written_into_an_array_has_the_same_bits(key):
    act = REGISTRY[key]
    x = np.concatenate([np.linspace(-8.0, 8.0, 161), [0.0, -0.0, 1e300, -1e300, np.inf, np.nan]])
    with np.errstate(all="ignore"):
        y = act(x)
        out = np.full_like(x, 7.0)
        assert act.derivative_given_output(x, y, out=out) is out
        np.testing.assert_array_equal(out, act.derivative_given_output(x, y), strict=True)


def test_hard_tanh_derivative_against_finite_differences_and_at_the_kinks():
    """The engine's hard tanh′ (both the plain and the buffer form backprop uses) is the finite
    difference of hard tanh away from ±1, PyTorch's 0 at ±1 (and 1 just inside), 0 for NaN, and
    float64 bits 0.0 / 1.0 whatever the input's dtype."""
    hard = REGISTRY["hard_tanh"]
    x = np.concatenate([np.linspace(-3.0, 3.0, 6001), [-1.0, 1.0, -0.0, np.inf, -np.inf]])
    away = np.abs(np.abs(x) - 1.0) > 1e-3
    step = 1e-6
    numeric = (hard.f(x[away] + step) - hard.f(x[away] - step)) / (2 * step)
    np.testing.assert_allclose(hard.d1(x[away]), numeric, rtol=0, atol=1e-6)
    assert hard.d1(np.array([-1.0, 1.0])).tolist() == [0.0, 0.0]
    inside = np.nextafter(np.array([-1.0, 1.0]), 0.0)
    assert hard.d1(inside).tolist() == [1.0, 1.0]
    assert hard.d1(np.array([np.nan]))[0] == 0.0
    reference = np.where((x > -1.0) & (x < 1.0), 1.0, 0.0)  # the former mask, bit for bit
    np.testing.assert_array_equal(hard.d1(x), reference)
    out = np.full_like(x, 7.0)
    assert hard.derivative_given_output(x, hard.f(x), out=out) is out
    np.testing.assert_array_equal(out, reference)
    np.testing.assert_array_equal(hard.derivative_given_output(x, hard.f(x)), reference)
    assert hard.d1(x.astype(np.float32)).dtype == np.float64
    sig = REGISTRY["hard_sigmoid"]
    np.testing.assert_array_equal(sig.d1(x), np.where((x > -3.0) & (x < 3.0), 1.0 / 6.0, 0.0))


def test_hard_tanh_backprop_through_a_cell_matches_finite_differences():
    """An LSTM with hard tanh candidate and output: BPTT (which uses the buffer form of hard
    tanh′) against central differences of the loss."""
    from lstm_core.cells import LSTM

    rng = np.random.default_rng(3)
    cell = LSTM.random(2, 3, rng, weight_scale=2.0, candidate="hard_tanh", output="hard_tanh")
    inputs = rng.normal(size=(12, 2, 2))
    trace = cell.forward(inputs)
    weights = rng.normal(size=trace.hidden.shape)
    grads = cell.backward(trace, weights)
    w, step = cell.weight_hh, 1e-6
    for index in [(0, 0), (5, 1), (9, 2)]:
        bumped = [w.copy(), w.copy()]
        bumped[0][index] += step
        bumped[1][index] -= step
        up, down = (float(np.sum(cell.with_parameters(weight_hh=b).forward(inputs).hidden
                                 * weights)) for b in bumped)
        assert grads.weight_hh[index] == pytest.approx((up - down) / (2 * step), abs=1e-6)
