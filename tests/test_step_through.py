"""Cell Step-Through in AppTest: every control group, every input source, every bad input."""

from __future__ import annotations

import io

import numpy as np
import pytest
from apptest_helpers import charts, decode, no_exceptions, run_page

from lstm_core import GRU, LSTM, RNN
from lstm_core.weights import hand_set_lstm

PAGE = "pages/step_through.py"


def widget(at, kind: str, name: str):
    key = f"step_through.{name}"
    return next(w for w in at.get(kind) if getattr(w, "key", None) == key)


def diagram(at) -> dict:
    return charts(at)[0]


def line(at, name: str) -> np.ndarray:
    trace = next(t for t in diagram(at)["data"] if t.get("name") == name)
    return decode(trace["y"])


def sine(steps=100, period=20):
    return np.sin(2 * np.pi * np.arange(steps) / period)[:, None]


def warnings(at) -> str:
    return " ".join(w.value for w in at.warning)


def test_defaults_match_the_engine_and_scrub_in_the_figure():
    at = run_page(PAGE)
    no_exceptions(at)
    figs = charts(at)
    # diagram + time series; each slot's activation curve (a chart each: a phone stacks them);
    # unit heatmaps (H = 4)
    assert len(figs) == 5
    fig = figs[0]
    assert len(fig["frames"]) == 100 and len(fig["layout"]["sliders"][0]["steps"]) == 100
    cell = LSTM.random(1, 4, np.random.default_rng(0), 1.0, forget_bias=1.0)
    trace = cell.forward(sine())
    np.testing.assert_allclose(line(at, "c cell state"), trace.cell[:, 0, 0], rtol=1e-12)
    np.testing.assert_allclose(line(at, "f forget gate"), trace.forget_gate[:, 0, 0], rtol=1e-12)
    heatmaps = [t for t in figs[4]["data"] if t["type"] == "heatmap"]
    assert len(heatmaps) == 6  # i, f, o, g, c, h: units × time
    np.testing.assert_allclose(decode(heatmaps[4]["z"]), trace.cell[:, 0, :].T, rtol=1e-12)
    titles = [a.get("title", {}).get("text", "") for fig in figs[1:4]
              for k, a in fig["layout"].items() if k.startswith("xaxis")]
    assert "gate activation: σ" in titles and "candidate activation: tanh" in titles
    # frame t shows step t's numbers: the cursors, the plugged-in c_t equation and the step
    frame = fig["frames"][36]
    assert frame["name"] == "37" and frame["data"][-1]["x"] == [37, 37]
    cursors = [t for t in fig["data"] if t.get("name") == "shown step"]
    assert len(cursors) == 5  # one per panel: x, gates, g, c, h
    assert len(frame["traces"]) == len(frame["data"])
    c37 = trace.cell[36, 0, 0]
    text = frame["data"][-len(cursors) - 1]["text"]  # "step t = …", then the equations
    assert text[0] == "37" and text[1] == f"{c37:.3g}".replace("-", "−")
    # the slider restyles only the framed traces (no full redraw): scrubbing stays cheap
    step = fig["layout"]["sliders"][0]["steps"][36]
    assert step["args"] == [["37"], {"mode": "immediate", "frame": {"duration": 0,
                                                                      "redraw": False},
                                     "transition": {"duration": 0}}]


def test_one_current_step_from_the_link_and_symbolic_equations():
    """The chart's slider is the only step: the link's step opens there, the share link keeps
    it, and the equations box (no step box of its own) names each slot's activation."""
    at = run_page(PAGE, query={"step": "7", "candidate": "relu"})
    no_exceptions(at)
    assert not [w for w in at.number_input if w.key == "step_through.equation_step"]
    fig = diagram(at)
    assert fig["layout"]["sliders"][0]["active"] == 6
    equations = next(t for t in fig["data"] if t.get("texttemplate", [""])[0] == "step t = %{text}")
    assert equations["text"][0] == "7"  # "step t = 7" over the equations' numbers
    assert at.query_params["step"] in ("7", ["7"])
    block = at.latex[0].value
    assert r"g_t &= \operatorname{ReLU}" in block and r"f_t &= \sigma" in block
    assert any("unsafe" not in h.proto.body and "step=" in h.proto.body
               for h in at.get("html"))  # the script that keeps ?step= in the address


def test_data_panel_is_drawn_only_when_opened():
    at = run_page(PAGE)
    python = lambda: [c.value for c in at.code if c.language == "python"]
    assert not python() and not at.dataframe  # closed: nothing built, nothing sent
    at.session_state["step_through.data"] = True
    at.run()
    no_exceptions(at)
    assert "import numpy as np" in python()[0]
    table = at.dataframe[0].value
    trace = LSTM.random(1, 4, np.random.default_rng(0), 1.0, forget_bias=1.0).forward(sine())
    np.testing.assert_allclose(table["c"], trace.cell[:, 0, 0], rtol=1e-12)


