"""LSTM, GRU and plain RNN cells with PyTorch's equations and parameter layout.

All three share one shape of API (flax-style small dataclasses whose activations are fields):

* ``Cell.from_pytorch(state_dict)`` / ``Cell.random(input_size, hidden_size, rng, ...)``
* ``cell.step(x_t, h_prev[, c_prev])`` — one step, written for reading (the reference)
* ``cell.forward(x, h0=None, c0=None, workspace=None) -> Trace`` — the fast sequence runner
* ``cell.backward(trace, d_hidden, d_final_hidden=None, d_final_cell=None, workspace=None,
  input_gradient=True) -> Gradients``

Shapes: x is (T, B, D) (a (T, D) or (T,) input is read as one sequence, B = 1); every per-step
array in a trace is (T, B, H). Weights are stacked by gate exactly as in ``torch.nn``:
``weight_ih`` (G·H, D), ``weight_hh`` (G·H, H), ``bias_ih`` and ``bias_hh`` (G·H,), with the gate
blocks in the order LSTM (i, f, g, o), GRU (r, z, n), RNN (one block).

Model stack: the parameters may carry leading axes S (e.g. ``weight_hh`` (S, G·H, H)); the cell is
then S independent models run together, with x (T, S, B, D) and every per-step array
(T, S, B, H). The same code runs both (``np.matmul`` broadcasts over S), so one step costs about
as many NumPy calls for S models as for one. The models never mix: each has its own weights
(not a block-diagonal matrix, where 0 · inf = NaN would leak one model's overflow into the rest).

Workspace: a runner given a :class:`Workspace` writes its per-step arrays into the workspace's
arrays instead of new ones, so a training loop allocates no large arrays per step (a freed array
of ≳ 200 kB can go back to the OS and be page-faulted in again at the next allocation). Per-step
arrays that feed a weight gradient are stored model by model, so their rows need no copy.

Floating-point warnings are silenced inside the runners on purpose: with unbounded activations a
state can overflow, and that is reported as data (``Trace.blowup_step``), not as log noise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import ClassVar

import numpy as np

from i18n import Text

from .activations import RELU, SIGMOID, TANH, Activation, resolve
from .trace import Gradients, Trace

PYTORCH_KEYS = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
PARAMETER_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


class WeightShapeError(ValueError):
    """Weights that do not fit the cell (wrong keys, shapes or dtypes)."""


class Workspace:
    """The arrays a runner reuses from one call to the next, one per name. What a call returns
    (trace, gradients) lives in them, so the next call with the same workspace overwrites it."""

    def __init__(self) -> None:
        self._arrays: dict[str, np.ndarray] = {}

    def empty(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """An uninitialised float64 array of ``shape``: the one of the last call for ``name``."""
        array = self._arrays.get(name)
        if array is None or array.shape != shape:
            array = self._arrays[name] = np.empty(shape)
        return array


class _Fresh(Workspace):
    """No workspace: every array is new, so what a runner returns stays valid."""

    def empty(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        return np.empty(shape)


FRESH = _Fresh()


@dataclass(frozen=True)
class RecurrentCell:
    """Parameters and activation slots shared by every cell type."""

    weight_ih: np.ndarray
    weight_hh: np.ndarray
    bias_ih: np.ndarray
    bias_hh: np.ndarray

    cell_type: ClassVar[str] = ""
    equations: ClassVar[tuple[str, ...]] = ()
    gate_blocks: ClassVar[int] = 1
    block_names: ClassVar[tuple[str, ...]] = ()
    slots: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        for slot in self.slots:
            object.__setattr__(self, slot, resolve(getattr(self, slot)))
        for name in PARAMETER_NAMES:
            object.__setattr__(self, name, np.asarray(getattr(self, name), dtype=np.float64))
        _check_shapes(self.gate_blocks, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)

    # --- construction -----------------------------------------------------------------------

    @classmethod
    def from_pytorch(cls, state: Mapping[str, np.ndarray], **activations: Activation | str):
        """Build from a one-layer ``nn.LSTM/GRU/RNN.state_dict()`` whose values are NumPy arrays.

        A state dict without biases (``bias=False``) gets zero biases.
        """
        missing = [k for k in PYTORCH_KEYS[:2] if k not in state]
        if missing:
            raise WeightShapeError(Text(
                "missing {missing}; expected the keys of a one-layer nn.{cell}.state_dict(): "
                "{keys}", missing=", ".join(missing), cell=cls.cell_type,
                keys=", ".join(PYTORCH_KEYS),
            ))
        arrays = {}
        for key in PYTORCH_KEYS:
            if key not in state:
                continue
            arr = np.asarray(state[key])
            if arr.dtype.kind not in "fiu":
                raise WeightShapeError(Text("{key} holds {dtype} values; numbers are needed",
                                            key=key, dtype=str(arr.dtype)))
            arrays[key] = arr.astype(np.float64)
        rows = arrays["weight_ih_l0"].shape[0]
        zeros = np.zeros(rows)
        return cls(
            arrays["weight_ih_l0"],
            arrays["weight_hh_l0"],
            arrays.get("bias_ih_l0", zeros),
            arrays.get("bias_hh_l0", zeros),
            **activations,
        )

    @classmethod
    def random(
        cls,
        input_size: int,
        hidden_size: int,
        rng: np.random.Generator,
        weight_scale: float = 1.0,
        **activations: Activation | str,
    ):
        """PyTorch's initialisation U(−k, k), k = weight_scale / √H, for every parameter.

        Raises ``ValueError`` for sizes below 1 or a ``weight_scale`` that is negative or not
        finite (−0.0 counts as 0.0).
        """
        for name, size in (("input_size", input_size), ("hidden_size", hidden_size)):
            if int(size) != size or size < 1:
                raise ValueError(f"{name} must be a whole number ≥ 1, got {size!r}")
        weight_scale = _finite(weight_scale, "weight_scale")
        if weight_scale < 0:
            raise ValueError(f"weight_scale must be ≥ 0, got {weight_scale!r}")
        bound = weight_scale / np.sqrt(hidden_size)
        rows = cls.gate_blocks * hidden_size
        shapes = [(rows, input_size), (rows, hidden_size), (rows,), (rows,)]
        params = [rng.uniform(-bound, bound, size=shape) for shape in shapes]
        return cls(*params, **activations)

    def to_pytorch(self) -> dict[str, np.ndarray]:
        """The parameters under the keys of a one-layer PyTorch ``state_dict()``."""
        return dict(zip(PYTORCH_KEYS, (p.copy() for p in self.parameters().values()), strict=True))

    # --- shared helpers ---------------------------------------------------------------------

    @property
    def hidden_size(self) -> int:
        return self.weight_hh.shape[-1]

    @property
    def input_size(self) -> int:
        return self.weight_ih.shape[-1]

    @property
    def stack_shape(self) -> tuple[int, ...]:
        """The leading model-stack axes of the parameters: () for one model, (S,) for S."""
        return self.weight_hh.shape[:-2]

    @property
    def activations(self) -> dict[str, Activation]:
        return {slot: getattr(self, slot) for slot in self.slots}

    def parameters(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name) for name in PARAMETER_NAMES}

    def with_parameters(self, **params: np.ndarray):
        """A copy with some parameters replaced (activations kept)."""
        return replace(self, **params)

    def block(self, array: np.ndarray, name: str) -> np.ndarray:
        """The slice of a stacked (…, G·H) array that belongs to gate block ``name``."""
        k, size = self.block_names.index(name), self.hidden_size
        return array[..., k * size : (k + 1) * size]

    def _prepare(self, x, h0, c0=None):
        x = np.asarray(x, dtype=np.float64)
        stack = self.stack_shape
        if not stack and x.ndim == 1:
            x = x[:, None, None]
        elif not stack and x.ndim == 2:
            x = x[:, None, :]
        if x.shape[1:-2] != stack or x.ndim != 3 + len(stack) or x.shape[-1] != self.input_size:
            lead = "".join(f"{n}, " for n in stack)
            one = "" if stack else f" or (T, {self.input_size})"
            raise ValueError(
                f"x must be (T, {lead}B, {self.input_size}){one}; got {x.shape}"
            )
        state_shape = (*x.shape[1:-1], self.hidden_size)
        h0 = np.zeros(state_shape) if h0 is None else np.broadcast_to(h0, state_shape).astype(float)
        c0 = np.zeros(state_shape) if c0 is None else np.broadcast_to(c0, state_shape).astype(float)
        return x, h0, c0

    def _project(self, x: np.ndarray, bias: np.ndarray, workspace: Workspace) -> np.ndarray:
        """x_t W_ihᵀ + bias for every step at once, off the recurrence path: (T, *S, B, G·H)."""
        projection = workspace.empty("projection", (*x.shape[:-1], self.weight_ih.shape[-2]))
        # a contiguous Wᵀ: the same products, about twice as fast as the transposed view
        np.matmul(x, np.ascontiguousarray(self.weight_ih.mT), out=projection)
        # the bias repeated over the batch first: the sum then runs over T contiguous blocks
        projection += np.broadcast_to(over_batch(bias), projection.shape[1:]).copy()
        return projection

    def _weight_gradients(self, d_input_side, d_hidden_side, x, h_prev, input_gradient=True):
        """∂L/∂W from the per-step gradients of the stacked pre-activations (summed over steps
        and sequences, separately for each model of a stack); ∂L/∂x only if ``input_gradient``."""
        d_input_rows = model_rows(d_input_side)
        bias_ih = d_input_rows.sum(axis=-2)
        if d_hidden_side is d_input_side:  # LSTM and RNN: one pre-activation for both sides
            d_hidden_rows, bias_hh = d_input_rows, bias_ih.copy()
        else:
            d_hidden_rows = model_rows(d_hidden_side)
            bias_hh = d_hidden_rows.sum(axis=-2)
        return dict(
            weight_ih=d_input_rows.mT @ model_rows(x),
            weight_hh=d_hidden_rows.mT @ model_rows(h_prev),
            bias_ih=bias_ih,
            bias_hh=bias_hh,
            x=d_input_side @ self.weight_ih if input_gradient else None,
        )


def _finite(value: float, name: str) -> float:
    """``value`` as a float with −0.0 made 0.0; ``ValueError`` when it is not a finite number."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if not np.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    return number + 0.0  # −0.0 + 0.0 is 0.0: a bound of −0.0 would make U(−k, k) refuse


