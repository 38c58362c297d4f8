"""The cell diagram in the classic style, drawn with Plotly lines, markers and text.

LSTM: the cell-state line across the top, the four gate boxes over the input bus, ⊙ and ⊕ nodes,
the hidden state out at the bottom right. GRU and plain RNN get the same treatment.

The diagram has a static part (lines, op symbols, box labels: :func:`static_traces`) and a
per-step part (node colours and values, flow widths: :func:`node_trace`, :func:`flow_traces`)
that the Step-Through figure swaps frame by frame. Everything is built as plain trace dicts (see
``viz.theme.figure``). Nothing here computes model values: it is given one unit's values and only
maps them to colours, widths and text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from viz.theme import DIVERGING, text_on

#: Short symbols for the boxes, by activation key (a custom expression shows as "f*").
SYMBOLS = {
    "sigmoid": "σ", "tanh": "tanh", "hard_sigmoid": "hσ", "hard_tanh": "htanh", "relu": "ReLU",
    "leaky_relu": "lReLU", "elu": "ELU", "softsign": "ssign", "silu": "SiLU", "gelu": "GELU",
    "softplus": "soft+", "identity": "id", "custom": "f*",
}


@dataclass(frozen=True)
class Node:
    """A value holder: ``name`` (a key of ``step_values.unit_values``), position, label, where
    its value text goes, and whether it is a box (gate/candidate/squash) or a dot."""

    name: str
    x: float
    y: float
    label: str
    text_position: str
    box_slot: str | None = None


@dataclass(frozen=True)
class Flow:
    """A path whose width and opacity follow ``|value of name|`` at the shown step."""

    name: str
    xs: tuple[float, ...]
    ys: tuple[float, ...]


@dataclass(frozen=True)
class Diagram:
    nodes: tuple[Node, ...]
    wires: tuple[tuple[tuple[float, ...], tuple[float, ...]], ...]
    ops: tuple[tuple[float, float, str], ...]   # (x, y, symbol) of ⊙, ⊕, 1−
    flows: tuple[Flow, ...]


# Laid out for a plot only ~290 px wide (a phone) as well as a wide one: Plotly sizes text and
# markers in pixels but places them in data units, so boxes sit ≥ 2.3 units apart, each box
# holds its own value, and every other label is two short lines placed where no wire runs.
_LSTM = Diagram(
    nodes=(
        Node("x", 1.8, -0.6, "x_t", "middle right"),
        Node("h_prev", -0.2, 0.8, "h_t−1", "bottom right"),
        Node("c_prev", -0.2, 6.4, "c_t−1", "bottom right"),
        Node("f", 2.0, 2.6, "f", "middle center", "gate"),
        Node("i", 4.3, 2.6, "i", "middle center", "gate"),
        Node("g", 6.6, 2.6, "g", "middle center", "candidate"),
        Node("o", 8.9, 2.6, "o", "middle center", "gate"),
        Node("keep", 2.0, 6.4, "f·c", "top center"),
        Node("write", 6.6, 4.3, "i·g", "top left"),
        Node("c", 10.2, 6.4, "c_t", "top left"),
        Node("squashed", 8.9, 5.1, "φ", "middle center", "output"),
        Node("h", 10.2, 0.0, "h_t", "bottom left"),
    ),
    wires=(
        ((-0.2, 10.2), (6.4, 6.4)),                          # cell-state line
        ((-0.2, 8.9), (0.8, 0.8)), ((1.8, 1.8), (-0.6, 0.8)),  # input bus, x joins it
        ((2.0, 2.0), (0.8, 6.4)),                            # f up to ⊙
        ((4.3, 4.3), (0.8, 4.3)), ((4.3, 6.6), (4.3, 4.3)),  # i up and over to ⊙
        ((6.6, 6.6), (0.8, 6.4)),                            # g up to ⊙, ⊙ up to ⊕
        ((8.9, 8.9), (0.8, 6.4)),                            # o up to ⊙; c down through φ
        ((8.9, 10.2, 10.2), (3.85, 3.85, 0.0)),              # o·φ(c) out to h
    ),
    ops=((2.0, 6.4, "⊙"), (6.6, 6.4, "⊕"), (6.6, 4.3, "⊙"), (8.9, 3.85, "⊙")),
    flows=(
        Flow("keep", (-0.2, 2.0, 6.6), (6.4, 6.4, 6.4)),
        Flow("write", (6.6, 6.6), (4.3, 6.4)),
        Flow("c", (6.6, 10.2), (6.4, 6.4)),
        Flow("h", (8.9, 10.2, 10.2), (3.85, 3.85, 0.0)),
    ),
)

_GRU = Diagram(
    nodes=(
        Node("x", 1.0, -0.6, "x_t", "middle right"),
        Node("h_prev", -0.2, 6.4, "h_t−1", "bottom right"),
        Node("r", 2.0, 2.6, "r", "middle center", "gate"),
        Node("z", 4.3, 2.6, "z", "middle center", "gate"),
        Node("n", 6.6, 2.6, "n", "middle center", "candidate"),
        Node("keep", 4.3, 6.4, "z·h", "top center"),
        Node("write", 8.9, 4.3, "(1−z)·n", "top left"),
        Node("h", 10.2, 6.4, "h_t", "top left"),
    ),
    wires=(
        ((-0.2, 10.2), (6.4, 6.4)),                          # hidden-state line
        ((-0.2, -0.2, 6.6), (6.4, 0.8, 0.8)), ((1.0, 1.0), (-0.6, 0.8)),
        ((2.0, 2.0, 6.2, 6.2), (0.8, 3.7, 3.7, 3.2)),        # r gates the recurrent part of n
        ((4.3, 4.3), (0.8, 6.4)),                            # z up to ⊙
        ((4.3, 8.9), (4.3, 4.3)),                            # 1 − z over to ⊙
        ((6.6, 6.6), (0.8, 2.6)),
        ((6.6, 8.9, 8.9), (2.6, 2.6, 6.4)),                  # n over and up through ⊙ to ⊕
    ),
    ops=((4.3, 6.4, "⊙"), (8.9, 6.4, "⊕"), (8.9, 4.3, "⊙"), (6.6, 4.3, "1−")),
    flows=(
        Flow("keep", (-0.2, 4.3, 8.9), (6.4, 6.4, 6.4)),
        Flow("write", (8.9, 8.9), (4.3, 6.4)),
        Flow("h", (8.9, 10.2), (6.4, 6.4)),
    ),
)

_RNN = Diagram(
    nodes=(
        Node("x", 1.8, -0.6, "x_t", "middle right"),
        Node("h_prev", -0.2, 0.8, "h_t−1", "bottom right"),
        Node("pre", 5.0, 0.8, "W·[x, h] + b", "bottom right"),
        Node("h", 10.2, 3.4, "h_t", "top left"),
    ),
    wires=(((-0.2, 5.0, 5.0, 10.2), (0.8, 0.8, 3.4, 3.4)), ((1.8, 1.8), (-0.6, 0.8))),
    ops=((5.0, 3.4, "φ"),),
    flows=(Flow("h", (5.0, 10.2), (3.4, 3.4)),),
)

DIAGRAMS = {"LSTM": _LSTM, "GRU": _GRU, "RNN": _RNN}
X_RANGE = (-0.6, 10.6)
Y_RANGE = (-4.5, 7.9)
#: Where the equation lines start (x) and the y of each line, top down.
EQUATION_X = -0.4
EQUATION_Y = (-1.75, -2.3, -2.85, -3.4, -3.95)
BOX_PX = 46
BOX_FONT = 11
LABEL_FONT = 12


def colour_value(values: np.ndarray) -> np.ndarray:
    """Values squashed to [−1, 1] for the diverging colour scale (v / (1 + |v|)); ±∞ → ±1,
    NaN → 0."""
    v = np.nan_to_num(np.asarray(values, dtype=float), nan=0.0, posinf=1e300, neginf=-1e300)
    return v / (1.0 + np.abs(v))


def flow_width(magnitude: np.ndarray) -> np.ndarray:
    """Line width 1.5 … 9.5 growing with |value| (m / (1 + m), so 1 gives the middle)."""
    m = np.nan_to_num(np.abs(np.asarray(magnitude, dtype=float)), nan=0.0, posinf=1e300)
    return 1.5 + 8.0 * (m / (1.0 + m))  # m / (1 + m) first: 8·m overflows near 1e308


def flow_opacity(width: np.ndarray) -> np.ndarray:
    """Opacity 0.25 … 1 growing with a flow's width (3 decimals)."""
    return np.round(0.25 + 0.75 * (np.asarray(width, dtype=float) - 1.5) / 8.0, 3)


