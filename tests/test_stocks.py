"""The stock input: the copied prices, the returns by hand, the URL state, the pages, and the
lesson's statement over every seed it names (and more)."""

from __future__ import annotations

import numpy as np
import pytest
from apptest_helpers import charts, decode, no_exceptions, run_page

from lstm_core.diagnoses import num
from lstm_core.sequences import InputError, make_sequence
from lstm_core.stocks import (
    LESSON_SEEDS,
    STOCKS,
    WEEKS,
    candidate_writes,
    lesson_cell,
    prices,
    stock_columns,
    stock_sequence,
    weekly_returns,
    weeks,
    writes_over_seeds,
)
from ui import lessons
from ui.compare import CompareState
from ui.step_through import StepThroughState

STEP = "pages/step_through.py"
COMPARE = "pages/compare.py"
SOURCE = "Weekly closing prices, 2018–2019, from the sample data shipped with the plotly package"


# --- the data and the returns --------------------------------------------------------------------


def test_the_copied_prices_are_plotlys_sample_data():
    """lstm_core/data/stocks.csv is a copy (the engine does not import plotly): it must stay
    exactly what ``plotly.data.stocks()`` gives."""
    plotly_data = pytest.importorskip("plotly.data")
    frame = plotly_data.stocks()
    assert list(frame.columns) == ["date", *STOCKS]
    assert frame.shape == (105, 7) and prices().shape == (105, 6)
    np.testing.assert_array_equal(prices(), frame[list(STOCKS)].to_numpy())
    assert weeks() == tuple(frame["date"]) and weeks()[0] == "2018-01-01"
    assert weeks()[-1] == "2019-12-30"
    assert not prices().flags.writeable


def test_weekly_returns_by_hand_from_the_first_rows():
    # The first rows of the file: GOOG 1.0, 1.0181722783479359, 1.032007866452698, …
    #                             AAPL 1.0, 1.0119428342857142, 1.0197714685714288, 0.98005711…
    #                             FB   1.0, 0.9599678310954937, …
    r = weekly_returns(prices())
    assert r.shape == (WEEKS, 6) == (104, 6)
    goog, aapl, fb = r[:, 0], r[:, 1], r[:, 3]
    assert goog[0] == pytest.approx(0.0181722783479359, abs=1e-15)  # 1.01817… / 1 − 1
    assert goog[1] == pytest.approx(1.032007866452698 / 1.0181722783479359 - 1, abs=1e-15)
    assert goog[1] == pytest.approx(0.013588651, abs=1e-9)
    assert aapl[2] == pytest.approx(0.9800571142857143 / 1.0197714685714288 - 1, abs=1e-15)
    assert aapl[2] == pytest.approx(-0.0389444, abs=1e-7)  # a down week
    assert fb[0] == pytest.approx(-0.0400321689045063, abs=1e-15)
    # the whole series compounds back to the last price
    np.testing.assert_allclose(np.prod(1 + r, axis=0), prices()[-1], rtol=1e-12)
    assert int((goog < 0).sum()) == 46


def test_the_stock_preset_is_the_returns_in_percent_times_a():
    x = make_sequence("stocks", 100)  # real data has its own length, whatever T
    assert x.shape == (104, 1)
    assert x[0, 0] == pytest.approx(1.81722783479359, abs=1e-12)  # GOOG's first week: +1.82 %
    np.testing.assert_allclose(make_sequence("stocks", 5, amplitude=0.5), x / 2, rtol=1e-15)
    two = make_sequence("stocks", 10, 2, stock="FB")
    assert stock_columns("FB", 2) == ["FB", "NFLX"] and stock_columns("MSFT", 2) == ["MSFT", "GOOG"]
    np.testing.assert_array_equal(two[:, 1], stock_sequence("NFLX")[:, 0])
    assert two[0, 0] == pytest.approx(-4.00321689045063, abs=1e-12)
    assert make_sequence("stocks", 1, 4, stock="MSFT").shape == (104, 4)


@pytest.mark.parametrize("bad", ["TSLA", "", "goog", "GOOG<script>", "x" * 300])
def test_an_unknown_stock_is_a_friendly_error(bad):
    with pytest.raises(InputError, match="unknown stock") as err:
        make_sequence("stocks", 10, stock=bad)
    assert len(str(err.value)) < 200


