"""The process warm-up: page modules loaded and claims verdicts computed off the request path."""

from __future__ import annotations

import threading

import pytest

from tests.apptest_helpers import charts, no_exceptions, run_page
from ui import warmup


def test_background_jobs_run_in_order_and_keep_failures():
    release = threading.Event()
    order: list[str] = []

    def slow() -> int:
        release.wait(10)
        order.append("slow")
        return 2

    def broken() -> int:
        raise ValueError("no")

    jobs = warmup.BackgroundJobs({"fast": lambda: order.append("fast") or 1, "slow": slow,
                                  "broken": broken})
    jobs.start()
    jobs.start()  # a second start does nothing
    assert not jobs.wait(0.2)
    assert jobs.get("fast") == 1 and jobs.get("slow") is None
    assert jobs.pending() == ["slow", "broken"]
    release.set()
    assert jobs.wait(10)
    assert order == ["fast", "slow"] and jobs.get("slow") == 2
    assert jobs.pending() == [] and jobs.get("broken") is None
    assert isinstance(jobs.error("broken"), ValueError)


@pytest.fixture
def stalled_claim(monkeypatch):
    """The process's claim jobs with the race held back until the test releases it."""
    from lstm_core.claims import CLAIMS

    release = threading.Event()
    key = "relu_replaces_tanh"
    jobs = {k: check for k, check in CLAIMS.items() if k != key}
    real = CLAIMS[key]
    jobs[key] = lambda: release.wait(60) and real()
    monkeypatch.setattr(warmup, "_CLAIMS", warmup.BackgroundJobs(jobs))
    warmup._CLAIMS.start()
    yield key, release
    release.set()
    warmup._CLAIMS.wait(120)


def test_claims_page_shows_progress_while_a_verdict_is_computed(stalled_claim):
    from lstm_core.claims import CLAIMS

    key, release = stalled_claim
    at = run_page("pages/home.py")
    at.switch_page("pages/claims.py")
    at.query_params["claim"] = key
    at.run()
    no_exceptions(at)
    table = at.dataframe[0].value
    row = list(CLAIMS).index(key)
    assert table.verdict[row] == "computing…"
    quick = [i for i, claim in enumerate(CLAIMS.values()) if not claim.trained]
    assert "computing…" not in set(table.verdict[quick])  # quick verdicts never wait
    assert "ReLU is bounded" in at.get("progress")[0].proto.text
    assert "still computing this verdict" in at.info[0].value
    release.set()
    assert warmup._CLAIMS.wait(120)
    at.run()
    no_exceptions(at)
    assert not at.get("progress")
    assert "computing…" not in set(at.dataframe[0].value.verdict)
    assert charts(at)