@pytest.mark.parametrize("cell_type,legend", [("GRU", "z update gate"), ("RNN", "W·[x, h] + b"),
                                              ("LSTM", "o output gate")])
def test_cell_types(cell_type, legend):
    at = run_page(PAGE)
    widget(at, "radio", "cell_type").set_value(cell_type).run()
    no_exceptions(at)
    assert any(t.get("name") == legend for t in diagram(at)["data"])
    cls = {"LSTM": LSTM, "GRU": GRU, "RNN": RNN}[cell_type]
    extra = {"forget_bias": 1.0} if cell_type == "LSTM" else {}
    trace = cls.random(1, 4, np.random.default_rng(0), 1.0, **extra).forward(sine())
    np.testing.assert_allclose(line(at, "h hidden state"), trace.hidden[:, 0, 0], rtol=1e-12)
    params = at.query_params.to_dict() if hasattr(at.query_params, "to_dict") else at.query_params
    assert params.get("cell_type", "LSTM") in (cell_type, [cell_type])  # the link keeps it


def test_slot_activations_change_the_run():
    at = run_page(PAGE)
    widget(at, "selectbox", "candidate").set_value("relu").run()
    widget(at, "selectbox", "output").set_value("identity").run()
    no_exceptions(at)
    cell = LSTM.random(1, 4, np.random.default_rng(0), 1.0, forget_bias=1.0, candidate="relu",
                       output="identity")
    trace = cell.forward(sine())
    np.testing.assert_allclose(line(at, "g candidate"), trace.candidate[:, 0, 0], rtol=1e-12)
    assert (line(at, "g candidate") >= 0).all()
    assert "Output squash is identity" in warnings(at)
    titles = [a.get("title", {}).get("text", "") for fig in charts(at)[1:4]
              for k, a in fig["layout"].items() if k.startswith("xaxis")]
    assert any("ReLU" in t for t in titles) and any("id" in t for t in titles)


def test_typed_values_and_their_errors_keep_the_last_view():
    at = run_page(PAGE)
    widget(at, "radio", "source").set_value("typed").run()
    widget(at, "text_area", "typed").set_value("1, 2; 3\n-1").run()
    no_exceptions(at)
    np.testing.assert_array_equal(line(at, "x (first feature)"), [1, 2, 3, -1])
    for bad, needle in [("1, 2, abc", '"abc" (value 3) is not a number'),
                        ("1, nan", '"nan" (value 2) is NaN'),
                        ("1, inf", "infinite"),
                        (", ".join(["1"] * 501), "501 values were typed")]:
        widget(at, "text_area", "typed").set_value(bad).run()
        no_exceptions(at)
        assert needle.replace('"', "") in warnings(at).replace("\\", "").replace('"', "")
        np.testing.assert_array_equal(line(at, "x (first feature)"), [1, 2, 3, -1])  # kept


def upload(at, name: str, filename: str, data: bytes):
    uploader = next(w for w in at.get("file_uploader") if w.key == f"step_through.{name}")
    uploader.set_value((filename, data, "application/octet-stream"))
    at.run()


def test_csv_upload_and_bad_files():
    at = run_page(PAGE)
    widget(at, "radio", "source").set_value("csv").run()
    assert "no CSV file uploaded yet" in warnings(at).replace("\\", "")
    upload(at, "csv_upload", "two.csv", b"a,b\n0.5,1\n-1,2\n3,0\n")
    no_exceptions(at)
    np.testing.assert_array_equal(line(at, "x (first feature)"), [0.5, -1, 3])
    cell = LSTM.random(2, 4, np.random.default_rng(0), 1.0, forget_bias=1.0)
    trace = cell.forward(np.array([[0.5, 1], [-1, 2], [3, 0]]))
    np.testing.assert_allclose(line(at, "h hidden state"), trace.hidden[:, 0, 0], rtol=1e-12)
    for data, needle in [(b"", "empty"), (b"\x00\x01binary\x00", "binary"),
                         (b"1,2\n3\n", "row 2 has 1 column but row 1 has 2"),
                         (b"x,y\n1,2\n3,nan\n", "row 3, column 2 is NaN"),
                         (b"1\n" * 600_000, "at most 1 MB")]:
        upload(at, "csv_upload", "bad.csv", data)
        no_exceptions(at)
        assert needle in warnings(at).replace("\\", ""), warnings(at)
        np.testing.assert_array_equal(line(at, "x (first feature)"), [0.5, -1, 3])  # kept
        captions = " ".join(c.value for c in at.caption).replace("\\", "")
        assert "Using “bad.csv”" not in captions and "“bad.csv” is **not used**" in captions


