"""Claims: each verdict as computed by the engine, and the page that shows them."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_core import claims
from tests.apptest_helpers import charts, decode, no_exceptions, run_page

EXPECTED = {
    "tanh_rescaled_sigmoid": "true",
    "derivative_maxima": "true",
    "quoted_sigmoid_derivative": "false",
    "sigmoid_candidate_only_increases": "partly",
    "tanh_solves_vanishing": "partly",
    "gru_no_second_tanh": "true",
    "relu_replaces_tanh": "partly",
}


@pytest.mark.parametrize(("key", "verdict"), EXPECTED.items())
def test_each_verdict(key, verdict):
    assert claims.CLAIMS[key]().verdict == verdict


def test_measured_numbers_are_the_known_constants():
    maxima = claims.derivative_maxima().numbers
    assert maxima["max_sigmoid_slope"] == pytest.approx(0.25, abs=1e-15)
    assert maxima["max_tanh_slope"] == pytest.approx(1.0, abs=1e-15)
    quoted = claims.popular_sigmoid_derivative().numbers
    assert quoted["max_error"] == pytest.approx(0.5, abs=1e-6)  # 2 · max σ′ at z = 0
    assert quoted["max_error_without_sign"] < 1e-9
    assert claims.sigmoid_candidate_only_increases().numbers["min_cell"] >= 0.0
    race = claims.relu_can_replace_tanh().numbers
    assert race["textbook_solved"] == 3 and 1 <= race["relu_solved"] < 3
    assert race["relu_diverged"] >= 1


def test_a_wrong_sigmoid_changes_the_verdicts(monkeypatch):
    """Verdicts are measured: break σ and the claims about it turn false."""
    wrong = lambda x: 1.0 / (1.0 + np.exp(-1.01 * np.asarray(x)))
    monkeypatch.setattr(claims, "sigmoid", wrong)
    assert claims.tanh_is_rescaled_sigmoid().verdict == "false"
    assert claims.popular_sigmoid_derivative().numbers["max_error_without_sign"] > 1e-4


def test_claims_page_shows_every_verdict_and_switches_evidence():
    at = run_page("pages/claims.py")
    no_exceptions(at)
    table = at.dataframe[0].value
    assert list(table["verdict"]) == [v.upper() for v in EXPECTED.values()]
    first = charts(at)[0]
    at.radio[0].set_value("tanh_solves_vanishing").run()
    no_exceptions(at)
    second = charts(at)[0]
    assert second["layout"]["yaxis"]["type"] == "log"
    assert len(decode(second["data"][0]["y"])) == 100
    assert first["data"][0]["name"] != second["data"][0]["name"]
    assert at.query_params["claim"] == "tanh_solves_vanishing"


def test_claims_page_from_a_link_and_a_bad_link():
    at = run_page("pages/claims.py", query={"claim": "gru_no_second_tanh"})
    assert at.radio[0].value == "gru_no_second_tanh"
    at = run_page("pages/claims.py", query={"claim": "<script>", "bogus": "1"})
    no_exceptions(at)
    assert at.radio[0].value == "tanh_rescaled_sigmoid"
    assert "claim" in at.info[0].value and "bogus" in at.info[0].value
