"""The record of one run of a recurrent cell, and the gradients of one backward pass."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: A state whose magnitude passes this bound is said to have "blown up".
BLOWUP_BOUND = 1e6


def first_step_where(mask_over_time: np.ndarray) -> int | None:
    """The first step t (counting from 1) whose entry in ``mask_over_time`` (T, ...) is true."""
    hits = np.flatnonzero(mask_over_time.reshape(mask_over_time.shape[0], -1).any(axis=1))
    return int(hits[0]) + 1 if hits.size else None


@dataclass
class Trace:
    """Every per-step value of one forward run.

    Arrays are indexed ``[t - 1, sequence, unit]``: step t counts from 1 as in the equations,
    and the initial states ``h0`` (and ``c0``) are step 0. ``values`` maps a quantity's name
    (e.g. ``"forget_gate"``, ``"cell"``) to its (T, B, H) array and ``preactivations`` maps each
    activation slot's output to the (T, B, H) array fed into that activation.
    """

    cell_type: str
    x: np.ndarray
    h0: np.ndarray
    values: dict[str, np.ndarray]
    preactivations: dict[str, np.ndarray]
    c0: np.ndarray | None = None
    extras: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def hidden(self) -> np.ndarray:
        return self.values["hidden"]

    @property
    def cell(self) -> np.ndarray:
        if "cell" not in self.values:
            raise AttributeError(f"a {self.cell_type} has no cell state")
        return self.values["cell"]

    def __getattr__(self, name: str) -> np.ndarray:
        # Named access to every quantity: trace.forget_gate, trace.candidate, ...
        values = self.__dict__.get("values", {})
        if name in values:
            return values[name]
        raise AttributeError(name)

    @property
    def steps(self) -> int:
        return self.x.shape[0]

    @property
    def state_names(self) -> tuple[str, ...]:
        return ("cell", "hidden") if "cell" in self.values else ("hidden",)

    def first_step_over(self, quantity: str, bound: float = BLOWUP_BOUND) -> int | None:
        """First step t at which ``|quantity|`` exceeded ``bound`` or stopped being finite."""
        with np.errstate(invalid="ignore"):
            values = self.values[quantity]
            return first_step_where(~(np.abs(values) <= bound))

    def first_nonfinite_step(self, quantity: str) -> int | None:
        """First step t at which ``quantity`` held an inf or NaN."""
        return first_step_where(~np.isfinite(self.values[quantity]))

    @property
    def blowup_step(self) -> int | None:
        """First step at which any state passed :data:`BLOWUP_BOUND` or became non-finite."""
        steps = [s for s in (self.first_step_over(n) for n in self.state_names) if s is not None]
        return min(steps) if steps else None

    def to_frame(self, include_preactivations: bool = True):
        """A tidy pandas DataFrame with columns step, sequence, unit, quantity, value."""
        import pandas as pd

        columns = dict(self.values)
        if include_preactivations:
            columns.update({f"{name}_pre": arr for name, arr in self.preactivations.items()})
        steps, batch, units = self.hidden.shape
        step_ix, seq_ix, unit_ix = np.meshgrid(
            np.arange(1, steps + 1), np.arange(batch), np.arange(units), indexing="ij"
        )
        frames = [
            pd.DataFrame(
                {
                    "step": step_ix.ravel(),
                    "sequence": seq_ix.ravel(),
                    "unit": unit_ix.ravel(),
                    "quantity": name,
                    "value": np.asarray(arr, dtype=float).ravel(),
                }
            )
            for name, arr in columns.items()
        ]
        return pd.concat(frames, ignore_index=True)


@dataclass
class Gradients:
    """Gradients of a scalar loss L, named like PyTorch's parameters.

    ``hidden[t-1]`` is the total ∂L/∂h_t (through the loss at step t and through every later
    step) and, for the LSTM, ``cell[t-1]`` is the total ∂L/∂c_t; both have shape (T, B, H).
    """

    weight_ih: np.ndarray
    weight_hh: np.ndarray
    bias_ih: np.ndarray
    bias_hh: np.ndarray
    x: np.ndarray | None  # None when the backward pass was asked not to compute it
    h0: np.ndarray
    hidden: np.ndarray
    c0: np.ndarray | None = None
    cell: np.ndarray | None = None

    def parameters(self) -> dict[str, np.ndarray]:
        return {
            "weight_ih": self.weight_ih,
            "weight_hh": self.weight_hh,
            "bias_ih": self.bias_ih,
            "bias_hh": self.bias_hh,
        }
