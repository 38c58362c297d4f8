"""The Step-Through figure builders on their own: number formatting, frames, the rules that make
``redraw: false`` scrubbing safe, and schema validity of the unvalidated frames."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from lstm_core import GRU, LSTM, RNN
from lstm_core.step_values import unit_values
from viz import cell_diagram as cd
from viz import step_figures as sf


def test_format_values_matches_format_value():
    values = np.array([0.0, -0.0, 1.0, -0.5, 0.123456, -1234.5, 9999.4, 12345.6, -98765.4,
                       1e-7, -2.5e-5, 1e300, np.nan, np.inf, -np.inf])
    assert cd.format_values(values) == [cd.format_value(v) for v in values]
    finite = np.random.default_rng(1).standard_normal(500) * 100
    assert cd.format_values(finite) == [cd.format_value(v) for v in finite]
    assert cd.bracket_negatives(["−0.5", "0.5"]) == ["(−0.5)", "0.5"]


def run(cls, **extra):
    cell = cls.random(1, 3, np.random.default_rng(0), 1.0, **extra)
    x = np.sin(np.arange(30) / 3.0)[:, None]
    return cell.forward(x)


@pytest.mark.parametrize("cls,extra", [(LSTM, {"forget_bias": 1.0}), (GRU, {}), (RNN, {})])
def test_equation_lines_plug_in_each_steps_numbers(cls, extra):
    trace = run(cls, **extra)
    series = unit_values(trace, 1)
    lines = sf.equation_lines(trace.cell_type, series)
    templates = sf.EQUATION_TEMPLATES[trace.cell_type]
    assert len(lines) == 30 and all(len(row) == len(templates) for row in lines)
    k = 7
    shown = sf.equation_text(trace.cell_type, lines[k])
    assert all(len(line) <= 40 for line in shown)  # short enough for a phone-wide chart
    h = cd.format_value(series["h"][k])
    if trace.cell_type == "LSTM":
        c, f = cd.format_value(series["c"][k]), cd.format_value(series["f"][k])
        assert shown[0] == f"c_t = f·c_t−1 + i·g = {c}"
        assert shown[1].startswith(f"{sf.NBSP * 4}= {cd.bracket_negatives([f])[0]}·")
        assert shown[2].endswith(f"= {h}")
    else:
        assert h in " ".join(shown)


def test_no_negative_zero():
    assert cd.format_value(-0.0) == "0" and cd.format_values(np.array([-0.0, 0.0])) == ["0", "0"]


def figure(cls=LSTM, steps=40, large_text=False, **extra):
    cell = cls.random(1, 3, np.random.default_rng(0), 1.0, **extra)
    trace = cell.forward(np.sin(np.arange(steps) / 3.0)[:, None])
    series = unit_values(trace, 0)
    saturated = {name: np.abs(series[name]) > 0.5 for name in ("i", "g") if name in series}
    symbols = {"gate": "σ", "candidate": "tanh", "output": "tanh", "activation": "tanh"}
    return sf.step_through_figure(trace.cell_type, series, saturated, symbols, initial_step=5,
                                  unit_label=" (unit 1 of 3)", large_text=large_text)


@pytest.mark.parametrize("cls,extra", [(LSTM, {"forget_bias": 1.0}), (GRU, {}), (RNN, {})])
def test_frames_are_schema_valid_and_complete(cls, extra):
    fig = figure(cls, **extra)
    spec = fig.to_dict()
    assert len(spec["frames"]) == 40 and len(spec["layout"]["sliders"][0]["steps"]) == 40
    go.Figure(spec)  # the unvalidated frames and slider steps pass plotly's own validation
    sent = json.loads(pio.to_json(fig))  # what st.plotly_chart sends
    assert len(sent["frames"]) == 40 and sent["layout"]["sliders"][0]["active"] == 4
    for frame in spec["frames"]:
        assert len(frame["data"]) == len(frame["traces"])


@pytest.mark.parametrize("cls,extra", [(LSTM, {"forget_bias": 1.0}), (GRU, {}), (RNN, {})])
def test_every_subplot_is_framed_and_framed_traces_are_drawn_last(cls, extra):
    """plotly.js with ``redraw: false`` drops the traces of subplots a frame leaves out and
    redraws framed traces above the rest: both must leave the picture unchanged."""
    spec = figure(cls, **extra).to_dict()
    data, framed = spec["data"], spec["frames"][0]["traces"]
    subplot = [(t.get("xaxis", "x"), t.get("yaxis", "y")) for t in data]
    assert set(subplot) == {subplot[i] for i in framed}
    for place in set(subplot):
        indices = [i for i, s in enumerate(subplot) if s == place]
        moved = [i for i in indices if i in framed]
        assert indices[-len(moved):] == moved  # already last, in order
    assert spec["layout"]["sliders"][0]["steps"][0]["args"][1]["frame"]["redraw"] is False


def test_cursor_spans_each_panel_and_follows_the_frames():
    spec = figure().to_dict()
    cursors = [t for t in spec["data"] if t.get("name") == "shown step"]
    assert len(cursors) == len(sf.PANELS["LSTM"])
    for cursor in cursors:
        axis = spec["layout"]["yaxis" + cursor["yaxis"][1:]]
        assert list(cursor["y"]) == list(axis["range"]) and list(cursor["x"]) == [5, 5]
    last = spec["frames"][-1]
    assert last["data"][-1] == {"x": [40, 40]}
    assert last["data"][-len(cursors) - 1]["text"][0] == "40"  # "step t = %{text}"


def test_overview_heatmaps_only_for_several_units():
    grid = np.linspace(-6, 6, 50)
    panel = {"title": "gate activation: σ", "grid": grid, "curve": 1 / (1 + np.exp(-grid)),
             "saturated": np.abs(grid) > 4, "points": [("i", grid[:10], grid[:10])]}
    alone = sf.overview_figure([panel], 0.05).to_dict()
    assert not [t for t in alone["data"] if t["type"] == "heatmap"]
    gate, signed = np.random.default_rng(0).random((20, 3)), np.linspace(-2, 1, 60).reshape(20, 3)
    both = sf.overview_figure([panel], 0.05, [("i", "i: unit", gate), ("c", "c: unit", signed)])
    heatmaps = [t for t in both.to_dict()["data"] if t["type"] == "heatmap"]
    assert [h["colorbar"]["title"]["text"] for h in heatmaps] == ["i", "c"]
    assert heatmaps[0]["zmin"] == 0.0  # non-negative: sequential from 0
    assert heatmaps[1]["zmid"] == 0.0 and heatmaps[1]["zmin"] == -heatmaps[1]["zmax"]


def test_large_text_keeps_the_play_buttons_in_one_row_with_a_compact_pause():
    """Projector-sized play buttons stay in one row (the issue: teacher mode wrapped them onto
    two): with large text the pause button is labelled ❚❚ alone; the layout is the same."""
    small, large = figure().to_dict()["layout"], figure(large_text=True).to_dict()["layout"]
    assert [len(m["buttons"]) for m in small["updatemenus"]] == [3]
    assert [len(m["buttons"]) for m in large["updatemenus"]] == [3]
    assert [b["label"] for b in large["updatemenus"][0]["buttons"]][-1] == "❚❚"
    assert small["updatemenus"][0]["buttons"][-1]["label"] == "❚❚ pause"
    assert large["height"] == small["height"]
    assert large["updatemenus"][0]["y"] > large["sliders"][0]["y"]


def test_overview_curves_alone_heatmaps_alone_and_point_styles_run_on():
    grid = np.linspace(-6, 6, 50)
    panel = {"title": "candidate activation: tanh", "grid": grid, "curve": np.tanh(grid),
             "saturated": np.abs(grid) > 3, "points": [("g", grid[:10], np.tanh(grid[:10]))]}
    first = sf.overview_figure([panel], 0.05).to_dict()["data"]
    later = sf.overview_figure([panel], 0.05, shared_legend=False, first_colour=3).to_dict()
    assert [t["showlegend"] for t in first if "showlegend" in t] == [True, True]
    assert not any(t.get("showlegend") for t in later["data"] if t["name"] != "g")
    assert later["data"][-1]["marker"] != first[-1]["marker"]  # the 4th series style, not the 1st
    gate = np.random.default_rng(0).random((20, 3))
    heat = sf.overview_figure([], 0.05, [("i", "i: unit", gate)])
    spec = heat.to_dict()
    assert [t["type"] for t in spec["data"]] == ["heatmap"]
    assert spec["data"][0]["xaxis"] == "x" and spec["layout"]["xaxis"]["title"]["text"] == "step t"
    go.Figure(spec)  # valid without any curve panel


def test_float_noise_prints_as_zero_and_readings_do_not():
    # The sine preset's x at t = 2π·k is −7.35e−16, a GRU's z·h 3.48e−07: noise, not readings.
    noise = np.array([-7.35e-16, 3.48e-07, -4.9e-4])
    assert cd.format_values(noise) == ["0", "0", "0"]
    assert [cd.format_value(v) for v in noise] == ["0", "0", "0"]
    assert cd.format_values(np.array([5e-4, -0.00123, 0.5])) == ["0.0005", "−0.00123", "0.5"]


@pytest.mark.parametrize("cell_type", ["LSTM", "GRU", "RNN"])
def test_input_label_reads_as_an_equation(cell_type):
    templates = cd.node_templates(cell_type, {})
    x = next(t for n, t in zip(cd.DIAGRAMS[cell_type].nodes, templates, strict=True)
             if n.name == "x")
    assert x == "x_t = %{text}"
