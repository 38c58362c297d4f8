"""The custom-activation evaluator: attacks are refused or harmless, valid input is exact."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_core.expressions import (
    MAX_CHARS,
    CompiledExpression,
    ExpressionError,
    custom_activation,
    parse_expression,
)

ATTACKS = [
    "__import__('os').system('touch p')",
    "x.tofile('p')",
    "().__class__.__bases__",
    "(lambda: 1)()",
    "9**9**9",
    "'a'*10**9",
    "tanh(x, x)",
    "x[0]",
    "(" * 1000 + "x" + ")" * 1000,
    "x" * 100_000,
    "ｘ",
    "exp(x, out=x)",
    "exp(*[x])",
    "open('p', 'w')",
    "x if x else x",
    "[x for x in ()]",
    "x.__class__",
    "x < 0",
    "where(0 < x < 1, x, 0)",
    "where(x == 0, 1, 0)",
    "True + x",
    "1e309",
    "10**1000000",
    "1234567.0 * x",
    "np.exp(x)",
    "tanh",
    "y",
    "-" * 150 + "x",
    "x\x00",
    "",
    "   ",
]


@pytest.fixture
def clean_dirs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    yield [tmp_path, Path("/tmp")]
    for folder in (tmp_path, Path("/tmp")):
        assert not (folder / "p").exists(), f"a file 'p' was written in {folder}"


@pytest.mark.parametrize("text", ATTACKS, ids=lambda t: repr(t[:25]))
def test_attacks_are_refused_or_harmless(text, clean_dirs):
    start = time.thread_time()  # CPU time: a hang guard that a loaded machine must not trip
    try:
        expr = parse_expression(text)
    except ExpressionError as why:
        message = str(why)
        assert "\n" not in message and "allowed: x, numbers" in message
    else:  # only pure arithmetic may get through, and it must come back at once as floats
        values = expr(np.array([-2.0, 0.5, 3.0]))
        assert values.dtype == np.float64 and values.shape == (3,)
    assert time.thread_time() - start < 0.5


def test_huge_power_is_inf_not_a_hang():
    start = time.thread_time()  # CPU time: a hang guard that a loaded machine must not trip
    values = parse_expression("9**9**9 + x*0")(np.zeros(4))
    assert np.all(values == np.inf)
    assert np.all(np.isinf(parse_expression("x**100000")(np.array([10.0, -10.0]))))
    assert time.thread_time() - start < 0.2


def test_positional_out_cannot_overwrite_input():
    x = np.array([0.1, 0.2])
    with pytest.raises(ExpressionError, match="exactly 1 argument"):
        parse_expression("tanh(x, x)")
    parse_expression("tanh(x)")(x)
    assert x.tolist() == [0.1, 0.2]


def test_input_array_is_never_modified():
    x = np.array([1.0, -2.0, 3.0], dtype=np.float32)
    out = parse_expression("x*2 + exp(x)")(x)
    assert x.tolist() == [1.0, -2.0, 3.0] and out.dtype == np.float64


def test_length_and_non_ascii_messages():
    with pytest.raises(ExpressionError, match=f"longer than {MAX_CHARS}"):
        parse_expression("x+" * 101)
    with pytest.raises(ExpressionError, match="ASCII"):
        parse_expression("ｘ + 1")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("x/(1+abs(x))", lambda x: x / (1 + np.abs(x))),
        ("2*sigmoid(2*x) - 1", lambda x: np.tanh(x)),
        ("maximum(x, 0.1*x)", lambda x: np.where(x > 0, x, 0.1 * x)),
        ("clip(x, -1, 1)", lambda x: np.clip(x, -1, 1)),
        ("where(x <= 0, exp(x) - 1, x)", lambda x: np.where(x <= 0, np.expm1(x), x)),
        ("-x**2", lambda x: -(x**2)),  # ** binds tighter than unary minus, as in Python
        ("2**-1 * x", lambda x: 0.5 * x),
        ("sin(pi*x) + cos(x)/e", lambda x: np.sin(np.pi * x) + np.cos(x) / np.e),
        ("log(1 + exp(x))", lambda x: np.log1p(np.exp(x))),
        ("3", lambda x: np.full_like(x, 3.0)),
    ],
)
def test_values_match_numpy(text, expected):
    x = np.linspace(-4, 4, 81)
    np.testing.assert_allclose(parse_expression(text)(x), expected(x), rtol=1e-12, atol=1e-14)


def test_hand_values():
    f = parse_expression("x/(1+abs(x))")
    assert f(np.array([1.0, -3.0])).tolist() == [0.5, -0.75]
    assert parse_expression("2**10")(np.zeros(1))[0] == 1024.0


def test_custom_derivatives_against_analytic():
    act = custom_activation("x/(1+abs(x))")  # softsign: f' = 1/(1+|x|)², f'' = −2 sign(x)/(1+|x|)³
    x = np.concatenate((np.linspace(-6, -0.05, 60), np.linspace(0.05, 6, 60)))
    np.testing.assert_allclose(act.d1(x), 1 / (1 + np.abs(x)) ** 2, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(
        act.d2(x), -2 * np.sign(x) / (1 + np.abs(x)) ** 3, rtol=1e-5, atol=1e-6
    )
    assert act.custom and act.key == "custom" and act.name == "custom: x/(1+abs(x))"


def test_custom_derivatives_at_large_x():
    act = custom_activation("x**3")
    x = np.array([-300.0, 1000.0])
    np.testing.assert_allclose(act.d1(x), 3 * x**2, rtol=1e-8)
    np.testing.assert_allclose(act.d2(x), 6 * x, rtol=1e-4)


@pytest.mark.parametrize(
    "text, lo, hi, zero_centred, bounded, monotonic, smooth",
    [
        ("x/(1+abs(x))", -1.0, 1.0, True, True, True, False),  # f'' jumps at 0
        ("tanh(x)", -1.0, 1.0, True, True, True, True),
        ("maximum(x, 0)", 0.0, np.inf, False, False, True, False),
        ("x**2", 0.0, np.inf, False, False, False, True),
        ("sin(x)", -1.0, 1.0, True, True, False, True),
        ("exp(x)", 0.0, np.inf, False, False, True, True),
        ("-x**3", -np.inf, np.inf, True, False, True, True),
    ],
)
def test_custom_flags_are_measured(text, lo, hi, zero_centred, bounded, monotonic, smooth):
    act = custom_activation(text)
    assert act.output_range[0] == pytest.approx(lo, abs=1e-5)
    assert act.output_range[1] == pytest.approx(hi, abs=1e-5)
    assert (act.zero_centred, act.bounded, act.monotonic, act.smooth) == (
        zero_centred, bounded, monotonic, smooth,
    )


def test_custom_without_finite_values_is_refused():
    with pytest.raises(ExpressionError, match="no finite value"):
        custom_activation("log(-1 - x*x)")


ALPHABET = "x0123456789.+-*/()<>=, eaimnoprstwhlcbqg_[]'\"" + "\x00ｘ"


@settings(max_examples=400, deadline=200)
@given(st.text(alphabet=ALPHABET, max_size=60))
def test_fuzz_only_expression_errors(text):
    try:
        expr = parse_expression(text)
    except ExpressionError:
        return
    assert isinstance(expr, CompiledExpression)
    values = expr(np.linspace(-3, 3, 7))
    assert values.shape == (7,) and values.dtype == np.float64


TOKENS = ["x", "1", "2.5", "+", "-", "*", "/", "**", "(", ")", "exp(", "tanh(", "where(x<0,",
          "maximum(", ",", "clip(", "abs(", "9**9**9", "1e6"]


@settings(max_examples=400, deadline=200)
@given(st.lists(st.sampled_from(TOKENS), max_size=40))
def test_fuzz_token_soup(tokens):
    text = "".join(tokens)
    try:
        expr = parse_expression(text)
    except ExpressionError:
        return
    expr(np.linspace(-3, 3, 7))


def test_no_file_was_written_anywhere_in_cwd():
    assert not Path(os.getcwd(), "p").exists()
