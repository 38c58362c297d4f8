"""The cell diagram in the classic style, drawn with Plotly shapes, markers and text.

LSTM: the cell-state line across the top, the four gate boxes over the input bus, ⊙ and ⊕ nodes,
the hidden state out at the bottom right. GRU and plain RNN get the same treatment.

The diagram has a static part (lines, op symbols, box labels: :func:`diagram_layout`) and a
per-step part (node colours and values, flow widths: :func:`node_trace`, :func:`flow_traces`)
that the Step-Through figure swaps frame by frame. Nothing here computes model values: it is
given one unit's values at one step and only maps them to colours and widths.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from viz.theme import DIVERGING

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


_LSTM = Diagram(
    nodes=(
        Node("x", 1.5, 0.0, "x_t", "bottom center"),
        Node("h_prev", 0.2, 1.0, "h_t−1", "bottom center"),
        Node("c_prev", 0.2, 5.0, "c_t−1", "top center"),
        Node("f", 2.5, 2.2, "f", "bottom center", "gate"),
        Node("i", 3.8, 2.2, "i", "bottom center", "gate"),
        Node("g", 5.1, 2.2, "g", "bottom center", "candidate"),
        Node("o", 6.6, 2.2, "o", "bottom center", "gate"),
        Node("keep", 2.5, 5.0, "f·c", "top center"),
        Node("write", 5.1, 3.6, "i·g", "middle right"),
        Node("c", 9.8, 5.0, "c_t", "top center"),
        Node("squashed", 7.9, 4.0, "φ(c)", "middle right", "output"),
        Node("h", 9.8, 0.6, "h_t", "bottom center"),
    ),
    wires=(
        ((0.2, 9.8), (5.0, 5.0)),                          # cell-state line
        ((0.2, 6.6), (1.0, 1.0)), ((1.5, 1.5), (0.0, 1.0)),  # input bus, x joins it
        ((2.5, 2.5), (1.0, 5.0)),                          # f up to ⊙
        ((3.8, 3.8, 5.1), (1.0, 3.6, 3.6)),                # i over to ⊙
        ((5.1, 5.1), (1.0, 5.0)),                          # g up to ⊙, ⊙ up to ⊕
        ((6.6, 6.6, 7.9), (1.0, 2.2, 2.2)),                # o over to ⊙
        ((7.9, 7.9, 9.8), (5.0, 0.6, 0.6)),                # c down through φ and ⊙ to h
    ),
    ops=((2.5, 5.0, "⊙"), (5.1, 5.0, "⊕"), (5.1, 3.6, "⊙"), (7.9, 2.2, "⊙")),
    flows=(
        Flow("keep", (0.2, 2.5, 5.1), (5.0, 5.0, 5.0)),
        Flow("write", (5.1, 5.1), (3.6, 5.0)),
        Flow("c", (5.1, 9.8), (5.0, 5.0)),
        Flow("h", (7.9, 7.9, 9.8), (2.2, 0.6, 0.6)),
    ),
)

_GRU = Diagram(
    nodes=(
        Node("x", 1.3, 0.0, "x_t", "bottom center"),
        Node("h_prev", 0.2, 5.0, "h_t−1", "top center"),
        Node("r", 2.3, 2.2, "r", "bottom center", "gate"),
        Node("z", 4.0, 2.2, "z", "bottom center", "gate"),
        Node("n", 5.7, 2.2, "n", "bottom center", "candidate"),
        Node("keep", 4.0, 5.0, "z·h", "top center"),
        Node("write", 6.9, 3.6, "(1−z)·n", "middle right"),
        Node("h", 9.8, 5.0, "h_t", "top center"),
    ),
    wires=(
        ((0.2, 9.8), (5.0, 5.0)),                          # hidden-state line
        ((0.2, 0.2, 5.7), (5.0, 1.0, 1.0)), ((1.3, 1.3), (0.0, 1.0)),
        ((2.3, 2.3, 5.7), (1.0, 3.0, 3.0)),                # r gates the recurrent part of n
        ((4.0, 4.0), (1.0, 5.0)),                          # z up to ⊙
        ((4.0, 5.3, 6.9), (3.6, 3.6, 3.6)),                # 1 − z over to ⊙
        ((5.7, 5.7), (1.0, 3.0)),
        ((5.7, 6.9, 6.9), (2.2, 2.2, 5.0)),                # n over and up through ⊙ to ⊕
    ),
    ops=((4.0, 5.0, "⊙"), (6.9, 5.0, "⊕"), (6.9, 3.6, "⊙"), (5.3, 3.6, "1−")),
    flows=(
        Flow("keep", (0.2, 4.0, 6.9), (5.0, 5.0, 5.0)),
        Flow("write", (6.9, 6.9), (3.6, 5.0)),
        Flow("h", (6.9, 9.8), (5.0, 5.0)),
    ),
)

_RNN = Diagram(
    nodes=(
        Node("x", 2.0, 0.0, "x_t", "bottom center"),
        Node("h_prev", 0.2, 1.0, "h_t−1", "bottom center"),
        Node("pre", 5.0, 1.0, "W·[x, h] + b", "bottom right"),
        Node("h", 9.8, 3.0, "h_t", "top center"),
    ),
    wires=(((0.2, 5.0, 5.0, 9.8), (1.0, 1.0, 3.0, 3.0)), ((2.0, 2.0), (0.0, 1.0))),
    ops=((5.0, 3.0, "φ"),),
    flows=(Flow("h", (5.0, 9.8), (3.0, 3.0)),),
)

DIAGRAMS = {"LSTM": _LSTM, "GRU": _GRU, "RNN": _RNN}
X_RANGE = (-0.6, 10.6)
Y_RANGE = (-1.9, 6.3)


def colour_value(values: np.ndarray) -> np.ndarray:
    """Values squashed to [−1, 1] for the diverging colour scale (v / (1 + |v|)); ±∞ → ±1,
    NaN → 0."""
    v = np.nan_to_num(np.asarray(values, dtype=float), nan=0.0, posinf=1e300, neginf=-1e300)
    return v / (1.0 + np.abs(v))


def flow_width(magnitude: np.ndarray) -> np.ndarray:
    """Line width 1.5 … 9.5 growing with |value| (m / (1 + m), so 1 gives the middle)."""
    m = np.nan_to_num(np.abs(np.asarray(magnitude, dtype=float)), nan=0.0, posinf=1e300)
    return 1.5 + 8.0 * m / (1.0 + m)


def format_value(value: float) -> str:
    """A value as printed on the diagram: 3 significant digits, typographic minus."""
    value = float(value)
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("∞" if value > 0 else "−∞")
    text = f"{value:.3g}" if abs(value) < 1e4 else f"{value:.1e}"
    return text.replace("-", "−")


def static_traces(
    cell_type: str, symbols: dict[str, str], xaxis: str, yaxis: str
) -> tuple[list, list]:
    """The unchanging parts: (under the value markers: wires and op circles; over them: the op
    and box symbols). Drawn once; never in a frame."""
    diagram = DIAGRAMS[cell_type]
    wx: list[float | None] = []
    wy: list[float | None] = []
    for xs, ys in diagram.wires:
        wx += [*xs, None]
        wy += [*ys, None]
    ops_x = [op[0] for op in diagram.ops]
    ops_y = [op[1] for op in diagram.ops]
    under = [
        go.Scatter(x=wx, y=wy, mode="lines", line=dict(color="#BBBBBB", width=2),
                   hoverinfo="skip", showlegend=False, xaxis=xaxis, yaxis=yaxis),
        go.Scatter(x=ops_x, y=ops_y, mode="markers",
                   marker=dict(size=26, color="white", line=dict(color="#555555", width=1.5)),
                   hoverinfo="skip", showlegend=False, xaxis=xaxis, yaxis=yaxis),
    ]
    boxes = [node for node in diagram.nodes if node.box_slot]
    over = [go.Scatter(
        x=ops_x + [n.x for n in boxes], y=ops_y + [n.y for n in boxes], mode="text",
        text=[op[2] for op in diagram.ops] + [symbols.get(n.box_slot, "") for n in boxes],
        textfont=dict(size=[16] * len(ops_x) + [12] * len(boxes), color="#222222"),
        hoverinfo="skip", showlegend=False, xaxis=xaxis, yaxis=yaxis,
    )]
    return under, over


def flow_traces(cell_type: str, values_at_step: dict[str, float], xaxis: str, yaxis: str) -> list:
    """One line per flow, width and opacity by the magnitude of what flows at this step."""
    out = []
    for flow in DIAGRAMS[cell_type].flows:
        width = float(flow_width(values_at_step[flow.name]))
        out.append(go.Scatter(
            x=flow.xs, y=flow.ys, mode="lines", opacity=_opacity(width),
            line=dict(color="#0072B2", width=width), hoverinfo="skip", showlegend=False,
            xaxis=xaxis, yaxis=yaxis,
        ))
    return out


def _opacity(width: float) -> float:
    return round(0.25 + 0.75 * (width - 1.5) / 8.0, 3)


def flow_frame_data(cell_type: str, values_at_step: dict[str, float]) -> list[dict]:
    """The per-frame update of :func:`flow_traces` (only width and opacity change)."""
    out = []
    for flow in DIAGRAMS[cell_type].flows:
        width = round(float(flow_width(values_at_step[flow.name])), 2)
        out.append({"line": {"width": width}, "opacity": _opacity(width)})
    return out


def node_texts(cell_type: str, values_at_step: dict[str, float]) -> list[str]:
    """"label value" for every node at one step."""
    return [f"{n.label} {format_value(values_at_step[n.name])}" for n in DIAGRAMS[cell_type].nodes]


def node_trace(cell_type: str, values_at_step: dict[str, float], xaxis: str, yaxis: str):
    """Every value holder as a marker coloured by sign and size of its value, with its number."""
    nodes = DIAGRAMS[cell_type].nodes
    values = np.array([values_at_step[n.name] for n in nodes])
    return go.Scatter(
        x=[n.x for n in nodes], y=[n.y for n in nodes], mode="markers+text",
        text=node_texts(cell_type, values_at_step),
        textposition=[n.text_position for n in nodes], textfont=dict(size=13),
        marker=dict(
            size=[38 if n.box_slot else (26 if _on_op(cell_type, n) else 16) for n in nodes],
            symbol=["square" if n.box_slot else "circle" for n in nodes],
            color=colour_value(values), colorscale=DIVERGING, cmin=-1.0, cmax=1.0,
            line=dict(color="#333333", width=1),
        ),
        hoverinfo="skip", showlegend=False, xaxis=xaxis, yaxis=yaxis,
    )


def _on_op(cell_type: str, node: Node) -> bool:
    return any(abs(node.x - x) < 1e-9 and abs(node.y - y) < 1e-9
               for x, y, _ in DIAGRAMS[cell_type].ops)


def node_frame_data(cell_type: str, values_at_step: dict[str, float]) -> dict:
    """The per-frame update of :func:`node_trace` (colours and texts)."""
    nodes = DIAGRAMS[cell_type].nodes
    values = np.array([values_at_step[n.name] for n in nodes])
    return {"marker": {"color": np.round(colour_value(values), 3).tolist()},
            "text": node_texts(cell_type, values_at_step)}