#: Values smaller than this print as 0: the diagram's numbers are activations of order 1 shown
#: to 3 digits, so 3.48e−07 or −7.35e−16 is float noise (a sine's zero), not a reading.
DISPLAY_FLOOR = 5e-4


def format_value(value: float) -> str:
    """A value as printed on the diagram: 3 significant digits, typographic minus, 0 below
    :data:`DISPLAY_FLOOR` in size."""
    value = float(value)
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("∞" if value > 0 else "−∞")
    if abs(value) < DISPLAY_FLOOR:
        return "0"
    value += 0.0  # −0.0 → 0.0: never print "−0"
    text = f"{value:.3g}" if abs(value) < 1e4 else f"{value:.1e}"
    return text.replace("-", "−")


def format_values(values: np.ndarray) -> list[str]:
    """:func:`format_value` of every element of ``values`` (flattened, C order).

    The common case (every value finite and below 10⁴ in size) is one comprehension over Python
    floats: ~0.3 µs a value, 4× faster than ``np.strings.mod`` on NumPy 2.4.
    """
    v = np.asarray(values, dtype=float).ravel() + 0.0  # −0.0 → 0.0: never print "−0"
    with np.errstate(invalid="ignore"):
        v = np.where(np.abs(v) < DISPLAY_FLOOR, 0.0, v)
        plain = bool(np.all(np.abs(v) < 1e4))  # False if any is NaN or ±∞
    if plain:
        return "\x00".join([f"{x:.3g}" for x in v.tolist()]).replace("-", "−").split("\x00")
    return [format_value(x) for x in v.tolist()]


