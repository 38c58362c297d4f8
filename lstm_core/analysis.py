"""Measured properties of activation functions: saturation regions, property-table rows,
tanh versus the rescaled sigmoid, and the largest gradient factor through n steps.

Everything here is computed from the functions themselves on a grid (and refined by bisection or
golden-section search where a boundary or a maximum matters), never typed in by hand.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from i18n import Text

from .activations import Activation

ArrayFn = Callable[[np.ndarray], np.ndarray]

#: Analysis window and step: derivatives, saturation and maxima are looked for on [−20, 20].
WINDOW = 20.0
STEP = 1e-3
#: Far points (10 … 1e6 on both sides) used to measure the output range and its growth.
_FAR = np.geomspace(10.0, 1e6, 121)
_SHIFT = 3.7699e-4


def window_grid(half_width: float = WINDOW, step: float = STEP) -> np.ndarray:
    """An evenly spaced grid on [−half_width, half_width] that contains 0 exactly."""
    n = round(half_width / step)
    return np.arange(-n, n + 1) * step


def _finite(values: np.ndarray) -> np.ndarray:
    return values[np.isfinite(values)]


# --- saturation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Intervals:
    """A union of disjoint intervals of x inside [−window, window]; ±inf marks a window edge."""

    bounds: tuple[tuple[float, float], ...]
    window: float

    def describe(self, digits: int = 3) -> str:
        """Plain words: ``"|x| > 3.64"``, ``"x < 0"``, ``"−1 < x < 1"``, ``"all x"``, ``"no x"``."""
        b = self.bounds
        if not b:
            return Text("no x")
        if len(b) == 1 and b[0] == (-math.inf, math.inf):
            return Text("all x")
        if (
            len(b) == 2
            and b[0][0] == -math.inf
            and b[1][1] == math.inf
            and math.isclose(-b[0][1], b[1][0], rel_tol=1e-6, abs_tol=1e-9)
        ):
            return f"|x| > {_num(b[1][0], digits)}"
        parts = []
        for lo, hi in b:
            if lo == -math.inf:
                parts.append(f"x < {_num(hi, digits)}")
            elif hi == math.inf:
                parts.append(f"x > {_num(lo, digits)}")
            elif math.isclose(lo, hi, abs_tol=10 * STEP):
                parts.append(f"x = {_num(0.5 * (lo + hi), digits)}")
            else:
                parts.append(f"{_num(lo, digits)} < x < {_num(hi, digits)}")
        described = parts[0]
        for part in parts[1:]:  # "a or b or c", one message per "or"
            described = Text("{first} or {second}", first=described, second=part)
        return described


def _num(value: float, digits: int) -> str:
    if abs(value) < 1e-6:  # bisection/golden-section residue around 0
        value = 0.0
    return f"{value:.{digits}g}".replace("-", "−")


def _bisect(g: ArrayFn, lo: np.ndarray, hi: np.ndarray, iterations: int = 60) -> np.ndarray:
    """Refine many sign changes of the predicate ``g`` at once: g(lo) != g(hi) on entry."""
    g_lo = g(lo)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        same = g(mid) == g_lo
        lo, hi = np.where(same, mid, lo), np.where(same, hi, mid)
    return 0.5 * (lo + hi)


def _true_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of each run of True in ``mask``."""
    padded = np.concatenate(([False], mask, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _region(predicate: ArrayFn, grid: np.ndarray, half_width: float) -> Intervals:
    """Where ``predicate`` holds on ``grid``, with every inner boundary refined by bisection."""
    mask = predicate(grid)
    runs = _true_runs(mask)
    inner_lo = [a for a, _ in runs if a > 0]
    inner_hi = [b for _, b in runs if b < len(grid) - 1]
    left = _bisect(predicate, grid[np.array(inner_lo, int) - 1], grid[np.array(inner_lo, int)])
    right = _bisect(predicate, grid[np.array(inner_hi, int)], grid[np.array(inner_hi, int) + 1])
    left_of, right_of = dict(zip(inner_lo, left, strict=True)), dict(
        zip(inner_hi, right, strict=True)
    )
    bounds = tuple(
        (
            -math.inf if a == 0 else float(left_of[a]),
            math.inf if b == len(grid) - 1 else float(right_of[b]),
        )
        for a, b in runs
    )
    return Intervals(bounds, half_width)


def saturation(d1: ArrayFn, eps: float, half_width: float = WINDOW) -> Intervals:
    """Where |f′(x)| < ``eps`` on [−half_width, half_width], boundaries refined by bisection."""

    def flat(x: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.abs(d1(x)) < eps

    return _region(flat, window_grid(half_width), half_width)


# --- maxima -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Maximum:
    """The largest value of |f′|, where it is reached in words, and the point (if one)."""

    value: float
    where: str
    at: float | None = None


def _golden_max(g: ArrayFn, lo: float, hi: float, iterations: int = 80) -> float:
    ratio = (math.sqrt(5.0) - 1.0) / 2.0
    for _ in range(iterations):
        a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
        ga, gb = g(np.array([a, b]))
        if ga < gb:
            lo = a
        else:
            hi = b
    return 0.5 * (lo + hi)


def max_abs_derivative(d1: ArrayFn, half_width: float = WINDOW) -> Maximum:
    """max |f′| on [−half_width, half_width]: a refined point, or the plateau reaching it."""
    grid = window_grid(half_width)

    def slope(x: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            values = np.abs(d1(x))
        return np.where(np.isfinite(values), values, -1.0)

    values = slope(grid)
    best = float(values.max())
    if best < 0:
        return Maximum(math.nan, Text("nowhere finite"))
    tol = 1e-9 * max(1.0, best)
    near = values >= best - tol
    i = int(np.argmax(values))
    if near.sum() > 3:
        if np.ptp(values[near]) == 0.0:  # a true plateau, e.g. ReLU′ = 1 for every x > 0
            region = _region(lambda x: slope(x) >= best - tol, grid, half_width)
            return Maximum(best, region.describe())
        if near[0] or near[-1]:  # still creeping up at the window edge, e.g. softplus′ → 1
            edge = -1 if near[-1] else 0
            sign = "" if edge == -1 else "−"
            return Maximum(float(values[edge]), Text("approached as x → {sign}∞", sign=sign))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    where = _golden_max(slope, float(lo), float(hi))
    refined = float(slope(np.array([where]))[0])
    if refined < best:
        where, refined = float(grid[i]), best
    return Maximum(refined, f"x = {_num(where, 4)}", where)


def depth_products(max_slope: float, n_max: int = 50) -> np.ndarray:
    """(max |f′|)^n for n = 1 … n_max: the largest factor a gradient can keep through n steps
    (inf past float64's largest number)."""
    with np.errstate(over="ignore"):
        return float(max_slope) ** np.arange(1, n_max + 1, dtype=float)


# --- tanh versus the rescaled sigmoid -----------------------------------------------------------


def logistic(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1/(1 + e^{−z}) by the textbook formula (no tanh), overflow-free for any z."""
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def rescaled_sigmoid(x: np.ndarray) -> np.ndarray:
    """2σ(2x) − 1, with σ from :func:`logistic`."""
    return 2.0 * logistic(2.0 * np.asarray(x, dtype=float)) - 1.0


def tanh_vs_rescaled_sigmoid(x: np.ndarray) -> float:
    """max |tanh(x) − (2σ(2x) − 1)| over ``x`` (rounding-level: the identity is exact)."""
    x = np.asarray(x, dtype=float)
    return float(np.max(np.abs(np.tanh(x) - rescaled_sigmoid(x))))


# --- measured flags -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasuredProperties:
    """Flags and range measured numerically on a grid (what the property table shows)."""

    output_range: tuple[float, float]
    zero_centred: bool
    bounded: bool
    monotonic: bool
    smooth: bool


def _tail_trend(values_far: np.ndarray) -> int:
    """+1 (−1) if f keeps rising (falling) as |x| goes from 1e5 to 1e6 by more than 1 %, or
    reaches +inf (−inf) there; 0 if it levels off or wiggles (so that side is bounded)."""
    tail = values_far[-25:]  # 10^5 … 10^6 on the 121-point geometric grid
    if np.isposinf(tail).any():
        return 1
    if np.isneginf(tail).any():
        return -1
    if not np.isfinite(tail).all():
        return 0
    steps = np.diff(tail)
    change = tail[-1] - tail[0]
    if abs(change) <= 0.01 * max(1.0, abs(tail[-1])):
        return 0
    if np.all(steps >= 0):
        return 1
    if np.all(steps <= 0):
        return -1
    return 0


def measured_range(f: ArrayFn, half_width: float = WINDOW) -> tuple[float, float]:
    """(min f, max f) measured on the window and out to |x| = 1e6; ±inf where f keeps growing."""
    with np.errstate(all="ignore"):
        near = np.asarray(f(window_grid(half_width)), dtype=float)
        right = np.asarray(f(_FAR), dtype=float)
        left = np.asarray(f(-_FAR), dtype=float)
    values = np.concatenate((near, right, left))
    finite = _finite(values)
    if finite.size == 0:
        return (math.nan, math.nan)
    lo, hi = float(finite.min()), float(finite.max())
    if np.isneginf(values).any():
        lo = -math.inf
    if np.isposinf(values).any():
        hi = math.inf
    for far in (right, left):
        trend = _tail_trend(far)
        if trend > 0:
            hi = math.inf
        elif trend < 0:
            lo = -math.inf
    return (lo, hi)


def _has_jump(values: np.ndarray) -> bool:
    """An isolated jump between neighbours: large against the values and against the steps
    on either side (a smooth curve's steps change slowly from one grid point to the next)."""
    values = np.where(np.isfinite(values), values, 0.0)
    with np.errstate(over="ignore"):  # steps between values near ±1e308 overflow to inf: a jump
        steps = np.abs(np.diff(values))
    if steps.size < 3:
        return False
    scale = 0.05 * np.maximum(1.0, np.maximum(np.abs(values[:-1]), np.abs(values[1:])))
    neighbours = np.maximum(np.concatenate(([0.0], steps[:-1])), np.concatenate((steps[1:], [0.0])))
    return bool(np.any((steps > scale) & (steps / 10.0 > neighbours)))


def measured_properties(
    f: ArrayFn, d1: ArrayFn, d2: ArrayFn, half_width: float = 10.0
) -> MeasuredProperties:
    """Range, zero-centred (odd: f(−x) = −f(x)), bounded, monotonic and smooth (f, f′, f″
    without jumps) measured on [−half_width, half_width] (range and growth out to 1e6)."""
    grid = window_grid(half_width)
    # Shifted off round numbers, so no point sits exactly on a kink (where e.g. sign(0) = 0
    # would split one jump into two half-size steps).
    shifted = grid[:-1] + _SHIFT
    with np.errstate(all="ignore"):
        y = np.asarray(f(grid), dtype=float)
        jumps = [np.asarray(g(shifted), dtype=float) for g in (f, d1, d2)]
        far = np.concatenate((-_FAR[::-1], grid, _FAR))
        y_far = np.asarray(f(far), dtype=float)
        steps = np.diff(y_far)
    lo, hi = measured_range(f)
    finite = np.isfinite(y)
    scale = max(1.0, float(np.max(np.abs(y[finite]))) if finite.any() else 1.0)
    odd = finite & finite[::-1]
    zero_centred = bool(odd.all() and np.max(np.abs(y + y[::-1])) <= 1e-9 * scale)
    steps = steps[np.isfinite(steps)]
    tol = 1e-12 * scale
    monotonic = bool(np.all(steps >= -tol) or np.all(steps <= tol))
    smooth = not any(_has_jump(v) for v in jumps)
    bounded = math.isfinite(lo) and math.isfinite(hi)
    return MeasuredProperties((lo, hi), zero_centred, bounded, monotonic, smooth)


# --- the property table -------------------------------------------------------------------------


def range_text(activation: Activation, measured: tuple[float, float]) -> str:
    """The output range as an interval: "(" where an end is only approached, "[" where it is
    attained, decided from the formula; a typed activation's measured ends are marked "≈"."""

    def end(v: float) -> str:
        return "∞" if v == math.inf else "−∞" if v == -math.inf else _num(v, 4)

    if activation.range_closed is None:
        lo, hi = measured
        return Text("≈ {low} … {high} (measured)", low=end(lo), high=end(hi))
    lo, hi = activation.output_range
    left = "[" if activation.range_closed[0] and math.isfinite(lo) else "("
    right = "]" if activation.range_closed[1] and math.isfinite(hi) else ")"
    return f"{left}{end(lo)}, {end(hi)}{right}"


def property_row(activation: Activation, eps: float) -> dict[str, object]:
    """One row of the property table, every entry measured from the functions."""
    props = measured_properties(activation.f, activation.d1, activation.d2)
    zero = np.zeros(1)
    with np.errstate(all="ignore"):
        f0 = float(np.asarray(activation.f(zero), dtype=float)[0])
        d0 = float(np.asarray(activation.d1(zero), dtype=float)[0])
    peak = max_abs_derivative(activation.d1)
    return {
        "activation": activation.name,
        "range": range_text(activation, props.output_range),
        "zero-centred": props.zero_centred,
        "bounded": props.bounded,
        "monotonic": props.monotonic,
        "smooth": props.smooth,
        "f(0)": _clean(f0),
        "f′(0)": _clean(d0),
        "max |f′|": _clean(peak.value),
        "max |f′| at": peak.where,
        saturation_header(eps): saturation(activation.d1, eps).describe(),
    }


def saturation_header(eps: float) -> Text:
    """The property table's column header of the saturation region at threshold ``eps``."""
    return Text("|f′| < {eps:g} for", eps=eps)


def _clean(value: float) -> float:
    """Round away last-digit noise (e.g. 0.24999999999 → 0.25) for display."""
    return float(f"{value:.10g}") if math.isfinite(value) else value
