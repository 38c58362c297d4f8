"""Losses on a sequence of outputs, each returning (L, ∂L/∂outputs) for ``backward``."""

from __future__ import annotations

import numpy as np


def mse_every_step(outputs: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """L = mean over all steps, sequences and units of ½(y_t − target_t)²."""
    error = np.asarray(outputs, dtype=float) - targets
    return 0.5 * float(np.mean(error**2)), error / error.size


def mse_last_step(outputs: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """L = mean over sequences and units of ½(y_T − target)²; earlier steps get no gradient."""
    outputs = np.asarray(outputs, dtype=float)
    error = outputs[-1] - targets
    grad = np.zeros_like(outputs)
    grad[-1] = error / error.size
    return 0.5 * float(np.mean(error**2)), grad


def sum_last_step(outputs: np.ndarray) -> tuple[float, np.ndarray]:
    """L = Σ_units h_T (averaged over sequences): a unit-sized pulse of gradient at the last step.

    The Gradient Flow page uses it so that ∂L/∂h_T is exactly 1 per unit and every earlier
    ∂L/∂h_t shows only what the recurrence did to that pulse.
    """
    outputs = np.asarray(outputs, dtype=float)
    grad = np.zeros_like(outputs)
    grad[-1] = 1.0 / outputs.shape[1]
    return float(outputs[-1].sum() / outputs.shape[1]), grad


def sum_every_step(outputs: np.ndarray) -> tuple[float, np.ndarray]:
    """L = Σ_t Σ_units h_t (averaged over sequences): every step gets a unit pulse."""
    outputs = np.asarray(outputs, dtype=float)
    return float(outputs.sum() / outputs.shape[1]), np.full_like(outputs, 1.0 / outputs.shape[1])
