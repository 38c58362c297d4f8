"""Shared figure pieces: the palette, the evidence chart, a figure's data twin."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import pytest

from viz.evidence import curves_figure, seed_dots_figure
from viz.tables import figure_to_frame
from viz.theme import DASHES, MARKERS, PALETTE, export_config, series_style


def test_palette_has_ten_distinct_colours_and_styles_differ_beyond_colour():
    assert len(set(PALETTE)) == 10
    styles = [series_style(i) for i in range(6)]
    assert len({(s.dash, s.marker) for s in styles}) == 6  # never colour alone
    assert len(MARKERS) == len(PALETTE) and len(set(DASHES)) == len(DASHES)


def test_more_than_ten_series_stay_distinguishable():
    # 12 built-in activations + a custom one + the overlay: colour alone repeats after 10.
    styles = [series_style(i) for i in range(100)]
    assert len({(s.color, s.dash) for s in styles[:20]}) == 20
    assert len({(s.color, s.dash, s.marker) for s in styles}) == 100
    assert styles[:10] == [series_style(i) for i in range(10)]  # the first ten never change


def test_export_config_names_the_file():
    config = export_config("lstm-lens-claims-evidence")
    assert config["toImageButtonOptions"]["filename"] == "lstm-lens-claims-evidence"
    assert config["toImageButtonOptions"]["format"] == "svg"


def test_curves_figure_draws_each_curve_with_its_own_dash():
    x = np.linspace(0, 1, 5)
    fig = curves_figure(x, {"a": x, "b": x**2}, "x", "y", log_y=True)
    assert [t.name for t in fig.data] == ["a", "b"]
    assert fig.data[0].line.dash != fig.data[1].line.dash
    assert fig.layout.yaxis.type == "log"
    np.testing.assert_array_equal(fig.data[1].y, x**2)


def test_figure_to_frame_lists_every_point_and_heatmap_cell():
    fig = go.Figure([go.Scatter(x=[1, 2, 3], y=[4, 5, 6], name="line"),
                     go.Heatmap(z=[[1, 2], [3, 4]], x=[10, 20], y=[0, 1], name="map")])
    frame = figure_to_frame(fig)
    line = frame[frame.series == "line"]
    assert line.y.tolist() == [4, 5, 6]
    cells = frame[frame.series == "map"]
    assert cells[(cells.x == 20) & (cells.y == 1)].z.item() == 4


def test_figure_to_frame_thins_long_series_evenly():
    fig = go.Figure([go.Scatter(x=np.arange(20000), y=np.arange(20000.0))])
    frame = figure_to_frame(fig, max_rows=1000)
    assert len(frame) == 1000 and frame.x.iloc[1] - frame.x.iloc[0] == 20


def test_export_config_png():
    assert export_config("x", "png")["toImageButtonOptions"]["format"] == "png"


def test_seed_dots_draw_every_seed_and_mark_the_runs_that_never_got_there():
    values = np.r_[0.01, 0.02, 0.04, np.inf, np.inf]
    fig = seed_dots_figure({"tanh, 300 steps": values}, {"tanh, 300 steps": (0.04, 0.01, np.inf)},
                           "test loss", "diverged", "median", log_x=True, line=0.05,
                           line_label="threshold")
    from tests.apptest_helpers import decode

    data = fig.to_dict()["data"]
    finite = [t for t in data if t.get("legendgroup") is None]
    infinite = [t for t in data if t.get("legendgroup") == "infinite"]
    assert list(decode(finite[0]["x"])) == [0.01, 0.02, 0.04]
    edge = decode(infinite[0]["x"])
    assert len(edge) == 2 and edge[0] > 0.04  # at the right edge
    notes = {a["text"]: a for a in fig.to_dict()["layout"]["annotations"]}
    assert "2×" in notes and "tanh, 300 steps" in notes
    # on a log axis an annotation's x is the exponent: the label sits on the threshold line
    assert notes["threshold"]["x"] == np.log10(0.05)
    median = next(t for t in data if t.get("legendgroup") == "median")
    assert list(decode(median["x"])) == [0.04]
    assert list(decode(median["error_x"]["arrayminus"])) == [pytest.approx(0.03)]


def _builder_figures() -> dict[str, go.Figure]:
    """One figure from every dict-built builder of the experiment pages, with awkward inputs
    (symlog panels, gaps, diverged runs, a single read-out point)."""
    from lstm_core.training import Band
    from viz.activation_figures import Curves, DepthSeries, activation_figure
    from viz.compare_figures import Trajectory, phase_figure, trajectories_figure
    from viz.gradient_figures import gradient_norms_figure, lstm_inside_figure
    from viz.training_figures import CurveSeries, HeatRow, gates_figure, loss_curves

    rng = np.random.default_rng(0)
    x = np.linspace(-3, 3, 41)
    curve = Curves("tanh", np.tanh(x), 1 - np.tanh(x) ** 2, x, np.abs(x) > 2)
    steps = np.arange(1, 31)
    band = Band(steps, steps * 0.1, steps * 0.05, steps * 0.2)
    heat = [HeatRow("gate", rng.random((12, 3)), True), HeatRow("cell", rng.normal(size=(12, 3)),
                                                                False)]
    trajectories = [Trajectory("a", rng.normal(size=20), rng.normal(size=20)),
                    Trajectory("b", np.r_[rng.normal(size=19), np.inf] * 1e5, rng.normal(size=20),
                               "h", blowup_step=20)]
    return {
        "activation": activation_figure(x, [curve], eps=0.05, overlay=np.tanh(x),
                                        depth=[DepthSeries("tanh", 0.5 ** np.arange(1, 9))]),
        "compare": trajectories_figure(trajectories, 1),
        "phase": phase_figure(trajectories, 1),
        "norms": gradient_norms_figure([("x", np.r_[0.0, np.inf, rng.random(10)])]),
        "inside": lstm_inside_figure(rng.random((12, 4)), {"forget_gate": rng.random(12)}, 0.05),
        "evidence": curves_figure(x, {"a": x}, "x", "y"),
        "seed dots": seed_dots_figure(
            {"a, 300 steps": np.r_[rng.random(18), np.inf, np.inf], "b": np.full(20, np.inf)},
            {"a, 300 steps": (0.5, 0.3, np.inf), "b": (np.inf, np.inf, np.inf)}, "loss",
            "diverged", "median", log_x=True, line=0.05, line_label="threshold"),
        "losses": loss_curves([CurveSeries("a", band, ((20, 0.5, 2),))], baseline=0.2,
                              threshold=0.01, total_steps=30, loss_name="MSE", seeds=3),
        "no losses": loss_curves([], baseline=0.2, threshold=0.01, total_steps=30,
                                 loss_name="MSE", seeds=1),
        # 2 rows → 4 panels, whose last domain rounds to −6e-17 unless clamped
        "gates": gates_figure(heat, inputs=rng.normal(size=(12, 1)), input_names=["x"],
                              prediction=np.array([0.3]), target=np.array([0.5]),
                              prediction_name="prediction", title="t"),
    }


def test_every_builder_gives_a_figure_plotly_accepts():
    """Each builder makes its figure in one step from plain dicts; the result must pass
    Plotly's full validation (this test is the guard should figures be built unvalidated)."""
    for name, fig in _builder_figures().items():
        again = go.Figure(fig.to_dict())  # validates every property
        assert len(again.data) == len(fig.data), name
        for axis_name in ("xaxis", "yaxis"):
            assert fig.layout[axis_name].gridcolor == "#E6E6E6", name  # the theme's axes


