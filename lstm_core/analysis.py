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


def _levels_off(f: ArrayFn, side: float) -> bool:
    """Whether f approaches a finite limit as x → side·∞: measured at x = ±10⁴, ±10⁵, ±10⁶, its
    change over the last decade is at most half the change over the one before (x/(1+|x|) → 1:
    a tenth; leaky ReLU: ten times; log x: the same)."""
    with np.errstate(all="ignore"):
        a, b, c = np.asarray(f(side * np.array([1e4, 1e5, 1e6])), dtype=float)
    if not np.isfinite([a, b, c]).all():
        return False
    near, far = abs(b - a), abs(c - b)
    return far <= 1e-12 * (1.0 + abs(c)) or far <= 0.5 * near


def saturation_kinds(act: Activation, eps: float) -> tuple[Intervals, Intervals]:
    """Where |f′| < ``eps`` split in two: (saturated, flat without saturating). A region is
    *saturated* when it runs to the window's edge and f levels off towards a bound there (σ,
    tanh, ReLU's 0); otherwise f keeps changing (leaky ReLU's small constant slope for x < 0,
    an inner stretch of small slope)."""
    found = saturation(act.d1, eps)
    saturated, other = [], []
    for lo, hi in found.bounds:
        side = -1.0 if lo == -math.inf else (1.0 if hi == math.inf else 0.0)
        (saturated if side and _levels_off(act.f, side) else other).append((lo, hi))
    return Intervals(tuple(saturated), found.window), Intervals(tuple(other), found.window)


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
    #: Whether each finite end of the range is attained (closed) or only approached (open).
    range_closed: tuple[bool, bool] = (False, False)


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


def _decades_grow(far: np.ndarray, sign: int) -> bool:
    """Whether the largest (sign = +1) or smallest (−1) value on each of the last three decades
    out to 1e6 beats the one before by more than 5 % of its size: an envelope that keeps
    growing (x·sin x, log|x|·sin x), not one that levels off or wiggles (sin x)."""
    with np.errstate(invalid="ignore"):
        extremes = [np.nanmax(sign * far[i:i + 25]) if np.isfinite(far[i:i + 25]).any()
                    else math.nan for i in (48, 72, 96)]  # 10^3 … 10^4 … 10^5 … 10^6
    if not np.isfinite(extremes).all():
        return False
    a, b, c = extremes
    return b - a > 0.05 * max(1.0, abs(a)) and c - b > 0.05 * max(1.0, abs(b))


def _refined_extreme(f: ArrayFn, x: np.ndarray, y: np.ndarray, i: int, sign: int,
                     levels: int = 6) -> float:
    """The minimum (sign = −1) or maximum (+1) of f near the interior sample ``i``, zooming
    500× per level around the best point: ±inf when it keeps growing under the zoom (a pole,
    as in 1/x or tan x), else the refined value (a tall peak between grid points is found)."""
    best = float(y[i])
    left, right = float(x[i - 1]), float(x[i + 1])
    grows = 0
    for _ in range(levels):
        fine = np.linspace(left, right, 1001)
        with np.errstate(all="ignore"):
            values = sign * np.asarray(f(fine), dtype=float)
        if np.isposinf(values).any():
            return sign * math.inf
        values[~np.isfinite(values)] = -math.inf
        j = int(np.argmax(values))
        found = float(values[j])
        grows = grows + 1 if found - sign * best > max(1.0, abs(best)) else 0
        if grows == 3:
            return sign * math.inf
        if found > sign * best:
            best = sign * found
        if grows == 0 and j not in (0, fine.size - 1):
            break  # a peak the grid had already found: refined, and no pole under it
        left, right = float(fine[max(j - 1, 0)]), float(fine[min(j + 1, fine.size - 1)])
    return best


def _attained(y: np.ndarray, end: float) -> bool:
    """Whether the samples ``y`` (ordered by x, the far ends last) reach ``end``: at a point
    inside (sin x reaches 1), or on a flat stretch out to the sampled edge that starts with a
    step well above rounding (clip reaches 1 at x = 1). A value that only creeps up to ``end``
    towards the edge (σ(40) rounds to exactly 1) approaches it and is not attained."""
    tol = 1e-12 * max(1.0, abs(end))
    near = np.isfinite(y) & (np.abs(y - end) <= tol)
    edges = (0, y.size - 1)
    for start, stop in _runs(near):
        if start not in edges and stop not in edges:
            return True
        inner = stop + 1 if start == 0 else start - 1  # the sample just before the stretch
        if stop - start >= 1 and 0 <= inner < y.size and np.isfinite(y[inner]) and (
                abs(y[inner] - end) > 1e3 * tol):
            return True
    return False


