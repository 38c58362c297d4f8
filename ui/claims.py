"""Claims page: verdicts computed live, one claim's evidence at a time."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from lstm_core.claims import CLAIMS, Verdict, check_all
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


@st.cache_data(show_spinner="Checking every claim with the engine…")
def verdicts() -> list[Verdict]:
    """Every verdict (deterministic, so computed once per server and shared)."""
    return check_all()


def summary_table(results: list[Verdict]) -> pd.DataFrame:
    return pd.DataFrame(
        {"claim": [v.claim for v in results], "verdict": [v.verdict.upper() for v in results],
         "measured": [v.finding.split(". ")[0] + "." for v in results]}
    )


def controls(results: list[Verdict]) -> ClaimsState:
    load(ClaimsState, PAGE)
    announce_ignored(PAGE)
    labels = {v.key: v.claim for v in results}
    st.radio("Look at the evidence for", list(labels), format_func=labels.get,
             key=widget_key(PAGE, "claim"))
    state = collect(ClaimsState, PAGE)
    save(PAGE, state)
    return state


def render_claim(verdict: Verdict) -> None:
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

