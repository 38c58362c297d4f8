"""Claims page: every claim listed at once, its verdict computed live by the engine.

The verdicts that train models take seconds; they are computed off the request path by the
process's warm-up (:mod:`ui.warmup`), and the page says which are still being computed and
updates itself when they arrive. The others take milliseconds and are computed on the spot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from i18n import N_, Text, _
from lstm_core.claims import CLAIMS, GROUPS, Claim, check
from lstm_core.claims_race import interval_text
from lstm_core.study import spec_for
from lstm_core.verdicts import SeedEvidence, Table, Verdict
from ui import warmup
from ui.charts import show
from ui.share import PAGE_FILES
from ui.state import PageState, announce_ignored, choice, collect, load, save, widget_key
from ui.training_lab import TrainingLabState
from viz.evidence import curves_figure, seed_dots_figure

PAGE = "claims"
VERDICT_BADGES = {
    "true": (N_("TRUE"), "green"), "false": (N_("FALSE"), "red"),
    "partly": (N_("PARTLY"), "orange"), "undecided": (N_("UNDECIDED"), "gray"),
}
FILTERS = ("all", "true", "false", "partly", "undecided")
FILTER_LABELS = {"all": N_("All"), "true": N_("True"), "false": N_("False"),
                 "partly": N_("Partly"), "undecided": N_("Undecided")}
PENDING = N_("computing…")
PAGE_TITLES = {
    "activation_lab": N_("the Activation Lab"), "step_through": N_("the Cell Step-Through"),
    "compare": N_("Compare Trajectories"), "gradient_flow": N_("Gradient Flow"),
    "training_lab": N_("the Training Lab"), "teach": N_("the Teach page"),
}


#: The Training Lab race a claim links to: the study's configurations that the Lab offers.
RACE_PRESETS = ("lstm", "lstm_relu", "lstm_sigmoid", "rnn_tanh")


def race_link(presets: tuple[str, ...] = RACE_PRESETS, task: str = "adding") -> tuple[
        str, dict[str, str]]:
    """The Training Lab racing the study's configurations on its task (T = 20, 300 steps,
    5 seeds: the Lab's largest race; the study trains 20)."""
    state = TrainingLabState(task=task, length=20, presets=presets, seeds=5, steps=300)
    return "training_lab", state.to_query()


_LAB = "activation_lab"
#: Where a student sees each claim for themselves: page (URL path) and its settings.
LINKS: dict[str, tuple[str, dict[str, str]]] = {
    "gates_binary": race_link(),
    "sigmoid_good_activation": (_LAB, {"activations": "sigmoid,tanh"}),
    "tanh_converges_faster": race_link(),
    "cell_gradient_tanh": ("gradient_flow", {"candidate": "identity"}),
    "candidate_both_directions": ("compare", {"count": "2"}),
    "sigmoid_candidate_only_increases": (
        "step_through", {"candidate": "sigmoid", "preset": "square", "steps": "200"}),
    "gru_no_second_tanh": ("step_through", {"cell_type": "GRU", "amplitude": "20.0"}),
    "tanh_solves_vanishing": ("gradient_flow", {}),
    "tanh_vs_sigmoid_vanishing": ("gradient_flow", {}),
    "second_derivative": (_LAB, {"activations": "tanh,relu"}),
    "saturation_slows_training": ("step_through", {"amplitude": "10.0"}),
    "sigmoid_tanh_same_derivatives": (_LAB, {"activations": "sigmoid,tanh",
                                             "rescaled_sigmoid": "1"}),
    "relu_replaces_tanh": race_link(),
    "relu_dead_units": race_link(),
    "relu_no_saturation": (_LAB, {"activations": "relu,tanh", "x_max": "20.0"}),
    "leaky_relu_negative": (_LAB, {"activations": "relu,leaky_relu"}),
    "hard_tanh_saturates": (_LAB, {"activations": "hard_tanh,tanh"}),
    "tanh_gradient_cheaper": (_LAB, {"activations": "sigmoid,tanh"}),
    "hard_tanh_cheaper": (_LAB, {"activations": "hard_tanh,tanh"}),
    "printed_derivatives": (_LAB, {"activations": "tanh,hard_tanh,relu,leaky_relu"}),
    "printed_derivative_precedence": (_LAB, {"activations": "sigmoid",
                                             "custom": "-exp(-x) / 1 + exp(-x)**2"}),
    "quoted_sigmoid_derivative": (_LAB, {"activations": "sigmoid",
                                         "custom": "-exp(-x)/(1+exp(-x))**2"}),
    "tanh_rescaled_sigmoid": (_LAB, {"rescaled_sigmoid": "1"}),
    "derivative_maxima": (_LAB, {"activations": "sigmoid,tanh"}),
    "greff_output_activation": ("compare", {"count": "2"}),
    "greff_forget_gate": ("gradient_flow", {"forget_bias": "1.0"}),
    "jozefowicz_forget_bias": race_link(("lstm", "gru"), "recall"),
}


