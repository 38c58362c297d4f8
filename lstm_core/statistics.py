"""Intervals for what a handful of seeds can tell: a proportion, a median, a paired ratio.

Every trained verdict is decided from these, so that a verdict says UNDECIDED (or "no
measurable difference") when the seeds cannot tell two configurations apart, instead of
deciding on noise. The level is 95 % throughout; the bootstrap has a fixed seed, so the same
runs give the same interval on every server.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Z_95 = 1.959963984540054  # the standard normal's 97.5 % quantile
RESAMPLES = 2000
BOOTSTRAP_SEED = 2024


@dataclass(frozen=True)
class Interval:
    """An estimate with its 95 % interval, and how many runs stand behind it."""

    value: float
    low: float
    high: float
    n: int

    def below(self, other: Interval) -> bool:
        """This interval lies wholly below ``other`` (the two can be told apart)."""
        return self.high < other.low

    def contains(self, x: float) -> bool:
        return self.low <= x <= self.high


def wilson(successes: int, n: int) -> Interval:
    """The proportion k/n with its Wilson score interval:

    (p̂ + z²/2n ± z √(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n),  z = 1.96.

    Unlike p̂ ± z√(p̂(1−p̂)/n) it stays inside [0, 1] and is not empty at k = 0 or k = n.
    """
    if n <= 0:
        return Interval(float("nan"), 0.0, 1.0, 0)
    p, z2 = successes / n, Z_95**2
    if successes in (0, n):  # exact ends: the closed form's round-off would print 1e-17 for 0
        other = n / (n + z2)
        return Interval(p, 0.0, 1.0 - other, n) if successes == 0 else Interval(p, other, 1.0, n)
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z_95 * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return Interval(p, max(0.0, centre - half), min(1.0, centre + half), n)


def bootstrap_median(values: np.ndarray, resamples: int = RESAMPLES,
                     seed: int = BOOTSTRAP_SEED) -> Interval:
    """The median of ``values`` with its percentile-bootstrap 95 % interval.

    ``values`` may hold +∞ (a run that never reached the threshold, or diverged): the median
    is then ∞ when at least half the runs are, and so is an end of the interval. The ends are
    order statistics of the resampled medians (never interpolated, so ∞ stays ∞).
    """
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if not values.size:
        return Interval(float("nan"), float("nan"), float("nan"), 0)
    rng = np.random.default_rng(seed)
    samples = values[rng.integers(0, values.size, size=(resamples, values.size))]
    medians = np.sort(_median_rows(samples))
    low = medians[int(np.floor(0.025 * (resamples - 1)))]
    high = medians[int(np.ceil(0.975 * (resamples - 1)))]
    return Interval(float(_median_rows(values[None])[0]), float(low), float(high), values.size)


def _median_rows(rows: np.ndarray) -> np.ndarray:
    """Each row's median, the middle pair's lower value taken when one of them is ∞ (so that
    (x + ∞)/2 is read as ∞, never as NaN)."""
    ordered = np.sort(rows, axis=1)
    n = ordered.shape[1]
    lower, upper = ordered[:, (n - 1) // 2], ordered[:, n // 2]
    with np.errstate(invalid="ignore"):
        middle = np.where(np.isinf(upper), upper, 0.5 * (lower + upper))
    return middle


def compare(a: Interval, b: Interval) -> int:
    """−1 if ``a``'s interval lies wholly below ``b``'s, +1 if wholly above, 0 if they overlap
    (no measurable difference at this number of runs)."""
    if a.below(b):
        return -1
    if b.below(a):
        return 1
    return 0
