"""Helpers for ``streamlit.testing.v1.AppTest``: run a page, decode its Plotly charts."""

from __future__ import annotations

import base64
import json
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
from streamlit import config as streamlit_config
from streamlit.testing.v1 import AppTest

from ui.charts import COMPONENT_NAME as CHART_COMPONENT

# The served app redacts error details (client.showErrorDetails = "none"); tests want them.
streamlit_config.set_option("client.showErrorDetails", "full")

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 30


def run_page(
    path: str, query: dict[str, str] | None = None, session: dict | None = None
) -> AppTest:
    """Run ``app.py`` switched to the page file ``path`` (e.g. ``"pages/activation_lab.py"``)."""
    if path == "pages/claims.py":  # its verdicts are computed in the background: let them finish
        from ui import warmup

        assert warmup.claim_verdicts().wait(120), "the claim verdicts did not finish in 120 s"
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    for key, value in (session or {}).items():
        at.session_state[key] = value
    at.run()
    if path != "pages/home.py":
        at.switch_page(path)
        at.run()
    return at


def chart_messages(at: AppTest) -> list[dict]:
    """Every chart on the page as its renderer receives it (ui/charts.py ``chart_message``):
    ``{"config", "alt", "spec"}``."""
    return [json.loads(el.proto.bytes) for el in at.get("bidi_component")
            if el.proto.component_name == CHART_COMPONENT]


def charts(at: AppTest) -> list[dict]:
    """Every Plotly chart on the page as its figure JSON."""
    return [message["spec"] for message in chart_messages(at)]


def decode(values) -> np.ndarray:
    """A Plotly data array: a list, or NumPy's base64 ``{"dtype", "bdata"}`` form."""
    if isinstance(values, dict) and "bdata" in values:
        raw = np.frombuffer(base64.b64decode(values["bdata"]), dtype=np.dtype(values["dtype"]))
        if "shape" not in values:
            return raw
        shape = values["shape"]
        if isinstance(shape, str):  # Plotly sends e.g. "3, 100"
            shape = [int(n) for n in shape.split(",")]
        return raw.reshape(shape)
    return np.asarray(values, dtype=float)


def no_exceptions(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def own_warning(w: warnings.WarningMessage) -> bool:
    """A RuntimeWarning from anywhere, or any warning attributed to this project's code."""
    return issubclass(w.category, RuntimeWarning) or (str(ROOT) in str(w.filename) and (
        "site-packages" not in str(w.filename)))


def checked(step: Callable[[], AppTest | None], what: str, cpu_limit: float) -> AppTest | None:
    """Run ``step`` (e.g. ``at.run``): no exception on the page, no warning of ours (see
    :func:`own_warning`), under ``cpu_limit`` seconds of process CPU. Returns what it returned.

    Warnings are recorded process-wide (the script runs in AppTest's own thread)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.process_time()
        at = step()
        cpu = time.process_time() - start
    if at is not None:
        assert not at.exception, f"{what}: {[e.value for e in at.exception]}"
    bad = [f"{w.category.__name__}: {w.message} ({w.filename}:{w.lineno})"
           for w in caught if own_warning(w)]
    assert not bad, f"{what}: {bad}"
    assert cpu < cpu_limit, f"{what}: took {cpu:.2f} s of CPU"
    return at


def default_titles(paths: list[str]) -> dict[str, str]:
    """Each page's title at its defaults. Opening every page once also keeps imports and
    one-off set-up (the Claims verdicts) out of the cost of the runs a test measures next."""
    titles = {}
    for path in paths:
        at = run_page(path)
        assert not at.exception and at.title, path
        titles[path] = at.title[0].value
    return titles
