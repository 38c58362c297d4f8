"""The claims decided by training, each from the study of :mod:`lstm_core.study` (≥ 20 seeds
per configuration, a learning-rate sweep, two budgets) and decided by a rule over 95 %
intervals, so that another range of seeds gives the same verdict.

The comparisons, used by every claim here:

* **trains faster** (a vs b at a budget, each at its own best learning rate): a reached the
  task's threshold in more runs (Wilson intervals of k/n apart), or, if those overlap, in fewer
  steps (bootstrap intervals of the median steps apart; a run that never reached it counts
  as ∞). Overlapping intervals on both: *no measurable difference*.
* **ends lower** (a vs b at a budget): the bootstrap intervals of the median test loss are
  apart (a diverged run counts as ∞).

A claim compares at the default budget and at one 3× longer; it is TRUE when every comparison
supports it, FALSE when some contradict it and none support it, PARTLY when they disagree
(with the budget or the rival), UNDECIDED when none can tell.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

import numpy as np

from i18n import N_, Text

from .statistics import Interval, bootstrap_median, compare, wilson
from .study import ARMS, Runs, Study, cached_study, spec_for, test_trace
from .tasks import get_task
from .training import Model
from .verdicts import Evidence, SeedEvidence, Table, Verdict, listed, seed_evidence

#: "Trains faster" rule, shown on the page.
FASTER_RULE = N_(
    "Each configuration at its own best learning rate. A trains faster than B when it reached "
    "the threshold in more runs (the 95 % Wilson intervals of k/n do not overlap) or, when "
    "those overlap, in fewer steps (the 95 % bootstrap intervals of the median steps, "
    "not-reached counted as ∞, do not overlap); otherwise there is no measurable difference. "
    "TRUE: every comparison, at both budgets, supports the claim; FALSE: some contradict it and "
    "none support it; PARTLY: they disagree; UNDECIDED: none can tell.")
LOWER_RULE = N_(
    "Each configuration at its own best learning rate. A ends lower than B when the 95 % "
    "bootstrap intervals of their median test losses (a diverged run counted as ∞) do not "
    "overlap; otherwise there is no measurable difference. TRUE: every comparison, at both "
    "budgets, supports the claim; FALSE: some contradict it and none support it; PARTLY: they "
    "disagree; UNDECIDED: none can tell.")


def study() -> Study:
    """The app's study (from disk, or computed now)."""
    return cached_study(spec_for())


# --- measures and comparisons --------------------------------------------------------------------


def runs_at(s: Study, arm: str, budget: int) -> Runs:
    """The arm's runs at its best learning rate for ``budget`` steps."""
    return s[arm].at(budget)


def reached(runs: Runs, budget: int) -> Interval:
    steps = runs.steps_to_threshold(budget)
    return wilson(int(np.isfinite(steps).sum()), steps.size)


def median_steps(runs: Runs, budget: int) -> Interval:
    return bootstrap_median(runs.steps_to_threshold(budget))


def median_loss(runs: Runs, budget: int) -> Interval:
    return bootstrap_median(runs.test_loss[budget])


def faster(a: Runs, b: Runs, budget: int) -> int:
    """+1 if a trains measurably faster than b within ``budget`` steps, −1 if slower, else 0."""
    by_reached = compare(reached(a, budget), reached(b, budget))
    if by_reached:
        return by_reached
    return -compare(median_steps(a, budget), median_steps(b, budget))


def lower(a: Runs, b: Runs, budget: int) -> int:
    """+1 if a's median test loss is measurably lower than b's, −1 if higher, else 0."""
    return -compare(median_loss(a, budget), median_loss(b, budget))


def combine(outcomes: Iterable[int]) -> str:
    """Verdict from comparisons (+1 supports the claim, −1 contradicts it, 0 cannot tell)."""
    outcomes = list(outcomes)
    support, against = 1 in outcomes, -1 in outcomes
    if support and not against:
        return "true" if all(o == 1 for o in outcomes) else "partly"
    if against and not support:
        return "false"
    return "partly" if support else "undecided"


WORDS = {1: N_("faster"), -1: N_("slower"), 0: N_("no measurable difference")}
LOSS_WORDS = {1: N_("lower"), -1: N_("higher"), 0: N_("no measurable difference")}


def _num(x: float, spec: str = ".3g") -> str:
    return "∞" if np.isinf(x) else format(x, spec)


def interval_text(i: Interval, spec: str = ".3g") -> str:
    """"0.0123 [0.0101, 0.0150]" (∞ where a run never got there)."""
    return f"{_num(i.value, spec)} [{_num(i.low, spec)}, {_num(i.high, spec)}]"


def reached_text(i: Interval) -> str:
    if not i.n:
        return "0/0"
    return Text("{k}/{n} [{low:.0%}, {high:.0%}]", k=round(i.value * i.n), n=i.n, low=i.low,
                high=i.high)


