"""The trained claims' study: intervals checked by hand, each verdict rule driven by made-up
runs, the engine's new training options, the disk cache and its computing process, the command
line, and verdicts that agree on two disjoint seed ranges (at the CI budget)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from lstm_core import claims, claims_race, study
from lstm_core.statistics import Interval, bootstrap_median, compare, wilson
from lstm_core.study import ARMS, ArmResult, Runs, Study, StudySpec
from lstm_core.tasks import get_task
from lstm_core.training import (
    FIXED_FORGET_BIAS,
    Model,
    ModelSpec,
    Settings,
    init_state,
    summarise,
    train_runs,
    train_seeds,
)
from tests.conftest import ROOT

# --- intervals -----------------------------------------------------------------------------------


def test_wilson_interval_hand_worked():
    # 0/20: (0 + z²/40 ± √(z²/1600)·…) / (1 + z²/20) → [0, 0.1611]
    zero = wilson(0, 20)
    assert zero.low == 0.0 and zero.high == pytest.approx(0.16113, abs=1e-4)
    half = wilson(10, 20)  # symmetric about ½: [0.2993, 0.7007]
    assert (half.low, half.high) == (pytest.approx(0.29929, abs=1e-4),
                                     pytest.approx(0.70071, abs=1e-4))
    assert wilson(20, 20).high == 1.0 and wilson(20, 20).low == pytest.approx(1 - 0.16113,
                                                                              abs=1e-4)


def test_bootstrap_median_of_runs_that_never_got_there():
    assert bootstrap_median(np.array([1.0, 2.0, np.inf, np.inf, np.inf])).value == np.inf
    finite = bootstrap_median(np.arange(1.0, 21.0))
    assert finite.value == 10.5 and finite.low < 10.5 < finite.high and finite.n == 20
    assert finite == bootstrap_median(np.arange(1.0, 21.0))  # fixed seed: the same every time
    mixed = bootstrap_median(np.array([5.0] * 12 + [np.inf] * 8))
    assert mixed.value == 5.0 and mixed.high == np.inf and not np.isnan(mixed.low)


def test_compare_needs_apart_intervals():
    a, b = Interval(1, 0.5, 1.5, 20), Interval(3, 2, 4, 20)
    assert compare(a, b) == -1 and compare(b, a) == 1
    assert compare(a, Interval(1.4, 1.2, 2.0, 20)) == 0


# --- the rules, driven by made-up runs ----------------------------------------------------------

SEEDS = tuple(range(1, 21))
SPEC = StudySpec(seeds=SEEDS, budgets=(100, 300), adam_rates=(0.05,), sgd_rates=(1.0,))


def fake_runs(arm: str, reach_at: list[float], loss: list[float] | float = 0.01) -> Runs:
    """Runs whose training loss drops below the task's threshold at ``reach_at`` (∞: never)."""
    threshold = get_task(ARMS[arm].task).threshold
    losses = np.full((len(SEEDS), SPEC.budgets[1]), threshold * 4)
    for row, step in zip(losses, reach_at, strict=True):
        if np.isfinite(step):
            row[int(step) - 25 :] = threshold / 4  # the 25-step mean reaches it near ``step``
    test = np.broadcast_to(np.asarray(loss, dtype=float), (len(SEEDS),)).copy()
    theta = init_state(ARMS[arm].spec, get_task(ARMS[arm].task), 1).theta
    thetas = np.stack([theta] * len(SEEDS))
    return Runs(arm, 0.05, SEEDS, losses, np.zeros(len(SEEDS), dtype=int),
                {b: test for b in SPEC.budgets}, {b: thetas for b in SPEC.budgets})


def fake_study(**arms: Runs) -> Study:
    out = {key: ArmResult(key, {0.05: runs}, {b: 0.05 for b in SPEC.budgets},
                          runs.theta[SPEC.budgets[0]])
           for key, runs in arms.items()}
    return Study(SPEC, out)


FAST, SLOW, NEVER = [60.0] * 20, [250.0] * 20, [np.inf] * 20


@pytest.mark.parametrize(("tanh", "sigmoid", "relu", "verdict"), [
    (FAST, SLOW, SLOW, "true"),     # ahead of both at both budgets
    (SLOW, FAST, FAST, "false"),    # behind both
    (FAST, FAST, FAST, "undecided"),  # nobody can tell them apart
    (FAST, SLOW, FAST, "partly"),   # ahead of one only
    (FAST[:10] + NEVER[:10], NEVER, FAST, "partly"),  # ahead of one, behind the other
])
def test_converges_faster_rule(tanh, sigmoid, relu, verdict):
    s = fake_study(lstm=fake_runs("lstm", tanh), lstm_sigmoid=fake_runs("lstm_sigmoid", sigmoid),
                   lstm_relu=fake_runs("lstm_relu", relu))
    result = claims_race.tanh_converges_faster(s)
    assert result.verdict == verdict
    assert result.rule and result.intervals["lstm.reached@300"].n == 20