def model_rows(per_step: np.ndarray) -> np.ndarray:
    """(T, *S, B, K) → (*S, T·B, K): each model's rows of every step together (a view for an
    array from :func:`_steps_by_model`, else a copy)."""
    rows = np.moveaxis(per_step, 0, -3)
    return rows.reshape(*rows.shape[:-3], -1, rows.shape[-1])


def over_batch(parameter: np.ndarray) -> np.ndarray:
    """A (*S, K) bias as (*S, 1, K), so that it broadcasts over the batch axis of (*S, B, K)."""
    return parameter[..., None, :]


def _check_shapes(blocks, weight_ih, weight_hh, bias_ih, bias_hh) -> None:
    if weight_hh.ndim not in (2, 3) or weight_hh.shape[-2] != blocks * weight_hh.shape[-1]:
        raise WeightShapeError(Text(
            "weight_hh must be ({blocks}·H, H) for this cell; got {shape}", blocks=blocks,
            shape=str(weight_hh.shape),
        ))
    *stack, rows, _ = weight_hh.shape
    lead = "".join(f"{n}, " for n in stack)
    if weight_ih.shape[:-1] != (*stack, rows):
        raise WeightShapeError(Text("weight_ih must be ({lead}{rows}, D); got {shape}", lead=lead,
                                    rows=rows, shape=str(weight_ih.shape)))
    for name, bias in (("bias_ih", bias_ih), ("bias_hh", bias_hh)):
        if bias.shape != (*stack, rows):
            raise WeightShapeError(Text("{name} must be ({lead}{rows},); got {shape}", name=name,
                                        lead=lead, rows=rows, shape=str(bias.shape)))


