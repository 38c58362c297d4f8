"""Real weekly stock prices as an input sequence, and what a cell's candidate writes on them.

The prices are the sample data shipped with the ``plotly`` package (``plotly.data.stocks()``):
the weekly closing prices of six stocks from 2018-01-01 to 2019-12-30 (105 weeks), each
normalised to 1 on the first week. ``data/stocks.csv`` is a verbatim copy (this package is pure
NumPy and does not import plotly; ``tests/test_stocks.py`` checks the copy against plotly's).

* :func:`prices` → (105, 6) array, :data:`STOCKS` its columns, :func:`weeks` the dates;
* :func:`weekly_returns` r_t = p_t / p_{t−1} − 1 (104 values per stock);
* :func:`stock_sequence` the (104, D) input x_t = A · 100 · r_t (the week's change in percent);
* :func:`candidate_writes` / :func:`writes_over_seeds`: how often the write i_t·g_t into the
  cell state is negative on the down weeks, for a tanh and a sigmoid candidate with the same
  weights (the lesson "A falling week in the memory").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from i18n import N_

from .cells import LSTM

DATA_FILE = Path(__file__).parent / "data" / "stocks.csv"

#: Ticker → the company's name, in the order of the data's columns.
STOCKS: dict[str, str] = {
    "GOOG": N_("Alphabet (Google)"),
    "AAPL": N_("Apple"),
    "AMZN": N_("Amazon"),
    "FB": N_("Facebook (now Meta)"),
    "NFLX": N_("Netflix"),
    "MSFT": N_("Microsoft"),
}
#: x_t = A · RETURN_SCALE · r_t: with A = 1 the input is the week's price change in percent.
RETURN_SCALE = 100.0
#: Returns per stock: one fewer than the 105 weekly prices.
WEEKS = 104
#: The seeds the lesson checks its statement over (and says so): every one, none picked.
LESSON_SEEDS = tuple(range(30))


@cache
def _table() -> tuple[tuple[str, ...], np.ndarray]:
    with DATA_FILE.open(encoding="utf-8") as handle:
        rows = [line.strip().split(",") for line in handle if not line.startswith("#")]
    header, body = rows[0], rows[1:]
    if tuple(header[1:]) != tuple(STOCKS):
        raise ValueError(f"{DATA_FILE.name}: unexpected columns {header[1:]}")
    values = np.array([[float(v) for v in row[1:]] for row in body], dtype=np.float64)
    values.setflags(write=False)
    return tuple(row[0] for row in body), values


def prices() -> np.ndarray:
    """The (105, 6) weekly closing prices, columns in :data:`STOCKS` order (read-only)."""
    return _table()[1]


def weeks() -> tuple[str, ...]:
    """The 105 dates (ISO, the Monday of each week) of :func:`prices`' rows."""
    return _table()[0]


def weekly_returns(p: np.ndarray) -> np.ndarray:
    """r_t = p_t / p_{t−1} − 1 along axis 0: one row fewer than ``p``."""
    p = np.asarray(p, dtype=np.float64)
    return p[1:] / p[:-1] - 1.0


def stock_columns(stock: str, input_size: int = 1) -> list[str]:
    """The tickers of the D input columns: ``stock``, then the next ones in :data:`STOCKS` order
    (wrapping round)."""
    names = list(STOCKS)
    first = names.index(stock)
    return [names[(first + k) % len(names)] for k in range(input_size)]


def stock_sequence(stock: str, input_size: int = 1, amplitude: float = 1.0) -> np.ndarray:
    """The (104, input_size) input x_t = A · 100 · r_t of :func:`stock_columns` (A = ``amplitude``):
    with A = 1 each value is that week's price change in percent (−3.2: the price fell 3.2 %)."""
    columns = [list(STOCKS).index(name) for name in stock_columns(stock, input_size)]
    return float(amplitude) * RETURN_SCALE * weekly_returns(prices()[:, columns])


# --- what the candidate writes on the down weeks --------------------------------------------------


@dataclass(frozen=True)
class Writes:
    """One run's writes i_t·g_t into the cell state, split by the sign of the week's return.

    Shares count (week, unit) pairs: ``down_negative`` is the share of the down weeks' writes
    (over every unit) that are negative, i.e. that lower the cell state.
    """

    down_weeks: int
    up_weeks: int
    down_negative: float
    up_negative: float
    mean_down: float        # mean write on a down week (every unit)
    mean_up: float
    min_cell: float         # smallest c_t over steps and units
    max_cell: float


def candidate_writes(cell: LSTM, x: np.ndarray, returns: np.ndarray) -> Writes:
    """Run ``cell`` on ``x`` (T, D) from c₀ = 0 and split its writes by the sign of ``returns``
    (T,), the return of the input's first column (0 counts as an up week)."""
    trace = cell.forward(np.asarray(x, dtype=np.float64))
    write = (trace.input_gate * trace.candidate)[:, 0, :]   # (T, H): what step t adds to c
    down = np.asarray(returns) < 0
    cell_state = trace.cell[:, 0, :]

    def share(rows: np.ndarray) -> float:
        return float(np.mean(write[rows] < 0)) if rows.any() else float("nan")

    def mean(rows: np.ndarray) -> float:
        return float(np.mean(write[rows])) if rows.any() else float("nan")

    return Writes(int(down.sum()), int((~down).sum()), share(down), share(~down), mean(down),
                  mean(~down), float(cell_state.min()), float(cell_state.max()))


def lesson_cell(seed: int, candidate: str, input_size: int = 1, hidden_size: int = 4,
                weight_scale: float = 1.0, forget_bias: float = 1.0) -> LSTM:
    """The run setup's seeded random LSTM (``LSTM.random`` with ``default_rng(seed)``, the
    Step-Through's defaults) with ``candidate`` as the candidate activation."""
    return LSTM.random(input_size, hidden_size, np.random.default_rng(seed),
                       weight_scale=weight_scale, forget_bias=forget_bias, candidate=candidate)


def writes_over_seeds(x: np.ndarray, returns: np.ndarray, seeds: Sequence[int],
                      candidates: Sequence[str] = ("tanh", "sigmoid"),
                      **weights: float) -> dict[str, list[Writes]]:
    """Candidate → its :class:`Writes` for each seed: the same weights for every candidate of
    one seed (only the candidate's activation differs). ``weights``: :func:`lesson_cell`'s."""
    return {candidate: [candidate_writes(lesson_cell(seed, candidate, x.shape[1], **weights), x,
                                         returns) for seed in seeds]
            for candidate in candidates}
