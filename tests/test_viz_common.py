"""Shared figure pieces: the palette, the evidence chart, a figure's data twin."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from viz.evidence import curves_figure
from viz.tables import figure_to_frame
from viz.theme import DASHES, MARKERS, PALETTE, export_config, series_style


def test_palette_has_ten_distinct_colours_and_styles_differ_beyond_colour():
    assert len(set(PALETTE)) == 10
    styles = [series_style(i) for i in range(6)]
    assert len({(s.dash, s.marker) for s in styles}) == 6  # never colour alone
    assert len(DASHES) == len(MARKERS) == len(PALETTE)


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