def bracket_negatives(texts: list[str]) -> list[str]:
    """Formatted numbers as factors: negatives in brackets ("(−0.57)")."""
    return [f"({t})" if t.startswith("−") else t for t in texts]


def static_traces(cell_type: str, xaxis: str, yaxis: str) -> tuple[list[dict], list[dict]]:
    """Trace dicts of the unchanging parts: (under the flows and value markers: wires and op
    circles; over them: the op symbols)."""
    diagram = DIAGRAMS[cell_type]
    wx: list[float | None] = []
    wy: list[float | None] = []
    for xs, ys in diagram.wires:
        wx += [*xs, None]
        wy += [*ys, None]
    ops_x = [op[0] for op in diagram.ops]
    ops_y = [op[1] for op in diagram.ops]
    common = {"type": "scatter", "hoverinfo": "skip", "showlegend": False, "xaxis": xaxis,
              "yaxis": yaxis}
    under = [
        {**common, "x": wx, "y": wy, "mode": "lines", "line": {"color": "#BBBBBB", "width": 2}},
        {**common, "x": ops_x, "y": ops_y, "mode": "markers",
         "marker": {"size": 26, "color": "white", "line": {"color": "#555555", "width": 1.5}}},
    ]
    over = [{**common, "x": ops_x, "y": ops_y, "mode": "text",
             "text": [op[2] for op in diagram.ops],
             "textfont": {"size": 16, "color": "#222222"}}]
    return under, over