def _steps_by_model(
    workspace: Workspace, name: str, steps: int, shape: tuple[int, ...], stack: int
) -> np.ndarray:
    """A per-step array (steps, *shape) stored model by model, (*S, steps, B, K) in memory, where
    ``stack`` counts the model axes S at the front of ``shape``."""
    memory = workspace.empty(name, (*shape[:stack], steps, *shape[stack:]))
    return np.moveaxis(memory, stack, 0)


def _states(
    workspace: Workspace, name: str, initial: np.ndarray, steps: int, stack: int
) -> np.ndarray:
    """States 0 … T in one array (model by model), the initial state written at step 0."""
    states = _steps_by_model(workspace, name, steps + 1, initial.shape, stack)
    states[0] = initial
    return states


def _zeros_or(value, shape) -> np.ndarray:
    return np.zeros(shape) if value is None else np.asarray(value, dtype=float)


# =================================================================================================


@dataclass(frozen=True)
class LSTM(RecurrentCell):
    r"""Long short-term memory cell (PyTorch's ``nn.LSTM``), gate order i, f, g, o.

    i_t = σ(W_ii x_t + b_ii + W_hi h_{t−1} + b_hi)        input gate
    f_t = σ(W_if x_t + b_if + W_hf h_{t−1} + b_hf)        forget gate
    g_t = tanh(W_ig x_t + b_ig + W_hg h_{t−1} + b_hg)     candidate
    o_t = σ(W_io x_t + b_io + W_ho h_{t−1} + b_ho)        output gate
    c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t                        cell state
    h_t = o_t ⊙ tanh(c_t)                                  hidden state

    σ is the ``gate`` slot, the tanh in g_t the ``candidate`` slot and the tanh in h_t the
    ``output`` slot (the cell-output squash); each can be any activation.
    """

    gate: Activation = SIGMOID
    candidate: Activation = TANH
    output: Activation = TANH

    cell_type: ClassVar[str] = "LSTM"
    #: The equations above, as the pages show them.
    equations: ClassVar[tuple[str, ...]] = (
        r"i_t = \sigma(W_{ii} x_t + b_{ii} + W_{hi} h_{t-1} + b_{hi})",
        r"f_t = \sigma(W_{if} x_t + b_{if} + W_{hf} h_{t-1} + b_{hf})",
        r"g_t = \tanh(W_{ig} x_t + b_{ig} + W_{hg} h_{t-1} + b_{hg})",
        r"o_t = \sigma(W_{io} x_t + b_{io} + W_{ho} h_{t-1} + b_{ho})",
        r"c_t = f_t \odot c_{t-1} + i_t \odot g_t",
        r"h_t = o_t \odot \tanh(c_t)",
    )
    gate_blocks: ClassVar[int] = 4
    block_names: ClassVar[tuple[str, ...]] = (
        "input_gate", "forget_gate", "candidate", "output_gate"
    )
    slots: ClassVar[tuple[str, ...]] = ("gate", "candidate", "output")

    @classmethod
    def random(
        cls,
        input_size: int,
        hidden_size: int,
        rng: np.random.Generator,
        weight_scale: float = 1.0,
        forget_bias: float | None = None,
        **activations: Activation | str,
    ) -> LSTM:
        """PyTorch's U(−k, k) initialisation; ``forget_bias`` sets b_if + b_hf for every unit."""
        cell = super().random(input_size, hidden_size, rng, weight_scale, **activations)
        if forget_bias is None:
            return cell
        forget_bias = _finite(forget_bias, "forget_bias")
        bias_ih, bias_hh = cell.bias_ih.copy(), cell.bias_hh.copy()
        cell.block(bias_ih, "forget_gate")[:] = forget_bias
        cell.block(bias_hh, "forget_gate")[:] = 0.0
        return cell.with_parameters(bias_ih=bias_ih, bias_hh=bias_hh)

    def step(self, x_t, h_prev, c_prev) -> dict[str, np.ndarray]:
        """One step of the equations above; returns every intermediate value by name."""
        z = x_t @ self.weight_ih.T + self.bias_ih + h_prev @ self.weight_hh.T + self.bias_hh
        i_pre, f_pre, g_pre, o_pre = np.split(z, 4, axis=-1)
        i, f, g, o = self.gate(i_pre), self.gate(f_pre), self.candidate(g_pre), self.gate(o_pre)
        c = f * c_prev + i * g
        h = o * self.output(c)
        return dict(input_gate=i, forget_gate=f, candidate=g, output_gate=o, cell=c, hidden=h)

    def forward(self, x, h0=None, c0=None, workspace: Workspace | None = None) -> Trace:
        x, h0, c0 = self._prepare(x, h0, c0)
        ws, steps, stack = workspace or FRESH, x.shape[0], len(self.stack_shape)
        with np.errstate(all="ignore"):
            pre = self._project(x, self.bias_ih + self.bias_hh, ws)
            act = ws.empty("act", pre.shape)
            recurrent_part = ws.empty("recurrent_part", pre.shape[1:])
            input_part = ws.empty("input_part", h0.shape)  # i_t ⊙ g_t
            cells = ws.empty("cell", (steps + 1, *h0.shape))  # c_0 … c_T
            cells[0] = c0
            squashed = ws.empty("squashed", (steps, *h0.shape))
            hiddens = _states(ws, "hidden", h0, steps, stack)  # h_0 … h_T
            recurrent = np.ascontiguousarray(self.weight_hh.mT)
            gate, candidate, output = self.gate, self.candidate, self.output
            # a candidate with the gate's activation already got its values from the gate's call
            own_candidate = candidate != gate
            # Per-block views over all steps, made once: indexing them by t is cheaper than
            # slicing every step (each NumPy call or slice costs ~0.2–1 µs at this size).
            i_all, f_all, g_all, o_all = (self.block(act, name) for name in self.block_names)
            g_pre_all = self.block(pre, "candidate")
            h, c = hiddens[0], cells[0]
            for t in range(steps):
                pre_t, act_t = pre[t], act[t]
                pre_t += np.matmul(h, recurrent, out=recurrent_part)
                # The gate activation over all four blocks, then the candidate over its block:
                # two calls instead of four.
                gate.apply(pre_t, act_t)
                g = g_all[t]
                if own_candidate:
                    candidate.apply(g_pre_all[t], g)
                c = np.multiply(f_all[t], c, out=cells[t + 1])
                c += np.multiply(i_all[t], g, out=input_part)
                squashed_t = squashed[t]
                output.apply(c, squashed_t)
                h = np.multiply(o_all[t], squashed_t, out=hiddens[t + 1])
        cell, hidden = cells[1:], hiddens[1:]
        names = self.block_names
        values = {name: self.block(act, name) for name in names}
        values.update(cell=cell, cell_squashed=squashed, hidden=hidden)
        preactivations = {name: self.block(pre, name) for name in names}
        preactivations["cell_squashed"] = cell
        extras = dict(pre=pre, act=act, cell_prev=cells[:-1], hidden_prev=hiddens[:-1])
        return Trace("LSTM", x, h0, values, preactivations, c0=c0, extras=extras)

    def backward(
        self, trace: Trace, d_hidden, d_final_hidden=None, d_final_cell=None,
        workspace: Workspace | None = None, input_gradient: bool = True,
    ) -> Gradients:
        """Backprop through time. ``d_hidden`` (T, B, H) is ∂L/∂h_t from the loss at each step."""
        pre, act = trace.extras["pre"], trace.extras["act"]
        ws, stack = workspace or FRESH, len(self.stack_shape)
        steps, size = trace.hidden.shape[0], self.hidden_size
        d_hidden = np.broadcast_to(np.asarray(d_hidden, dtype=float), trace.hidden.shape)
        with np.errstate(all="ignore"):
            # Everything that does not depend on the recurrence is vectorised over T first.
            # ∂pre/∂c_t for i, f, g and ∂pre/∂h_t for o, stacked as (T, …, B, 4·H): each
            # activation's derivative times its partner in c_t = f ⊙ c_{t−1} + i ⊙ g, h = o ⊙ φ(c).
            # The loop turns it into ∂L/∂pre in place, so it is stored model by model.
            coef = _steps_by_model(ws, "d_pre", steps, pre.shape[1:], stack)
            self.gate.derivative_given_output(pre, act, out=coef)
            _, f, g, o = (self.block(act, name) for name in self.block_names)
            if self.candidate != self.gate:  # else the gate's call did the candidate's block too
                self.candidate.derivative_given_output(
                    self.block(pre, "candidate"), g, out=self.block(coef, "candidate")
                )
            d_pre, d_pre4 = coef, coef.reshape(*pre.shape[:-1], 4, size)
            # the partners side by side first: one contiguous multiply then does all four
            # blocks, cheaper than four multiplies over strided 16-wide blocks
            partners = ws.empty("partners", d_pre4.shape)
            partners[..., 0::2, :] = act.reshape(d_pre4.shape)[..., 2::-2, :]  # g, i
            partners[..., 1, :] = trace.extras["cell_prev"]
            partners[..., 3, :] = trace.cell_squashed
            d_pre4 *= partners
            # ∂c_t/∂h_t through h_t = o_t ⊙ φ(c_t)
            h_to_c = ws.empty("h_to_c", trace.hidden.shape)
            self.output.derivative_given_output(trace.cell, trace.cell_squashed, out=h_to_c)
            h_to_c *= o
            total_dh = ws.empty("total_dh", trace.hidden.shape)
            total_dc = ws.empty("total_dc", trace.hidden.shape)
            dh_next = _zeros_or(d_final_hidden, trace.h0.shape)
            dc_next = _zeros_or(d_final_cell, trace.h0.shape)
            dh_out, dc_out = ws.empty("dh", trace.h0.shape), ws.empty("dc", trace.h0.shape)
            # (dc, dc, dc, dh) side by side: then one multiply covers all four blocks, cheaper
            # than broadcasting dc over three of them
            d_state = ws.empty("d_state", d_pre4.shape[1:])
            weight_hh = self.weight_hh
            for t in range(steps - 1, -1, -1):
                dh = np.add(d_hidden[t], dh_next, out=total_dh[t])
                dc = np.multiply(dh, h_to_c[t], out=total_dc[t])
                dc += dc_next
                d_state[..., :3, :] = dc[..., None, :]
                d_state[..., 3, :] = dh
                d_pre4[t] *= d_state
                # backprop through c_t = f_t ⊙ c_{t−1} + …
                dc_next = np.multiply(dc, f[t], out=dc_out)
                dh_next = np.matmul(d_pre[t], weight_hh, out=dh_out)
            grads = self._weight_gradients(d_pre, d_pre, trace.x, trace.extras["hidden_prev"],
                                           input_gradient)
        return Gradients(**grads, h0=dh_next, c0=dc_next, hidden=total_dh, cell=total_dc)


