"""'Copy as NumPy code': a short, self-contained script that reproduces one run exactly.

``numpy_snippet(cell, x, leaky_slope)`` writes plain NumPy (no LSTM Lens import): the
activations, the weights and the inputs as literals (``repr`` keeps every float64 bit), then
the cell's equations in a loop. Running it leaves ``hidden`` (T, H) — and for an LSTM ``cell``
(T, H) — equal to the engine's trace for the same run.
"""

from __future__ import annotations

import ast

import numpy as np

from .cells import RecurrentCell
from .expressions import FUNCTIONS, parse_expression

#: Registry key → the body of ``def <name>(x): return <body>``, the same formula as the engine.
_BODIES = {
    "sigmoid": "0.5 + 0.5 * np.tanh(0.5 * x)",
    "tanh": "np.tanh(x)",
    "hard_sigmoid": "np.clip(x / 6.0 + 0.5, 0.0, 1.0)",
    "hard_tanh": "np.clip(x, -1.0, 1.0)",
    "relu": "np.maximum(x, 0.0)",
    "leaky_relu": "np.where(x > 0.0, x, {slope!r} * x)",
    "elu": "np.where(x > 0.0, x, np.expm1(np.minimum(x, 0.0)))",
    "softsign": "x / (1.0 + np.abs(x))",
    "silu": "x * (0.5 + 0.5 * np.tanh(0.5 * x))",
    "gelu": "0.5 * x * (1.0 + np.tanh({k!r} * (x + 0.044715 * x**3)))",
    "softplus": "np.logaddexp(0.0, x)",
    "identity": "x",
}
_CUSTOM_HELPERS = {
    "sigmoid": "lambda z: 0.5 + 0.5 * np.tanh(0.5 * z)",
    "softplus": "lambda z: np.logaddexp(0.0, z)",
    "relu": "lambda z: np.maximum(z, 0.0)",
}

_STEP = {
    "LSTM": """\
    z = W_ih @ x_t + b_ih + W_hh @ h + b_hh        # (4H,) stacked i, f, g, o
    i, f, g, o = z[:H], z[H:2*H], z[2*H:3*H], z[3*H:]
    i, f, g, o = {gate}(i), {gate}(f), {candidate}(g), {gate}(o)
    c = f * c + i * g                                # keep some, write some
    h = o * {output}(c)                              # show a squashed view
    hidden[t], cell[t] = h, c""",
    "GRU": """\
    a = W_ih @ x_t + b_ih                            # (3H,) stacked r, z, n
    b = W_hh @ h + b_hh
    r = {gate}(a[:H] + b[:H])
    z = {gate}(a[H:2*H] + b[H:2*H])
    n = {candidate}(a[2*H:] + r * b[2*H:])
    h = (1.0 - z) * n + z * h                        # mix new and old
    hidden[t] = h""",
    "RNN": """\
    h = {activation}(W_ih @ x_t + b_ih + W_hh @ h + b_hh)
    hidden[t] = h""",
}


def _array(values: np.ndarray) -> str:
    """A NumPy literal that rebuilds ``values`` bit for bit."""
    return f"np.array({np.asarray(values, dtype=np.float64).tolist()!r})"


def _function(name: str, key: str, activation_name: str, leaky_slope: float) -> str:
    if key == "custom":
        text = activation_name.removeprefix("custom: ")
        parse_expression(text)  # the whitelist again: only checked expressions become code
        used = {n.id for n in ast.walk(ast.parse(text, mode="eval")) if isinstance(n, ast.Name)}
        binds = [f"{fn} = {_CUSTOM_HELPERS.get(fn, f'np.{FUNCTIONS[fn][0].__name__}')}"
                 for fn in sorted(used & set(FUNCTIONS))]
        binds += [f"{c} = np.{c}" for c in sorted(used & {"pi", "e"})]
        lines = [f"def {name}(x):  # custom: {_one_line(text)}"] + [f"    {b}" for b in binds]
        lines.append(f"    return np.asarray(({text}), dtype=float) + 0.0 * x")
        return "\n".join(lines)
    body = _BODIES[key].format(slope=float(leaky_slope), k=float(np.sqrt(2.0 / np.pi)))
    return f"def {name}(x):\n    return {body}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def numpy_snippet(cell: RecurrentCell, x: np.ndarray, leaky_slope: float = 0.01) -> str:
    """Plain-NumPy code reproducing ``cell.forward(x)`` (h₀ = c₀ = 0) for a (T, D) input ``x``."""
    x = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
    kind = cell.cell_type
    names = {slot: f"{slot}_fn" for slot in cell.slots}
    functions = "\n\n".join(
        _function(names[slot], act.key, act.name, leaky_slope)
        for slot, act in cell.activations.items()
    )
    params = cell.parameters()
    slots_text = ", ".join(
        f"{slot} = {_one_line(act.name)}" for slot, act in cell.activations.items()
    )
    header = [
        f"# One {kind} run from LSTM Lens: {slots_text}.",
        f"# x is (T, D) = {x.shape}; weights use PyTorch's layout; h0 = 0"
        + (" and c0 = 0." if kind == "LSTM" else "."),
        "import numpy as np",
        "",
        functions,
        "",
        f"W_ih = {_array(params['weight_ih'])}",
        f"W_hh = {_array(params['weight_hh'])}",
        f"b_ih = {_array(params['bias_ih'])}",
        f"b_hh = {_array(params['bias_hh'])}",
        f"x = {_array(x)}",
        "",
        f"T, H = len(x), {cell.hidden_size}",
        "h = np.zeros(H)",
        "hidden = np.zeros((T, H))",
    ]
    if kind == "LSTM":
        header += ["c = np.zeros(H)", "cell = np.zeros((T, H))"]
    loop = ["with np.errstate(all='ignore'):  # an unbounded activation may overflow",
            "  for t, x_t in enumerate(x):"]
    step = _STEP[kind].format(**names).replace("\n    ", "\n      ")
    loop.append("  " + step)
    tail = ["", "print('h_T =', hidden[-1])"]
    return "\n".join(header + loop + tail) + "\n"
