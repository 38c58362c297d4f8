"""One unit's values at every step, named as in the cell diagram (for the Step-Through page).

``unit_values(trace, unit)`` returns name → (T,) float64 array. Besides the trace's own
quantities it holds the previous states and the two terms that meet at the ⊕ node:

LSTM  x, h_prev, c_prev, i, f, g, o, keep = f·c_prev, write = i·g, c, squashed = φ(c), h
GRU   x, h_prev, r, z, n, keep = z·h_prev, write = (1 − z)·n, h
RNN   x, h_prev, pre (the activation's input), h

``x`` is the first input feature (the diagram shows one line in).
"""

from __future__ import annotations

import numpy as np

from .trace import Trace

NODE_NAMES: dict[str, tuple[str, ...]] = {
    "LSTM": ("x", "h_prev", "c_prev", "i", "f", "g", "o", "keep", "write", "c", "squashed", "h"),
    "GRU": ("x", "h_prev", "r", "z", "n", "keep", "write", "h"),
    "RNN": ("x", "h_prev", "pre", "h"),
}
#: Node name → the trace quantity whose pre-activation it has (for "saturated" marks).
PREACTIVATION_OF: dict[str, str] = {
    "i": "input_gate", "f": "forget_gate", "g": "candidate", "o": "output_gate",
    "squashed": "cell_squashed", "r": "reset_gate", "z": "update_gate", "n": "candidate",
}


def _previous(initial: np.ndarray, states: np.ndarray) -> np.ndarray:
    return np.concatenate([initial[None], states[:-1]])


def unit_values(trace: Trace, unit: int, sequence: int = 0) -> dict[str, np.ndarray]:
    """Every diagram quantity of hidden unit ``unit`` (from 0) of one sequence, over time."""
    v = {name: arr[:, sequence, unit] for name, arr in trace.values.items()}
    h = v["hidden"]
    out = {"x": trace.x[:, sequence, 0], "h_prev": _previous(trace.h0[sequence, unit], h)}
    with np.errstate(all="ignore"):
        if trace.cell_type == "LSTM":
            c_prev = _previous(trace.c0[sequence, unit], v["cell"])
            i, f, g, o = v["input_gate"], v["forget_gate"], v["candidate"], v["output_gate"]
            out.update(c_prev=c_prev, i=i, f=f, g=g, o=o, keep=f * c_prev, write=i * g,
                       c=v["cell"], squashed=v["cell_squashed"], h=h)
        elif trace.cell_type == "GRU":
            z, n = v["update_gate"], v["candidate"]
            out.update(r=v["reset_gate"], z=z, n=n, keep=z * out["h_prev"], write=(1.0 - z) * n,
                       h=h)
        else:
            out.update(pre=trace.preactivations["hidden"][:, sequence, unit], h=h)
    return {name: np.asarray(out[name], dtype=np.float64) for name in NODE_NAMES[trace.cell_type]}