def conditions(s: Study, *arms: str) -> str:
    """The experiment in words: task, seeds, budgets, sweep."""
    arm = ARMS[arms[0]]
    task = get_task(arm.task)
    rates = ", ".join(f"{r:g}" for r in s.spec.adam_rates)
    return Text("{task}, T = {length}, {n} seeds ({seeds}) per configuration, Adam with gradient "
                "clipping at 1; budgets {short} and {long} steps, each configuration at its "
                "best learning rate of {rates} for that budget (the lowest median test loss)",
                task=task.name, length=arm.length, n=len(s.spec.seeds), seeds=s.spec.seed_text,
                rates=rates, short=s.spec.budgets[0], long=s.spec.budgets[1])


def label(arm: str) -> str:
    return ARMS[arm].label


def arm_line(s: Study, arm: str, budget: int, measure: str = "steps") -> str:
    """One configuration's figures at one budget, with intervals."""
    runs = runs_at(s, arm, budget)
    diverged = int(runs.diverged_by(budget).sum())
    if measure == "steps":
        return Text("{arm} (learning rate {rate:g}): reached {reached}, median {steps} steps, "
                    "{diverged} diverged", arm=label(arm), rate=s[arm].rate_at(budget),
                    reached=reached_text(reached(runs, budget)),
                    steps=interval_text(median_steps(runs, budget), ".0f"), diverged=diverged)
    return Text("{arm} (learning rate {rate:g}): median test loss {loss}, {diverged} diverged",
                arm=label(arm), rate=s[arm].rate_at(budget),
                loss=interval_text(median_loss(runs, budget), ".3g"), diverged=diverged)


def bulleted(items: Iterable[str]) -> str:
    """``items`` as a Markdown list, one message per line (each language keeps the markup)."""
    items = [Text("- {item}", item=item) for item in items]
    text = items[0] if items else ""
    for item in items[1:]:
        text = Text("{first}\n{second}", first=text, second=item)
    return text


def budget_sections(s: Study, arms: Iterable[str], measure: str = "steps") -> str:
    """Each configuration's figures after each budget, as two headed lists (Markdown)."""
    arms = list(arms)
    short, long = s.spec.budgets
    return Text("**After {short} steps:**\n\n{lines}\n\n**After {long} steps:**\n\n{long_lines}",
                short=short, long=long,
                lines=bulleted(arm_line(s, a, short, measure) for a in arms),
                long_lines=bulleted(arm_line(s, a, long, measure) for a in arms))


def sweep_table(s: Study, arms: Iterable[str]) -> Table:
    """Every learning rate of the sweep at both budgets: median test loss, reached, diverged
    (with the steps it happened at); the rate chosen for each budget marked."""
    columns: dict[str, list] = {N_("configuration"): [], N_("learning rate"): []}
    for b in s.spec.budgets:
        columns[Text("median test loss, {budget} steps", budget=b)] = []
        columns[Text("reached, {budget} steps", budget=b)] = []
    columns[N_("diverged (at step)")] = []
    for arm in arms:
        result = s[arm]
        for rate, runs in result.sweep.items():
            chosen = [b for b in s.spec.budgets if result.rate_at(b) == rate]
            steps = sorted(int(x) for x in runs.diverged_at if x > 0)
            columns[N_("configuration")].append(label(arm))
            columns[N_("learning rate")].append(
                Text("{rate:g} (best for {budgets} steps)", rate=rate,
                     budgets=" & ".join(map(str, chosen))) if chosen else f"{rate:g}")
            for b in s.spec.budgets:
                columns[Text("median test loss, {budget} steps", budget=b)].append(
                    interval_text(median_loss(runs, b), ".3g"))
                columns[Text("reached, {budget} steps", budget=b)].append(
                    reached_text(reached(runs, b)))
            columns[N_("diverged (at step)")].append(
                f"{len(steps)} ({', '.join(map(str, steps[:6]))}{'…' if len(steps) > 6 else ''})"
                if steps else "0")
    return Table(Text("Learning-rate sweep, {n} seeds per row", n=len(s.spec.seeds)), columns)


def _group(arm: str, budget: int) -> str:
    return Text("{arm}, {budget} steps", arm=label(arm), budget=budget)


def steps_evidence(s: Study, arms: Iterable[str]) -> SeedEvidence:
    groups = {_group(arm, b): runs_at(s, arm, b).steps_to_threshold(b)
              for b in s.spec.budgets for arm in arms}
    return seed_evidence(groups, s.spec.seeds,
                         N_("steps to reach the threshold (one dot per seed)"), N_("not reached"))


def loss_evidence(s: Study, arms: Iterable[str]) -> SeedEvidence:
    threshold = get_task(ARMS[next(iter(arms))].task).threshold
    groups = {_group(arm, b): runs_at(s, arm, b).test_loss[b]
              for b in s.spec.budgets for arm in arms}
    return seed_evidence(groups, s.spec.seeds, N_("test loss after training (one dot per seed)"),
                        N_("diverged"), log_y=True, line=threshold, line_label=N_("threshold"))


def _intervals(s: Study, arms: Iterable[str], measures: tuple[str, ...]) -> dict[str, Interval]:
    out = {}
    for arm in arms:
        for b in s.spec.budgets:
            runs = runs_at(s, arm, b)
            if "steps" in measures:
                out[f"{arm}.reached@{b}"] = reached(runs, b)
                out[f"{arm}.median_steps@{b}"] = median_steps(runs, b)
            if "loss" in measures:
                out[f"{arm}.median_test_loss@{b}"] = median_loss(runs, b)
    return out