def _reference_json(fig) -> str:
    """What the figure was before PlainFigure: ``go.Figure(data, layout, _validate=False)`` of
    the builder's own dicts (plus, for the Step-Through, its plain frames and slider steps),
    serialised as ``st.plotly_chart`` does."""
    import plotly.io as pio

    from viz.step_figures import AnimatedFigure

    data, layout_dict, frames = fig._plain
    reference = go.Figure(data=data, layout=layout_dict, frames=frames or None, _validate=False)
    spec = reference.to_dict()
    if isinstance(fig, AnimatedFigure):
        spec["frames"] = fig._plain_frames
        spec["layout"]["sliders"][0]["steps"] = fig._plain_slider_steps
    return pio.to_json(spec, validate=False)


def _every_figure() -> dict[str, go.Figure]:
    from lstm_core import GRU, LSTM
    from tests.test_step_figures import figure as step_figure
    from viz.step_figures import overview_figure

    rng = np.random.default_rng(3)
    x = np.linspace(-4, 4, 81)
    curve = {"title": "gate activation: σ", "grid": x, "curve": 1 / (1 + np.exp(-x)),
             "saturated": np.abs(x) > 3, "points": [("i", x[:10], x[:10])]}
    return {**_builder_figures(), "step LSTM": step_figure(LSTM, forget_bias=1.0),
            "step GRU": step_figure(GRU),
            "overview": overview_figure([curve], 0.05, [("i", "i: unit", rng.random((30, 3))),
                                                        ("c", "c: unit",
                                                         rng.normal(size=(30, 3)))])}


def test_plain_figures_send_the_same_json_as_plotly_figures():
    """The fast path (no Plotly constructor) sends byte for byte what go.Figure sent."""
    import plotly.io as pio

    for name, fig in _every_figure().items():
        assert pio.to_json(fig, validate=False) == _reference_json(fig), name


