"""Helpers for ``streamlit.testing.v1.AppTest``: run a page, decode its Plotly charts."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
from streamlit import config as streamlit_config
from streamlit.testing.v1 import AppTest

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


def charts(at: AppTest) -> list[dict]:
    """Every Plotly chart on the page as its figure JSON."""
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


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