def _numbers(intervals: dict[str, Interval]) -> dict[str, float]:
    return {k: v.value for k, v in intervals.items()}


def comparison_lines(s: Study, pairs: list[tuple[str, str]], test: Callable, words: dict) -> str:
    """"At 300 steps: A vs B faster; …" for every pair and budget."""
    parts = []
    for b in s.spec.budgets:
        for a, other in pairs:
            parts.append(Text("at {budget} steps, {a} vs {b}: {result}", budget=b, a=label(a),
                              b=label(other), result=words[test(runs_at(s, a, b),
                                                                runs_at(s, other, b), b)]))
    return listed(parts)


# --- the claims ----------------------------------------------------------------------------------


def tanh_converges_faster(s: Study | None = None) -> Verdict:
    """Claim: a tanh candidate trains faster than a sigmoid or ReLU one.

    Rule: the tanh LSTM against the sigmoid-candidate and the ReLU (candidate + output) LSTM,
    each at its own best learning rate, "trains faster" (see the module) at both budgets.
    """
    s = s or study()
    arms = ("lstm", "lstm_sigmoid", "lstm_relu")
    outcomes = [faster(runs_at(s, "lstm", b), runs_at(s, rival, b), b)
                for b in s.spec.budgets for rival in arms[1:]]
    verdict = combine(outcomes)
    intervals = _intervals(s, arms, ("steps", "loss"))
    return Verdict(
        "tanh_converges_faster", verdict,
        Text("**Conditions:** {conditions}.\n\n{sections}\n\n**Compared:** {comparisons}. This "
             "holds for this task, these sizes and this optimiser; a different task or budget "
             "can change it.", conditions=conditions(s, *arms),
             sections=budget_sections(s, arms),
             comparisons=comparison_lines(s, [("lstm", "lstm_sigmoid"), ("lstm", "lstm_relu")],
                                          faster, WORDS)),
        Text("tanh vs sigmoid, tanh vs ReLU ({n} seeds): {outcomes}.", n=len(s.spec.seeds),
             outcomes=_listed_words(outcomes, s.spec.budgets, WORDS, 2)),
        steps_evidence(s, arms), _numbers(intervals), rule=FASTER_RULE, intervals=intervals,
        tables=(sweep_table(s, arms),),
    )


def _listed_words(outcomes: list[int], budgets: tuple[int, ...], words: dict,
                  per: int = 1) -> str:
    """"300 steps: faster, no measurable difference; 900 steps: …" (``per`` outcomes a budget)."""
    parts = []
    for k, b in enumerate(budgets):
        chunk = outcomes[k * per : (k + 1) * per]
        text = words[chunk[0]]
        for o in chunk[1:]:
            text = Text("{first}, {second}", first=text, second=words[o])
        parts.append(Text("{budget} steps: {result}", budget=b, result=text))
    return listed(parts)


def relu_replaces_tanh(s: Study | None = None) -> Verdict:
    """Claim: ReLU is bounded, differentiable and monotonic, so it can replace tanh.

    Rule: the premise is checked first (ReLU(10⁶) and the slopes beside 0). A false premise
    caps the verdict at PARTLY. Then the ReLU LSTM (candidate and output) against the tanh one,
    each at its own best learning rate, by median test loss at both budgets: FALSE if ReLU ends
    measurably higher at both, PARTLY otherwise (the reason is wrong even where it trains).
    """
    s = s or study()
    relu_big = float(np.maximum(1e6, 0.0))
    x = np.array([-1e-7, 1e-7])
    left, right = (np.maximum(x + 1e-9, 0.0) - np.maximum(x - 1e-9, 0.0)) / 2e-9
    premise = relu_big < 1e3 and abs(left - right) < 1e-6
    outcomes = [lower(runs_at(s, "lstm_relu", b), runs_at(s, "lstm", b), b)
                for b in s.spec.budgets]
    if all(o == -1 for o in outcomes):
        verdict = "false"
    elif not premise or -1 in outcomes:
        verdict = "partly"
    else:
        verdict = "true"
    arms = ("lstm", "lstm_relu")
    sweep = s["lstm_relu"].sweep
    diverged = listed(Text("{k}/{n} at learning rate {rate:g}", k=int(r.diverged_by(
        s.spec.budgets[0]).sum()), n=len(s.spec.seeds), rate=rate) for rate, r in sweep.items())
    intervals = _intervals(s, arms, ("loss",))
    return Verdict(
        "relu_replaces_tanh", verdict,
        Text("The premise is wrong: ReLU is monotonic but not bounded (ReLU(10⁶) = {big:.0e}) and "
             "not differentiable at 0 (slope {left:.0f} on the left, {right:.0f} on the right), "
             "so nothing bounds the cell state or h. Trained anyway ({conditions}):\n\n"
             "{sections}\n\nReLU runs diverged {diverged}: divergence depends on the learning "
             "rate, so each configuration is compared at its own best rate. **Compared by test "
             "loss:** {comparisons}.",
             big=relu_big, left=left, right=right, conditions=conditions(s, *arms),
             sections=budget_sections(s, arms, "loss"), diverged=diverged,
             comparisons=comparison_lines(s, [("lstm_relu", "lstm")], lower, LOSS_WORDS)),
        Text("ReLU is unbounded; its test loss vs tanh's ({n} seeds): {outcomes}.",
             n=len(s.spec.seeds), outcomes=_listed_words(outcomes, s.spec.budgets, LOSS_WORDS)),
        loss_evidence(s, arms),
        _numbers(intervals) | {"relu_of_1e6": relu_big},
        rule=N_("The premise (bounded, differentiable) is measured first; being false, it caps "
                "the verdict at PARTLY. FALSE if the ReLU LSTM's median test loss is measurably "
                "higher than the tanh LSTM's at both budgets (95 % bootstrap intervals apart, "
                "each at its own best learning rate, a diverged run counted as ∞)."),
        intervals=intervals, tables=(sweep_table(s, arms),),
    )


