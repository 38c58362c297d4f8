"""What a checked claim returns: a verdict decided from measurements, and its evidence chart."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np

from i18n import Text

from .statistics import Interval

VERDICTS = ("true", "false", "partly", "undecided")
GRID = np.linspace(-8.0, 8.0, 16001)  # step 0.001: derivative maxima located to ±0.0005
SHOWN = slice(None, None, 20)  # evidence charts draw every 20th point (801): a pixel is coarser
T = TypeVar("T")


@dataclass(frozen=True)
class Evidence:
    """One evidence chart: curves over a shared x, with a title for each axis (titles and curve
    names are messages, marked with ``N_`` or made as :class:`~i18n.Text`)."""

    x: np.ndarray
    curves: dict[str, np.ndarray]
    x_title: str
    y_title: str
    log_y: bool = False


@dataclass(frozen=True)
class SeedEvidence:
    """One evidence chart of per-seed values: for each group (a configuration at a budget) one
    dot per seed, with the median and its 95 % interval. A value of +∞ is a run that never got
    there (not reached, or diverged): drawn as a marked dot above the others, never dropped."""

    groups: dict[str, np.ndarray]
    seeds: tuple[int, ...]
    y_title: str
    infinite_label: str
    log_y: bool = False
    line: float | None = None  # a reference line (the task's threshold)
    line_label: str = ""
    #: each group's median over seeds with its 95 % bootstrap interval
    medians: dict[str, Interval] = field(default_factory=dict)


def seed_evidence(groups: dict[str, np.ndarray], seeds: tuple[int, ...], y_title: str,
                  infinite_label: str, **options: object) -> SeedEvidence:
    """:class:`SeedEvidence` with each group's median and interval computed."""
    from .statistics import bootstrap_median

    return SeedEvidence(groups, seeds, y_title, infinite_label, **options,
                        medians={name: bootstrap_median(v) for name, v in groups.items()})


@dataclass(frozen=True)
class Table:
    """A small table shown under a verdict: a title and its columns (header → cells); headers
    and text cells are messages."""

    title: str
    columns: dict[str, list]


@dataclass(frozen=True)
class Verdict:
    """A claim's verdict (``"true"``, ``"false"`` or ``"partly"``), the measured finding as
    Markdown (formulas as ``$…$``), a plain one-line summary for tables, the evidence chart and
    the numbers behind it. Finding and summary are :class:`~i18n.Text` messages (English as
    ``str``; the page shows them in the session's language)."""

    key: str
    verdict: str
    finding: str
    summary: str
    evidence: Evidence | SeedEvidence
    numbers: dict[str, float] = field(default_factory=dict)
    seconds: float = 0.0
    #: how the verdict is decided, in words (trained claims: the rule over the intervals)
    rule: str = ""
    #: the estimates behind the verdict, by name, each with its 95 % interval
    intervals: dict[str, Interval] = field(default_factory=dict)
    tables: tuple[Table, ...] = ()


def listed(items: Iterable[str]) -> str:
    """``items`` (each may be a :class:`~i18n.Text`) as one list separated by "; ": a message
    the page translates item by item, separators included."""
    items = list(items)
    text = items[0] if items else ""
    for item in items[1:]:
        text = Text("{first}; {second}", first=text, second=item)
    return text


def steps_axis(count: int) -> np.ndarray:
    """1, 2, …, count as floats (steps shown to students count from 1)."""
    return np.arange(1, count + 1, dtype=float)


def central_difference(f, x: np.ndarray, step: float = 1e-6) -> np.ndarray:
    """(f(x + h) − f(x − h)) / 2h: the reference every printed derivative is checked against."""
    return (f(x + step) - f(x - step)) / (2.0 * step)


class Memo:
    """Values computed once per process, by key (deterministic verdicts and the shared race:
    the same for every session, so sharing them is right). Concurrent callers of one key wait
    for the first."""

    def __init__(self) -> None:
        self._values: dict[object, object] = {}
        self._locks: dict[object, threading.Lock] = {}
        self._lock = threading.Lock()

    def once(self, key: object, compute: Callable[[], T]) -> T:
        """``compute()`` the first time ``key`` is asked for; the kept value afterwards."""
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._values:
                self._values[key] = compute()
            return self._values[key]  # type: ignore[return-value]

    def get(self, key: object) -> object | None:
        """The value kept for ``key``, or None if it has not been computed (never computes)."""
        return self._values.get(key)


MEMO = Memo()


def once(key: object, compute: Callable[[], T]) -> T:
    """``MEMO.once``: compute once per process for ``key``."""
    return MEMO.once(key, compute)


def remembered(key: object) -> object | None:
    """What :func:`once` computed for ``key``, or None if it has not finished (never computes)."""
    return MEMO.get(key)
