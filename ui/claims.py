"""Claims page: verdicts computed live, one claim's evidence at a time."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from lstm_core.claims import CLAIMS, Verdict
from ui import warmup
from ui.charts import show
from ui.state import PageState, announce_ignored, choice, collect, load, save, widget_key
from viz.evidence import curves_figure

PAGE = "claims"
VERDICT_BADGES = {
    "true": ("TRUE", "green"), "false": ("FALSE", "red"), "partly": ("PARTLY", "orange")
}



@dataclass(frozen=True)
class ClaimsState(PageState):
    claim: str = choice(next(iter(CLAIMS)), list(CLAIMS))


PENDING = "computing…"
POLL_SECONDS = 0.5


def verdicts() -> dict[str, Verdict | None]:
    """Every claim's verdict by key, None while the engine is still computing it.

    The verdicts are computed once per server process, off the request path, by
    :mod:`ui.warmup`; a page never waits for them.
    """
    jobs = warmup.claim_verdicts()
    return {key: jobs.get(key) for key in jobs.keys}


def pending() -> bool:
    """Whether some verdicts are still being computed."""
    return bool(warmup.claim_verdicts().pending())


def _label(key: str, verdict: Verdict | None) -> str:
    return verdict.claim if verdict is not None else f"{key.replace('_', ' ')} ({PENDING})"


def summary_table(results: dict[str, Verdict | None]) -> pd.DataFrame:
    return pd.DataFrame(
        {"claim": [_label(k, v) for k, v in results.items()],
         "verdict": [v.verdict.upper() if v else PENDING for v in results.values()],
         "measured": [v.finding.split(". ")[0] + "." if v else PENDING
                      for v in results.values()]}
    )


@st.fragment(run_every=POLL_SECONDS)
def progress() -> None:
    """While verdicts are still being computed: say which, and rerun the page once all are in."""
    jobs = warmup.claim_verdicts()
    pending = jobs.pending()
    if not pending:
        st.rerun(scope="app")
    done = len(jobs.keys) - len(pending)
    st.progress(done / len(jobs.keys),
                text=f"The engine is checking the claims now: {done} of {len(jobs.keys)} done, "
                     f"still computing {', '.join(k.replace('_', ' ') for k in pending)}.")


def controls(results: dict[str, Verdict | None]) -> ClaimsState:
    load(ClaimsState, PAGE)
    announce_ignored(PAGE)
    labels = {k: _label(k, v) for k, v in results.items()}
    st.radio("Look at the evidence for", list(labels), format_func=labels.get,
             key=widget_key(PAGE, "claim"))
    state = collect(ClaimsState, PAGE)
    save(PAGE, state)
    return state


def render_claim(key: str, verdict: Verdict | None) -> None:
    if verdict is None:
        error = warmup.claim_verdicts().error(key)
        if error is not None:
            st.error(f"This claim could not be checked: {error}")
        else:
            st.info("The engine is still computing this verdict; it appears here by itself.")
        return
    text, colour = VERDICT_BADGES[verdict.verdict]
    st.markdown(f"#### {verdict.claim}")
    st.badge(text, color=colour)
    st.markdown(verdict.finding)
    evidence = verdict.evidence
    fig = curves_figure(evidence.x, evidence.curves, evidence.x_title, evidence.y_title,
                        log_y=evidence.log_y)
    show(fig, key=f"{PAGE}.evidence", alt=f"Evidence for the claim: {verdict.claim}")
    with st.expander("Show the data behind this chart"):
        frame = pd.DataFrame({evidence.x_title: evidence.x} | evidence.curves)
        st.dataframe(frame.iloc[:: max(1, len(frame) // 400)], hide_index=True)