@dataclass(frozen=True)
class GRU(RecurrentCell):
    r"""Gated recurrent unit (PyTorch's ``nn.GRU``), gate order r, z, n.

    r_t = σ(W_ir x_t + b_ir + W_hr h_{t−1} + b_hr)                reset gate
    z_t = σ(W_iz x_t + b_iz + W_hz h_{t−1} + b_hz)                update gate
    n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t−1} + b_hn))     candidate
    h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}                          hidden state

    σ is the ``gate`` slot and tanh the ``candidate`` slot. There is no second squash: h_t is a
    convex mix of n_t and h_{t−1}, so it stays within the candidate's range by itself.
    """

    gate: Activation = SIGMOID
    candidate: Activation = TANH

    cell_type: ClassVar[str] = "GRU"
    equations: ClassVar[tuple[str, ...]] = (
        r"r_t = \sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr})",
        r"z_t = \sigma(W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz})",
        r"n_t = \tanh(W_{in} x_t + b_{in} + r_t \odot (W_{hn} h_{t-1} + b_{hn}))",
        r"h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}",
    )
    gate_blocks: ClassVar[int] = 3
    block_names: ClassVar[tuple[str, ...]] = ("reset_gate", "update_gate", "candidate")
    slots: ClassVar[tuple[str, ...]] = ("gate", "candidate")

    def step(self, x_t, h_prev, c_prev=None) -> dict[str, np.ndarray]:
        """One step of the equations above; returns every intermediate value by name."""
        x_r, x_z, x_n = np.split(x_t @ self.weight_ih.T + self.bias_ih, 3, axis=-1)
        h_r, h_z, h_n = np.split(h_prev @ self.weight_hh.T + self.bias_hh, 3, axis=-1)
        r = self.gate(x_r + h_r)
        z = self.gate(x_z + h_z)
        n = self.candidate(x_n + r * h_n)
        h = (1.0 - z) * n + z * h_prev
        return dict(reset_gate=r, update_gate=z, candidate=n, hidden=h)

    def forward(self, x, h0=None, c0=None, workspace: Workspace | None = None) -> Trace:
        x, h0, _ = self._prepare(x, h0)
        ws, steps, stack = workspace or FRESH, x.shape[0], len(self.stack_shape)
        size = self.hidden_size
        rz, n_block = slice(0, 2 * size), slice(2 * size, 3 * size)
        with np.errstate(all="ignore"):
            x_proj = self._project(x, self.bias_ih, ws)
            pre = ws.empty("pre", x_proj.shape)
            act = ws.empty("act", x_proj.shape)
            hidden_proj_n = ws.empty("hidden_proj_n", (steps, *h0.shape))  # W_hn h_{t−1} + b_hn
            hiddens = _states(ws, "hidden", h0, steps, stack)  # h_0 … h_T
            recurrent = np.ascontiguousarray(self.weight_hh.mT)
            gate, candidate, bias_hh = self.gate, self.candidate, over_batch(self.bias_hh)
            h = hiddens[0]
            for t in range(steps):
                h_proj = h @ recurrent
                h_proj += bias_hh
                pre_t, act_t = pre[t], act[t]
                np.add(x_proj[t, ..., rz], h_proj[..., rz], out=pre_t[..., rz])
                gate.apply(pre_t[..., rz], act_t[..., rz])
                hidden_proj_n[t] = h_proj[..., n_block]
                np.multiply(act_t[..., :size], h_proj[..., n_block], out=pre_t[..., n_block])
                pre_t[..., n_block] += x_proj[t, ..., n_block]
                n = act_t[..., n_block]
                candidate.apply(pre_t[..., n_block], n)
                h = np.subtract(h, n, out=hiddens[t + 1])
                h *= act_t[..., size : 2 * size]
                h += n
        values = {name: self.block(act, name) for name in self.block_names}
        values["hidden"] = hiddens[1:]
        preactivations = {name: self.block(pre, name) for name in self.block_names}
        extras = dict(pre=pre, act=act, hidden_proj_n=hidden_proj_n, hidden_prev=hiddens[:-1])
        return Trace("GRU", x, h0, values, preactivations, extras=extras)

    def backward(
        self, trace: Trace, d_hidden, d_final_hidden=None, d_final_cell=None,
        workspace: Workspace | None = None, input_gradient: bool = True,
    ) -> Gradients:
        """Backprop through time. ``d_hidden`` (T, B, H) is ∂L/∂h_t from the loss at each step."""
        pre, act = trace.extras["pre"], trace.extras["act"]
        hidden_proj_n = trace.extras["hidden_proj_n"]
        ws, stack = workspace or FRESH, len(self.stack_shape)
        steps, size = trace.hidden.shape[0], self.hidden_size
        d_hidden = np.broadcast_to(np.asarray(d_hidden, dtype=float), trace.hidden.shape)
        with np.errstate(all="ignore"):
            r, z, n = (self.block(act, name) for name in self.block_names)
            rz = slice(0, 2 * size)
            d_act_rz = self.gate.derivative_given_output(pre[..., rz], act[..., rz])
            d_act_n = self.candidate.derivative_given_output(self.block(pre, "candidate"), n)
            h_prev = trace.extras["hidden_prev"]
            coef_n = (1.0 - z) * d_act_n                       # ∂n_pre/∂h_t
            coef_z = (h_prev - n) * d_act_rz[..., size:]       # ∂z_pre/∂h_t
            coef_r = hidden_proj_n * d_act_rz[..., :size]      # ∂r_pre/∂n_pre
            # ∂L/∂(W_i· x + b_i·) and ∂L/∂(W_h· h + b_h·) for r, z, n
            d_x_side = _steps_by_model(ws, "d_x_side", steps, pre.shape[1:], stack)
            d_h_side = _steps_by_model(ws, "d_h_side", steps, pre.shape[1:], stack)
            total_dh = ws.empty("total_dh", trace.hidden.shape)
            dh_next = _zeros_or(d_final_hidden, trace.h0.shape)
            weight_hh = self.weight_hh
            for t in range(steps - 1, -1, -1):
                dh = np.add(d_hidden[t], dh_next, out=total_dh[t])
                d_n_pre = np.multiply(dh, coef_n[t], out=d_x_side[t, ..., 2 * size :])
                np.multiply(dh, coef_z[t], out=d_x_side[t, ..., size : 2 * size])
                np.multiply(d_n_pre, coef_r[t], out=d_x_side[t, ..., :size])
                np.multiply(d_n_pre, r[t], out=d_h_side[t, ..., 2 * size :])
                d_h_side[t, ..., rz] = d_x_side[t, ..., rz]
                dh_next = dh * z[t] + d_h_side[t] @ weight_hh
            grads = self._weight_gradients(d_x_side, d_h_side, trace.x, h_prev, input_gradient)
        return Gradients(**grads, h0=dh_next, hidden=total_dh)


