"""Training Lab page: controls, the race (trained in cached chunks, drawn live), results, gates.

A race is every chosen configuration × every seed. It trains round-robin, one chunk of steps per
configuration at a time (its seeds together, as one model stack: ``train_seeds``), so all curves
grow together and the chart can be redrawn between chunks. A chunk is at most ``CHUNK_WORK``
sequence-steps, so that a heavy race (5 seeds × T = 100) does not keep a Stop waiting. Each chunk
is cached with ``st.cache_data`` under ``(run keys, first step, step count)``: training is
deterministic, so a class that runs the same preset computes it once, across sessions.

The race lives in session state and is updated after every chunk. Pressing *Stop* (or any widget)
interrupts the script at its next Streamlit call (the progress bar, after every chunk); the *Stop*
callback marks the race stopped and the next run shows what was done. Any other interruption
resumes the race where it was.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd
import streamlit as st

from i18n import N_, _
from lstm_core.tasks import TASKS, Task
from lstm_core.training import (
    BATCH_SIZE,
    PRESETS,
    RunResult,
    Settings,
    Summary,
    TrainState,
    evaluate,
    init_state,
    inspect,
    seed_band,
    summarise,
    train_seeds,
)
from ui.charts import show
from ui.content import prose
from ui.state import (
    PageState,
    announce_ignored,
    choice,
    choices,
    collect,
    flag,
    load,
    number,
    save,
)
from ui.state import widget_key as _widget_key
from ui.teacher import teacher_mode, wording
from viz.training_figures import CurveSeries, HeatRow, gates_figure, loss_curves

PAGE = "training_lab"
RACE_KEY = f"{PAGE}.__race__"
RUN_REQUEST_KEY = f"{PAGE}.__run_requested__"
#: Most work one click may ask for: configurations × seeds × steps × sequence length
#: (each step is a batch of 32 sequences). ≈ 15 s of computing for an LSTM on this server.
WORK_CAP = 200_000
#: Steps per chunk after the first (small, so the first points appear quickly), at most.
CHUNK = 25
FIRST_CHUNK = 5
#: Most seeds × T × steps one chunk may train: a Stop waits for the chunk in progress, and the
#: heaviest cell (an LSTM with sigmoid or hard-tanh slots) takes ≈ 0.1 ms per sequence-step here,
#: so a chunk stays near 0.15 s (twice that on a busy server). Light races keep CHUNK (and their
#: cached chunks).
CHUNK_WORK = 1_500
#: Seconds between live redraws of the chart (each redraw costs the browser ~0.1 s).
REDRAW_EVERY = 0.5
DEFAULT_PRESETS = ("lstm", "lstm_relu", "lstm_sigmoid", "rnn_tanh")
LEARNING_RATES = ("0.001", "0.003", "0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1.0")
CLIP_NORM = 1.0


@dataclass(frozen=True)
class TrainingLabState(PageState):
    """The race the controls describe."""

    task: str = choice("adding", tuple(TASKS))
    length: int = number(20, 5, 100, integer=True)
    presets: tuple[str, ...] = choices(DEFAULT_PRESETS, tuple(PRESETS), min_count=1, max_count=4)
    seeds: int = number(3, 1, 5, integer=True)
    steps: int = number(300, 25, 2000, integer=True)
    learning_rate: str = choice("0.05", LEARNING_RATES)
    clip: bool = flag(True)

    @property
    def work(self) -> int:
        """Configurations × seeds × steps × sequence length."""
        return len(self.presets) * self.seeds * self.steps * self.length

    @property
    def chunk(self) -> int:
        """Steps per chunk: CHUNK, or fewer so that seeds × T × steps ≤ CHUNK_WORK."""
        return max(1, min(CHUNK, CHUNK_WORK // (self.seeds * self.length)))


class RunKey(NamedTuple):
    """Everything that determines one run (plain values: the cache key)."""

    task: str
    length: int
    preset: str
    learning_rate: float
    clip: bool
    seed: int

    @property
    def settings(self) -> Settings:
        return Settings(learning_rate=self.learning_rate,
                        clip_norm=CLIP_NORM if self.clip else None)


@dataclass
class RunProgress:
    """One run of a race as far as it has got."""

    key: RunKey
    state: TrainState
    parts: list[np.ndarray] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def losses(self) -> np.ndarray:
        return np.concatenate(self.parts) if self.parts else np.empty(0)


@dataclass
class Race:
    """A race in session state: its settings, its runs, and whether it is still running."""

    config: TrainingLabState
    runs: list[RunProgress]
    status: str = "running"  # "running" | "stopped" | "done"
    elapsed: float = 0.0
    results: list[RunResult] = field(default_factory=list)

    @property
    def task(self) -> Task:
        return TASKS[self.config.task]

    @property
    def steps_done(self) -> int:
        return min((run.state.step if not run.state.diverged else self.config.steps)
                   for run in self.runs)

    @property
    def steps_reached(self) -> tuple[int, int]:
        """The fewest and the most steps any configuration's live runs have trained (a race
        stopped in the middle of a round has some configurations one chunk ahead)."""
        live = [run.state.step for run in self.runs if not run.state.diverged] or [0]
        return min(live), max(live)

    @property
    def fraction_done(self) -> float:
        total = len(self.runs) * self.config.steps
        done = sum(self.config.steps if r.state.diverged else r.state.step for r in self.runs)
        return done / total


# --- controls ------------------------------------------------------------------------------------


def _key(name: str) -> str:
    return _widget_key(PAGE, name)


def _request_run() -> None:
    st.session_state[RUN_REQUEST_KEY] = True


def _request_stop() -> None:
    race = st.session_state.get(RACE_KEY)
    if race is not None and race.status == "running":
        race.status = "stopped"


def controls() -> TrainingLabState:
    """The sidebar controls; returns the race they describe (shown once per visit: ignored URL
    parameters)."""
    load(TrainingLabState, PAGE)
    announce_ignored(PAGE)
    with st.sidebar:
        st.header(_("Training Lab"))
        st.selectbox(_("Task"), tuple(TASKS), format_func=lambda k: _(TASKS[k].name),
                     key=_key("task"))
        st.slider(_("Sequence length T (difficulty)"), 5, 100, key=_key("length"))
        st.multiselect(_("Configurations (up to 4)"), tuple(PRESETS), max_selections=4,
                       format_func=lambda k: _(PRESETS[k].label), key=_key("presets"))
        with st.expander(_("What the configurations are")):
            st.markdown(prose("training_lab_presets"))
        st.slider(_("Seeds per configuration"), 1, 5, key=_key("seeds"))
        st.slider(_("Training steps"), 25, 2000, step=25, key=_key("steps"))
        st.select_slider(_("Learning rate (Adam)"), LEARNING_RATES, key=_key("learning_rate"))
        st.toggle(_("Clip the gradient norm at {clip:g}").format(clip=CLIP_NORM),
                  key=_key("clip"))
    state = collect(TrainingLabState, PAGE)
    save(PAGE, state)
    return state


def _chosen_presets() -> list[str]:
    return list(st.session_state.get(_key("presets"), []))


def start_controls(state: TrainingLabState) -> Race | None:
    """The Run / Stop buttons and the work check; returns the race to show (or None)."""
    problem = None
    if not _chosen_presets():
        problem = _("Pick at least one configuration in the sidebar to race.")
    elif state.work > WORK_CAP:
        problem = _("That race asks for {work:,} sequence-steps (configurations × seeds × "
                    "steps × T); one click may ask for at most {cap:,}. Use fewer steps, "
                    "seeds, configurations or a shorter sequence.").format(work=state.work,
                                                                            cap=WORK_CAP)
    run_col, stop_col, note_col = st.columns([1, 1, 4], vertical_alignment="center")
    with run_col:
        st.button(_("Run race"), key=_key("run"), type="primary", icon=":material/play_arrow:",
                  on_click=_request_run, disabled=problem is not None, width="stretch")
    with note_col:
        st.caption(_("{configurations} configuration(s) × {seeds} seed(s) × {steps} steps, "
                     "batch {batch}, hidden size 16 — {work:,} of at most {cap:,} "
                     "sequence-steps per click.").format(
            configurations=len(state.presets), seeds=state.seeds, steps=state.steps,
            batch=BATCH_SIZE, work=state.work, cap=WORK_CAP))
    if problem:
        st.warning(problem)
    if st.session_state.pop(RUN_REQUEST_KEY, False) and problem is None:
        st.session_state[RACE_KEY] = new_race(state)
    race = st.session_state.get(RACE_KEY)
    with stop_col:
        # Always enabled: a button drawn before the training loop stays as drawn until the
        # next run, so "disabled when idle" would be stale half of the time anyway.
        st.button(_("Stop"), key=_key("stop"), icon=":material/stop:", on_click=_request_stop,
                  help=_("Stop the running race; the curves so far are kept."),
                  width="stretch")
    return race


# --- training ------------------------------------------------------------------------------------


def run_keys(state: TrainingLabState) -> list[RunKey]:
    """One key per (configuration, seed), configurations in the order chosen."""
    return [RunKey(state.task, state.length, preset, float(state.learning_rate), state.clip, seed)
            for preset in state.presets for seed in range(1, state.seeds + 1)]


def new_race(state: TrainingLabState) -> Race:
    """A race at step 0 for the given settings."""
    task = TASKS[state.task]
    runs = [RunProgress(key, init_state(PRESETS[key.preset].spec, task, key.seed))
            for key in run_keys(state)]
    return Race(state, runs)


@st.cache_data(max_entries=3000, show_spinner=False)
def train_chunk(keys: tuple[RunKey, ...], start: int, count: int,
                _states: tuple[TrainState, ...]):
    """Steps start+1 … start+count of the runs ``keys`` (one configuration's seeds) from
    ``_states`` (their states after ``start`` steps: determined by the keys, hence not hashed),
    trained together. Returns (states, losses per run, seconds)."""
    began = time.perf_counter()
    key = keys[0]
    states, losses = train_seeds(TASKS[key.task], PRESETS[key.preset].spec, key.settings,
                                 _states, count, key.length, [k.seed for k in keys])
    return states, losses, time.perf_counter() - began


def _next_count(step: int, total: int, chunk: int = CHUNK) -> int:
    """Steps in the chunk that starts after ``step``: the first few, then up to the next multiple
    of ``chunk`` (the same boundaries in every session, so chunks are shared through the cache)."""
    return min(min(FIRST_CHUNK, chunk) if step == 0 else chunk - step % chunk, total - step)


def advance(race: Race):
    """Train every unfinished configuration by one chunk per round, its unfinished seeds
    together; yields after each chunk (the page's Streamlit call there lets a Stop in)."""
    total, chunk = race.config.steps, race.config.chunk
    while race.status == "running":
        busy = False
        for preset in race.config.presets:
            runs = [r for r in race.runs if r.key.preset == preset
                    and not r.state.diverged and r.state.step < total]
            if not runs:
                continue
            busy = True
            step = runs[0].state.step
            states, losses, seconds = train_chunk(
                tuple(r.key for r in runs), step, _next_count(step, total, chunk),
                tuple(r.state for r in runs))
            for run, state, part in zip(runs, states, losses, strict=True):
                run.parts.append(part)
                run.seconds += seconds / len(runs)  # the column sums to the compute time
                run.state = state
            yield
        if not busy:
            finish(race)
            return


def finish(race: Race) -> None:
    """Score every run on the task's test set and mark the race done (unless stopped)."""
    task = race.task
    race.results = [
        RunResult(run.losses, run.state.diverged_at,
                  evaluate(task, PRESETS[run.key.preset].spec, run.state, race.config.length),
                  run.seconds, run.state)
        for run in race.runs
    ]
    if race.status == "running":
        race.status = "done"


# --- rendering -----------------------------------------------------------------------------------


def curve_series(race: Race) -> list[CurveSeries]:
    """Per configuration: the band across its seeds and the marks of diverged runs."""
    series = []
    for preset in race.config.presets:
        runs = [r for r in race.runs if r.key.preset == preset]
        curves = [r.losses for r in runs]
        deaths = tuple(
            (r.state.diverged_at, float(c[-1]) if c.size else race.task.baseline_loss, r.key.seed)
            for r, c in zip(runs, curves, strict=True) if r.state.diverged
        )
        series.append(CurveSeries(_(PRESETS[preset].label), seed_band(curves), deaths))
    return series


def _loss_figure(race: Race):
    task = race.task
    return loss_curves(curve_series(race), baseline=task.baseline_loss,
                       threshold=task.threshold, total_steps=race.config.steps,
                       loss_name=task.loss_name, seeds=race.config.seeds)


LOSS_ALT = N_("Training loss per step on a log scale for each configuration: median across seeds "
            "with a min–max band, crosses where runs diverged, and the task's baseline and "
            "threshold lines.")


def render(race: Race | None, state: TrainingLabState) -> None:
    """The race's live or final loss curves, its results table and the trained gates."""
    if race is None:
        st.info(_("Press **Run race** to race the settings of this link.") if teacher_mode()
                else _("Choose a task and up to four configurations in the sidebar, then press "
                       "**Run race**."))
        # The empty axes show the task's baseline and threshold, and make the browser load
        # plotly.js now rather than when the first points arrive (~3 s on a busy machine).
        task = TASKS[state.task]
        empty = loss_curves([], baseline=task.baseline_loss, threshold=task.threshold,
                            total_steps=state.steps, loss_name=task.loss_name, seeds=state.seeds)
        show(empty, key=f"{PAGE}.losses", alt=_(LOSS_ALT))
        return
    if race.config != state:
        st.caption(_("The results below are for the settings of the last race; press **Run "
                     "race** to race the settings in the sidebar."))
    task = race.task
    st.markdown(_("**Task: {task}** (T = {length}). {description} Baseline: {baseline}; "
                  "threshold {threshold:g}.").format(
        task=_(task.name), length=race.config.length, description=_(task.description),
        baseline=_(task.baseline_text), threshold=task.threshold))
    status = st.empty()
    chart = st.empty()
    if race.status == "running":
        _train_live(race, status, chart)
    status.markdown(_status_text(race))
    with chart.container():
        show(_loss_figure(race), key=f"{PAGE}.losses", alt=_(LOSS_ALT))
    if not race.results:
        # Stopped before it was scored: the message and curves first, then the scoring (every
        # run on the 512-sequence test set, seconds for a heavy race), so a Stop shows at once.
        with st.spinner(_("Scoring every run on the test set…")):
            finish(race)
    results_table(race)
    gates_panel(race)


def _train_live(race: Race, status, chart) -> None:
    began = time.perf_counter()
    last_draw = None
    for index, _round in enumerate(advance(race)):
        status.progress(race.fraction_done, text=_("Training… step {step} of {total}").format(
            step=race.steps_done, total=race.config.steps))
        first_round = last_draw is None and all(r.parts for r in race.runs)
        if first_round or (last_draw and time.perf_counter() - last_draw >= REDRAW_EVERY):
            # a fresh key per redraw: Streamlit refuses two elements with one key in a run (and
            # the app's renderer, not st.plotly_chart, whose plotly.js chunk is 4.7 MB)
            with chart.container():
                show(_loss_figure(race), key=f"{PAGE}.live.{index}", alt=_(LOSS_ALT))
            last_draw = time.perf_counter()
    race.elapsed = time.perf_counter() - began


def _status_text(race: Race) -> str:
    diverged = sum(r.state.diverged for r in race.runs)
    parts = []
    if race.status == "stopped":
        low, high = race.steps_reached
        if low == high:
            parts.append(_("**Stopped** at step {step} of {total}.").format(
                step=low, total=race.config.steps))
        else:
            parts.append(_("**Stopped** at steps {low}–{high} of {total} (each configuration "
                           "stops at the end of its last chunk).").format(
                low=low, high=high, total=race.config.steps))
    elif race.elapsed:
        parts.append(_("**Finished**: {runs} runs × {steps} steps in {seconds:.1f} s.").format(
            runs=len(race.runs), steps=race.config.steps, seconds=race.elapsed))
    else:
        parts.append(_("**Finished**: {runs} runs × {steps} steps.").format(
            runs=len(race.runs), steps=race.config.steps))
    if diverged:
        parts.append(wording(
            _("{count} run(s) diverged (✕ marks where) at learning rate {rate}. Divergence "
              "depends on the learning rate as much as on the activation: try a smaller one "
              "before blaming the configuration."),
            _("{count} run(s) diverged (✕ marks where) at learning rate {rate}. Divergence "
              "depends on the learning rate as much as on the activation: at a smaller rate "
              "the same configuration may not diverge.")).format(
            count=diverged, rate=race.config.learning_rate))
    if len(parts) == 1:
        return parts[0]
    return _("{sentence} {next_sentence}").format(sentence=parts[0], next_sentence=parts[1])


def summaries(race: Race) -> dict[str, Summary]:
    """The results table's numbers: one summary per configuration (results follow ``runs``)."""
    grouped: dict[str, list[RunResult]] = {preset: [] for preset in race.config.presets}
    for run, result in zip(race.runs, race.results, strict=True):
        grouped[run.key.preset].append(result)
    return {preset: summarise(results, race.task.threshold) for preset, results in grouped.items()}


def _shown(value: float | None, digits: int, missing: str) -> str:
    """A table number with ``digits`` significant digits, or ``missing`` (never "None")."""
    if value is None or not np.isfinite(value):
        return missing
    return f"{value:.{digits}g}".replace("-", "−")


def _interval(i, digits: int, infinite: str) -> str:
    """"[low, high]" of an interval, an infinite end named (e.g. "diverged")."""
    if i.n < 2:
        return "—"
    ends = [_shown(x, digits, infinite) for x in (i.low, i.high)]
    return f"[{ends[0]}, {ends[1]}]"


def results_frame(race: Race) -> pd.DataFrame:
    """One row per configuration, as the page shows it (numbers as text, so that a missing
    one says why instead of showing "None")."""
    rows = []
    for preset, s in summaries(race).items():
        rows.append({  # the key columns first: a phone shows only the first three or so
            _("configuration"): _(PRESETS[preset].label),
            _("reached"): f"{s.reached}/{s.runs}",
            _("diverged (at step)"): (
                f"{s.diverged}/{s.runs} ({', '.join(map(str, s.diverged_at))})" if s.diverged
                else f"0/{s.runs}"),
            _("test loss (median)"): _shown(s.test_loss.value, 4, _("— (diverged)")),
            _("95 % interval"): _interval(s.test_loss, 3, _("diverged")),
            _("steps to threshold (median)"): _shown(s.steps.value, 6, _("not reached")),
            _("time (s)"): round(s.seconds, 2),
        })
    return pd.DataFrame(rows)


def results_table(race: Race) -> None:
    """The results table with a note on how each column was measured."""
    st.header(_("Results"))
    st.dataframe(
        results_frame(race), hide_index=True, width="stretch", key=f"{PAGE}.results",
        column_config={
            # Pinned, and "reached" narrow: on a phone the configuration stays beside whatever is
            # scrolled to, and reached and diverged fit next to it.
            _("configuration"): st.column_config.TextColumn(pinned=True),
            _("diverged (at step)"): st.column_config.TextColumn(
                help=_("seeds that diverged, and the step at which each did")),
            _("test loss (median)"): st.column_config.TextColumn(
                help=_("median over every seed; a diverged seed counts as infinitely bad")),
            _("95 % interval"): st.column_config.TextColumn(
                help=_("bootstrap interval of the median: where it would likely fall with "
                       "other seeds")),
            _("steps to threshold (median)"): st.column_config.TextColumn(
                help=_("median over every seed; a seed that did not reach the threshold counts "
                       "as never")),
            _("reached"): st.column_config.TextColumn(help=_("seeds that reached the threshold"),
                                                      width="small"),
            _("time (s)"): st.column_config.NumberColumn(
                help=_("compute time when first computed")),
        },
    )
    st.caption(prose("training_lab_table").format(threshold=race.task.threshold,
                                                  loss=_(race.task.loss_name)))


@st.fragment
def gates_panel(race: Race) -> None:
    """The trained model's gates on one test sequence (a fragment: choosing reruns only this)."""
    st.header(_("Inside a trained model"))
    labels = {r.key: _("{configuration}, seed {seed}").format(
        configuration=_(PRESETS[r.key.preset].label), seed=r.key.seed) for r in race.runs}
    keys = list(labels)
    picked = st.selectbox(_("Model"), range(len(keys)), format_func=lambda i: labels[keys[i]],
                          key=f"{PAGE}.gates_model")
    run = race.runs[picked if picked is not None and picked < len(keys) else 0]
    if run.state.diverged:
        st.warning(_("This run diverged at step {step}; showing its weights from the step "
                     "before.").format(step=run.state.diverged_at))
    task = race.task
    x, target, trace, outputs = inspect(task, PRESETS[run.key.preset].spec, run.state,
                                        race.config.length)
    rows = _heat_rows(trace)
    prediction = outputs[:, 0, 0] if task.every_step else outputs[0]
    if task.classification:
        prediction = 0.5 + 0.5 * np.tanh(0.5 * prediction)  # σ(logit): P(sum > 0)
    if task.every_step:
        title = _("Test sequence 1, seed {seed}").format(seed=run.key.seed)
    else:
        title = _("Test sequence 1, seed {seed}: target {target:.3f}, prediction "
                  "{prediction:.3f}").format(seed=run.key.seed, target=float(target[0]),
                                             prediction=float(prediction[0]))
    fig = gates_figure(
        rows, inputs=x, input_names=_input_names(task), prediction=np.ravel(prediction),
        target=np.ravel(target), title=title,
        prediction_name="P(sum > 0)" if task.classification else _("prediction"),
    )
    show(fig, key=f"{PAGE}.gates", alt=_("Heatmaps of each gate and state (unit × step) of the "
                                         "trained model on one test sequence, with its read-out "
                                         "against the target."))
    st.caption(prose("training_lab_gates"))


_ROWS = {
    "LSTM": (("input_gate", N_("input gate i"), True), ("forget_gate", N_("forget gate f"), True),
             ("candidate", N_("candidate g"), False), ("output_gate", N_("output gate o"), True),
             ("cell", N_("cell state c"), False), ("hidden", N_("hidden h"), False)),
    "GRU": (("reset_gate", N_("reset gate r"), True), ("update_gate", N_("update gate z"), True),
            ("candidate", N_("candidate n"), False), ("hidden", N_("hidden h"), False)),
    "RNN": (("hidden", N_("hidden h"), False),),
}


def _heat_rows(trace) -> list[HeatRow]:
    return [HeatRow(_(label), trace.values[name][:, 0, :], bounded)
            for name, label, bounded in _ROWS[trace.cell_type]]


def _input_names(task: Task) -> list[str]:
    return [_("value"), _("marker")] if task.input_size == 2 else ["x"]
