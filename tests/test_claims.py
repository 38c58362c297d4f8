"""Claims: each verdict as computed by the engine, each one changed by breaking its maths, the
race shared with the Training Lab, and the page that shows them."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from lstm_core import claims, claims_race, verdicts
from lstm_core.activations import REGISTRY
from lstm_core.cells import LSTM
from tests.apptest_helpers import charts, decode, no_exceptions, run_page

EXPECTED = {
    "gates_binary": None,  # trained: decided by the study (tests/test_study.py)
    "sigmoid_good_activation": "partly",
    "tanh_converges_faster": None,  # trained: decided by the study (tests/test_study.py)
    "cell_gradient_tanh": "false",
    "candidate_both_directions": "true",
    "sigmoid_candidate_only_increases": "partly",
    "gru_no_second_tanh": "true",
    "tanh_solves_vanishing": "false",
    "tanh_vs_sigmoid_vanishing": "partly",  # at equal weights only: the 4×-weights twin
    "second_derivative": "false",
    "saturation_slows_training": None,  # trained: decided by the study (tests/test_study.py)
    "sigmoid_tanh_same_derivatives": "partly",
    "relu_replaces_tanh": None,  # trained: decided by the study (tests/test_study.py)
    "relu_dead_units": None,  # trained: decided by the study (tests/test_study.py)
    "relu_no_saturation": "partly",
    "leaky_relu_negative": "true",
    "hard_tanh_saturates": "true",
    "tanh_gradient_cheaper": "partly",  # the same operations, one pass over memory fewer
    "hard_tanh_cheaper": "partly",
    "printed_derivatives": "true",
    "printed_derivative_precedence": "false",
    "quoted_sigmoid_derivative": "false",
    "tanh_rescaled_sigmoid": "true",
    "derivative_maxima": "true",
    "greff_output_activation": None,
    "greff_forget_gate": None,
    "jozefowicz_forget_bias": None,
}
QUICK = {key: verdict for key, verdict in EXPECTED.items() if verdict is not None}


def expected(key: str) -> str:
    """The verdict the page must show: the fixed one, or the study's for a trained claim."""
    return EXPECTED[key] or claims.check(key).verdict


def test_every_claim_is_listed_with_its_metadata_in_page_order():
    assert list(claims.CLAIMS) == list(EXPECTED)
    for claim in claims.CLAIMS.values():
        assert claim.group in claims.GROUPS and claim.source and claim.statement
        assert "{" not in claim.plain and "$" not in claim.plain  # plain text for tables
        assert all(key in claims.CLAIMS for key in claim.related)
    groups = [c.group for c in claims.CLAIMS.values()]
    assert groups == sorted(groups, key=list(claims.GROUPS).index)  # grouped, in group order


def test_listing_computes_nothing_and_check_remembers(monkeypatch):
    monkeypatch.setattr(verdicts, "MEMO", verdicts.Memo())
    assert all(claims.peek(key) is None for key in claims.CLAIMS)
    first = claims.check("hard_tanh_saturates")
    assert claims.peek("hard_tanh_saturates") is first
    assert claims.check("hard_tanh_saturates") is first
    assert claims.peek("gates_binary") is None


def test_exactly_the_trained_claims_are_left_to_the_study():
    assert {k for k, v in EXPECTED.items() if v is None} == {
        k for k, c in claims.CLAIMS.items() if c.trained}


@pytest.mark.parametrize(("key", "verdict"), QUICK.items())
def test_each_verdict(key, verdict):
    result = claims.check(key)
    assert result.verdict == verdict
    assert result.key == key and result.summary and result.finding
    assert all(len(values) <= 1000 for values in result.evidence.curves.values())
    assert all(len(values) == len(result.evidence.x) for values in result.evidence.curves.values())