@dataclass(frozen=True)
class RNN(RecurrentCell):
    r"""Plain (Elman) recurrent cell (PyTorch's ``nn.RNN``).

    h_t = φ(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh)

    φ is the ``activation`` slot: tanh by default, ReLU for ``nn.RNN(nonlinearity="relu")``.
    """

    activation: Activation = field(default=TANH)

    cell_type: ClassVar[str] = "RNN"
    equations: ClassVar[tuple[str, ...]] = (
        r"h_t = \phi(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})",
    )
    gate_blocks: ClassVar[int] = 1
    block_names: ClassVar[tuple[str, ...]] = ("hidden",)
    slots: ClassVar[tuple[str, ...]] = ("activation",)

    @classmethod
    def from_pytorch(cls, state: Mapping[str, np.ndarray], nonlinearity: str | None = None, **kw):
        """As for the other cells; ``nonlinearity="relu"`` matches PyTorch's ReLU RNN."""
        if nonlinearity is not None:
            kw["activation"] = RELU if nonlinearity == "relu" else TANH
        return super().from_pytorch(state, **kw)

    def step(self, x_t, h_prev, c_prev=None) -> dict[str, np.ndarray]:
        """One step of the equation above."""
        pre = x_t @ self.weight_ih.T + self.bias_ih + h_prev @ self.weight_hh.T + self.bias_hh
        return dict(hidden=self.activation(pre))

    def forward(self, x, h0=None, c0=None, workspace: Workspace | None = None) -> Trace:
        x, h0, _ = self._prepare(x, h0)
        ws, steps, stack = workspace or FRESH, x.shape[0], len(self.stack_shape)
        with np.errstate(all="ignore"):
            pre = self._project(x, self.bias_ih + self.bias_hh, ws)
            hiddens = _states(ws, "hidden", h0, steps, stack)  # h_0 … h_T
            recurrent = np.ascontiguousarray(self.weight_hh.mT)
            activation = self.activation
            h = hiddens[0]
            for t in range(steps):
                pre[t] += h @ recurrent
                h = hiddens[t + 1]
                activation.apply(pre[t], h)
        extras = dict(pre=pre, hidden_prev=hiddens[:-1])
        return Trace("RNN", x, h0, {"hidden": hiddens[1:]}, {"hidden": pre}, extras=extras)

    def backward(
        self, trace: Trace, d_hidden, d_final_hidden=None, d_final_cell=None,
        workspace: Workspace | None = None, input_gradient: bool = True,
    ) -> Gradients:
        """Backprop through time. ``d_hidden`` (T, B, H) is ∂L/∂h_t from the loss at each step."""
        pre, hidden = trace.extras["pre"], trace.hidden
        ws, stack, steps = workspace or FRESH, len(self.stack_shape), hidden.shape[0]
        d_hidden = np.broadcast_to(np.asarray(d_hidden, dtype=float), hidden.shape)
        with np.errstate(all="ignore"):
            d_act = self.activation.derivative_given_output(
                pre, hidden, out=ws.empty("d_act", hidden.shape)
            )
            d_pre = _steps_by_model(ws, "d_pre", steps, pre.shape[1:], stack)
            total_dh = ws.empty("total_dh", hidden.shape)
            dh_next = _zeros_or(d_final_hidden, trace.h0.shape)
            dh_out = ws.empty("dh", trace.h0.shape)
            weight_hh = self.weight_hh
            for t in range(steps - 1, -1, -1):
                dh = np.add(d_hidden[t], dh_next, out=total_dh[t])
                np.multiply(dh, d_act[t], out=d_pre[t])  # backprop through φ
                dh_next = np.matmul(d_pre[t], weight_hh, out=dh_out)
            grads = self._weight_gradients(d_pre, d_pre, trace.x, trace.extras["hidden_prev"],
                                           input_gradient)
        return Gradients(**grads, h0=dh_next, hidden=total_dh)


CELL_TYPES: dict[str, type[RecurrentCell]] = {"LSTM": LSTM, "GRU": GRU, "RNN": RNN}
