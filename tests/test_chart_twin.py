"""The table twin holds what a sighted reader sees: box values per step, lines, thinning."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from viz.step_figures import step_through_figure
from viz.tables import figure_to_frame, plain_text
from viz.training_figures import loss_curves

NODES = ["x", "h_prev", "c_prev", "f", "i", "g", "o", "keep", "write", "c", "squashed", "h"]


def test_the_diagram_twin_has_each_box_value_per_step():
    series = {n: np.zeros(3) for n in NODES}
    series["f"] = np.array([0.78812, 0.5, -0.12345])
    series["c"] = np.array([1.0, -2.5, 1234.5])
    fig = step_through_figure("LSTM", series, {}, {"gate": "σ", "candidate": "tanh",
                                                   "output": "tanh"})
    frame = figure_to_frame(fig)
    assert frame["step t"].tolist() == [1, 2, 3]
    assert frame["f σ"].tolist() == [0.788, 0.5, -0.123]   # as printed in the box (3 digits)
    assert frame["c_t"].tolist() == [1.0, -2.5, 1230.0]
    assert frame["f forget gate"].tolist() == [0.78812, 0.5, -0.12345]
    assert not any(c.startswith("series") for c in frame.columns)


def test_thresholds_and_baselines_are_rows_of_the_twin():
    fig = loss_curves([], baseline=0.25, threshold=0.01, total_steps=100, seeds=3,
                                 loss_name="MSE")
    frame = figure_to_frame(fig)
    rows = dict(zip(frame["series"], frame["y"], strict=True))
    assert rows == {"baseline 0.25 (input-blind)": 0.25, "threshold 0.01": 0.01}


def test_a_thinned_twin_says_so():
    fig = go.Figure([go.Scatter(x=np.arange(12170), y=np.arange(12170.0), name="a")])
    frame = figure_to_frame(fig, max_rows=5000)
    assert (frame.attrs["points"], frame.attrs["every"], len(frame)) == (12170, 3, 4057)
    assert figure_to_frame(go.Figure([go.Scatter(y=[1, 2])])).attrs["every"] == 1


def test_plain_text_drops_tags_not_comparisons():
    assert plain_text("gates i, f, o<br>σ") == "gates i, f, o σ"
    assert plain_text("|f′| < ε, <b>bold</b>") == "|f′| < ε, bold"