def test_measured_numbers_are_the_known_values():
    assert claims.check("derivative_maxima").numbers["max_sigmoid_slope"] == pytest.approx(0.25)
    quoted = claims.check("quoted_sigmoid_derivative").numbers
    assert quoted["max_error"] == pytest.approx(0.5, abs=1e-6)  # 2 · σ′(0)
    printed = claims.printed_derivative_precedence()
    assert printed.numbers["value_at_0"] == 0.0  # −e⁰/1 + (e⁰)² = 0, while σ′(0) = 1/4
    assert "8.88e+06" in printed.finding  # e^16 − e^8 = 8 883 129.6 at z = −8
    assert claims.check("leaky_relu_negative").numbers["leaky_negative_slope"] == pytest.approx(
        0.01, abs=1e-9)
    assert claims.check("sigmoid_tanh_same_derivatives").numbers["sigmoid_gain_20"] == (
        pytest.approx(0.25**20))


# --- break the maths, see the verdict change -----------------------------------------------------


def _swap(monkeypatch, key, **changes):
    monkeypatch.setitem(REGISTRY, key, dataclasses.replace(REGISTRY[key], **changes))


def test_a_wrong_sigmoid_changes_the_formula_verdicts(monkeypatch):
    wrong = lambda x: 1.0 / (1.0 + np.exp(-1.01 * np.asarray(x)))
    monkeypatch.setattr(claims, "sigmoid", wrong)
    assert claims.tanh_is_rescaled_sigmoid().verdict == "false"
    assert claims.popular_sigmoid_derivative().numbers["max_error_without_sign"] > 1e-4


def test_breaking_the_activations_changes_the_cheap_verdicts(monkeypatch):
    tanh, relu = REGISTRY["tanh"], REGISTRY["relu"]
    with monkeypatch.context() as m:
        m.setitem(REGISTRY, "sigmoid", relu)  # unbounded "gate"
        assert claims.sigmoid_has_every_property().verdict == "false"
    with monkeypatch.context() as m:
        m.setitem(REGISTRY, "sigmoid", tanh)  # a candidate of both signs
        assert claims.candidate_both_directions().verdict == "false"
        assert claims.sigmoid_candidate_only_increases().verdict == "false"
        assert claims.tanh_vanishes_less_than_sigmoid().verdict == "false"
        assert claims.sigmoid_tanh_same_derivatives().verdict == "false"
    with monkeypatch.context() as m:
        m.setitem(REGISTRY, "relu", dataclasses.replace(relu, f=lambda x: np.clip(x, 0.0, 6.0)))
        assert claims.relu_never_saturates().verdict == "false"
    with monkeypatch.context() as m:
        m.setitem(REGISTRY, "leaky_relu", relu)
        assert claims.leaky_relu_passes_negative().verdict == "false"
    with monkeypatch.context() as m:
        m.setitem(REGISTRY, "hard_tanh", tanh)
        assert claims.hard_tanh_saturates().verdict == "false"
    with monkeypatch.context() as m:  # the function right, the engine's derivative wrong
        _swap(m, "hard_tanh", d1=tanh.d1, d1_into=None)
        assert claims.hard_tanh_saturates().verdict == "false"
    with monkeypatch.context() as m:
        _swap(m, "tanh", f=lambda x: 1.01 * np.tanh(x))
        assert claims.printed_derivatives().verdict == "false"
    with monkeypatch.context() as m:
        # backprop through f″ (both forms of the derivative from the output)
        second = lambda x, y: tanh.d2(x)
        _swap(m, "tanh", d1_from_output=second,
              d1_into=lambda x, y, out: np.copyto(out, second(x, y)))
        assert claims.second_derivative_matters().verdict == "partly"
    with monkeypatch.context() as m:
        m.setattr(claims, "PRINTED_SIGMOID_DERIVATIVE", "exp(-z) / (1 + exp(-z))^2")
        assert claims.printed_derivative_precedence().verdict == "true"
    with monkeypatch.context() as m:
        m.setitem(REGISTRY, "tanh", REGISTRY["identity"])  # a GRU candidate without a squash
        assert claims.gru_has_no_second_tanh().verdict == "false"


