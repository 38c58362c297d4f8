"""Saturation boundaries, maxima, measured flags and the depth view against hand-derived values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lstm_core.activations import REGISTRY, get_activation
from lstm_core.analysis import (
    depth_products,
    logistic,
    max_abs_derivative,
    measured_properties,
    property_row,
    saturation,
    tanh_vs_rescaled_sigmoid,
    window_grid,
)


def _sigmoid_boundary(eps: float) -> float:
    # σ' = σ(1 − σ) = ε  ⇒  σ = (1 + √(1 − 4ε))/2  ⇒  x = logit(σ)
    s = (1 + math.sqrt(1 - 4 * eps)) / 2
    return math.log(s / (1 - s))


def _tanh_boundary(eps: float) -> float:
    # tanh' = 1 − t² = ε  ⇒  t = √(1 − ε)  ⇒  x = atanh(t)
    return math.atanh(math.sqrt(1 - eps))


def test_closed_forms_by_hand():
    # Worked on paper: ε = 0.025 → σ = 0.974342 → x = ln(37.974) = 3.63689; ε = 0.05 → tanh 2.17827.
    assert _sigmoid_boundary(0.025) == pytest.approx(3.63689, abs=1e-5)
    assert _tanh_boundary(0.05) == pytest.approx(2.17827, abs=1e-5)


@pytest.mark.parametrize("eps", [0.025, 0.05, 0.2])
def test_sigmoid_saturation_boundary(eps):
    region = saturation(REGISTRY["sigmoid"].d1, eps)
    a = _sigmoid_boundary(eps)
    assert len(region.bounds) == 2
    (lo0, hi0), (lo1, hi1) = region.bounds
    assert lo0 == -math.inf and hi1 == math.inf
    assert hi0 == pytest.approx(-a, abs=1e-10) and lo1 == pytest.approx(a, abs=1e-10)
    assert region.describe() == f"|x| > {a:.3g}"


@pytest.mark.parametrize("eps", [0.05, 0.5])
def test_tanh_saturation_boundary(eps):
    region = saturation(REGISTRY["tanh"].d1, eps)
    a = _tanh_boundary(eps)
    assert region.bounds[1][0] == pytest.approx(a, abs=1e-10)
    assert region.bounds[0][1] == pytest.approx(-a, abs=1e-10)


def test_saturation_of_kinked_and_never_saturating_functions():
    assert saturation(REGISTRY["relu"].d1, 0.05).describe() == "x < 0"
    assert saturation(REGISTRY["hard_tanh"].d1, 0.05).describe() == "|x| > 1"
    assert saturation(REGISTRY["identity"].d1, 0.05).describe() == "no x"
    assert saturation(get_activation("leaky_relu", 0.1).d1, 0.05).describe() == "no x"
    # ELU: e^x < ε ⇔ x < ln ε;  softsign: 1/(1+|x|)² < ε ⇔ |x| > 1/√ε − 1
    elu = saturation(REGISTRY["elu"].d1, 0.05).bounds
    assert elu == ((-math.inf, pytest.approx(math.log(0.05), abs=1e-10)),)
    soft = saturation(REGISTRY["softsign"].d1, 0.05).bounds
    assert soft[1][0] == pytest.approx(1 / math.sqrt(0.05) - 1, abs=1e-10)


def test_tanh_is_exactly_the_rescaled_sigmoid():
    x = window_grid(30.0, 1e-3)
    assert tanh_vs_rescaled_sigmoid(x) < 1e-15
    # the sigmoid used is the textbook one, not a tanh in disguise: check it against exp directly
    z = np.array([-700.0, -3.0, 0.0, 2.0, 700.0])
    np.testing.assert_allclose(logistic(z), 1 / (1 + np.exp(-np.clip(z, -700, 700))), rtol=1e-15)


def test_depth_products_for_sigmoid_are_quarter_powers():
    peak = max_abs_derivative(REGISTRY["sigmoid"].d1)
    assert peak.value == 0.25 and peak.at == pytest.approx(0.0, abs=1e-6)
    products = depth_products(peak.value, 50)
    assert products.shape == (50,)
    assert products[0] == 0.25 and products[1] == 1 / 16
    assert products[49] == pytest.approx(0.25**50, rel=1e-14)  # 7.9e-31
    assert depth_products(1.0).tolist() == [1.0] * 50


def test_depth_products_of_a_steep_activation_overflow_to_inf_without_a_warning():
    """Found by tests/test_state_space.py: ``custom=exp(exp(exp(x)))`` on the Activation Lab
    (max |f′| ≈ 10⁷) raised "overflow encountered in power" (a RuntimeWarning, an error here)."""
    products = depth_products(1e7, 50)
    assert products[0] == 1e7 and np.isinf(products[-1]) and (products > 0).all()


def test_maxima_by_hand():
    tanh = max_abs_derivative(REGISTRY["tanh"].d1)
    assert tanh.value == 1.0 and tanh.where == "x = 0"
    assert max_abs_derivative(REGISTRY["relu"].d1).where == "x > 0"
    assert max_abs_derivative(REGISTRY["hard_sigmoid"].d1).value == pytest.approx(1 / 6)
    # SiLU' has its maximum 1.0998393… at x = 2.3994 (where SiLU'' = 0), known constant
    silu = max_abs_derivative(REGISTRY["silu"].d1)
    assert silu.value == pytest.approx(1.0998393, abs=1e-7)
    assert silu.at == pytest.approx(2.39936, abs=1e-4)
    assert abs(REGISTRY["silu"].d2(np.array([silu.at]))[0]) < 1e-6
    assert max_abs_derivative(REGISTRY["softplus"].d1).where == "approached as x → ∞"


@pytest.mark.parametrize("act", list(REGISTRY.values()), ids=lambda a: a.name)
def test_measured_flags_match_declared(act):
    props = measured_properties(act.f, act.d1, act.d2)
    declared = (act.zero_centred, act.bounded, act.monotonic, act.smooth)
    assert (props.zero_centred, props.bounded, props.monotonic, props.smooth) == declared


def test_property_row_for_sigmoid():
    row = property_row(REGISTRY["sigmoid"], 0.025)
    assert row["f(0)"] == 0.5 and row["f′(0)"] == 0.25 and row["max |f′|"] == 0.25
    assert row["range"] == "(0, 1)"
    assert row["|f′| < 0.025 for"] == "|x| > 3.64"
    assert row["zero-centred"] is False and row["smooth"] is True


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("sigmoid", "(0, 1)"), ("tanh", "(−1, 1)"), ("softsign", "(−1, 1)"),
        ("softplus", "(0, ∞)"), ("elu", "(−1, ∞)"), ("hard_tanh", "[−1, 1]"),
        ("hard_sigmoid", "[0, 1]"), ("relu", "[0, ∞)"), ("leaky_relu", "(−∞, ∞)"),
        ("identity", "(−∞, ∞)"), ("silu", "[−0.2785, ∞)"), ("gelu", "[−0.17, ∞)"),
    ],
)
def test_range_is_the_mathematical_interval(key, text):
    # Decided from the formula: float64 rounds σ(40) to exactly 1, which is not attainment.
    assert property_row(REGISTRY[key], 0.025)["range"] == text


def test_range_of_flat_leaky_relu_is_closed_at_zero():
    from lstm_core.activations import leaky_relu

    assert property_row(leaky_relu(0.0), 0.025)["range"] == "[0, ∞)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # worked by hand: where each end is reached, approached, or grown past
        ("x**3", "(−∞, ∞)"), ("exp(x)", "(0, ∞)"), ("x**2", "[0, ∞)"), ("sin(x)", "[−1, 1]"),
        ("1/(1+exp(-x))", "(0, 1)"), ("tanh(x)", "(−1, 1)"), ("clip(x, -1, 1)", "[−1, 1]"),
        ("maximum(x, 0)", "[0, ∞)"), ("minimum(x, 1)", "(−∞, 1]"), ("-abs(x)", "(−∞, 0]"),
        ("x**2/(1+x**2)", "[0, 1)"), ("1/(1+x**2)", "(0, 1]"), ("exp(-x**2)", "(0, 1]"),
        ("x*exp(-x**2)", "[−0.4289, 0.4289]"), ("cosh(x)", "[1, ∞)"),
        # a bound only crept up to by 10^6 (1 − 10^−6 there) is the limit, not the last sample
        ("x/(1+abs(x))", "(−1, 1)"), ("1-1/sqrt(1+abs(x))", "[0, 1)"),
        # the sampled extremes of these are ±1e5…1e6 (or ±5e4 near a pole): never a range
        ("x*sin(x)", "(−∞, ∞)"), ("x*sign(sin(x))", "(−∞, ∞)"), ("log(abs(x))*sin(x)", "(−∞, ∞)"),
        ("1/x", "(−∞, ∞)"), ("tan(x)", "(−∞, ∞)"), ("1/sqrt(abs(x))", "(0, ∞)"),
        # a bound that really is 10^6 stays one, and a tall peak between grid points is found
        ("where(x < 0, 1e6*x/(1+abs(x)), 0)", "(−1e+06, 0]"),
        ("1/((x-0.0005)**2+1e-12)", "(0, 1e+12]"),
    ],
)
def test_custom_range_is_the_mathematical_interval(text, expected):
    from lstm_core.expressions import custom_activation

    assert property_row(custom_activation(text), 0.025)["range"] == expected