SATURATED = 0.05  # "saturated": tanh′ below this


def _saturation(arm: str, thetas: np.ndarray) -> np.ndarray:
    """Per seed, the fraction of candidate values with tanh′ < 0.05 on the test set."""
    out = []
    for theta in thetas:
        pre = test_trace(arm, theta).preactivations["candidate"]
        out.append(float(np.mean(1.0 - np.tanh(pre) ** 2 < SATURATED)))
    return np.array(out)


def _cell_gradient_norms(arm: str, thetas: np.ndarray) -> np.ndarray:
    """Per seed, ‖∂L/∂θ‖ of the cell's weights (read-out excluded) on the test set."""
    a = ARMS[arm]
    task = get_task(a.task)
    x, target = task.test_set(a.length)
    out = []
    for theta in thetas:
        model = Model(a.spec, task.input_size, theta.copy())
        model.loss_and_gradient(task, x, target)
        cell = np.concatenate([model.grad[model.slices[n]] for n in
                               ("weight_ih", "weight_hh", "bias_ih", "bias_hh")])
        out.append(float(np.linalg.norm(cell)))
    return np.array(out)


def saturation_slows_training(s: Study | None = None) -> Verdict:
    """Claim: large pre-activations saturate tanh, and training slows as gradients approach 0.

    Saturation is produced without inflating the gradient: W_hh and the biases start ×10
    wider (the input weights are unchanged; scaling the inputs instead makes the input-weight
    gradients larger). Measured: the fraction of saturated candidates and ‖∂L/∂θ_cell‖ at the
    start (per seed, the same seed's ×1 model beside it), and training under Adam (which
    rescales every step) and plain SGD (which does not), each at its best rate.

    Rule: TRUE if the saturated LSTM is slower (Adam: "trains faster"; SGD: "ends lower") in
    every comparison at both budgets; PARTLY if saturation is measured and it is slower in some,
    or the gradient measurably shrinks; FALSE if it is slower in none and the gradient does not
    shrink measurably.
    """
    s = s or study()
    sat_fraction = {arm: bootstrap_median(_saturation(arm, s[arm].init_theta))
                    for arm in ("lstm", "lstm_saturated")}
    ratio = bootstrap_median(_cell_gradient_norms("lstm_saturated", s["lstm_saturated"].init_theta)
                             / _cell_gradient_norms("lstm", s["lstm"].init_theta))
    adam = [faster(runs_at(s, "lstm", b), runs_at(s, "lstm_saturated", b), b)
            for b in s.spec.budgets]
    sgd = [lower(runs_at(s, "lstm_sgd", b), runs_at(s, "lstm_saturated_sgd", b), b)
           for b in s.spec.budgets]
    slower = adam + sgd
    shrinks = ratio.high < 1.0
    if all(o == 1 for o in slower):
        verdict = "true"
    elif any(o == 1 for o in slower) or shrinks:
        verdict = "partly"
    else:
        verdict = "false"
    arms = ("lstm", "lstm_saturated", "lstm_sgd", "lstm_saturated_sgd")
    intervals = (_intervals(s, arms[:2], ("steps",)) | _intervals(s, arms[2:], ("loss",))
                 | {"saturated_at_start_x1": sat_fraction["lstm"],
                    "saturated_at_start_x10": sat_fraction["lstm_saturated"],
                    "cell_gradient_ratio_x10_over_x1": ratio})
    sgd_rates = ", ".join(f"{r:g}" for r in s.spec.sgd_rates)
    return Verdict(
        "saturation_slows_training", verdict,
        Text("Saturation made without inflating gradients: the textbook LSTM with W_hh and the "
             "biases drawn ×10 wider (inputs unchanged). At the start {sat:.0%} [{sat_low:.0%}, "
             "{sat_high:.0%}] of its candidate values are saturated (tanh′ < 0.05; ×1: "
             "{base:.0%}), and the gradient of its cell weights is ×{ratio} of the ×1 model's "
             "(median over seeds, same seed).\n\n**Training** ({conditions}; plain SGD at its "
             "best rate of {sgd_rates}):\n\n- with Adam: {adam}\n- with SGD: {sgd}\n\n"
             "Plain SGD reached the threshold "
             "in {sgd_reached} of the ×1 runs and {sgd_sat_reached} of the ×10 runs within "
             "{long} steps, so its comparison is between models that barely learned. Adam "
             "divides each step by the gradient's own running size, so a smaller gradient alone "
             "does not slow it.", sat=sat_fraction["lstm_saturated"].value,
             sgd_reached=reached_text(reached(runs_at(s, "lstm_sgd", s.spec.budgets[1]),
                                              s.spec.budgets[1])),
             sgd_sat_reached=reached_text(reached(runs_at(s, "lstm_saturated_sgd",
                                                          s.spec.budgets[1]), s.spec.budgets[1])),
             long=s.spec.budgets[1],
             sat_low=sat_fraction["lstm_saturated"].low,
             sat_high=sat_fraction["lstm_saturated"].high, base=sat_fraction["lstm"].value,
             ratio=interval_text(ratio, ".2f"), conditions=conditions(s, "lstm"),
             sgd_rates=sgd_rates,
             adam=comparison_lines(s, [("lstm", "lstm_saturated")], faster, WORDS),
             sgd=comparison_lines(s, [("lstm_sgd", "lstm_saturated_sgd")], lower, LOSS_WORDS)),
        Text("{sat:.0%} saturated at the start, gradient ×{ratio:.2f}; ×1 against ×10 with Adam "
             "— {adam}; with SGD (test loss) — {sgd}.", sat=sat_fraction["lstm_saturated"].value,
             ratio=ratio.value, adam=_listed_words(adam, s.spec.budgets, WORDS),
             sgd=_listed_words(sgd, s.spec.budgets, LOSS_WORDS)),
        loss_evidence(s, arms), _numbers(intervals), rule=N_(
            "×1 against ×10 (W_hh and biases), each at its own best learning rate: with Adam by "
            "\"trains faster\", with plain SGD by median test loss, at both budgets. TRUE if the "
            "×10 LSTM is measurably slower in all four; PARTLY if in some, or if its gradient "
            "at the start is measurably smaller; FALSE otherwise."),
        intervals=intervals, tables=(sweep_table(s, arms),),
    )