# --- the URL state ------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [StepThroughState, CompareState])
def test_the_stock_input_round_trips_through_the_url(cls):
    state = cls(preset="stocks", stock="NFLX", amplitude=0.5)
    query = state.to_query()
    assert query == {"preset": "stocks", "stock": "NFLX", "amplitude": "0.5"}
    again, ignored = cls.from_query(query)
    assert again == state and ignored == []
    assert cls().to_query() == {}  # GOOG is the default: not in a default link


@pytest.mark.parametrize("bad", ["TSLA", "", "nflx", "<script>alert(1)</script>", "9" * 3000])
def test_bad_stock_parameters_fall_back_to_goog_with_a_notice(bad):
    state, ignored = StepThroughState.from_query({"preset": "stocks", "stock": bad})
    assert state.stock == "GOOG" and state.preset == "stocks"
    assert len(ignored) == 1 and "stock" in ignored[0]
    at = run_page(STEP, query={"preset": "stocks", "stock": bad})
    no_exceptions(at)
    assert any("ignored" in i.value and "stock" in i.value for i in at.info)
    assert any("GOOG" in c.value and SOURCE in c.value for c in at.caption)
    assert "stock" not in at.query_params  # the link now says what is shown: the default


# --- the pages -----------------------------------------------------------------------------------


def test_step_through_runs_the_chosen_stock_and_names_the_source():
    at = run_page(STEP, query={"preset": "stocks", "stock": "AMZN"})
    no_exceptions(at)
    assert at.selectbox(key="step_through.stock").value == "AMZN"
    assert not [n for n in at.number_input if n.key == "step_through.steps"]  # its own length
    fig = charts(at)[0]
    assert len(fig["frames"]) == 104
    cell = lesson_cell(0, "tanh")
    trace = cell.forward(stock_sequence("AMZN"))
    c = next(t for t in fig["data"] if t.get("name") == "c cell state")
    np.testing.assert_allclose(decode(c["y"]), trace.cell[:, 0, 0], rtol=1e-12)
    notes = [c.value for c in at.caption if SOURCE in c.value]
    assert any("AMZN · Amazon" in n for n in notes)  # above the charts (also in teacher mode)
    assert any("104 weeks, 43 of them down" in n for n in notes)  # in the sidebar


def test_picking_a_stock_in_the_sidebar_updates_the_link_and_reopens_it():
    at = run_page(STEP)
    at.selectbox(key="step_through.preset").set_value("stocks").run()
    at.selectbox(key="step_through.stock").set_value("MSFT").run()
    no_exceptions(at)
    params = dict(at.query_params.items())
    assert params["preset"] == "stocks" and params["stock"] == "MSFT"
    again = run_page(STEP, query=params)  # a Share link opened in a new session
    assert again.selectbox(key="step_through.stock").value == "MSFT"
    assert charts(again)[0] == charts(at)[0]


def test_compare_shares_the_stock_input_and_its_table_matches_the_engine():
    at = run_page(COMPARE, query={"preset": "stocks", "stock": "NFLX", "count": "2"})
    no_exceptions(at)
    table = at.dataframe[0].value
    x = stock_sequence("NFLX")
    for row, candidate in enumerate(("tanh", "sigmoid")):
        c = lesson_cell(0, candidate).forward(x).cell
        assert table["min"].iloc[row] == num(c.min())  # 3 significant digits
    assert any("NFLX · Netflix" in c.value and SOURCE in c.value for c in at.caption)
    # the setup is shared: the Step-Through now opens on the same stock
    at.switch_page(STEP).run()
    assert at.selectbox(key="step_through.stock").value == "NFLX"


def test_the_stock_input_in_chinese():
    at = run_page(STEP, query={"preset": "stocks", "stock": "MSFT", "lang": "zh"})
    no_exceptions(at)
    assert any("MSFT · 微软" in c.value and "plotly" in c.value for c in at.caption)


# --- the lesson ----------------------------------------------------------------------------------

