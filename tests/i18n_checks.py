"""What a page shows, as text, and the English phrases left in it (for the Chinese checks)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator

from apptest_helpers import CHART_COMPONENT
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

#: Names that stay as they are in every language (lower case).
NAMES = {
    "lstm", "gru", "rnn", "relu", "tanh", "sigmoid", "softsign", "softplus", "elu", "selu",
    "gelu", "swish", "silu", "leaky", "hard", "pytorch", "numpy", "adam", "csv", "json", "png",
    "svg", "npz", "url", "lstm lens", "sin", "cos", "exp", "log", "sqrt", "abs", "max", "min",
    "identity", "streamlit", "plotly", "mse", "nan", "inf", "id", "sgd", "expm1", "log1p",
    "sign", "tan", "arctan", "sinh", "cosh", "maximum", "minimum",
}
#: Proto fields that are not text a reader sees.
_SKIP_FIELDS = {"id", "form_id", "key", "config", "icon", "type", "theme", "url", "data",
                "arrow_data", "styler", "default", "value_json", "page_script_hash", "spec",
                "url_path", "page", "file_name", "mime", "columns", "selection_mode"}
#: Plotly keys that carry text a reader sees.
_CHART_TEXT = {"text", "name", "hovertemplate", "ticktext", "title"}


def _proto_strings(message: Message) -> Iterator[str]:
    for field, value in message.ListFields():
        if field.name in _SKIP_FIELDS:
            continue
        values = value if isinstance(value, Iterable) and not isinstance(value, str) else [value]
        for item in values:
            if isinstance(item, str):
                yield item
            elif isinstance(item, Message):
                yield from _proto_strings(item)


def _chart_strings(node: object, key: str = "") -> Iterator[str]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k not in ("frames", "template"):
                yield from _chart_strings(v, k)
        for frame in node.get("frames", []):
            yield from _chart_strings(frame.get("layout", {}))
    elif isinstance(node, list):
        for item in node:
            yield from _chart_strings(item, key)
    elif isinstance(node, str) and key in _CHART_TEXT:
        yield node


def page_texts(at: AppTest) -> list[str]:
    """Every text the page shows: elements, widgets (labels, help, options), charts, tables."""
    texts: list[str] = []
    stack = [at._tree]
    while stack:
        node = stack.pop()
        children = getattr(node, "children", None)
        if children:
            stack.extend(children.values())
        proto = getattr(node, "proto", None)
        if isinstance(proto, Message):
            if node.type == "plotly_chart":  # the Training Lab's live chart
                texts.extend(_chart_strings(json.loads(proto.spec)))
            elif node.type == "bidi_component":  # every other chart (ui/charts.py)
                if proto.component_name == CHART_COMPONENT:
                    message = json.loads(proto.bytes)
                    texts.extend([message.get("alt", ""), *_chart_strings(message["spec"])])
            else:
                texts.extend(_proto_strings(proto))
    return [t for t in texts if t.strip()]


_NOT_WORDS = re.compile(
    r"`[^`]*`"                      # code
    r"|\$[^$]*\$"                   # maths
    r"|https?://\S+"                # links
    r"|%\{[^}]*\}|\{[^}]*\}"        # Plotly and format placeholders
    r"|<script.*?</script>|<style.*?</style>"  # code in st.html
    r"|<[^>]*>"                     # HTML tags in chart labels
    r"|:material/[a-z_]+:"          # icons
    r"|:[a-z]+(?:-[a-z]+)*\["        # Streamlit's Markdown directives (:orange-badge[…])
    r"|[A-Za-z]+_[A-Za-z0-9_]*",    # identifiers and notation (c_t, h_(t−1), forget_bias)
    re.DOTALL,
)
_PHRASE = re.compile(r"[A-Za-z]{2,}(?:[ ’'-]+[A-Za-z]{2,})+")


def english_phrases(text: str) -> list[str]:
    """Runs of two or more English words in ``text`` that are not names kept in every language."""
    found = []
    for phrase in _PHRASE.findall(_NOT_WORDS.sub(" ", text)):
        words = [w for w in re.split(r"[ ’'-]+", phrase) if w.lower() not in NAMES]
        if len(words) >= 2:
            found.append(phrase)
    return found