GATES = ("input_gate", "forget_gate", "output_gate")
GATE_NAMES = {"input_gate": N_("input gate"), "forget_gate": N_("forget gate"),
              "output_gate": N_("output gate")}
NEAR = 0.05  # "near 0 or 1": within 0.05 of it


def _gate_values(theta: np.ndarray, **slots: object) -> dict[str, np.ndarray]:
    arm = ARMS["lstm"]
    spec = arm.spec
    if slots:
        spec = replace(spec, activations=tuple({**dict(spec.activations), **slots}.items()))
    task = get_task(arm.task)
    x, _ = task.test_set(arm.length)
    trace, _ = Model(spec, task.input_size, theta).predict(x, task.every_step)
    return {g: trace.values[g].ravel() for g in GATES}


def gates_are_binary(s: Study | None = None, **slots: object) -> Verdict:
    """Claim: a gate's sigmoid makes a binary decision (no flow or complete flow).

    Rule: per trained textbook LSTM (every seed, at its best rate, both budgets), the fraction
    of its test-set gate values within 0.05 of 0 or 1. TRUE if the 95 % interval of the median
    fraction lies above 0.9 at both budgets; FALSE if a gate value leaves [0, 1]; UNDECIDED if
    an interval straddles 0.9; PARTLY otherwise (the range is right, the "binary" is not).
    """
    s = s or study()
    long = s.spec.budgets[1]
    edges = np.linspace(0.0, 1.0, 41)
    # counted seed by seed (the values of every seed at once would take ~300 MB)
    counts = {g: np.zeros(edges.size - 1) for g in GATES}
    middle_count = exact = total = 0
    per_budget, inside = {}, True
    for b in s.spec.budgets:
        fractions = []
        for theta in s["lstm"].at(b).theta[b]:
            values = _gate_values(theta, **slots)
            every = np.concatenate(list(values.values()))
            inside &= bool(np.all((every >= 0.0) & (every <= 1.0)))
            fractions.append(float(np.mean((every < NEAR) | (every > 1.0 - NEAR))))
            if b == long:
                for g, v in values.items():
                    counts[g] += np.histogram(v, bins=edges)[0]
                middle_count += int(np.sum((every > 0.1) & (every < 0.9)))
                exact += int(np.sum((every == 0.0) | (every == 1.0)))
                total += every.size
        per_budget[b] = bootstrap_median(np.array(fractions))
    if not inside:
        verdict = "false"
    elif all(i.low >= 0.9 for i in per_budget.values()):
        verdict = "true"
    elif any(i.contains(0.9) for i in per_budget.values()):
        verdict = "undecided"
    else:
        verdict = "partly"
    middle = middle_count / total
    curves = {GATE_NAMES[g]: counts[g] / total * len(GATES) for g in GATES}
    intervals = {f"near_0_or_1@{b}": i for b, i in per_budget.items()}
    short_i, long_i = per_budget[s.spec.budgets[0]], per_budget[long]
    return Verdict(
        "gates_binary", verdict,
        Text("In the trained textbook LSTMs ({conditions}), on the test set, the median seed has "
             "{near_short} of its gate values within {within} of 0 or 1 after {short} steps and "
             "{near_long} after {long} steps (95 % intervals); after {long} steps {middle:.0%} "
             "of all gate values lie between 0.1 and 0.9, and {exact} of {total:,} are exactly 0 "
             "or 1. The range $(0, 1)$ is right, but a gate is a *dimmer*, not a switch: it "
             "mostly passes a fraction, and σ never reaches 0 or 1.",
             conditions=conditions(s, "lstm"), near_short=interval_text(short_i, ".0%"),
             within=NEAR, short=s.spec.budgets[0], near_long=interval_text(long_i, ".0%"),
             long=long, middle=middle, exact=exact, total=total),
        Text("Median seed: {near:.0%} of trained gate values near 0 or 1; {middle:.0%} between "
             "0.1 and 0.9.", near=long_i.value, middle=middle),
        Evidence(0.5 * (edges[1:] + edges[:-1]), curves, N_("gate value (bins of 0.025)"),
                 N_("fraction of that gate's values")),
        {"near_0_or_1": long_i.value, "between_0.1_and_0.9": middle,
         "exactly_0_or_1": float(exact)},
        rule=N_("Per trained textbook LSTM (every seed, both budgets), the fraction of its gate "
                "values within 0.05 of 0 or 1. TRUE if the 95 % interval of the median fraction "
                "lies above 0.9 at both budgets; UNDECIDED if an interval contains 0.9; PARTLY "
                "otherwise; FALSE if a gate value leaves [0, 1]."),
        intervals=intervals,
    )