def test_a_cell_path_through_tanh_changes_the_cell_gradient_verdict(monkeypatch):
    step = LSTM.step

    def tanh_on_the_cell_path(self, x_t, h_prev, c_prev):
        return step(self, x_t, h_prev, np.tanh(c_prev))

    monkeypatch.setattr(LSTM, "step", tanh_on_the_cell_path)
    assert claims.cell_path_has_no_tanh().verdict == "true"


def test_a_gradient_that_neither_vanishes_nor_explodes_changes_the_verdict(monkeypatch):
    monkeypatch.setattr(claims, "_gradient_norms",
                        lambda cell, inputs: np.ones(inputs.shape[:2]))
    assert claims.tanh_prevents_vanishing_and_exploding().verdict == "true"


def test_the_explosion_is_built_to_happen_in_most_seeds_not_picked():
    numbers = claims.check("tanh_solves_vanishing").numbers
    n = len(claims.SEEDS)
    assert n >= 20 and numbers["seeds"] == n
    # built to explode (spectral radius 1.15, tiny inputs): every seed, growth ≈ 1.15^99 / c
    assert numbers["exploded_seeds"] == n and numbers["exploded_low"] > 0.5
    assert 1e4 < numbers["rnn_growth"] < 1.15**99
    assert numbers["largest_abs_hidden"] < 0.1  # tanh's linear region: tanh′ > 0.99
    # what the page showed before (drawn at weight scale 3): the median seed does not explode
    assert numbers["drawn_exploded_seeds"] <= n // 4 and numbers["drawn_growth"] < 10
    assert numbers["vanished_seeds"] == n and numbers["rnn_kept"] < 1e-10
    assert numbers["exploded_low"] == pytest.approx(claims.wilson(n, n)[0])
    assert "24 of 24 seeds" in claims.check("tanh_solves_vanishing").finding


def test_the_explosion_needs_the_rescaled_weights(monkeypatch):
    """Without the rescaling to a spectral radius above 1 the built RNN does not explode, and the
    verdict then rests on the vanishing alone."""
    monkeypatch.setattr(claims, "EXPLODE_RADIUS", 0.9)
    numbers = claims.tanh_prevents_vanishing_and_exploding().numbers
    assert numbers["exploded_seeds"] == 0 and numbers["rnn_growth"] < 10


def test_wilson_interval():
    assert claims.wilson(0, 24) == (0.0, pytest.approx(0.1380, abs=1e-4))
    assert claims.wilson(24, 24) == (pytest.approx(0.8620, abs=1e-4), 1.0)
    low, high = claims.wilson(12, 24)
    assert low == pytest.approx(0.3143, abs=1e-4) and high == pytest.approx(1 - low)


def test_the_four_times_sigmoid_twin_is_the_tanh_rnn_exactly():
    """σ(x) = (1 + tanh(x/2))/2: a sigmoid RNN with 4× the recurrent weights (2× the input
    weights, a shifted bias, s_0 = ½) computes s_t = (1 + h_t)/2 and the same gradient."""
    from lstm_core.cells import RNN

    for seed in range(3):
        rng = np.random.default_rng(seed)
        tanh_rnn = RNN.random(2, 6, rng, weight_scale=1.5, activation="tanh")
        inputs = rng.normal(size=(40, 3, 2))
        twin = claims.sigmoid_twin(tanh_rnn)
        assert twin.activation.key == "sigmoid"
        np.testing.assert_array_equal(twin.weight_hh, 4.0 * tanh_rnn.weight_hh)
        h, s = tanh_rnn.forward(inputs), twin.forward(inputs, h0=0.5)
        np.testing.assert_allclose(s.hidden, (1.0 + h.hidden) / 2.0, rtol=0, atol=1e-12)
        pulse = claims._pulse_at_last_step(h.hidden)
        dh = tanh_rnn.backward(h, pulse).hidden
        ds = twin.backward(s, pulse).hidden
        scale = np.linalg.norm(dh, axis=-1, keepdims=True)
        np.testing.assert_allclose(ds / scale, dh / scale, rtol=0, atol=1e-12)
    numbers = claims.check("tanh_vs_sigmoid_vanishing").numbers
    assert numbers["twin_gradient_error"] < 1e-12 and numbers["twin_state_error"] < 1e-12
    assert numbers["twin_kept"] == pytest.approx(numbers["tanh_kept"], rel=1e-9)
    assert numbers["tanh_better_seeds"] == len(claims.SEEDS) >= 20
    assert "equal weights" in claims.check("tanh_vs_sigmoid_vanishing").finding


