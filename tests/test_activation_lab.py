"""Activation Lab page under AppTest: defaults, controls change the chart data, bad input, URL."""

from __future__ import annotations

import numpy as np
import pytest
from apptest_helpers import charts, decode, no_exceptions, run_page

from viz.activation_figures import Curves, activation_figure

PAGE = "pages/activation_lab.py"


def _traces(at, depth: bool = False) -> dict[str, list[dict]]:
    """Trace name → its traces in drawing order: the f, f′, f″ panels, or the depth panel."""
    (figure,) = charts(at)
    out: dict[str, list[dict]] = {}
    for trace in figure["data"]:
        if ("factor ≤" in trace.get("hovertemplate", "")) == depth:
            out.setdefault(trace["name"], []).append(trace)
    return out


def _xy(trace: dict) -> tuple[np.ndarray, np.ndarray]:
    return decode(trace["x"]), decode(trace["y"])


@pytest.fixture(scope="module")
def default_page():
    at = run_page(PAGE)
    no_exceptions(at)
    return at


def test_defaults_draw_sigmoid_tanh_relu(default_page):
    traces = _traces(default_page)
    assert {"sigmoid σ", "tanh", "ReLU"} <= set(traces)
    f, d1, _ = traces["sigmoid σ"]
    x, y = _xy(f)
    assert y[np.argmin(np.abs(x))] == pytest.approx(0.5)  # σ(0) = 1/2
    x1, y1 = _xy(d1)
    assert y1[np.argmin(np.abs(x1))] == pytest.approx(0.25)  # σ'(0) = 1/4
    assert x[0] == -6.0 and x[-1] == 6.0
    texts = " ".join(m.value for m in default_page.markdown)
    # ε = 0.05: σ = (1 + √0.8)/2 = 0.947214, x = ln(0.947214/0.052786) = 2.887
    assert "sigmoid σ** saturates for |x| > 2.89 at ε = 0.05" in texts
    assert "ReLU** saturates for x < 0" in texts
    (depth,) = _traces(default_page, depth=True)["sigmoid σ"]
    n, products = _xy(depth)
    assert n[0] == 1 and n[-1] == 50 and products[-1] == pytest.approx(0.25**50, rel=1e-12)
    assert len(default_page.table) == 1
    table = default_page.table[0].value
    assert list(table.index) == ["sigmoid σ", "tanh", "ReLU"]


def test_intro_and_table_state_the_same_ranges(default_page):
    # The intro says σ in (0, 1), tanh in (−1, 1); the table must not say [0, 1] (rounding).
    intro = " ".join(m.value for m in default_page.markdown)
    ranges = default_page.table[0].value["range"].to_dict()
    assert "(0, 1)" in intro and "(−1, 1)" in intro
    # a no-break space after the comma: an interval never wraps inside the narrow column
    assert ranges == {"sigmoid σ": "(0,\u00a01)", "tanh": "(−1,\u00a01)", "ReLU": "[0,\u00a0∞)"}


def test_changing_activations_changes_chart():
    at = run_page(PAGE)
    at.multiselect(key="activation_lab.activations").set_value(["softsign"]).run()
    no_exceptions(at)
    traces = _traces(at)
    assert "softsign" in traces and "sigmoid σ" not in traces
    x, y = _xy(traces["softsign"][0])
    np.testing.assert_allclose(y, x / (1 + np.abs(x)), rtol=2e-7)  # drawn in float32


def test_changing_eps_changes_band_and_highlight():
    at = run_page(PAGE)
    band_before = decode(_traces(at)["|f′| < ε = 0.05"][0]["y"])
    at.slider(key="activation_lab.eps").set_value(0.025).run()
    no_exceptions(at)
    traces = _traces(at)
    band = decode(traces["|f′| < ε = 0.025"][0]["y"])
    assert band_before.max() == 0.05 and band.max() == 0.025
    x, highlighted = _xy(traces["sigmoid σ saturated"][0])
    inside = x[np.isfinite(highlighted)]
    # hand-derived boundary at ε = 0.025: |x| = 3.6369; the highlight starts at the next grid point
    assert np.min(np.abs(inside)) == pytest.approx(3.6369, abs=0.016)
    assert "saturates for |x| > 3.64 at ε = 0.025" in " ".join(m.value for m in at.markdown)


