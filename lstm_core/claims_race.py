"""The claims decided by training: one Training Lab race (shared by several claims, computed
once per process) and one textbook LSTM trained on the same task with its inputs scaled up.

The race is exactly what the Training Lab runs for :data:`RACE` (same task, sequence length,
configurations, seeds 1…n, steps, learning rate and clipping), and it is scored with the same
:func:`~lstm_core.training.summarise`, so both pages report one answer for one experiment.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from i18n import N_, Text

from .tasks import Task, get_task
from .training import (
    PRESETS,
    Model,
    RunResult,
    Settings,
    Summary,
    init_state,
    summarise,
    train_runs,
)
from .verdicts import Evidence, Verdict, listed, once, steps_axis


@dataclass(frozen=True)
class RaceSpec:
    """One Training Lab race: every configuration × seeds 1…``seeds`` (the Lab's numbering)."""

    task: str = "adding"
    length: int = 20
    presets: tuple[str, ...] = ("lstm", "lstm_relu", "lstm_sigmoid", "rnn_tanh")
    seeds: int = 3
    steps: int = 300
    learning_rate: float = 0.05
    clip: bool = True

    @property
    def settings(self) -> Settings:
        return Settings(learning_rate=self.learning_rate, clip_norm=1.0 if self.clip else None)

    @property
    def seed_list(self) -> tuple[int, ...]:
        return tuple(range(1, self.seeds + 1))


#: The race the claims use: the Training Lab's default race.
RACE = RaceSpec()
#: Input scales for the saturation claim (×1 is the race's own textbook LSTM).
INPUT_SCALES = (10.0, 100.0)
Race = dict[str, list[RunResult]]

def train_race(spec: RaceSpec = RACE, task: Task | None = None) -> Race:
    """Every run of ``spec`` (configuration → runs in seed order), trained now (each
    configuration's seeds together)."""
    task = task or get_task(spec.task)
    return {key: train_runs(task, PRESETS[key].spec, spec.settings, spec.length, spec.seed_list,
                            spec.steps)
            for key in spec.presets}


def race() -> Race:
    """The shared race of :data:`RACE` (trained on first use, then kept for the process)."""
    return once(("race", RACE), train_race)


def scaled_task(scale: float) -> Task:
    """The race's task with every input multiplied by ``scale`` (targets unchanged)."""
    task = get_task(RACE.task)

    def generate(rng: np.random.Generator, batch: int, length: int):
        x, target = task.generate(rng, batch, length)
        return x * scale, target

    return replace(task, key=f"{task.key}_x{scale:g}", generate=generate)


def scaled_races() -> dict[float, list[RunResult]]:
    """The textbook LSTM of the race at ×1 and at every :data:`INPUT_SCALES` input scale."""
    def compute() -> dict[float, list[RunResult]]:
        spec = replace(RACE, presets=("lstm",))
        runs = {1.0: race()["lstm"]}
        for scale in INPUT_SCALES:
            runs[scale] = train_race(spec, scaled_task(scale))["lstm"]
        return runs

    return once(("scaled", RACE, INPUT_SCALES), compute)


# --- helpers -------------------------------------------------------------------------------------


def _summaries(runs: Race) -> dict[str, Summary]:
    threshold = get_task(RACE.task).threshold
    return {key: summarise(results, threshold) for key, results in runs.items()}


def _median_curves(runs: Race, labels: dict[str, str]) -> dict[str, np.ndarray]:
    """Per configuration, the median training loss over its seeds at each step (NaN once a run
    has stopped)."""
    curves = {}
    for key, results in runs.items():
        table = np.full((len(results), RACE.steps), np.nan)
        for row, result in zip(table, results, strict=True):
            row[: result.losses.size] = result.losses
        with np.errstate(all="ignore"):
            alive = ~np.isnan(table).any(axis=0)
            median = np.where(alive, np.median(np.where(alive, table, 0.0), axis=0), np.nan)
        curves[labels[key]] = median
    return curves


def _ahead(a: Summary, b: Summary) -> bool:
    """Did ``a`` train faster than ``b``: more seeds reached the threshold, or as many and in
    fewer median steps?"""
    if a.reached != b.reached:
        return a.reached > b.reached
    return (a.steps_to_threshold or np.inf) < (b.steps_to_threshold or np.inf)


def _reached_text(s: Summary) -> str:
    if s.steps_to_threshold:
        return Text("{reached}/{runs}, median {steps:.0f} steps", reached=s.reached, runs=s.runs,
                    steps=s.steps_to_threshold)
    return f"{s.reached}/{s.runs}"


def _test_trace(key: str, theta: np.ndarray, task: Task | None = None, **slots: object):
    """The model ``theta``'s trace on the task's fixed test set (slots may be swapped)."""
    task = task or get_task(RACE.task)
    spec = PRESETS[key].spec
    if slots:
        spec = replace(spec, activations=tuple({**dict(spec.activations), **slots}.items()))
    x, _ = task.test_set(RACE.length)
    trace, _ = Model(spec, task.input_size, theta).predict(x, task.every_step)
    return trace


def race_text() -> str:
    """The race in words, as the Training Lab describes it."""
    return Text("{task}, T = {length}, {seeds} seeds, {steps} Adam steps (learning rate "
                "{learning_rate:g})", task=get_task(RACE.task).name, length=RACE.length,
                seeds=RACE.seeds, steps=RACE.steps, learning_rate=RACE.learning_rate)


# --- the claims ----------------------------------------------------------------------------------

GATES = ("input_gate", "forget_gate", "output_gate")
GATE_NAMES = {"input_gate": N_("input gate"), "forget_gate": N_("forget gate"),
              "output_gate": N_("output gate")}
NEAR = 0.05  # "near 0 or 1": within 0.05 of it


def gates_are_binary(runs: Race | None = None, **slots: object) -> Verdict:
    """Claim: a gate's sigmoid makes a binary decision. Measure the trained gates' values."""
    runs = runs or race()
    values = {g: np.concatenate([_test_trace("lstm", r.state.theta, **slots).values[g].ravel()
                                 for r in runs["lstm"]]) for g in GATES}
    every = np.concatenate(list(values.values()))
    near = float(np.mean((every < NEAR) | (every > 1.0 - NEAR)))
    middle = float(np.mean((every > 0.1) & (every < 0.9)))
    exact = int(np.sum((every == 0.0) | (every == 1.0)))
    inside = bool(np.all((every >= 0.0) & (every <= 1.0)))
    if near >= 0.9:
        verdict = "true"
    elif inside:
        verdict = "partly"
    else:
        verdict = "false"
    edges = np.linspace(0.0, 1.0, 41)
    centres = 0.5 * (edges[1:] + edges[:-1])
    curves = {GATE_NAMES[g]: np.histogram(v, bins=edges)[0] / v.size
              for g, v in values.items()}
    return Verdict(
        "gates_binary", verdict,
        Text("In the trained textbook LSTMs of the race ({race}), on the test set, {near:.0%} of "
             "the gate values lie within {within} of 0 or 1 and {middle:.0%} lie between 0.1 and "
             "0.9; {exact} of {total:,} are exactly 0 or 1. The range $(0, 1)$ is right, but a "
             "gate is a *dimmer*, not a switch: it mostly passes a fraction, and σ never reaches "
             "0 or 1.", race=race_text(), near=near, within=NEAR, middle=middle, exact=exact,
             total=every.size),
        Text("{near:.0%} of trained gate values near 0 or 1; {middle:.0%} between 0.1 and 0.9.",
             near=near, middle=middle),
        Evidence(centres, curves, N_("gate value (bins of 0.025)"),
                 N_("fraction of gate values")),
        {"near_0_or_1": near, "between_0.1_and_0.9": middle, "exactly_0_or_1": float(exact)},
    )


def tanh_converges_faster(runs: Race | None = None) -> Verdict:
    """Claim: a tanh candidate trains faster than a sigmoid or ReLU one. The race decides."""
    runs = runs or race()
    s = _summaries(runs)
    tanh, rivals = s["lstm"], (s["lstm_sigmoid"], s["lstm_relu"])

    wins = sum(_ahead(tanh, rival) for rival in rivals)
    verdict = "true" if wins == 2 else ("partly" if wins == 1 else "false")
    labels = {k: PRESETS[k].label for k in ("lstm", "lstm_sigmoid", "lstm_relu")}
    curves = _median_curves({k: runs[k] for k in labels}, labels)
    return Verdict(
        "tanh_converges_faster", verdict,
        Text("Training Lab race ({race}), seeds that reached the threshold: tanh candidate "
             "{tanh}; sigmoid candidate {sigmoid}; ReLU candidate + output {relu} ({diverged} "
             "diverged). The zero-centred candidate won here; a few seeds are small evidence, so "
             "run more in the Training Lab.", race=race_text(), tanh=_reached_text(tanh),
             sigmoid=_reached_text(s["lstm_sigmoid"]), relu=_reached_text(s["lstm_relu"]),
             diverged=s["lstm_relu"].diverged),
        Text("Reached the threshold: tanh {tanh}/{runs}, sigmoid {sigmoid}/{runs}, ReLU "
             "{relu}/{runs}.", tanh=tanh.reached, sigmoid=s["lstm_sigmoid"].reached,
             relu=s["lstm_relu"].reached, runs=tanh.runs),
        Evidence(steps_axis(RACE.steps), curves, N_("training step"),
                 N_("training MSE, median over seeds"), log_y=True),
        {"tanh_reached": float(tanh.reached), "sigmoid_reached": float(rivals[0].reached),
         "relu_reached": float(rivals[1].reached),
         "tanh_median_steps": float(tanh.steps_to_threshold or np.nan)},
    )


def saturation_slows_training(scaled: dict[float, list[RunResult]] | None = None) -> Verdict:
    """Claim: large inputs saturate tanh and slow training. Same race, inputs scaled up."""
    scaled = scaled or scaled_races()
    threshold = get_task(RACE.task).threshold
    s = {scale: summarise(results, threshold) for scale, results in scaled.items()}
    base = s[1.0]
    slower = {scale: _ahead(base, x) for scale, x in s.items() if scale != 1.0}
    biggest = max(scaled)
    task = scaled_task(biggest)
    start = init_state(PRESETS["lstm"].spec, task, RACE.seed_list[0]).theta
    init = _test_trace("lstm", start, task)
    saturated = float(np.mean(np.abs(1.0 - np.tanh(init.preactivations["candidate"]) ** 2)
                              < 0.05))
    if all(slower.values()):
        verdict = "true"
    elif any(slower.values()):
        verdict = "partly"
    else:
        verdict = "false"
    labels = {scale: Text("inputs ×{scale:g}", scale=scale) for scale in scaled}
    curves = _median_curves({labels[k]: v for k, v in scaled.items()},
                            {v: v for v in labels.values()})
    parts = listed(Text("×{scale:g}: {reached}", scale=scale, reached=_reached_text(x))
                   for scale, x in s.items())
    return Verdict(
        "saturation_slows_training", verdict,
        Text("The textbook LSTM of the race with its inputs scaled up ({race}); seeds that "
             "reached the threshold — {parts}. At ×{biggest:g}, {saturated:.0%} of the candidate "
             "values start saturated (tanh′ < 0.05), so their gradients are tiny. Saturation is "
             "real, but Adam rescales every step and the input weights shrink: a moderate scale "
             "did not slow training, only an extreme one did.", race=race_text(), parts=parts,
             biggest=biggest, saturated=saturated),
        Text("Reached the threshold: {parts}.", parts=parts),
        Evidence(steps_axis(RACE.steps), curves, N_("training step"),
                 N_("training MSE, median over seeds"), log_y=True),
        {f"reached_x{scale:g}": float(x.reached) for scale, x in s.items()}
        | {"saturated_at_start": saturated},
    )


def relu_replaces_tanh(runs: Race | None = None) -> Verdict:
    """Claim: ReLU is bounded, differentiable and monotonic, so it can replace tanh."""
    runs = runs or race()
    s = _summaries(runs)
    relu_big = float(np.maximum(1e6, 0.0))
    x = np.array([-1e-7, 1e-7])
    # slopes of max(0, x) just left and right of 0, by central differences
    left, right = (np.maximum(x + 1e-9, 0.0) - np.maximum(x - 1e-9, 0.0)) / 2e-9
    bounded = relu_big < 1e3
    premise = bounded and abs(left - right) < 1e-6
    relu, textbook = s["lstm_relu"], s["lstm"]
    if premise and relu.reached >= textbook.reached:
        verdict = "true"
    elif relu.reached >= textbook.reached and relu.reached > 0:
        verdict = "partly"
    else:
        verdict = "false"
    labels = {k: PRESETS[k].label for k in ("lstm", "lstm_relu")}
    curves = _median_curves({k: runs[k] for k in labels}, labels)
    return Verdict(
        "relu_replaces_tanh", verdict,
        Text("ReLU is monotonic but not bounded (ReLU(10⁶) = {big:.0e}) and not differentiable "
             "at 0 (slope {left:.0f} on the left, {right:.0f} on the right). In the Training Lab "
             "race ({race}) the textbook LSTM reached the threshold in {textbook}; with ReLU as "
             "candidate and output {relu}, and {diverged} of {runs} diverged: nothing bounds the "
             "cell state or h.", big=relu_big, left=left, right=right, race=race_text(),
             textbook=_reached_text(textbook), relu=_reached_text(relu), diverged=relu.diverged,
             runs=relu.runs),
        Text("ReLU unbounded; reached: textbook {textbook}/{textbook_runs}, ReLU "
             "{relu}/{relu_runs} ({diverged} diverged).", textbook=textbook.reached,
             textbook_runs=textbook.runs, relu=relu.reached, relu_runs=relu.runs,
             diverged=relu.diverged),
        Evidence(steps_axis(RACE.steps), curves, N_("training step"),
                 N_("training MSE, median over seeds"), log_y=True),
        {"textbook_reached": float(textbook.reached), "relu_reached": float(relu.reached),
         "relu_diverged": float(relu.diverged), "relu_of_1e6": relu_big},
    )


def relu_dead_units(runs: Race | None = None) -> Verdict:
    """Claim: ReLU units can die; tanh keeps a gradient for negative inputs. Count them."""
    runs = runs or race()
    hidden = PRESETS["lstm_relu"].spec.hidden_size
    dead, active = [], {}
    for seed, result in zip(RACE.seed_list, runs["lstm_relu"], strict=True):
        pre = _test_trace("lstm_relu", result.state.theta).preactivations["candidate"]  # (T, B, H)
        fraction = np.mean(pre > 0.0, axis=(0, 1))
        dead.append(int(np.sum(fraction == 0.0)))
        active[Text("ReLU candidate, seed {seed}", seed=seed)] = fraction
    tanh_pre = np.concatenate([_test_trace("lstm", r.state.theta).preactivations["candidate"]
                               for r in runs["lstm"]], axis=1)
    tanh_dead = int(np.sum(np.all(1.0 - np.tanh(tanh_pre) ** 2 < 1e-6, axis=(0, 1))))
    total = sum(dead)
    verdict = "true" if total > 0 and tanh_dead == 0 else ("partly" if tanh_dead == 0 else "false")
    return Verdict(
        "relu_dead_units", verdict,
        Text("After the Training Lab race ({race}), the LSTMs with a ReLU candidate have {dead} "
             "dead candidate units out of {hidden} (seeds {seeds}): their pre-activation is ≤ 0 "
             "on every step of every test sequence, so $g = 0$ and $\\mathrm{{ReLU}}'=0$ — no "
             "gradient reaches their weights again. The tanh candidates: {tanh_dead} such units; "
             "$\\tanh' > 0$ everywhere.", race=race_text(), dead=", ".join(map(str, dead)),
             hidden=hidden, seeds=", ".join(map(str, RACE.seed_list)), tanh_dead=tanh_dead),
        Text("Dead ReLU candidate units per seed: {dead} of {hidden}; tanh: {tanh_dead}.",
             dead=", ".join(map(str, dead)), hidden=hidden, tanh_dead=tanh_dead),
        Evidence(np.arange(1, hidden + 1, dtype=float), active, N_("unit"),
                 N_("fraction of test steps with pre-activation > 0")),
        {"dead_relu_units": float(total), "dead_tanh_units": float(tanh_dead)},
    )
