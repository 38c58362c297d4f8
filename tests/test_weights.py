"""Loading PyTorch weights from .npz bytes, and the hand-set LSTM."""

import io
import json
from pathlib import Path

import numpy as np
import pytest

from lstm_core import GRU, LSTM, RNN, WeightShapeError
from lstm_core.weights import HAND_SET_DEFAULTS, hand_set_lstm, load_state_dict_npz

DATA = Path(__file__).parent / "data"


def npz_bytes(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


@pytest.mark.parametrize("cls", [LSTM, GRU, RNN])
def test_round_trip(cls):
    cell = cls.random(2, 3, np.random.default_rng(1))
    loaded = load_state_dict_npz(npz_bytes(**cell.to_pytorch()), cls.cell_type)
    for key, value in cell.to_pytorch().items():
        np.testing.assert_array_equal(loaded[key], value)


def test_pytorch_files_load_and_run_like_pytorch():
    """Each reference case's state_dict, saved as .npz, loads and reproduces PyTorch's output."""
    cases = json.loads((DATA / "pytorch_cells.json").read_text())["cases"]
    ref = np.load(DATA / "pytorch_cells.npz")
    for name, meta in cases.items():
        prefix = f"{name}/state/"
        state = {k[len(prefix):]: ref[k] for k in ref.files if k.startswith(prefix)}
        loaded = load_state_dict_npz(npz_bytes(**state), meta["cell"])
        cls = {"LSTM": LSTM, "GRU": GRU, "RNN": RNN}[meta["cell"]]
        extra = {"nonlinearity": meta["nonlinearity"]} if meta["cell"] == "RNN" else {}
        cell = cls.from_pytorch(loaded, **extra)
        c0 = ref[f"{name}/c0"] if f"{name}/c0" in ref.files else None
        trace = cell.forward(ref[f"{name}/x"], ref[f"{name}/h0"], c0)
        np.testing.assert_allclose(trace.hidden, ref[f"{name}/hidden"], rtol=1e-10, atol=1e-12)


def test_prefixed_keys_and_float32():
    state = {f"lstm.{k}": v.astype(np.float32)
             for k, v in LSTM.random(1, 2, np.random.default_rng(0)).to_pytorch().items()}
    loaded = load_state_dict_npz(npz_bytes(**state), "LSTM")
    assert loaded["weight_ih_l0"].dtype == np.float64 and loaded["weight_ih_l0"].shape == (8, 1)


def test_no_bias_gets_zero_bias():
    cell = LSTM.random(1, 2, np.random.default_rng(0))
    loaded = load_state_dict_npz(npz_bytes(weight_ih_l0=cell.weight_ih,
                                           weight_hh_l0=cell.weight_hh), "LSTM")
    assert not loaded["bias_ih_l0"].any()


def good():
    return LSTM.random(1, 2, np.random.default_rng(0)).to_pytorch()


@pytest.mark.parametrize("data,cell_type,needle", [
    (b"", "LSTM", "empty"),
    (b"not a zip at all", "LSTM", "not an .npz"),
    (npz_bytes(w=np.zeros(3)), "LSTM", "unexpected key w"),
    (npz_bytes(**good(), weight_ih_l1=np.zeros((8, 2))), "LSTM", "one-layer"),
    (npz_bytes(weight_ih_l0=np.zeros((8, 1))), "LSTM", "missing weight_hh_l0"),
    (npz_bytes(**{**good(), "weight_hh_l0": np.zeros((8, 3))}), "LSTM", "weight_hh must be"),
    (npz_bytes(**{**good(), "bias_ih_l0": np.zeros(5)}), "LSTM", "bias_ih must be (8,)"),
    (npz_bytes(**good()), "GRU", "look like an LSTM's weights"),
    (npz_bytes(**{**good(), "weight_ih_l0": np.array([["a"]] * 8)}), "LSTM", "numbers are needed"),
    (npz_bytes(**{**good(), "bias_hh_l0": np.full(8, np.nan)}), "LSTM", "NaN or infinite"),
    (npz_bytes(**LSTM.random(5, 2, np.random.default_rng(0)).to_pytorch()), "LSTM", "D = 5"),
    (npz_bytes(**LSTM.random(1, 17, np.random.default_rng(0)).to_pytorch()), "LSTM", "H = 17"),
])
def test_bad_files(data, cell_type, needle):
    with pytest.raises(WeightShapeError) as err:
        load_state_dict_npz(data, cell_type)
    assert needle in str(err.value)


def test_object_arrays_are_refused_not_unpickled():
    data = npz_bytes(weight_ih_l0=np.array([{"a": 1}], dtype=object), weight_hh_l0=np.zeros((4, 1)))
    with pytest.raises(WeightShapeError, match="object arrays"):
        load_state_dict_npz(data, "LSTM")


def test_zip_bomb_is_refused():
    buf = io.BytesIO()
    np.savez_compressed(buf, weight_ih_l0=np.zeros((2000, 1000)), weight_hh_l0=np.zeros((4, 1)))
    with pytest.raises(WeightShapeError, match="unpack"):
        load_state_dict_npz(buf.getvalue(), "LSTM")


def test_hand_set_by_hand():
    cell = hand_set_lstm({"w_ig": 1.0, "b_f": 0.0}, candidate="tanh")
    assert cell.weight_ih.ravel().tolist() == [HAND_SET_DEFAULTS["w_ii"], 0.0, 1.0, 0.0]
    assert cell.bias_ih.tolist() == [-2.0, 0.0, 0.0, 2.0] and not cell.bias_hh.any()
    # one step by hand: x = 1, h0 = c0 = 0
    x = 1.0
    sig = lambda z: 1 / (1 + np.exp(-z))
    i, g, o = sig(4 * x - 2), np.tanh(1.0 * x), sig(2.0)  # f multiplies c0 = 0
    c = i * g
    h = o * np.tanh(c)
    trace = cell.forward(np.array([[x]]))
    np.testing.assert_allclose(trace.cell.item(), c, rtol=1e-12)
    np.testing.assert_allclose(trace.hidden.item(), h, rtol=1e-12)
    with pytest.raises(KeyError):
        hand_set_lstm({"w_xx": 1.0})
