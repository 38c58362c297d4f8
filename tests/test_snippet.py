"""The 'copy as NumPy code' script, executed, reproduces the engine's trace."""

import subprocess
import sys

import numpy as np
import pytest

from lstm_core import GRU, LSTM, RNN
from lstm_core.activations import REGISTRY
from lstm_core.expressions import custom_activation
from lstm_core.sequences import make_sequence
from lstm_core.snippet import numpy_snippet
from lstm_core.weights import hand_set_lstm

X = make_sequence("noise", 40, 2, seed=3)


def run(code: str) -> dict:
    namespace: dict = {}
    exec(compile(code, "<snippet>", "exec"), namespace)  # our own generated code, in a test
    return namespace


def check(cell, x, slope=0.01):
    trace = cell.forward(x)
    ns = run(numpy_snippet(cell, x, slope))
    # the engine sums in another order; a growing state amplifies that rounding to ~1e-10
    np.testing.assert_allclose(ns["hidden"], trace.hidden[:, 0], rtol=1e-9, atol=1e-12)
    if cell.cell_type == "LSTM":
        np.testing.assert_allclose(ns["cell"], trace.cell[:, 0], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("key", list(REGISTRY))
def test_every_activation_in_every_slot(key):
    # a scale small enough that unbounded choices stay finite (rounding would be amplified)
    rng = np.random.default_rng(0)
    check(LSTM.random(2, 3, rng, 0.5, gate=key, candidate=key, output=key), X)
    check(GRU.random(2, 3, rng, 0.5, gate=key, candidate=key), X)
    check(RNN.random(2, 3, rng, 0.5, activation=key), X)


def test_leaky_slope_and_custom_expression():
    from lstm_core.activations import get_activation

    cell = LSTM.random(2, 4, np.random.default_rng(1), candidate=get_activation("leaky_relu", 0.3))
    check(cell, X, slope=0.3)
    custom = custom_activation("where(x < 0, 0.1*x, x/(1+abs(x))) + 0*pi")
    check(RNN.random(2, 4, np.random.default_rng(2), activation=custom), X)


def test_hand_set_and_long_sequence():
    check(hand_set_lstm({}), make_sequence("remember", 500, 1, amplitude=2.0))


def test_script_runs_alone_in_a_fresh_interpreter(tmp_path):
    cell = GRU.random(2, 3, np.random.default_rng(4))
    code = numpy_snippet(cell, X) + "\nnp.save('out.npy', hidden)\n"
    (tmp_path / "run.py").write_text(code, encoding="utf-8")
    done = subprocess.run([sys.executable, "-I", "run.py"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "h_T =" in done.stdout
    np.testing.assert_allclose(np.load(tmp_path / "out.npy"), cell.forward(X).hidden[:, 0],
                               rtol=1e-12)


def test_script_has_no_project_import():
    code = numpy_snippet(LSTM.random(1, 2, np.random.default_rng(0)), X[:, :1])
    assert "lstm_core" not in code and "import numpy as np" in code