def test_a_sigmoid_that_is_not_a_rescaled_tanh_makes_the_equal_weights_result_true(monkeypatch):
    """If σ were not (1 + tanh(x/2))/2, no 4×-weights twin would exist: the verdict would be
    TRUE (tanh keeps more, and no sigmoid network matches it)."""
    sig = REGISTRY["sigmoid"]
    bent = dataclasses.replace(sig, f=lambda x: sig.f(1.1 * np.asarray(x)),
                               f_into=lambda x, out: np.copyto(out, sig.f(1.1 * x)),
                               d1_into=None, d1_from_output=lambda x, y: 1.1 * y * (1.0 - y))
    monkeypatch.setitem(REGISTRY, "sigmoid", bent)
    result = claims.tanh_vanishes_less_than_sigmoid()
    assert result.numbers["twin_gradient_error"] > 1e-6
    assert result.verdict == "true"


def test_the_candidate_demonstrations_hold_over_the_seeds():
    both = claims.check("candidate_both_directions").numbers
    n = len(claims.SEEDS)
    assert both["tanh_negative_seeds"] == n and both["sigmoid_negative_seeds"] == 0
    assert both["tanh_least_negative_writes"] > 0.1
    only = claims.check("sigmoid_candidate_only_increases").numbers
    assert only["min_cell"] >= 0.0 and only["decreasing_seeds"] == n


def test_the_stacked_seeds_are_the_seeds_one_by_one():
    """The claims run their seeds as one model stack; each model is exactly its seed alone."""
    stacked, inputs = claims._demo_lstms("tanh")
    together = stacked.forward(inputs).cell
    for k in (0, 5, len(claims.SEEDS) - 1):
        cell, alone = claims._demo_lstm("tanh", seed=claims.SEEDS[k])
        np.testing.assert_array_equal(cell.forward(alone).cell[:, 0], together[:, k, 0])


# --- cost: decided by operations, timed with an interval -----------------------------------------


def test_operations_are_counted_on_the_engines_code():
    tanh, sig, hard = REGISTRY["tanh"], REGISTRY["sigmoid"], REGISTRY["hard_tanh"]
    assert claims._backward_ops(tanh) == ["multiply", "subtract"]  # 1 − y·y
    assert claims._backward_ops(sig) == ["subtract", "multiply"]  # (1 − y)·y
    assert claims._forward_ops(tanh) == ["tanh"]
    assert claims._forward_ops(hard) == ["clip", "copy"]
    assert claims._backward_ops(hard) == ["absolute", "less", "cast"]  # |x| < 1 as floats
    # passes over memory: y·y reads y once, (1 − y)·y reads it twice
    assert (claims._backward_ops(tanh).passes, claims._backward_ops(sig).passes) == (4, 5)
    # the count follows whatever the code does, np.where included
    assert claims.operations(lambda x: np.where((x > -1) & (x < 1), 1.0, 0.0),
                             np.zeros(3)) == ["greater", "less", "bitwise_and", "where"]