def test_custom_expression_joins_chart_table_and_session():
    at = run_page(PAGE)
    at.text_input(key="activation_lab.custom").input("x/(1+abs(x))").run()
    no_exceptions(at)
    assert not at.error
    traces = _traces(at)
    f, d1, _ = traces["custom: x/(1+abs(x))"]
    x, y = _xy(f)
    np.testing.assert_allclose(y, x / (1 + np.abs(x)), rtol=2e-7)  # drawn in float32
    x1, y1 = _xy(d1)
    away = np.abs(x1) > 0.01  # at the kink x = 0 a central difference averages the two slopes
    np.testing.assert_allclose(y1[away], 1 / (1 + np.abs(x1[away])) ** 2, rtol=1e-6)
    assert at.session_state["shared.custom_expression"] == "x/(1+abs(x))"
    assert "custom: x/(1+abs(x))" in list(at.table[0].value.index)
    assert at.query_params["custom"] == "x/(1+abs(x))"


def test_bad_custom_expression_shows_error_and_keeps_last_good():
    at = run_page(PAGE)
    at.text_input(key="activation_lab.custom").input("tanh(x)*2").run()
    at.text_input(key="activation_lab.custom").input("__import__('os').system('touch p')").run()
    no_exceptions(at)
    assert len(at.error) == 1 and "not an allowed function" in at.error[0].value
    assert "custom: tanh(x)*2" in _traces(at)  # the last valid one stays
    at.text_input(key="activation_lab.custom").input("(" * 150 + "x").run()
    no_exceptions(at)
    assert len(at.error) == 1


def test_url_round_trip():
    at = run_page(PAGE)
    at.multiselect(key="activation_lab.activations").set_value(["tanh", "elu"]).run()
    at.slider(key="activation_lab.x_max").set_value(3.5).run()
    at.toggle(key="activation_lab.show_d2").set_value(False).run()
    query = dict(at.query_params.items())
    assert query == {"activations": "tanh,elu", "x_max": "3.5", "show_d2": "0"}
    again = run_page(PAGE, query=query)
    no_exceptions(again)
    assert again.multiselect(key="activation_lab.activations").value == ["tanh", "elu"]
    assert again.slider(key="activation_lab.x_max").value == 3.5
    traces = _traces(again)
    assert len(traces["tanh"]) == 2  # f and f′ only
    assert decode(traces["tanh"][0]["x"])[-1] == 3.5


def test_bad_url_values_give_a_notice_not_an_exception():
    at = run_page(PAGE, query={"eps": "banana", "activations": "nope", "custom": "x[0]"})
    no_exceptions(at)
    assert any("eps" in i.value for i in at.info)
    assert len(at.error) == 1  # the custom expression from the link is refused politely


def test_figure_builder_hides_user_markup():
    x = np.linspace(-1, 1, 5)
    c = Curves("custom: where(x<0, <b>x</b>, 1)", x, x, x, np.zeros(5, bool))
    fig = activation_figure(x, [c], eps=0.05)
    assert all("<b>x" not in (t.name or "") for t in fig.data)
    assert any("&lt;b&gt;" in (t.name or "") for t in fig.data)


def test_an_overflowing_expression_is_clipped_and_said_so():
    at = run_page(PAGE, query={"custom": "x**x**x**x", "activations": "sigmoid"})
    no_exceptions(at)
    (depth,) = [t for t in charts(at)[0]["data"] if "custom" in t["name"]
                and "factor ≤" in t.get("hovertemplate", "")]
    y = decode(depth["y"])
    assert np.all(np.isfinite(y)) and np.all(y <= 1e50)  # no "Infinity^−NaN" ticks
    captions = " ".join(c.value for c in at.caption)
    assert "clipped" in captions and "not a finite number" in captions
    table = at.table[0].value
    assert not table.isin(["None", "nan", "NaN", "Infinity"]).any().any()
    assert table.loc["custom: x**x**x**x", "f′(0)"] == "not finite"