def test_a_plain_figure_used_like_a_go_figure_becomes_one():
    """fig.data / update_layout work, and from then on the real figure is what is sent."""
    import plotly.io as pio

    from viz.theme import PlainFigure

    fig = _builder_figures()["compare"]
    assert isinstance(fig, PlainFigure) and fig._real is None
    names = [t.name for t in fig.data]
    assert names and fig._real is not None
    before = pio.to_json(fig, validate=False)
    fig.update_layout(font_size=21)
    after = json.loads(pio.to_json(fig, validate=False))
    assert after["layout"]["font"]["size"] == 21
    assert json.loads(before)["layout"]["font"]["size"] == 13
    with pytest.raises(AttributeError):
        fig._data_objs = ()  # a BaseFigure internal: refused rather than silently diverging


def test_table_twin_names_the_panel_of_each_row():
    from viz.activation_figures import Curves, activation_figure

    x = np.linspace(-1, 1, 5)
    curve = Curves("tanh", np.tanh(x), 1 - np.tanh(x) ** 2, x, np.zeros(5, bool))
    frame = figure_to_frame(activation_figure(x, [curve], panels=("f", "d1"), eps=0.05))
    rows = frame[frame["series"] == "tanh"]
    assert list(rows["panel"].unique()) == ["f(x)", "f′(x) (slope)"]
    np.testing.assert_allclose(rows[rows["panel"] == "f(x)"]["y"], np.tanh(x), rtol=1e-6)


def test_colour_bar_titles_sit_above_the_bar_not_on_its_tick_labels():
    # A title on the bar's right side is drawn over the tick labels ("10⁻²" under "|∂L/∂c_t|").
    for name, fig in _every_figure().items():
        for trace in fig.to_dict()["data"]:
            title = trace.get("colorbar", {}).get("title")
            if title:
                assert title.get("side") == "top", name
        for key, value in fig.to_dict()["layout"].items():
            title = value.get("colorbar", {}).get("title") if isinstance(value, dict) else None
            if title:
                assert title.get("side") == "top", (name, key)


def test_loss_lines_labels_stay_readable_and_divergence_marks_stand_out():
    fig = _builder_figures()["losses"].to_dict()
    for shape in fig["layout"]["shapes"]:
        assert shape["layer"] == "below"  # the curves pass over the lines …
    for note in fig["layout"]["annotations"]:
        assert note["bgcolor"].startswith("rgba(255, 255, 255")  # … but not over their labels
    (died,) = [t for t in fig["data"] if str(t.get("name", "")).endswith("diverged")]
    assert died["marker"]["size"] >= 18 and died["marker"]["line"]["color"] == "#FFFFFF"


def _lightness(rgb: np.ndarray) -> float:
    """CIE L* of an sRGB colour (0–255)."""
    from viz.theme import relative_luminance

    y = relative_luminance(rgb)
    return 116 * y ** (1 / 3) - 16 if y > 216 / 24389 else y * 24389 / 27


def test_the_diverging_scale_keeps_the_sign_in_greyscale_and_the_heatmaps_use_it():
    from viz.theme import DIVERGING, scale_colour

    negative, positive = (_lightness(scale_colour(DIVERGING, v)) for v in (0.0, 1.0))
    assert abs(negative - positive) >= 25, (negative, positive)  # was 46 vs 55
    signed = 0
    for name, fig in _every_figure().items():
        spec = fig.to_dict()
        scales = [t.get("colorscale") for t in spec["data"] if t.get("type") == "heatmap"]
        scales += [v.get("colorscale") for k, v in spec["layout"].items()
                   if k.startswith("coloraxis")]
        for scale in scales:
            if isinstance(scale, list) and "#F7F7F7" in str(scale):  # the signed ones
                assert [list(s) for s in scale] == DIVERGING, name
                signed += 1
    assert signed >= 2  # the step-through's and the trained gates' signed heatmaps


def test_the_cell_diagram_text_reads_on_every_box_colour():
    from viz.theme import DIVERGING, _rgb, contrast_ratio, scale_colour, text_on

    for v in np.linspace(0, 1, 401):
        assert contrast_ratio(scale_colour(DIVERGING, v), _rgb(text_on(DIVERGING, v))) >= 4.5


def test_every_log_axis_prints_powers_of_ten_not_si_prefixes():
    """Plotly's default labels a log axis "100μ" (an SI prefix), which reads as a unit for a
    loss or a gradient norm: every log axis of every figure writes 10⁻⁴."""
    checked = []
    for name, fig in _builder_figures().items():
        layout = fig.to_dict()["layout"]
        for key, ax in layout.items():
            if key.startswith(("xaxis", "yaxis")) and ax.get("type") == "log":
                checked.append(f"{name}.{key}")
                assert ax.get("exponentformat") == "power", f"{name}.{key}"
    assert any(c.startswith("losses.") for c in checked), checked