def test_cost_verdicts_do_not_depend_on_the_timing(monkeypatch):
    """The verdict is the operation count's: a timing that says anything, at random, on every
    call, changes the words about the timing, never the verdict."""
    rng = np.random.default_rng(0)

    def noisy(a, b, rounds=claims.TIMING_ROUNDS):
        ratio = float(np.exp(rng.normal(scale=1.5)))
        return claims.Timing(ratio, ratio * 0.9, ratio * 1.1, 1e-4 * ratio, 1e-4, rounds)

    monkeypatch.setattr(claims, "paired_timing", noisy)
    words = set()
    for _ in range(12):
        tanh_cost, hard_cost = claims.tanh_gradient_cheaper(), claims.hard_tanh_cheaper()
        assert (tanh_cost.verdict, hard_cost.verdict) == ("partly", "partly")
        words.add(tanh_cost.summary)
    assert len(words) > 1  # the timing did change: only its words followed it


def test_cost_verdicts_follow_the_operations(monkeypatch):
    tanh, hard = REGISTRY["tanh"], REGISTRY["hard_tanh"]
    slow = lambda x, y: np.exp(np.sin(y)) * np.exp(np.cos(y)) * y
    with monkeypatch.context() as m:  # a σ′ that needs exponentials: tanh′ is then cheaper
        _swap(m, "sigmoid", d1_from_output=slow, d1_into=None)
        assert claims.tanh_gradient_cheaper().verdict == "true"
    with monkeypatch.context() as m:  # σ′ as y·y − … reading y once: no cheaper than tanh′
        _swap(m, "sigmoid", d1_into=lambda x, y, out: (np.multiply(y, y, out=out),
                                                        np.subtract(1.0, out, out=out)))
        assert claims.tanh_gradient_cheaper().verdict == "false"
    with monkeypatch.context() as m:  # a hard tanh through two tanh: cheaper for neither
        _swap(m, "hard_tanh", f=lambda x: np.clip(np.tanh(np.tanh(x)) * 2.0, -1.0, 1.0))
        assert claims.hard_tanh_cheaper().verdict == "false"
    with monkeypatch.context() as m:  # a hard tanh′ that needs no more than tanh′: both cheaper
        _swap(m, "hard_tanh", d1_into=lambda x, y, out: np.sign(y, out=out))
        assert claims.hard_tanh_cheaper().verdict == "true"
    assert tanh is REGISTRY["tanh"] and hard is REGISTRY["hard_tanh"]


def test_paired_timing_has_an_interval_around_its_median():
    x = np.random.default_rng(0).normal(size=10_000)
    out = np.empty_like(x)
    timing = claims.paired_timing(lambda: np.tanh(x, out=out), lambda: np.add(x, 1.0, out=out))
    assert timing.low <= timing.ratio <= timing.high and timing.rounds == claims.TIMING_ROUNDS
    assert timing.low > 1.0  # tanh costs more than an add, whatever the server's mood
    same = claims.paired_timing(lambda: np.add(x, 1.0, out=out), lambda: np.add(x, 1.0, out=out))
    assert claims._timing_words(same) == "no measurable difference"
    assert claims._median_interval_ranks(41) == 14  # P(Bin(41, ½) ≤ 13) = 0.0146 ≤ 2.5 %
    for name in ("time_ratio", "time_ratio_low", "time_ratio_high"):
        assert name in claims.check("tanh_gradient_cheaper").numbers
    numbers = claims.check("hard_tanh_cheaper").numbers
    assert numbers["function_ratio_low"] <= numbers["function_ratio"] <= numbers[
        "function_ratio_high"]
    assert "95 % interval" in claims.check("hard_tanh_cheaper").finding


# --- the page ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def warm():
    claims.check_all()