def _dead_units(arm: str, thetas: np.ndarray) -> np.ndarray:
    """(S, H): True where a unit's candidate pre-activation is ≤ 0 on every test step."""
    if not len(thetas):
        return np.zeros((0, ARMS[arm].spec.hidden_size), dtype=bool)
    return np.stack([np.all(test_trace(arm, theta).preactivations["candidate"] <= 0.0,
                            axis=(0, 1)) for theta in thetas])


def relu_dead_units(s: Study | None = None) -> Verdict:
    """Claim: ReLU units can die; tanh keeps a gradient for negative inputs.

    A unit is dead on the test set when its candidate pre-activation is ≤ 0 at every step of
    every test sequence: then g = 0 and ReLU′ = 0 there. Counted at the start, after the short
    and after the long budget, for every seed of the ReLU LSTM at its best rate (diverged runs
    left out), and for the tanh LSTM (tanh′ > 0 everywhere, so "dead" means tanh′ < 10⁻⁶).

    Rule: TRUE if some ReLU unit is dead at some point and no tanh unit is; PARTLY if no
    ReLU unit dies; FALSE if a tanh unit does.
    """
    s = s or study()
    relu = s["lstm_relu"]
    short, long = s.spec.budgets
    runs = relu.at(long)  # one rate's runs followed from the start to the long budget
    alive = ~runs.diverged_by(long)
    at = {0: _dead_units("lstm_relu", relu.init_theta[alive]),
          short: _dead_units("lstm_relu", runs.theta[short][alive]),
          long: _dead_units("lstm_relu", runs.theta[long][alive])}
    revived_early = int(np.sum(at[0] & ~at[short]))
    revived = int(np.sum(at[short] & ~at[long]))
    died_later = int(np.sum(~at[short] & at[long]))
    seeds_with = wilson(int(np.sum(at[short].any(axis=1) | at[long].any(axis=1))),
                        int(alive.sum()))
    tanh_dead = 0
    for theta in s["lstm"].at(long).theta[long]:
        pre = test_trace("lstm", theta).preactivations["candidate"]
        tanh_dead += int(np.sum(np.all(1.0 - np.tanh(pre) ** 2 < 1e-6, axis=(0, 1))))
    total = {k: int(v.sum()) for k, v in at.items()}
    if tanh_dead:
        verdict = "false"
    elif total[short] + total[long] > 0:
        verdict = "true"
    else:
        verdict = "partly"
    hidden = ARMS["lstm_relu"].spec.hidden_size
    groups = {Text("dead units at step {step}", step=k): v.sum(axis=1).astype(float)
              for k, v in at.items()}
    return Verdict(
        "relu_dead_units", verdict,
        Text("ReLU LSTM at its best learning rate ({rate:g}; {conditions}), {runs} runs that did "
             "not diverge, {hidden} candidate units each: dead units (pre-activation ≤ 0 on every "
             "test step, so $g = 0$ and $\\mathrm{{ReLU}}'=0$ there) — {start} at the start, "
             "{at_short} after {short} steps, {at_long} after {long} steps; seeds with a dead "
             "unit: {seeds}. Dead is not forever: {revived_early} units dead at the start were "
             "alive after {short} steps, {revived} dead after {short} steps were alive after "
             "{long}, and {died} died in between, because the other weights keep changing "
             "$h_{{t-1}}$ and with it the unit's input. The tanh LSTMs: {tanh_dead} such units; "
             "$\\tanh' > 0$ everywhere.", rate=relu.rate_at(long), revived_early=revived_early,
             conditions=conditions(s, "lstm_relu"), runs=int(alive.sum()), hidden=hidden,
             start=total[0], at_short=total[short], short=short, at_long=total[long], long=long,
             seeds=reached_text(seeds_with), revived=revived, died=died_later,
             tanh_dead=tanh_dead),
        Text("Dead ReLU units: {start} at the start, {at_short} and {at_long} later ({revived} "
             "came back); tanh: {tanh_dead}.", start=total[0], at_short=total[short],
             at_long=total[long], revived=revived, tanh_dead=tanh_dead),
        seed_evidence(groups, tuple(int(x) for x in np.array(s.spec.seeds)[alive]),
                     N_("dead candidate units (one dot per seed)"), N_("—")),
        {"dead_relu_units": float(total[short] + total[long]), "dead_tanh_units": float(tanh_dead),
         "revived": float(revived)},
        rule=N_("TRUE if some ReLU candidate unit is dead on the test set at some point of "
                "training and no tanh unit is; PARTLY if none dies; FALSE if a tanh unit does."),
        intervals={"seeds_with_a_dead_unit": seeds_with},
    )