@dataclass(frozen=True)
class ClaimsState(PageState):
    claim: str = choice(next(iter(CLAIMS)), list(CLAIMS))
    verdict: str = choice("all", FILTERS)


# --- verdicts, computed on the spot or in the background -----------------------------------------


POLL_SECONDS = 0.5


def verdicts() -> dict[str, Verdict | None]:
    """Every claim's verdict by key: the quick ones computed now, the trained ones as the
    warm-up delivers them (None while it is still computing them)."""
    jobs = warmup.claim_verdicts()
    return {key: jobs.get(key) or (None if claim.trained else check(key))
            for key, claim in CLAIMS.items()}


def pending() -> list[str]:
    """Keys of the trained verdicts the warm-up has not delivered yet."""
    return [key for key in warmup.claim_verdicts().pending() if CLAIMS[key].trained]


#: While the study trains (minutes), the page looks again this often: a class of 60 polling
#: every 0.5 s would cost the server 120 fragment runs a second for nothing new.
STUDY_POLL_SECONDS = 5.0


def progress() -> None:
    """While verdicts are still being computed: the study's progress (polled slowly), then
    which verdicts are still coming (polled fast); the page reruns when something arrives."""
    arms_done, arms = warmup.study_progress()
    if arms_done < arms:
        _study_progress()
    else:
        _verdict_progress()


@st.fragment(run_every=STUDY_POLL_SECONDS)
def _study_progress() -> None:
    arms_done, arms = warmup.study_progress()
    if arms_done >= arms:
        st.rerun(scope="app")
    waiting, spec = pending(), spec_for()
    st.progress(arms_done / arms, text=_(
        "The engine is training the study behind {count} claims: {done} of {total} "
        "configurations trained (each on {seeds} seeds at every learning rate of a sweep, to "
        "{short} and {long} steps; once per version of the app, then kept on disk). This page "
        "fills them in by itself.").format(count=len(waiting), done=arms_done, total=arms,
                                           seeds=len(spec.seeds), short=spec.budgets[0],
                                           long=spec.budgets[1]))


@st.fragment(run_every=POLL_SECONDS)
def _verdict_progress() -> None:
    waiting = pending()
    shown = st.session_state.get(f"{PAGE}.__pending__")
    st.session_state[f"{PAGE}.__pending__"] = len(waiting)
    if shown is not None and len(waiting) < shown:
        st.rerun(scope="app")
    trained = [key for key, claim in CLAIMS.items() if claim.trained]
    done = len(trained) - len(waiting)
    names = ""
    for key in waiting:  # "a, b, c" as messages: each language lists claims its own way
        plain = _(CLAIMS[key].plain).rstrip(".。")
        names = Text("{earlier}, {last}", earlier=names, last=plain) if names else plain
    st.progress(done / len(trained),
                text=_("The engine is training small models to check {count} claim(s) (once per "
                       "server; this page fills them in by itself): still computing {names}.")
                .format(count=len(waiting), names=_(names)))


# --- table and controls --------------------------------------------------------------------------


def _verdict_text(verdict: Verdict | None) -> str:
    return _(VERDICT_BADGES[verdict.verdict][0] if verdict else PENDING)


def summary_table(results: dict[str, Verdict | None]) -> pd.DataFrame:
    """One row per claim, in page order: verdict, claim, measured, where it is said, group (the
    key columns first: a phone shows the verdict and the claim without scrolling sideways)."""
    return pd.DataFrame({
        _("verdict"): [_verdict_text(results[k]) for k in CLAIMS],
        _("claim"): [_(c.plain) for c in CLAIMS.values()],
        _("measured"): [_(v.summary if (v := results[k]) else PENDING) for k in CLAIMS],
        _("said in"): [_(c.source) for c in CLAIMS.values()],
        _("group"): [_(GROUPS[c.group]) for c in CLAIMS.values()],
    })


def _label(key: str) -> str:
    claim = CLAIMS[key]
    return f"{_(GROUPS[claim.group])} · {_(claim.plain)}"


def arrive() -> None:
    """Load the page's state and show the ignored-link-parameters notice (at the page's top,
    as on every page: call before the table and the columns)."""
    load(ClaimsState, PAGE)
    announce_ignored(PAGE)