ITEM = lessons.scenario("stock_down_weeks")


@pytest.mark.parametrize("stock", list(STOCKS))
def test_the_lessons_statement_holds_for_every_seed(stock):
    """Over 40 seeds (the lesson names 30) and every stock, same weights per seed: a sigmoid
    candidate never writes a negative amount, so c stays > 0; a tanh candidate writes negative
    amounts on part of the down weeks and takes c below 0."""
    seeds = range(40)
    x = stock_sequence(stock)
    returns = x[:, 0] / 100
    found = writes_over_seeds(x, returns, seeds)
    for seed, tanh, sigmoid in zip(seeds, found["tanh"], found["sigmoid"], strict=True):
        assert sigmoid.down_negative == 0 and sigmoid.up_negative == 0, seed
        assert sigmoid.min_cell > 0, seed
        assert tanh.down_negative >= 0.05, (seed, tanh.down_negative)
        assert tanh.min_cell < 0, (seed, tanh.min_cell)
        assert tanh.down_weeks + tanh.up_weeks == WEEKS


def test_writes_are_counted_by_hand():
    cell = lesson_cell(3, "tanh", hidden_size=2)
    x = stock_sequence("GOOG")
    returns = weekly_returns(prices()[:, 0])
    trace = cell.forward(x)
    write = trace.input_gate[:, 0, :] * trace.candidate[:, 0, :]
    got = candidate_writes(cell, x, returns)
    down = returns < 0
    assert got.down_weeks == 46 and got.up_weeks == 58
    assert got.down_negative == np.count_nonzero(write[down] < 0) / (46 * 2)
    assert got.up_negative == np.count_nonzero(write[~down] < 0) / (58 * 2)
    assert got.min_cell == trace.cell.min()


def test_the_lesson_shows_the_engines_numbers_and_names_its_source():
    figures = lessons.stock_write_figures(ITEM.params)
    x = stock_sequence("GOOG")
    returns = weekly_returns(prices()[:, 0])
    tanh = candidate_writes(lesson_cell(0, "tanh"), x, returns)
    sigmoid = candidate_writes(lesson_cell(0, "sigmoid"), x, returns)
    assert figures["tanh_down"] == tanh.down_negative > 0.5
    assert figures["sigmoid_down"] == sigmoid.down_negative == 0
    assert (figures["count"], figures["first_seed"], figures["last_seed"]) == (30, 0, 29)
    assert len(LESSON_SEEDS) >= 20
    assert figures["sigmoid_none"] == figures["tanh_below"] == 30
    assert figures["sigmoid_below"] == 0
    at = run_page("pages/lessons.py", query={"scenario": ITEM.key})
    no_exceptions(at)
    question = next(m.value for m in at.markdown if "weekly returns" in m.value)
    assert "GOOG · Alphabet (Google)" in question and "46 of its 104 weeks" in question
    assert "plotly package" in question
    at.radio(key=f"lessons.prediction.{ITEM.key}").set_value(ITEM.answer).run()
    at.button(key=f"lessons.reveal.{ITEM.key}").click().run()
    no_exceptions(at)
    reveal = next(m.value for m in at.markdown if "Not a picked seed" in m.value)
    assert f"{tanh.down_negative:.0%} of the writes" in reveal
    assert "**sigmoid candidate**: 0%" in reveal
    assert "seed 0, the default random" in reveal and "seeds 0–29" in reveal
    assert "{" not in reveal
    assert any(SOURCE in c.value and "GOOG" in c.value for c in at.caption)
    table = at.dataframe[0].value
    assert table["min"].iloc[0].startswith("−") and not table["min"].iloc[1].startswith("−")
    assert len(charts(at)) == 2  # the trajectories and the phase plot


def test_the_lesson_in_chinese_keeps_its_numbers():
    # revealed through the session (AppTest's radio formats its options in English)
    at = run_page("pages/lessons.py", query={"scenario": ITEM.key, "lang": "zh"},
                  session={f"lessons.revealed.{ITEM.key}": True})
    no_exceptions(at)
    reveal = next(m.value for m in at.markdown if "随机种子 0–29" in m.value)
    assert "{" not in reveal and "%" in reveal