# --- published findings --------------------------------------------------------------------------

GREFF = N_("Greff et al. 2017, “LSTM: A Search Space Odyssey” (IEEE TNNLS)")
JOZEFOWICZ = N_("Jozefowicz, Zaremba & Sutskever 2015, “An Empirical Exploration of Recurrent "
                "Network Architectures” (ICML)")


def _with_reason(finding: str, reason: str | None) -> str:
    """The finding, followed by the reason it differs from the paper's when it does."""
    return Text("{finding} {reason}", finding=finding, reason=reason) if reason else finding


def _hurts(s: Study, variant: str, base: str = "lstm") -> list[int]:
    """+1 where the variant ends measurably higher than the base (removing the part hurt)."""
    return [-lower(runs_at(s, variant, b), runs_at(s, base, b), b) for b in s.spec.budgets]


def _largest_cell(arm: str, thetas: np.ndarray) -> float:
    return float(np.median([np.max(np.abs(test_trace(arm, t).cell)) for t in thetas]))


def _without_a_part(s: Study, key: str, variant: str, finding: str, reason: str,
                    summary: str, rule: str, numbers: dict[str, float] | None = None) -> Verdict:
    """A published "removing this part hurts" finding, decided by :func:`_hurts` at both
    budgets: TRUE (agrees) if the variant ends measurably higher at both, PARTLY at one, FALSE
    at neither; ``reason`` (why it differs from the paper's) follows the finding unless TRUE."""
    arms = ("lstm", variant)
    outcomes = _hurts(s, variant)
    verdict = {2: "true", 1: "partly", 0: "false"}[sum(o == 1 for o in outcomes)]
    intervals = _intervals(s, arms, ("loss", "steps"))
    return Verdict(
        key, verdict,
        _with_reason(Text(finding, conditions=conditions(s, *arms),
                          sections=budget_sections(s, arms, "loss"),
                          comparisons=comparison_lines(s, [(variant, "lstm")], lower, LOSS_WORDS),
                          **(numbers or {})),
                     None if verdict == "true" else reason),
        Text(summary, n=len(s.spec.seeds),
             outcomes=_listed_words([-o for o in outcomes], s.spec.budgets, LOSS_WORDS)),
        loss_evidence(s, arms), _numbers(intervals) | (numbers or {}), rule=rule,
        intervals=intervals, tables=(sweep_table(s, arms),),
    )


def greff_output_activation(s: Study | None = None) -> Verdict:
    """Published finding (Greff et al. 2017): the output activation is critical; without it
    (h = o·c) performance drops, since the cell state is unbounded.

    Rule: the LSTM without the output squash against the textbook LSTM, each at its best rate,
    by median test loss at both budgets: TRUE (agrees) if it ends measurably higher at both,
    FALSE if at neither, PARTLY if at one (see the module for the comparisons).
    """
    s = s or study()
    long = s.spec.budgets[1]
    largest = _largest_cell("lstm_identity_output",
                            s["lstm_identity_output"].at(long).theta[long])
    return _without_a_part(
        s, "greff_output_activation", "lstm_identity_output",
        N_("Here ({conditions}):\n\n{sections}\n\n**Compared:** {comparisons}. Without the "
           "squash the median seed's largest |c| on the test set is {largest:.2g}."),
        N_("Why the result differs from the paper's: Greff et al. trained far larger "
           "networks on long speech, handwriting and music sequences, where an unsquashed "
           "cell state grows large; here a 16-unit LSTM sums two numbers over 20 steps, "
           "|c| stays small, and h = o·c is simply a linear read-out of it."),
        N_("Test loss without the output squash, against the textbook LSTM ({n} seeds): "
           "{outcomes}."),
        N_("TRUE (agrees with the paper) if the LSTM without the output squash ends with a "
           "measurably higher median test loss than the textbook LSTM at both budgets "
           "(95 % bootstrap intervals apart, each at its own best learning rate); PARTLY "
           "at one budget; FALSE at neither."),
        {"largest": largest})