def test_hand_set_mode():
    at = run_page(PAGE)
    widget(at, "radio", "weights").set_value("hand").run()
    widget(at, "number_input", "w_ig").set_value(-3.0).run()
    no_exceptions(at)
    trace = hand_set_lstm({"w_ig": -3.0}).forward(sine())
    np.testing.assert_allclose(line(at, "c cell state"), trace.cell[:, 0, 0], rtol=1e-12)
    assert len(charts(at)) == 4  # diagram, a curve per slot; H = 1: no heatmaps
    assert not [t for fig in charts(at) for t in fig["data"] if t["type"] == "heatmap"]
    widget(at, "radio", "cell_type").set_value("GRU").run()
    assert "hand-set weights are for a 1-unit LSTM" in warnings(at).replace("\\", "")


def npz(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def test_npz_import_and_bad_files():
    cell = LSTM.random(2, 3, np.random.default_rng(9), 2.0)
    at = run_page(PAGE)
    widget(at, "radio", "weights").set_value("npz").run()
    assert "no .npz weights uploaded yet" in warnings(at).replace("\\", "")
    captions = " ".join(c.value for c in at.caption)
    assert "`weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`" in captions
    assert "np.savez" in captions  # the one-line export recipe, next to the uploader
    upload(at, "npz_upload", "w.npz", npz(**cell.to_pytorch()))
    no_exceptions(at)
    x = np.stack([np.sin(2 * np.pi * np.arange(100) / 20),
                  np.sin(2 * np.pi * (np.arange(100) - 10) / 20)], axis=1)  # D = 2 from file
    trace = cell.forward(x)
    np.testing.assert_allclose(line(at, "h hidden state"), trace.hidden[:, 0, 0], rtol=1e-12)
    good = cell.to_pytorch()
    for data, needle in [
        (npz(w=np.zeros(3)), "unexpected key w"),
        (npz(**{**good, "weight_hh_l0": np.zeros((12, 2))}), "weight_hh must be"),
        (npz(weight_ih_l0=np.array([{"a": 1}], dtype=object), weight_hh_l0=np.zeros((4, 1))),
         "object arrays"),
        (b"PK not really", "not an .npz"),
    ]:
        upload(at, "npz_upload", "bad.npz", data)
        no_exceptions(at)
        assert needle in warnings(at).replace("\\", ""), warnings(at)
        np.testing.assert_allclose(line(at, "h hidden state"), trace.hidden[:, 0, 0])  # kept


def test_link_reproduces_the_view_and_bad_params_are_noticed():
    at = run_page(PAGE, query={"cell_type": "RNN", "activation": "relu", "steps": "30",
                               "hidden_size": "2", "bogus": "1", "seed": "banana"})
    no_exceptions(at)
    assert len(diagram(at)["frames"]) == 30
    trace = RNN.random(1, 2, np.random.default_rng(0), activation="relu").forward(sine(30))
    np.testing.assert_allclose(line(at, "h hidden state"), trace.hidden[:, 0, 0], rtol=1e-12)
    notice = " ".join(i.value for i in at.info)
    assert "bogus" in notice and "seed" in notice


def test_blowup_diagnosis_and_initial_step():
    query = {"weights": "hand", "candidate": "relu", "output": "relu", "b_i": "5", "b_f": "5",
             "b_o": "5", "w_hg": "2", "w_ii": "0", "w_ig": "0", "b_g": "1", "preset": "constant"}
    at = run_page(PAGE, query=query)
    no_exceptions(at)
    cell = hand_set_lstm({"b_i": 5, "b_f": 5, "b_o": 5, "w_hg": 2, "w_ii": 0, "w_ig": 0,
                          "b_g": 1}, candidate="relu", output="relu")
    step = cell.forward(np.ones((100, 1))).blowup_step
    assert f"passed 10⁶ at step {step}" in warnings(at)
    slider = diagram(at)["layout"]["sliders"][0]
    assert slider["active"] == step - 1  # the figure opens at the blow-up


def test_forget_bias_control_only_for_the_lstm():
    at = run_page(PAGE)
    keys = lambda: {w.key for w in at.get("number_input")}
    assert "step_through.forget_bias" in keys()
    for cell_type in ("GRU", "RNN"):
        widget(at, "radio", "cell_type").set_value(cell_type).run()
        no_exceptions(at)
        assert "step_through.forget_bias" not in keys()  # no forget gate to bias
        assert "step_through.hidden_size" in keys()
    widget(at, "radio", "cell_type").set_value("LSTM").run()
    assert "step_through.forget_bias" in keys()
