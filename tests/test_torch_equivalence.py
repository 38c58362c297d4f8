"""Optional: the engine against a live ``torch.nn`` (float64). Skipped where torch is absent."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_core import GRU, LSTM, RNN

torch = pytest.importorskip("torch")

MODULES = [
    (LSTM, lambda d, h: torch.nn.LSTM(d, h), {}),
    (GRU, lambda d, h: torch.nn.GRU(d, h), {}),
    (RNN, lambda d, h: torch.nn.RNN(d, h, nonlinearity="tanh"), {"nonlinearity": "tanh"}),
    (RNN, lambda d, h: torch.nn.RNN(d, h, nonlinearity="relu"), {"nonlinearity": "relu"}),
]


@pytest.mark.parametrize(("cls", "make", "kwargs"), MODULES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_torch(cls, make, kwargs, seed):
    torch.manual_seed(seed)
    steps, batch, size_in, size = 7, 3, 2, 5
    module = make(size_in, size).double()
    state = {k: v.detach().numpy() for k, v in module.state_dict().items()}
    cell = cls.from_pytorch(state, **kwargs)
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(steps, batch, size_in))
    h0 = rng.normal(size=(batch, size))
    c0 = rng.normal(size=(batch, size))
    d_hidden = rng.normal(size=(steps, batch, size))

    tx = torch.tensor(x, requires_grad=True)
    th0 = torch.tensor(h0[None], requires_grad=True)
    tc0 = torch.tensor(c0[None], requires_grad=True)
    out, _ = module(tx, (th0, tc0)) if cls is LSTM else module(tx, th0)
    (out * torch.tensor(d_hidden)).sum().backward()

    trace = cell.forward(x, h0, c0 if cls is LSTM else None)
    grads = cell.backward(trace, d_hidden)
    np.testing.assert_allclose(trace.hidden, out.detach().numpy(), atol=1e-10)
    np.testing.assert_allclose(grads.x, tx.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(grads.h0, th0.grad.numpy()[0], atol=1e-10)
    if cls is LSTM:
        np.testing.assert_allclose(grads.c0, tc0.grad.numpy()[0], atol=1e-10)
    for name, param in module.named_parameters():
        ours = getattr(grads, name.removesuffix("_l0"))
        np.testing.assert_allclose(ours, param.grad.numpy(), atol=1e-10, err_msg=name)