def _tail_limit(end: float, sign: int, tails: tuple[np.ndarray, ...]) -> float:
    """The bound an end only approaches, extrapolated from f at 10^4, 10^5, 10^6 on the side
    that reaches ``end`` (Aitken's Δ²: exact when the gap shrinks by a fixed factor per decade,
    as for 1/x or 1/√x), so that x/(1+|x|) reads 1, not its value at 10^6."""
    for far in tails:
        a, b, c = (float(v) for v in far[[72, 96, 120]])
        if c != end or not all(map(math.isfinite, (a, b, c))):
            continue
        first, second = sign * (b - a), sign * (c - b)
        if 0 < second < first:
            limit = end + sign * second * second / (first - second)
            if abs(limit) <= 1e-9 * max(1.0, abs(a)):
                return 0.0
            return float(f"{limit:.8g}")  # an extrapolation: its last digits are rounding
    return end


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of each stretch of True in ``mask``."""
    padded = np.concatenate(([False], mask, [False])).astype(np.int8)
    change = np.flatnonzero(np.diff(padded))
    return list(zip(change[::2].tolist(), (change[1::2] - 1).tolist(), strict=True))


def measured_interval(f: ArrayFn, half_width: float = WINDOW
                      ) -> tuple[tuple[float, float], tuple[bool, bool]]:
    """The range of f measured on the window and out to |x| = 1e6, and whether each end is
    attained (closed) or only approached (open). An end is ±inf where f reaches it, keeps
    rising or falling out to 1e6, has an envelope that keeps growing, or has a pole (the
    extreme keeps growing as the grid around it is refined): never a sampled extreme."""
    grid = window_grid(half_width)
    beyond = _FAR[_FAR > half_width]  # noqa: SIM300 (an array, not a constant)
    x = np.concatenate((-beyond[::-1], grid, beyond))
    with np.errstate(all="ignore"):
        y = np.asarray(f(x), dtype=float)
        right = np.asarray(f(_FAR), dtype=float)
        left = np.asarray(f(-_FAR), dtype=float)
    if not np.isfinite(y).any():
        return (math.nan, math.nan), (False, False)
    inside = np.flatnonzero(np.abs(x) <= half_width)
    ends, closed = [], []
    for sign in (-1, 1):  # the lower end, then the upper
        signed = np.where(np.isfinite(y), sign * y, -math.inf)
        best = int(np.argmax(signed))
        grows = bool((np.isinf(y) & (np.sign(y) == sign)).any()) or any(
            _tail_trend(far) == sign or _decades_grow(far, sign) for far in (right, left))
        end = sign * math.inf if grows else float(y[best])
        # a pole hides between grid points: zoom in on the best sample overall and in the window
        for i in {best, int(inside[np.argmax(signed[inside])])}:
            if not grows and 0 < i < y.size - 1 and np.isfinite(y[i]):
                end = sign * max(sign * end, sign * _refined_extreme(f, x, y, i, sign))
        shut = math.isfinite(end) and (end != y[best] or _attained(y, end))
        if math.isfinite(end) and not shut:
            end = _tail_limit(end, sign, (right, left))
        ends.append(end)
        closed.append(shut)
    return (ends[0], ends[1]), (closed[0], closed[1])


def measured_range(f: ArrayFn, half_width: float = WINDOW) -> tuple[float, float]:
    """(min f, max f) measured on the window and out to |x| = 1e6; ±inf where f keeps growing
    (see :func:`measured_interval`)."""
    return measured_interval(f, half_width)[0]


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
    (lo, hi), closed = measured_interval(f)
    finite = np.isfinite(y)
    scale = max(1.0, float(np.max(np.abs(y[finite]))) if finite.any() else 1.0)
    odd = finite & finite[::-1]
    zero_centred = bool(odd.all() and np.max(np.abs(y + y[::-1])) <= 1e-9 * scale)
    steps = steps[np.isfinite(steps)]
    tol = 1e-12 * scale
    monotonic = bool(np.all(steps >= -tol) or np.all(steps <= tol))
    smooth = not any(_has_jump(v) for v in jumps)
    bounded = math.isfinite(lo) and math.isfinite(hi)
    return MeasuredProperties((lo, hi), zero_centred, bounded, monotonic, smooth, closed)


# --- the property table -------------------------------------------------------------------------


def range_text(activation: Activation) -> str:
    """The output range as an interval: "(" where an end is only approached, "[" where it is
    attained (decided from the formula, or measured for a typed activation), ∞ where unbounded."""

    def end(v: float) -> str:
        return "∞" if v == math.inf else "−∞" if v == -math.inf else _num(v, 4)

    lo, hi = activation.output_range
    closed = activation.range_closed or (False, False)
    left = "[" if closed[0] and math.isfinite(lo) else "("
    right = "]" if closed[1] and math.isfinite(hi) else ")"
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
        "range": range_text(activation),
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