def test_relu_rule_premise_caps_at_partly_and_worse_at_both_is_false():
    same = fake_study(lstm=fake_runs("lstm", FAST), lstm_relu=fake_runs("lstm_relu", FAST))
    assert claims_race.relu_replaces_tanh(same).verdict == "partly"
    worse = fake_study(lstm=fake_runs("lstm", FAST, 0.01),
                       lstm_relu=fake_runs("lstm_relu", FAST, [0.2] * 18 + [np.inf] * 2))
    result = claims_race.relu_replaces_tanh(worse)
    assert result.verdict == "false"
    assert result.evidence.medians  # per-seed dots with their median and interval


def test_literature_rules():
    good, bad = fake_runs("lstm", FAST, 0.01), fake_runs("lstm_identity_output", FAST, 0.1)
    assert claims_race.greff_output_activation(
        fake_study(lstm=good, lstm_identity_output=bad)).verdict == "true"
    level = fake_runs("lstm_identity_output", FAST, 0.01)
    assert claims_race.greff_output_activation(
        fake_study(lstm=good, lstm_identity_output=level)).verdict == "false"
    arms = dict(recall_fb0=fake_runs("recall_fb0", NEVER), recall_fb3=fake_runs("recall_fb3", FAST),
                recall_gru=fake_runs("recall_gru", FAST))
    closed = fake_study(**arms, recall_fb1=fake_runs("recall_fb1", FAST))
    assert claims_race.jozefowicz_forget_bias(closed).verdict == "true"
    still_open = fake_study(**arms, recall_fb1=fake_runs("recall_fb1", NEVER))
    assert claims_race.jozefowicz_forget_bias(still_open).verdict == "false"
    no_gap = fake_study(**(arms | {"recall_fb0": fake_runs("recall_fb0", FAST)}),
                        recall_fb1=fake_runs("recall_fb1", FAST))
    assert claims_race.jozefowicz_forget_bias(no_gap).verdict == "undecided"


def test_combine():
    assert claims_race.combine([1, 1, 1, 1]) == "true"
    assert claims_race.combine([1, 0, 1, 1]) == "partly"
    assert claims_race.combine([-1, 0]) == "false"
    assert claims_race.combine([1, -1]) == "partly"
    assert claims_race.combine([0, 0]) == "undecided"


# --- the engine's new options --------------------------------------------------------------------

ADDING = get_task("adding")


def test_forget_gate_removed_stays_at_one_and_is_never_trained():
    spec = ModelSpec("LSTM", fixed_forget=True)
    start = init_state(spec, ADDING, 3)
    (state,), _ = train_seeds(ADDING, spec, Settings(0.05), [start], 30, 10, [3])
    frozen = spec.frozen(ADDING.input_size)
    assert frozen.sum() == 16 * (2 + 16 + 2)  # the forget rows of W_ih, W_hh, b_ih, b_hh
    np.testing.assert_array_equal(state.theta[frozen], start.theta[frozen])
    assert not np.array_equal(state.theta[~frozen], start.theta[~frozen])
    x, _ = ADDING.test_set(10)
    trace, _ = Model(spec, ADDING.input_size, state.theta).predict(x, False)
    assert np.all(trace.forget_gate >= 1 - 1e-13) and FIXED_FORGET_BIAS == 30.0


def test_forget_bias_and_recurrent_scale_at_init():
    base = init_state(ModelSpec("LSTM"), ADDING, 4).theta
    biased = Model(ModelSpec("LSTM", forget_bias=1.0), 2,
                   init_state(ModelSpec("LSTM", forget_bias=1.0), ADDING, 4).theta)
    np.testing.assert_array_equal(biased.cell.bias_ih[16:32], 1.0)
    np.testing.assert_array_equal(biased.cell.bias_hh[16:32], 0.0)
    wide = Model(ModelSpec("LSTM", recurrent_scale=10.0), 2,
                 init_state(ModelSpec("LSTM", recurrent_scale=10.0), ADDING, 4).theta)
    plain = Model(ModelSpec("LSTM"), 2, base)
    np.testing.assert_allclose(wide.cell.weight_hh, 10.0 * plain.cell.weight_hh)
    np.testing.assert_array_equal(wide.cell.weight_ih, plain.cell.weight_ih)  # inputs unchanged
    np.testing.assert_array_equal(wide.readout_weight, plain.readout_weight)