def flow_traces(cell_type: str, widths: np.ndarray, xaxis: str, yaxis: str) -> list[dict]:
    """One line dict per flow; ``widths`` (one per flow, see :func:`flow_width`) set its width
    and opacity."""
    out = []
    for flow, width in zip(DIAGRAMS[cell_type].flows, np.asarray(widths).tolist(), strict=True):
        out.append({
            "type": "scatter", "x": flow.xs, "y": flow.ys, "mode": "lines",
            "opacity": float(flow_opacity(width)), "line": {"color": "#0072B2", "width": width},
            "hoverinfo": "skip", "showlegend": False, "xaxis": xaxis, "yaxis": yaxis,
        })
    return out


def formatted_nodes(cell_type: str, series: dict[str, np.ndarray]) -> dict[str, list[str]]:
    """Node name → its value at every step as printed (:func:`format_value`); ``series``:
    name → (T,) values (``step_values.unit_values``)."""
    nodes = DIAGRAMS[cell_type].nodes
    flat = format_values(np.stack([np.asarray(series[n.name], dtype=float) for n in nodes],
                                  axis=1))
    return {n.name: flat[j::len(nodes)] for j, n in enumerate(nodes)}


def node_values(cell_type: str, formatted: dict[str, list[str]]) -> list[list[str]]:
    """Every node's printed value (diagram order), one list per step (``formatted``: see
    :func:`formatted_nodes`)."""
    columns = [formatted[n.name] for n in DIAGRAMS[cell_type].nodes]
    return [list(row) for row in zip(*columns, strict=True)]


def node_templates(cell_type: str, symbols: dict[str, str]) -> list[str]:
    """Each node's text around its value (``%{text}``): a box holds its name, its activation's
    symbol and its value; a dot has its name over its value (two short lines stay narrow)."""
    out = []
    for n in DIAGRAMS[cell_type].nodes:
        if n.box_slot:
            out.append(f"{n.label} {symbols.get(n.box_slot, '')}<br>%{{text}}")
        elif n.name == "x":
            out.append(f"{n.label} = %{{text}}")
        else:
            out.append(f"{n.label}<br>%{{text}}")
    return out


def node_text_colours(cell_type: str, colours: list[float]) -> list[str]:
    """Each node's text colour: on its own marker (a box's text is inside it) white or black,
    whichever reads better on the marker's colour (``colours``: :func:`colour_value`); beside
    it, on the white page, near-black."""
    return [text_on(DIVERGING, (c + 1.0) / 2.0) if n.text_position == "middle center"
            else "#111111" for n, c in zip(DIAGRAMS[cell_type].nodes, colours, strict=True)]


def node_trace(cell_type: str, colours: list[float], values: list[str], symbols: dict[str, str],
               xaxis: str, yaxis: str) -> dict:
    """Every value holder as a marker coloured by sign and size of its value (``colours``:
    :func:`colour_value` of each node's value), labelled with its printed ``values``."""
    nodes = DIAGRAMS[cell_type].nodes
    return {
        "type": "scatter", "x": [n.x for n in nodes], "y": [n.y for n in nodes],
        "mode": "markers+text", "text": values,
        "texttemplate": node_templates(cell_type, symbols),
        "textposition": [n.text_position for n in nodes],
        "textfont": {"size": [BOX_FONT if n.box_slot else LABEL_FONT for n in nodes],
                     "color": node_text_colours(cell_type, colours)},
        "marker": {
            "size": [BOX_PX if n.box_slot else (26 if _on_op(cell_type, n) else 16)
                     for n in nodes],
            "symbol": ["square" if n.box_slot else "circle" for n in nodes],
            "color": colours, "colorscale": DIVERGING, "cmin": -1.0, "cmax": 1.0,
            "line": {"color": "#333333", "width": 1},
        },
        "hoverinfo": "skip", "showlegend": False, "xaxis": xaxis, "yaxis": yaxis,
    }


def _on_op(cell_type: str, node: Node) -> bool:
    return any(abs(node.x - x) < 1e-9 and abs(node.y - y) < 1e-9
               for x, y, _ in DIAGRAMS[cell_type].ops)