def controls(results: dict[str, Verdict | None], picker=None) -> ClaimsState:
    """The verdict filter (here) and the claim picker (grouped, filtered; in ``picker``, a
    container, if given); returns the page state."""
    load(ClaimsState, PAGE)
    st.segmented_control(_("Show claims whose verdict is"), FILTERS,
                         format_func=lambda value: _(FILTER_LABELS[value]),
                         key=widget_key(PAGE, "verdict"))
    wanted = st.session_state.get(widget_key(PAGE, "verdict")) or "all"
    keys = [k for k, v in results.items() if wanted == "all" or (v and v.verdict == wanted)]
    claim_key = widget_key(PAGE, "claim")
    if not keys:
        st.info(_("No claim has that verdict yet."))
    else:
        if st.session_state.get(claim_key) not in keys:
            st.session_state[claim_key] = keys[0]
        (picker or st).radio(_("Look at the evidence for"), keys, format_func=_label,
                             key=claim_key)
    state = collect(ClaimsState, PAGE)
    save(PAGE, state)
    return state


# --- one claim -----------------------------------------------------------------------------------


def _select(key: str) -> None:
    st.session_state[widget_key(PAGE, "verdict")] = "all"
    st.session_state[widget_key(PAGE, "claim")] = key


def render_claim(claim: Claim, verdict: Verdict | None) -> None:
    """Statement (formulas rendered), source, verdict, finding, evidence chart and links."""
    st.caption(_("{group} · said in {source}").format(group=_(GROUPS[claim.group]),
                                                     source=_(claim.source)))
    st.markdown(f"## {_(claim.statement)}")
    if verdict is None:
        error = warmup.claim_verdicts().error(claim.key)
        if error is not None:
            why = error.args[0] if error.args and isinstance(error.args[0], Text) else None
            st.error(_("This claim could not be checked: {error}").format(
                error=_(why) if why is not None else error))
        else:
            st.info(_("The engine is still computing this verdict; it appears here by itself."),
                    icon=":material/hourglass:")
    else:
        if claim.quote:
            st.markdown(_("**What the paper found:** {quote}").format(quote=_(claim.quote)))
            st.markdown(_("**What the engine finds here:**"))
        text, colour = VERDICT_BADGES[verdict.verdict]
        st.badge(_(text), color=colour)
        st.markdown(_(verdict.finding))
        if verdict.rule:
            st.caption(_("How the verdict is decided: {rule}").format(rule=_(verdict.rule)))
        evidence = verdict.evidence
        fig, frame = evidence_chart(evidence)
        show(fig, key=f"{PAGE}.evidence",
             alt=_("Evidence for the claim: {claim}").format(claim=_(claim.plain)))
        for table in verdict.tables:
            st.markdown(f"**{_(table.title)}**")
            st.dataframe(table_frame(table), hide_index=True)
    page, params = LINKS[claim.key]
    st.page_link(PAGE_FILES[page],
                 label=_("See it yourself in {page}, with these settings").format(
                     page=_(PAGE_TITLES[page])),
                 icon=":material/open_in_new:", query_params=params)
    for related in claim.related:
        st.button(_("Related claim: {claim}").format(claim=_(CLAIMS[related].plain)),
                  key=f"{PAGE}.related.{related}", on_click=_select, args=(related,),
                  type="tertiary", icon=":material/link:")
    if verdict is not None:
        with st.expander(_("Show the data behind this chart")):
            st.dataframe(frame, hide_index=True)


def evidence_chart(evidence) -> tuple[object, pd.DataFrame]:
    """The evidence's figure and its data as a table (every row: a chart of 400 points or
    fewer is shown whole; a longer curve every n-th point, as the table says)."""
    if isinstance(evidence, SeedEvidence):
        groups = {_(name): values for name, values in evidence.groups.items()}
        medians = {_(name): (i.value, i.low, i.high) for name, i in evidence.medians.items()}
        fig = seed_dots_figure(groups, medians, _(evidence.y_title), _(evidence.infinite_label),
                               _("median, 95 % interval"), log_x=evidence.log_y,
                               line=evidence.line, line_label=_(evidence.line_label))
        frame = pd.DataFrame({_("seed"): list(evidence.seeds)} | {
            name: [_(evidence.infinite_label) if np.isinf(v) else f"{v:.4g}" for v in values]
            for name, values in groups.items()})
        medians_row = {_("seed"): _("median [95 % interval]")} | {
            name: interval_text(evidence.medians[key]) for key, name in
            zip(evidence.groups, groups, strict=True)}
        return fig, pd.concat([frame, pd.DataFrame([medians_row])], ignore_index=True)
    curves = {_(name): values for name, values in evidence.curves.items()}
    fig = curves_figure(evidence.x, curves, _(evidence.x_title), _(evidence.y_title),
                        log_y=evidence.log_y)
    frame = pd.DataFrame({_(evidence.x_title): evidence.x} | curves)
    return fig, frame.iloc[:: max(1, len(frame) // 400)]


def table_frame(table: Table) -> pd.DataFrame:
    """A verdict's table with its headers and text cells in the session's language."""
    return pd.DataFrame({_(header): [_(cell) if isinstance(cell, str) else cell
                                     for cell in cells]
                         for header, cells in table.columns.items()})