def test_plain_sgd_step_is_theta_minus_rate_times_gradient():
    spec, settings = ModelSpec("LSTM"), Settings(0.3, clip_norm=None, optimiser="sgd")
    start = init_state(spec, ADDING, 5)
    (state,), _ = train_seeds(ADDING, spec, settings, [start], 1, 10, [5])
    model = Model(spec, 2, start.theta.copy())
    from lstm_core.training import training_batch

    x, target = training_batch(ADDING, 5, 1, settings.batch_size, 10)
    model.loss_and_gradient(ADDING, x, target)
    np.testing.assert_allclose(state.theta, start.theta - 0.3 * model.grad, atol=1e-15)


def test_training_lab_summary_uses_the_claims_statistic():
    results = train_runs(ADDING, ModelSpec("LSTM", (("candidate", "relu"), ("output", "relu"))),
                         Settings(0.5), 10, [1, 2, 3], 20)
    summary = summarise(results, ADDING.threshold)
    finals = [np.inf if r.diverged_at else r.evaluation.loss for r in results]
    assert summary.test_loss.value == float(np.median(finals))
    assert summary.diverged == sum(r.diverged_at is not None for r in results)
    assert summary.diverged_at == tuple(sorted(r.diverged_at for r in results if r.diverged_at))
    assert summary.reached_interval == wilson(summary.reached, 3)


# --- the study: same runs as the Training Lab, on disk, in its own process -----------------------


def test_a_study_run_is_the_training_labs_run():
    from ui.training_lab import TrainingLabState, advance, finish, new_race

    spec = StudySpec(seeds=(1, 2), budgets=(30, 60), adam_rates=(0.05,), arms=("lstm",))
    arm = study.train_arm("lstm", spec)
    state, _ = TrainingLabState.from_query({"task": "adding", "length": "20", "presets": "lstm",
                                            "seeds": "2", "steps": "60",
                                            "learning_rate": "0.05"})
    lab = new_race(state)
    for _ in advance(lab):
        pass
    finish(lab)
    for run in lab.runs:
        np.testing.assert_array_equal(run.losses, arm.at(60).losses[run.key.seed - 1])


def test_cache_key_follows_the_spec_and_a_broken_file_is_recomputed(tmp_path, monkeypatch):
    monkeypatch.setenv("LSTM_LENS_CACHE", str(tmp_path))
    assert study.code_key(study.TINY) != study.code_key(replace(study.TINY, seeds=(3, 4)))
    assert study.stored(study.TINY) is None
    computed = study.cached_study(study.TINY)
    assert study.stored(study.TINY).arms.keys() == computed.arms.keys()
    assert study.progress_of(study.TINY) == (len(ARMS), len(ARMS))
    path = next(tmp_path.glob("study-*.pkl"))
    path.write_bytes(b"not a pickle")
    assert study.stored(study.TINY) is None
    (tmp_path / path.name.replace(".pkl", ".lock")).write_text("999999999")  # a dead process
    assert study.compute_and_store(study.TINY) is not None


def test_server_computes_the_study_in_a_low_priority_process(tmp_path, monkeypatch):
    from ui import warmup

    monkeypatch.setenv("LSTM_LENS_CACHE", str(tmp_path))
    monkeypatch.setenv("LSTM_LENS_STUDY", "tiny")
    monkeypatch.setattr(warmup, "FIRST_VISIT_SECONDS", 0.0)
    seen: list[int] = []
    real_popen = subprocess.Popen

    def spy(*args, **kwargs):
        process = real_popen(*args, **kwargs)
        seen.append(process.pid)
        return process

    monkeypatch.setattr(subprocess, "Popen", spy)
    warmup.ensure_study()
    assert len(seen) == 1 and seen[0] != os.getpid()  # computed in another process
    assert study.stored(study.TINY) is not None
    assert warmup.study_progress() == (len(ARMS), len(ARMS))


def test_command_line_prints_every_trained_verdict_and_refuses_bad_seeds(tmp_path):
    env = {**os.environ, "LSTM_LENS_CACHE": str(tmp_path), "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "lstm_core.claims", "--seeds", "3-4", "--size",
                          "tiny", "--trained", "--json"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    import json

    printed = json.loads(out.stdout)
    assert [v["key"] for v in printed] == [k for k, c in claims.CLAIMS.items() if c.trained]
    assert all(v["verdict"] in ("true", "false", "partly", "undecided") for v in printed)
    assert printed[1]["intervals"]["lstm.reached@15"]["n"] == 2
    bad = subprocess.run([sys.executable, "-m", "lstm_core.claims", "--seeds", "1-x"], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "1-20" in bad.stderr


def test_verdicts_agree_on_two_disjoint_seed_ranges():
    """Seeds 1–20 and 21–40 at the CI budget: every trained claim the same verdict. (The full
    budget: ``python bench/bench_claims_seeds.py``.)"""
    first = {v.key: v.verdict for v in claims.verdicts_for(tuple(range(1, 21)), "small", True)}
    second = {v.key: v.verdict for v in claims.verdicts_for(tuple(range(21, 41)), "small", True)}
    assert first == second
