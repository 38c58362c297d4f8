"""Tasks, the trainer and its optimiser: learning, determinism, Adam, clipping, divergence."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from lstm_core import cells
from lstm_core.tasks import TASKS, TaskLengthError, get_task
from lstm_core.training import (
    DATA_STREAM,
    PRESETS,
    Model,
    ModelSpec,
    RecentBatches,
    Settings,
    TrainState,
    adam_update,
    clip_by_norm,
    evaluate,
    init_state,
    seed_band,
    steps_to_threshold,
    summarise,
    train,
    train_run,
    train_runs,
    train_seeds,
    training_batch,
)

ADDING = get_task("adding")


# --- tasks ---------------------------------------------------------------------------------------

#: What an input-blind model predicts for each task (the mean target; logit 0 = 50 %).
BLIND_PREDICTION = {"adding": 1.0, "recall": 0.0, "sine": 0.0, "sign": 0.0}


@pytest.mark.parametrize("key", list(TASKS))
def test_baseline_matches_an_input_blind_model(key):
    task = TASKS[key]
    x, target = task.sample(np.random.default_rng(7), 40_000, 20)
    blind = np.full_like(target, BLIND_PREDICTION[key])
    loss, _ = task.loss(blind, target)
    assert loss == pytest.approx(task.baseline_loss, rel=0.02)
    assert task.threshold < task.baseline_loss / 1.5
    # the blind prediction is the best constant: the mean target (½ for the classifier)
    assert np.mean(target) == pytest.approx(BLIND_PREDICTION[key] if key != "sign" else 0.5,
                                            abs=0.01)
    assert x.shape[:2] == (20, 40_000) and x.shape[2] == task.input_size


def test_adding_problem_by_hand():
    x, target = ADDING.sample(np.random.default_rng(0), 5, 10)
    for b in range(5):
        marked = np.flatnonzero(x[:, b, 1])
        assert marked.size == 2 and marked[0] < 5 <= marked[1]
        assert target[b, 0] == pytest.approx(x[marked, b, 0].sum())


def test_sign_task_targets_are_the_running_sum_sign():
    x, target = get_task("sign").sample(np.random.default_rng(0), 3, 8)
    np.testing.assert_array_equal(target[..., 0], np.cumsum(x[..., 0], axis=0) > 0)


@pytest.mark.parametrize("key", list(TASKS))
def test_loss_gradient_matches_finite_differences(key):
    task = TASKS[key]
    rng = np.random.default_rng(1)
    _, target = task.sample(rng, 4, 6)
    outputs = rng.normal(size=target.shape)
    _, grad = task.loss(outputs, target)
    eps = 1e-6
    for index in [(0, 0), (3, 0)] if target.ndim == 2 else [(0, 0, 0), (5, 3, 0)]:
        bumped = outputs.copy()
        bumped[index] += eps
        dipped = outputs.copy()
        dipped[index] -= eps
        numeric = (task.loss(bumped, target)[0] - task.loss(dipped, target)[0]) / (2 * eps)
        assert grad[index] == pytest.approx(numeric, rel=1e-5, abs=1e-9)


def test_too_short_a_sequence_is_a_clear_error():
    with pytest.raises(TaskLengthError, match="at least 2 steps"):
        ADDING.sample(np.random.default_rng(0), 2, 1)
    with pytest.raises(KeyError, match="unknown task"):
        get_task("parity")


# --- the model's gradient (cell BPTT + read-out) --------------------------------------------------


@pytest.mark.parametrize(("preset", "task_key"), [("lstm", "adding"), ("gru", "sine"),
                                                  ("rnn_tanh", "sign")])
def test_model_gradient_matches_finite_differences(preset, task_key):
    task, spec = TASKS[task_key], PRESETS[preset].spec
    theta = init_state(spec, task, seed=3).theta.copy()
    model = Model(spec, task.input_size, theta)
    x, target = task.sample(np.random.default_rng(4), 3, 7)
    model.loss_and_gradient(task, x, target)
    analytic = model.grad.copy()
    eps = 1e-6
    readout = model.slices["readout_weight"].start
    for i in [0, 5, model.slices["weight_hh"].start + 3, readout, readout + 4, theta.size - 1]:
        saved = theta[i]
        theta[i] = saved + eps
        up = model.loss_and_gradient(task, x, target)
        theta[i] = saved - eps
        down = model.loss_and_gradient(task, x, target)
        theta[i] = saved
        assert analytic[i] == pytest.approx((up - down) / (2 * eps), rel=1e-5, abs=1e-9)


# --- the optimiser -------------------------------------------------------------------------------


def test_adam_matches_its_formula_on_a_hand_made_case():
    theta = np.array([1.0, -2.0])
    m, v = np.zeros(2), np.zeros(2)
    settings = Settings(learning_rate=0.1)
    adam_update(theta, np.array([0.5, -1.0]), m, v, 1, settings)
    # m = 0.1·g, v = 0.001·g²; bias-corrected m̂ = g, v̂ = g², so the step is lr·g/(|g| + ε):
    # 0.1 · 0.5 / (0.5 + 1e-8) = 0.1 − 2e-9 and 0.1 · 1 / (1 + 1e-8) = 0.1 − 1e-9
    np.testing.assert_allclose(m, [0.05, -0.1])
    np.testing.assert_allclose(v, [0.00025, 0.001])
    np.testing.assert_allclose(theta, [0.9 + 2e-9, -1.9 - 1e-9], rtol=0, atol=1e-13)
    adam_update(theta, np.array([0.1, 0.2]), m, v, 2, settings)
    np.testing.assert_allclose(m, [0.055, -0.07])
    np.testing.assert_allclose(v, [0.00025975, 0.001039])
    # θ − 0.1 · (m / 0.19) / (√(v / 0.001999) + 1e-8), worked out by hand
    np.testing.assert_allclose(theta, [0.8196959, -1.8488974], atol=1e-7)


def test_clipping_scales_to_the_norm_and_leaves_small_gradients():
    grad = np.array([3.0, 4.0])
    assert clip_by_norm(grad, 1.0) == 5.0
    np.testing.assert_allclose(grad, [0.6, 0.8], rtol=1e-6)
    small = np.array([0.3, 0.4])
    clip_by_norm(small, 1.0)
    np.testing.assert_array_equal(small, [0.3, 0.4])
    big = np.array([30.0, 40.0])
    clip_by_norm(big, None)
    np.testing.assert_array_equal(big, [30.0, 40.0])


# --- learning, determinism, divergence -----------------------------------------------------------


def test_textbook_lstm_beats_the_adding_baseline_within_the_default_budget():
    result = train_run(ADDING, PRESETS["lstm"].spec, Settings(), length=20, seed=1, steps=300)
    assert result.diverged_at is None
    assert result.evaluation.loss <= ADDING.baseline_loss / 1.5, result.evaluation
    assert steps_to_threshold(result.losses, ADDING.threshold) is not None


def test_same_seed_same_curve_and_resuming_changes_nothing():
    spec, settings = PRESETS["gru"].spec, Settings()
    one = train_run(ADDING, spec, settings, length=10, seed=5, steps=30)
    two = train_run(ADDING, spec, settings, length=10, seed=5, steps=30)
    np.testing.assert_array_equal(one.losses, two.losses)
    state, first = train(ADDING, spec, settings, init_state(spec, ADDING, 5), 12, 10, seed=5)
    state, rest = train(ADDING, spec, settings, state, 18, 10, seed=5)
    np.testing.assert_array_equal(np.concatenate([first, rest]), one.losses)
    np.testing.assert_array_equal(state.theta, one.state.theta)
    other = train_run(ADDING, spec, settings, length=10, seed=6, steps=30)
    assert not np.array_equal(other.losses, one.losses)


def test_train_does_not_modify_its_start_state():
    spec = PRESETS["rnn_tanh"].spec
    start = init_state(spec, ADDING, 1)
    before = start.theta.copy()
    train(ADDING, spec, Settings(), start, 5, 10, seed=1)
    np.testing.assert_array_equal(start.theta, before)
    assert start.step == 0


def test_a_run_built_to_diverge_is_reported_at_its_step_without_warnings():
    spec = PRESETS["lstm_relu"].spec  # unbounded candidate and output, huge steps, no clipping
    settings = Settings(learning_rate=1.0, clip_norm=None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = train_run(ADDING, spec, settings, length=20, seed=1, steps=50)
        state, more = train(ADDING, spec, settings, result.state, 10, 20, seed=1)
    k = result.diverged_at
    assert k is not None and k >= 2
    assert result.losses.size == k - 1 and np.all(np.isfinite(result.losses))
    assert result.state.step == k - 1
    assert np.isnan(result.evaluation.loss)
    assert more.size == 0 and state.diverged_at == k  # a diverged run stays stopped


def test_an_exploding_but_finite_loss_counts_as_divergence():
    spec = ModelSpec("RNN", (("activation", "identity"),))
    settings = Settings(learning_rate=0.05, explode_factor=0.5)  # any rise over the start
    theta = init_state(spec, ADDING, 1).theta
    state = TrainState(theta, np.zeros_like(theta), np.zeros_like(theta), reference_loss=1e-9)
    state, losses = train(ADDING, spec, settings, state, 5, 10, seed=1)
    assert state.diverged_at == 1 and losses.size == 0


# --- seeds trained together ----------------------------------------------------------------------

#: (task, configuration, settings, T): textbook LSTM; ReLU LSTM whose seeds 3 and 4 diverge at
#: steps 2 and 3 while 1 and 2 go on; every-step tasks; a plain RNN whose seeds all diverge, at
#: different steps; a ReLU RNN without clipping.
TOGETHER_CASES = [
    ("adding", PRESETS["lstm"].spec, Settings(), 12),
    ("adding", PRESETS["lstm_relu"].spec, Settings(learning_rate=0.1, explode_factor=1.5), 10),
    ("sign", PRESETS["lstm_hard_tanh"].spec, Settings(), 8),
    ("sine", PRESETS["gru"].spec, Settings(), 8),
    ("adding", PRESETS["rnn_tanh"].spec, Settings(learning_rate=0.1, explode_factor=1.0), 10),
    ("recall", ModelSpec("RNN", (("activation", "relu"),)), Settings(0.2, clip_norm=None), 10),
]


@pytest.mark.parametrize(("task_key", "spec", "settings", "length"), TOGETHER_CASES,
                         ids=lambda v: getattr(v, "cell_type", None) and str(v.activations))
def test_seeds_trained_together_equal_each_seed_alone(task_key, spec, settings, length):
    """Chunks of 1, 2, 5 and 22 steps (divergences fall inside chunks); same losses, weights,
    Adam moments, step and divergence step as each seed trained by itself in one go."""
    task, seeds = TASKS[task_key], (1, 2, 3, 4)
    states = [init_state(spec, task, seed) for seed in seeds]
    parts = [[] for _ in seeds]
    for count in (1, 2, 5, 22):
        states, losses = train_seeds(task, spec, settings, states, count, length, seeds)
        for part, curve in zip(parts, losses, strict=True):
            part.append(curve)
    for seed, state, part in zip(seeds, states, parts, strict=True):
        alone, losses = train(task, spec, settings, init_state(spec, task, seed), 30, length, seed)
        np.testing.assert_allclose(np.concatenate(part), losses, rtol=0, atol=1e-12)
        for name in ("theta", "m", "v"):
            np.testing.assert_allclose(getattr(state, name), getattr(alone, name), rtol=0,
                                       atol=1e-12)
        assert (state.step, state.diverged_at) == (alone.step, alone.diverged_at)
        assert state.reference_loss == pytest.approx(alone.reference_loss, rel=1e-12)


@pytest.mark.parametrize(("task_key", "spec", "settings", "length"), TOGETHER_CASES,
                         ids=lambda v: getattr(v, "cell_type", None) and str(v.activations))
def test_training_with_a_workspace_equals_training_on_fresh_arrays(
    monkeypatch, task_key, spec, settings, length
):
    """The model's workspace (arrays kept between steps) changes no bit: the same chunks trained
    on fresh arrays filled with NaN (so a read of anything not written this step would show)
    give the same losses, weights, Adam moments and divergence steps, also when seeds diverge
    inside a chunk and leave the stack."""
    task, seeds = TASKS[task_key], (1, 2, 3, 4)

    def run():
        states, parts = [init_state(spec, task, seed) for seed in seeds], []
        for count in (1, 2, 5, 22):
            states, losses = train_seeds(task, spec, settings, states, count, length, seeds)
            parts.append(losses)
        return states, [np.concatenate(curves) for curves in zip(*parts, strict=True)]

    kept_states, kept_curves = run()
    with monkeypatch.context() as m:
        m.setattr(cells.Workspace, "empty", lambda self, name, shape: np.full(shape, np.nan))
        fresh_states, fresh_curves = run()
    for kept, fresh, a, b in zip(kept_states, fresh_states, kept_curves, fresh_curves,
                                 strict=True):
        np.testing.assert_array_equal(a, b, strict=True)
        for name in ("theta", "m", "v"):
            np.testing.assert_array_equal(getattr(kept, name), getattr(fresh, name))
        assert (kept.step, kept.diverged_at, kept.reference_loss) == (
            fresh.step, fresh.diverged_at, fresh.reference_loss)


def test_a_training_batch_is_the_seeds_draw_and_shared_read_only():
    x, target = training_batch(ADDING, 3, 7, 32, 10)
    drawn = ADDING.sample(np.random.default_rng([3, DATA_STREAM, 7]), 32, 10)
    np.testing.assert_array_equal(x, drawn[0])
    np.testing.assert_array_equal(target, drawn[1])
    again = training_batch(ADDING, 3, 7, 32, 10)
    assert again[0] is x and not x.flags.writeable and not target.flags.writeable
    assert training_batch(ADDING, 3, 8, 32, 10)[0] is not x


def test_recent_batches_keep_the_latest_within_their_budget():
    draws = []

    def draw(k):
        def make():
            draws.append(k)
            return (np.full(10, float(k)),)  # 80 bytes
        return make

    batches = RecentBatches(budget=250)
    for k in (1, 2, 3, 1, 4):  # 1 is used again, so 2 is the oldest when 4 comes
        assert batches.get((k,), draw(k))[0][0] == k
    assert draws == [1, 2, 3, 4] and len(batches) == 3 and batches.bytes == 240
    batches.get((2,), draw(2))
    assert draws[-1] == 2  # drawn again: it had been dropped


def test_the_divergence_cases_cover_what_they_claim():
    task, spec, settings, length = TOGETHER_CASES[1]
    states = [init_state(spec, TASKS[task], seed) for seed in (1, 2, 3, 4)]
    states, _ = train_seeds(TASKS[task], spec, settings, states, 30, length, (1, 2, 3, 4))
    assert [s.diverged_at for s in states] == [None, None, 2, 3]
    task, spec, settings, length = TOGETHER_CASES[4]
    states = [init_state(spec, TASKS[task], seed) for seed in (1, 2, 3, 4)]
    states, _ = train_seeds(TASKS[task], spec, settings, states, 30, length, (1, 2, 3, 4))
    assert [s.diverged_at for s in states] == [4, 4, 2, 4]


def test_train_seeds_leaves_its_inputs_and_diverged_runs_alone():
    spec = PRESETS["gru"].spec
    done = TrainState(np.ones(3), np.zeros(3), np.zeros(3), step=7, diverged_at=8)
    fresh = init_state(spec, ADDING, 2)
    before = fresh.theta.copy()
    (same, trained), (none, losses) = train_seeds(ADDING, spec, Settings(), [done, fresh], 4,
                                                  10, (1, 2))
    assert same is done and none.size == 0 and losses.size == 4 and trained.step == 4
    np.testing.assert_array_equal(fresh.theta, before)
    with pytest.raises(ValueError, match="one step"):
        train_seeds(ADDING, spec, Settings(), [fresh, trained], 1, 10, (1, 2))


def test_evaluate_and_summaries():
    spec = PRESETS["rnn_tanh"].spec
    results = train_runs(ADDING, spec, Settings(), 10, (1, 2), 30)
    for seed, r in zip((1, 2), results, strict=True):
        assert r.evaluation == evaluate(ADDING, spec, r.state, 10)
        alone = train_run(ADDING, spec, Settings(), 10, seed, 30)
        np.testing.assert_allclose(r.losses, alone.losses, rtol=0, atol=1e-12)
        assert r.evaluation.loss == pytest.approx(alone.evaluation.loss, rel=1e-12)
    summary = summarise(results, ADDING.threshold)
    finals = [r.evaluation.loss for r in results]
    assert summary.test_loss.value == pytest.approx(np.median(finals))  # two runs: their mean
    assert summary.test_loss.low == min(finals) and summary.test_loss.high == max(finals)
    assert (summary.runs, summary.diverged) == (2, 0)


def test_steps_to_threshold_uses_a_moving_average():
    losses = np.array([1.0] * 30 + [0.0] * 30)
    # the 25-step mean first reaches ≤ 0.5 when 13 of its 25 values are zero: step 30 + 13
    assert steps_to_threshold(losses, 0.5) == 43
    assert steps_to_threshold(np.ones(100), 0.5) is None


def test_seed_band_over_curves_of_different_lengths():
    band = seed_band([np.array([1.0, 2.0, 3.0]), np.array([3.0]), np.array([8.0, 4.0])])
    np.testing.assert_array_equal(band.steps, [1, 2, 3])
    np.testing.assert_array_equal(band.median, [3.0, 3.0, 3.0])  # not the mean 4, 3, 3
    np.testing.assert_array_equal(band.low, [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(band.high, [8.0, 4.0, 3.0])
