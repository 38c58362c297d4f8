"""Activation functions with exact first and second derivatives, in one registry.

Convention (used everywhere in LSTM Lens): every derivative takes the *input* ``x`` of the
activation (the pre-activation), so ``act.d1(x)`` is f'(x) and ``act.d2(x)`` is f''(x).
At a kink the value is the usual subgradient, the one PyTorch's backward uses:
ReLU'(0) = 0, leaky ReLU'(0) = slope, hard tanh' = 0 at x = ±1 and hard sigmoid' = 0 at x = ±3.

``d1_from_output(x, y)`` is a speed helper for backprop: the same f'(x), computed from the stored
output ``y = f(x)`` where that is cheaper (σ' = y(1 − y), tanh' = 1 − y²). ``d1_into(x, y, out)``
writes the same bits into ``out`` without temporaries.

All functions are written so that float64 and float32 inputs of any magnitude raise no
floating-point warning (e.g. the sigmoid never evaluates ``exp`` of a large positive number).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from i18n import N_

Array = np.ndarray
ArrayFn = Callable[[Array], Array]

_GELU_K = float(np.sqrt(2.0 / np.pi))
_GELU_C = 0.044715


@dataclass(frozen=True)
class Activation:
    """One activation function: its values, derivatives and textbook properties."""

    key: str
    name: str
    latex: str
    f: ArrayFn
    d1: ArrayFn
    d2: ArrayFn
    output_range: tuple[float, float]
    zero_centred: bool
    bounded: bool
    monotonic: bool
    smooth: bool
    d1_from_output: Callable[[Array, Array], Array] | None = field(default=None, repr=False)
    f_into: Callable[[Array, Array], None] | None = field(default=None, repr=False)
    d1_into: Callable[[Array, Array, Array], None] | None = field(default=None, repr=False)
    custom: bool = False
    #: Whether each finite end of ``output_range`` is attained (closed) or only approached (open),
    #: decided from the formula (measured for a typed activation); ``None`` when not known.
    range_closed: tuple[bool, bool] | None = None

    def __call__(self, x: Array) -> Array:
        return self.f(x)

    def apply(self, x: Array, out: Array) -> None:
        """Write f(x) into ``out`` (the recurrence's hot path: no temporary where possible)."""
        if self.f_into is not None:
            self.f_into(x, out)
        else:
            out[...] = self.f(x)

    def derivative_given_output(self, x: Array, y: Array, out: Array | None = None) -> Array:
        """f'(x), using the stored output ``y = f(x)`` when that is cheaper; written into ``out``
        (and returned) when it is given."""
        if out is not None and self.d1_into is not None:
            self.d1_into(x, y, out)
            return out
        d1 = self.d1_from_output(x, y) if self.d1_from_output is not None else self.d1(x)
        if out is None:
            return d1
        out[...] = d1
        return out



# --- the functions -------------------------------------------------------------------------------


def sigmoid(x: Array) -> Array:
    """σ(x) = 1 / (1 + e^{−x}), evaluated as ½(1 + tanh(x/2)): no overflow for any x."""
    return 0.5 + 0.5 * np.tanh(0.5 * np.asarray(x))


def _sigmoid_into(x: Array, out: Array) -> None:
    np.multiply(x, 0.5, out=out)
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5


def _tanh_into(x: Array, out: Array) -> None:
    np.tanh(x, out=out)


def _sigmoid_d1_into(x: Array, y: Array, out: Array) -> None:
    np.subtract(1.0, y, out=out)
    out *= y  # y · (1 − y), as d1_from_output: a product's bits do not depend on the order


def _tanh_d1_into(x: Array, y: Array, out: Array) -> None:
    np.multiply(y, y, out=out)
    np.subtract(1.0, out, out=out)


def _sigmoid_d1(x: Array) -> Array:
    s = sigmoid(x)
    return s * (1.0 - s)


def _sigmoid_d2(x: Array) -> Array:
    s = sigmoid(x)
    return s * (1.0 - s) * (1.0 - 2.0 * s)


def _tanh_d1(x: Array) -> Array:
    t = np.tanh(x)
    return 1.0 - t * t


def _tanh_d2(x: Array) -> Array:
    t = np.tanh(x)
    return -2.0 * t * (1.0 - t * t)


def _zeros(x: Array) -> Array:
    return np.zeros_like(np.asarray(x, dtype=float))


def _ones(x: Array) -> Array:
    return np.ones_like(np.asarray(x, dtype=float))


def _hard_sigmoid(x: Array) -> Array:
    return np.clip(np.asarray(x) / 6.0 + 0.5, 0.0, 1.0)


def _hard_sigmoid_d1(x: Array) -> Array:
    # 1/6 strictly inside (−3, 3), 0 at ±3 and outside (PyTorch's convention): one |x| and one
    # comparison, not two comparisons, an ``&`` and ``np.where`` (≈ 7× slower per value)
    return (np.abs(x) < 3.0) * (1.0 / 6.0)


def _hard_tanh(x: Array) -> Array:
    return np.clip(x, -1.0, 1.0)


def _hard_tanh_d1(x: Array) -> Array:
    # 1 strictly inside (−1, 1), 0 at ±1 and outside (PyTorch's convention; NaN gives 0): a mask
    # |x| < 1 as floats, ≈ 7× cheaper per value than np.where((x > −1) & (x < 1), 1.0, 0.0)
    return (np.abs(x) < 1.0).astype(np.float64)


def _hard_tanh_d1_into(x: Array, y: Array, out: Array) -> None:
    # the same bits as _hard_tanh_d1, without a temporary (|y| < 1 exactly when |x| < 1, but x
    # is what the derivative is defined on)
    np.abs(x, out=out)
    np.less(out, 1.0, out=out)


def _relu(x: Array) -> Array:
    return np.maximum(x, 0.0)


def _relu_d1(x: Array) -> Array:
    return np.where(np.asarray(x) > 0.0, 1.0, 0.0)


def _relu_d1_into(x: Array, y: Array, out: Array) -> None:
    np.greater(y, 0.0, out=out)


def _elu(x: Array) -> Array:
    x = np.asarray(x)
    return np.where(x > 0.0, x, np.expm1(np.minimum(x, 0.0)))


def _elu_d1(x: Array) -> Array:
    x = np.asarray(x)
    return np.where(x > 0.0, 1.0, np.exp(np.minimum(x, 0.0)))


def _elu_d2(x: Array) -> Array:
    x = np.asarray(x)
    return np.where(x > 0.0, 0.0, np.exp(np.minimum(x, 0.0)))


def _softsign(x: Array) -> Array:
    x = np.asarray(x)
    return x / (1.0 + np.abs(x))


def _softsign_d1(x: Array) -> Array:
    return 1.0 / (1.0 + np.abs(x)) ** 2


def _softsign_d2(x: Array) -> Array:
    x = np.asarray(x)
    return -2.0 * np.sign(x) / (1.0 + np.abs(x)) ** 3


def _silu(x: Array) -> Array:
    return np.asarray(x) * sigmoid(x)


def _silu_d1(x: Array) -> Array:
    s = sigmoid(x)
    return s + np.asarray(x) * s * (1.0 - s)


def _silu_d2(x: Array) -> Array:
    s = sigmoid(x)
    return s * (1.0 - s) * (2.0 + np.asarray(x) * (1.0 - 2.0 * s))


def _gelu_parts(x: Array) -> tuple[Array, Array, Array, Array]:
    x = np.asarray(x, dtype=float)
    u = _GELU_K * (x + _GELU_C * x**3)
    du = _GELU_K * (1.0 + 3.0 * _GELU_C * x**2)
    ddu = _GELU_K * 6.0 * _GELU_C * x
    return x, np.tanh(u), du, ddu


def _gelu(x: Array) -> Array:
    x, t, _, _ = _gelu_parts(x)
    return 0.5 * x * (1.0 + t)


def _gelu_d1(x: Array) -> Array:
    x, t, du, _ = _gelu_parts(x)
    return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du


def _gelu_d2(x: Array) -> Array:
    x, t, du, ddu = _gelu_parts(x)
    return (1.0 - t * t) * (du + 0.5 * x * (ddu - 2.0 * t * du * du))


def _softplus(x: Array) -> Array:
    return np.logaddexp(0.0, x)


def _identity(x: Array) -> Array:
    return np.asarray(x, dtype=float).copy()


def leaky_relu(slope: float = 0.01) -> Activation:
    """Leaky ReLU with negative-side slope ``slope`` (f'(0) = slope, as in PyTorch).

    ``ValueError`` when ``slope`` is not a finite number; −0.0 is read as 0.0.
    """
    slope = float(slope) + 0.0  # −0.0 would print as "-0" in the name and the formula
    if not np.isfinite(slope):
        raise ValueError(f"the leaky ReLU slope must be a finite number, got {slope!r}")

    def f(x: Array) -> Array:
        x = np.asarray(x)
        return np.where(x > 0.0, x, slope * x)

    def d1(x: Array) -> Array:
        return np.where(np.asarray(x) > 0.0, 1.0, slope)

    return Activation(
        key="leaky_relu",
        name=f"leaky ReLU ({slope:g})",
        latex=rf"\max(x,\,{slope:g}\,x)",
        f=f,
        d1=d1,
        d2=_zeros,
        output_range=(-np.inf if slope > 0 else 0.0, np.inf),
        zero_centred=False,
        bounded=False,
        monotonic=slope >= 0,
        smooth=False,
        range_closed=(slope <= 0, False),
    )


SIGMOID = Activation(
    "sigmoid", "sigmoid σ", r"\sigma(x) = \frac{1}{1+e^{-x}}", sigmoid, _sigmoid_d1, _sigmoid_d2,
    (0.0, 1.0), False, True, True, True, d1_from_output=lambda x, y: y * (1.0 - y),
    f_into=_sigmoid_into, d1_into=_sigmoid_d1_into, range_closed=(False, False),
)
TANH = Activation(
    "tanh", "tanh", r"\tanh(x) = \frac{e^{x}-e^{-x}}{e^{x}+e^{-x}}", np.tanh, _tanh_d1, _tanh_d2,
    (-1.0, 1.0), True, True, True, True, d1_from_output=lambda x, y: 1.0 - y * y,
    f_into=_tanh_into, d1_into=_tanh_d1_into, range_closed=(False, False),
)
HARD_SIGMOID = Activation(
    "hard_sigmoid", "hard sigmoid", r"\min(1, \max(0, \tfrac{x}{6} + \tfrac12))", _hard_sigmoid,
    _hard_sigmoid_d1, _zeros, (0.0, 1.0), False, True, True, False, range_closed=(True, True),
)
HARD_TANH = Activation(
    "hard_tanh", "hard tanh", r"\min(1, \max(-1, x))", _hard_tanh, _hard_tanh_d1, _zeros,
    (-1.0, 1.0), True, True, True, False,
    d1_into=_hard_tanh_d1_into, range_closed=(True, True),
)
RELU = Activation(
    "relu", "ReLU", r"\max(0, x)", _relu, _relu_d1, _zeros, (0.0, np.inf), False, False, True,
    False, d1_from_output=lambda x, y: np.where(y > 0.0, 1.0, 0.0), d1_into=_relu_d1_into,
    range_closed=(True, False),
)
ELU = Activation(
    "elu", "ELU", r"x \text{ if } x>0 \text{ else } e^{x}-1", _elu, _elu_d1, _elu_d2,
    (-1.0, np.inf), False, False, True, False, range_closed=(False, False),
)
SOFTSIGN = Activation(
    "softsign", "softsign", r"\frac{x}{1+|x|}", _softsign, _softsign_d1, _softsign_d2,
    (-1.0, 1.0), True, True, True, False, range_closed=(False, False),
)
SILU = Activation(
    "silu", "SiLU / swish", r"x\,\sigma(x)", _silu, _silu_d1, _silu_d2,
    (-0.278464542761074, np.inf), False, False, False, True, range_closed=(True, False),
)
GELU = Activation(
    "gelu", N_("GELU (tanh approx.)"),  # a name; shown through _() for "approx."
    r"\tfrac{x}{2}\left(1+\tanh\!\left(\sqrt{2/\pi}\,(x+0.044715x^{3})\right)\right)",
    _gelu, _gelu_d1, _gelu_d2, (-0.17004075057125273, np.inf), False, False, False, True,
    range_closed=(True, False),
)
SOFTPLUS = Activation(
    "softplus", "softplus", r"\log(1+e^{x})", _softplus, sigmoid, _sigmoid_d1, (0.0, np.inf),
    False, False, True, True, range_closed=(False, False),
)
IDENTITY = Activation(
    "identity", N_("identity"), r"x", _identity, _ones, _zeros, (-np.inf, np.inf), True, False,
    True, True, d1_from_output=lambda x, y: np.ones_like(y), range_closed=(False, False),
)

DEFAULT_LEAKY_SLOPE = 0.01

#: Every built-in activation, by key. Leaky ReLU is stored at its default slope;
#: use :func:`get_activation` to ask for another slope.
REGISTRY: dict[str, Activation] = {
    act.key: act
    for act in (
        SIGMOID, TANH, HARD_SIGMOID, HARD_TANH, RELU, leaky_relu(DEFAULT_LEAKY_SLOPE), ELU,
        SOFTSIGN, SILU, GELU, SOFTPLUS, IDENTITY,
    )
}


def get_activation(key: str, leaky_slope: float = DEFAULT_LEAKY_SLOPE) -> Activation:
    """The registry's activation called ``key`` (leaky ReLU at ``leaky_slope``)."""
    if key == "leaky_relu":
        return leaky_relu(leaky_slope)
    try:
        return REGISTRY[key]
    except KeyError:
        raise KeyError(f"unknown activation {key!r}; choose one of {', '.join(REGISTRY)}") from None


def resolve(activation: Activation | str) -> Activation:
    """Accept an :class:`Activation` or a registry key."""
    return activation if isinstance(activation, Activation) else get_activation(activation)