def test_claims_page_lists_every_verdict_and_filters(warm):
    at = run_page("pages/claims.py")
    no_exceptions(at)
    table = at.dataframe[0].value
    assert list(table["verdict"]) == [expected(k).upper() for k in EXPECTED]
    # the key columns first: on a phone the verdict and the claim are on the first screen
    assert list(table.columns)[:3] == ["verdict", "claim", "measured"]
    assert len(at.radio[0].options) == len(EXPECTED)
    at.segmented_control[0].set_value("false").run()
    no_exceptions(at)
    falses = [k for k in EXPECTED if expected(k) == "false"]
    assert len(at.radio[0].options) == len(falses)
    assert at.query_params["verdict"] == "false"
    assert at.query_params["claim"] == falses[0]


def test_claims_page_renders_formulas_as_math_and_links_to_the_race(warm):
    at = run_page("pages/claims.py", query={"claim": "quoted_sigmoid_derivative"})
    no_exceptions(at)
    shown = " ".join(m.value for m in at.markdown)
    assert r"$\sigma'(z) = -\dfrac{e^{-z}}{(1 + e^{-z})^2}$" in shown
    at.radio[0].set_value("relu_replaces_tanh").run()
    links = [link.proto for link in at.get("page_link")]
    assert any("training_lab" in link.page and "Training Lab" in link.label for link in links)
    figure = charts(at)[0]
    assert figure["layout"]["xaxis"]["type"] == "log"  # test losses, one dot per seed
    dots = [trace for trace in figure["data"] if trace.get("legendgroup") != "median"]
    seeds = len(claims_race.study().spec.seeds)
    # 2 configurations × 2 budgets, one dot per seed (a diverged one marked, not dropped)
    assert sum(len(decode(t["x"])) if isinstance(t["x"], dict) else len(t["x"])
               for t in dots) == 4 * seeds
    shown = " ".join(m.value for m in at.markdown)
    assert "Learning-rate sweep" in shown
    at.button(key="claims.related.relu_no_saturation").click().run()
    assert at.radio[0].value == "relu_no_saturation"


def test_every_link_opens_its_page_without_ignored_settings():
    from ui.activation_lab import ActivationLabState
    from ui.claims import LINKS
    from ui.compare import CompareState
    from ui.gradient_flow import GradientFlowState
    from ui.step_through import StepThroughState
    from ui.training_lab import TrainingLabState

    states = {"activation_lab": ActivationLabState, "compare": CompareState,
              "gradient_flow": GradientFlowState, "step_through": StepThroughState,
              "training_lab": TrainingLabState}
    assert set(LINKS) == set(claims.CLAIMS)
    for key, (page, params) in LINKS.items():
        params = {k: v for k, v in params.items() if k != "custom"}
        _, ignored = states[page].from_query(params)
        assert not ignored, (key, ignored)


def test_claims_page_while_races_are_computing(monkeypatch, warm):
    import threading

    from ui import warmup

    release = threading.Event()
    jobs = {key: (lambda: release.wait(60)) if claim.trained else claim
            for key, claim in claims.CLAIMS.items()}
    monkeypatch.setattr(warmup, "_CLAIMS", warmup.BackgroundJobs(jobs))
    try:
        at = run_page("pages/home.py")  # run_page would wait for the verdicts
        at.switch_page("pages/claims.py")
        at.run()
        no_exceptions(at)
        table = at.dataframe[0].value
        trained = [k for k, c in claims.CLAIMS.items() if c.trained]
        assert (table["verdict"] == "computing…").sum() == len(trained)
        assert any("still computing this verdict" in info.value for info in at.info)
        assert not charts(at)
    finally:
        release.set()


def test_claims_page_from_a_bad_link(warm):
    at = run_page("pages/claims.py", query={"claim": "<script>", "bogus": "1"})
    no_exceptions(at)
    assert at.radio[0].value == "gates_binary"
    assert "claim" in at.info[0].value and "bogus" in at.info[0].value
    # at the top of the page, as on the other pages: before the table, outside the columns
    order = [node for node in at.main if node.type in ("info", "dataframe")]
    assert order[0].type == "info" and "bogus" in order[0].value, [n.type for n in order]
    assert not [info for column in at.columns for info in column.info if "bogus" in info.value]