def greff_forget_gate(s: Study | None = None) -> Verdict:
    """Published finding (Greff et al. 2017): the forget gate is critical; removing it
    (f = 1) hurts.

    Rule: as :func:`greff_output_activation`, for the LSTM whose forget gate is fixed at 1.
    """
    return _without_a_part(
        s or study(), "greff_forget_gate", "lstm_no_forget",
        N_("Here ({conditions}; the forget gate fixed at σ(30) = 1 − 10⁻¹³ and never "
           "trained):\n\n{sections}\n\n**Compared:** {comparisons}."),
        N_("Why the result differs from the paper's: the adding problem needs the cell to "
           "keep two values and sum them over one short sequence, which a cell that never "
           "forgets can do; Greff et al.'s tasks (speech, handwriting, music) need the "
           "cell to let go of old content within long sequences, which it cannot."),
        N_("Test loss without the forget gate, against the textbook LSTM ({n} seeds): "
           "{outcomes}."),
        N_("TRUE (agrees with the paper) if the LSTM without a forget gate ends with a "
           "measurably higher median test loss than the textbook LSTM at both budgets "
           "(95 % bootstrap intervals apart, each at its own best learning rate); PARTLY "
           "at one budget; FALSE at neither."))


def jozefowicz_forget_bias(s: Study | None = None) -> Verdict:
    """Published finding (Jozefowicz et al. 2015): a forget-gate bias of 1 closes the gap
    between the LSTM and the GRU.

    On delayed recall (the marked value must be kept 15–20 steps), at both budgets, each at its
    best rate. The gap: the GRU reached the threshold in measurably more runs than the LSTM with
    forget bias 0 (Wilson intervals apart). Closed in outcome: the LSTM with bias 1 reached it in
    not measurably fewer runs than the GRU; closed in speed too: its median steps are not
    measurably more. TRUE if the gap exists and closes in both at both budgets; FALSE if it does
    not close in outcome at either budget; PARTLY in between; UNDECIDED if there is no gap.
    """
    s = s or study()
    arms = ("recall_fb0", "recall_fb1", "recall_fb3", "recall_gru")
    outcomes, words = [], []
    for b in s.spec.budgets:
        gru, fb0, fb1 = (runs_at(s, a, b) for a in ("recall_gru", "recall_fb0", "recall_fb1"))
        gap = compare(reached(gru, b), reached(fb0, b)) == 1
        in_outcome = compare(reached(fb1, b), reached(gru, b)) >= 0
        in_speed = compare(median_steps(fb1, b), median_steps(gru, b)) <= 0
        if not gap:
            outcomes.append(0)
            words.append(Text("{budget} steps: no gap", budget=b))
        elif in_outcome and in_speed:
            outcomes.append(1)
            words.append(Text("{budget} steps: closed", budget=b))
        elif in_outcome:
            outcomes.append(0.5)
            words.append(Text("{budget} steps: closed in runs that learn it, not in speed",
                              budget=b))
        else:
            outcomes.append(-1)
            words.append(Text("{budget} steps: open", budget=b))
    if all(o == 0 for o in outcomes):
        verdict = "undecided"
    elif all(o == 1 for o in outcomes):
        verdict = "true"
    elif all(o == -1 for o in outcomes):
        verdict = "false"
    else:
        verdict = "partly"
    intervals = _intervals(s, arms, ("steps", "loss"))
    return Verdict(
        "jozefowicz_forget_bias", verdict,
        Text("Here ({conditions}):\n\n{sections}\n\n**The gap, and whether bias 1 closes "
             "it:** {words}. Why the bias "
             "matters this much: the marked value must survive 15–20 steps, and of it "
             "σ(0)¹⁵ = {b0:.1e}, σ(1)¹⁵ = {b1:.3f} and σ(3)¹⁵ = {b3:.2f} remain at the "
             "forget gate's starting value. Jozefowicz et al. compared final performance of "
             "much larger networks on other tasks; here the speed is measured too.",
             conditions=conditions(s, *arms), sections=budget_sections(s, arms),
             words=listed(words),
             b0=0.5**15, b1=(1 / (1 + np.exp(-1.0))) ** 15, b3=(1 / (1 + np.exp(-3.0))) ** 15),
        Text("LSTM–GRU gap with forget bias 1: {words}.", words=listed(words)),
        steps_evidence(s, arms), _numbers(intervals),
        rule=N_("On delayed recall, at both budgets, each at its own best learning rate: a gap "
                "exists when the GRU reached the threshold in measurably more runs than the "
                "LSTM with forget bias 0 (95 % Wilson intervals apart). Bias 1 closes it in "
                "outcome when that LSTM reached it in not measurably fewer runs than the GRU, "
                "and in speed when its median steps are not measurably more. TRUE if closed in "
                "both at both budgets; FALSE if not closed in outcome at either; PARTLY in "
                "between; UNDECIDED if there is no gap."),
        intervals=intervals, tables=(sweep_table(s, arms),),
    )
