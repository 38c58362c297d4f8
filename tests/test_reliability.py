"""Every slider and number input on every page at its minimum and its maximum (AppTest).

Each page is opened once (one AppTest per page and link variant, reused for every widget to keep
the file fast). Then, one widget at a time, the widget is set to its minimum, rerun, set to its
maximum, rerun, and put back to its starting value together with the next widget's minimum. After
every rerun: no exception on the page, no warning (``RuntimeWarning`` or any warning raised from
this project's code), and the rerun took well under a second of CPU.

Why ``warnings.catch_warnings`` and not ``np.seterr``: the script runs in AppTest's own thread, and
NumPy's error state is per thread (a context variable), so ``np.seterr`` here would not reach it.
The warnings filters are process-wide, so recording them here sees the script thread's warnings
too (pytest's ``error::RuntimeWarning`` would turn them into an exception on the page, which
``at.exception`` catches as well).
"""

from __future__ import annotations

import ast
import re
import time
import tomllib
import warnings
from pathlib import Path

import pytest
from apptest_helpers import charts, checked, no_exceptions, own_warning, run_page

from lstm_core.activations import REGISTRY
from lstm_core.weights import HAND_SET_NAMES

ROOT = Path(__file__).resolve().parents[1]
PAGE_FILES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("*.py"))

#: CPU seconds one rerun may take. The goal is ~1 s (one process serves the whole class, so one
#: slow rerun stalls every student); the bound is 2 s so a busy test machine does not make the
#: test flaky, while unbounded work (seconds to minutes) still fails it.
CPU_BOUND = 2.0

#: Link variants that show widgets hidden at the defaults — hand-set weights (12 number inputs)
#: and the run setup's leaky-ReLU slope — or that make the extremes blow up (unbounded
#: activations). Each variant lists the widgets (field names) it tries; None: all of them.
VARIANTS: dict[str, list[tuple[dict[str, str], tuple[str, ...] | None]]] = {
    "pages/step_through.py": [
        ({"weights": "hand", "gate": "leaky_relu"}, (*HAND_SET_NAMES, "leaky_slope")),
        ({"cell_type": "RNN", "activation": "relu", "weight_scale": "10"}, None),
    ],
    "pages/gradient_flow.py": [
        ({"candidate": "relu", "output": "identity", "gate": "hard_sigmoid"}, None),
    ],
}
CASES = [(path, {}, None) for path in PAGE_FILES] + [
    (path, query, only) for path, variants in VARIANTS.items() for query, only in variants
]
KINDS = ("slider", "number_input", "select_slider")


def _id(case) -> str:
    path, query, _ = case
    return Path(path).stem + ("" if not query else "-" + "-".join(query.values()))


#: Sliders and number inputs each page shows at its defaults (so the test cannot pass by finding
#: none); a page may gain more.
# the Step-Through's 9: an RNN or GRU has no forget-bias control (an LSTM's tenth)
MIN_WIDGETS = {"pages/activation_lab.py": 3, "pages/step_through.py": 9, "pages/compare.py": 9,
               "pages/gradient_flow.py": 5, "pages/training_lab.py": 3}


def _timed_run(at, what: str) -> None:
    checked(at.run, what, CPU_BOUND)


def _widgets(at) -> list[tuple[str, str]]:
    return [(kind, w.key) for kind in KINDS for w in at.get(kind) if w.key]


def _find(at, kind: str, key: str):
    return next((w for w in at.get(kind) if w.key == key), None)


def _extremes(widget) -> tuple[object, object]:
    if widget.type == "select_slider":
        return widget.options[0], widget.options[-1]
    kind = int if isinstance(widget.value, int) else float
    return kind(widget.min), kind(widget.max)


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_every_slider_and_number_input_at_its_extremes(case):
    path, query, only = case
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        at = run_page(path, query=query)
    no_exceptions(at)
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]
    pending = None  # (widget, value) to restore in the same rerun as the next change
    tried = []
    for kind, key in _widgets(at):
        if only is not None and key.rpartition(".")[2] not in only:
            continue
        tried.append(key.rpartition(".")[2])
        widget = _find(at, kind, key)
        if widget is None:  # hidden by an earlier change that was not undone yet
            continue
        start = widget.value
        lowest, highest = _extremes(widget)
        if pending is not None and (again := _find(at, *pending[0])) is not None:
            again.set_value(pending[1])
        widget.set_value(lowest)
        _timed_run(at, f"{key} = {lowest!r}")
        for value in (highest,):
            if (widget := _find(at, kind, key)) is None:
                break
            widget.set_value(value)
            _timed_run(at, f"{key} = {value!r}")
        pending = ((kind, key), start)
    if pending is not None and (again := _find(at, *pending[0])) is not None:
        again.set_value(pending[1])
        _timed_run(at, f"{pending[0][1]} back to {pending[1]!r}")
    if only is None:
        assert len(tried) >= MIN_WIDGETS.get(path, 0), tried
    else:
        assert set(tried) == set(only), f"not shown: {set(only) - set(tried)}"


def _npz(cell_type: str, value: float, hidden: int = 16, inputs: int = 4) -> bytes:
    import io

    import numpy as np

    from lstm_core.cells import CELL_TYPES

    cell = CELL_TYPES[cell_type].random(inputs, hidden, np.random.default_rng(0))
    buf = io.BytesIO()
    np.savez(buf, **{k: np.full_like(v, value) for k, v in cell.to_pytorch().items()})
    return buf.getvalue()


@pytest.mark.parametrize("path", ["pages/step_through.py", "pages/compare.py"])
@pytest.mark.parametrize("cell_type", ["LSTM", "GRU", "RNN"])
def test_uploads_at_the_float_limits_blow_up_as_a_result(path, cell_type):
    """Weights of −1e300 on inputs of ±1e300 (a student's .npz and CSV): overflow is a result
    (drawn, and diagnosed where the state blows up), never an exception or a RuntimeWarning."""
    from ui.run_setup import CSV_KEY, NPZ_KEY

    rows = "1e300,-1e300,1e300,-1e300\n" * 500
    session = {NPZ_KEY: ("w.npz", _npz(cell_type, -1e300)), CSV_KEY: ("x.csv", rows.encode())}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        query = {"weights": "npz", "source": "csv", "cell_type": cell_type}
        if path == "pages/compare.py":  # two configurations of this cell type
            query |= {"count": "2", "c1_cell": cell_type, "c2_cell": cell_type,
                      "c2_candidate": "relu"}
        at = run_page(path, query=query, session=session)
    no_exceptions(at)
    assert not [f"{w.message} ({w.filename}:{w.lineno})" for w in caught if own_warning(w)]
    assert charts(at), [w.value for w in at.warning]  # the run is drawn, overflow included


HEAVIEST = {
    "pages/step_through.py": {"steps": "500", "hidden_size": "16", "input_size": "4",
                              "weight_scale": "10", "unit": "16", "epsilon": "0.5",
                              "candidate": "relu", "output": "identity"},
    "pages/compare.py": {"steps": "500", "hidden_size": "16", "input_size": "4",
                         "weight_scale": "10", "unit": "16", "preset": "noise",
                         "seed": "99999"},
    "pages/gradient_flow.py": {"steps": "500", "hidden": "32", "scale": "4",
                               "forget_bias": "10", "loss": "every", "seed": "9999"},
    "pages/activation_lab.py": {"x_max": "20", "eps": "0.005",
                                "activations": ",".join(REGISTRY),
                                "custom": "where(x < 0, exp(x) - 1, x)"},
    "pages/training_lab.py": {"length": "100", "seeds": "5", "steps": "2000",
                              "presets": "lstm,lstm_relu,gru,rnn_tanh"},
}


@pytest.mark.parametrize("path", sorted(HEAVIEST), ids=lambda p: Path(p).stem)
def test_every_maximum_at_once_stays_bounded(path):
    """The heaviest link a student can open: every size at its maximum, computed from cold."""
    import streamlit as st

    no_exceptions(run_page(path))  # imports and one-off set-up are not a student's click
    st.cache_data.clear()  # measure the real computation, not a cache hit
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.process_time()
        at = run_page(path, query=HEAVIEST[path])  # two runs: the router's, then the page's
        cpu = time.process_time() - start
    no_exceptions(at)
    assert not [w for w in caught if own_warning(w)], [str(w.message) for w in caught]
    assert not [m for m in at.info if "ignored" in m.value], [m.value for m in at.info]
    assert cpu < CPU_BOUND, f"the heaviest {path} took {cpu:.2f} s of CPU"
    if path == "pages/training_lab.py":
        assert any("at most" in w.value for w in at.warning)  # the work cap says no
        assert at.button(key="training_lab.run").disabled


# --- no user text rendered as HTML ----------------------------------------------------------------

CODE_FILES = sorted([*ROOT.glob("app.py"), *(ROOT / "pages").glob("*.py"),
                     *(p for d in ("lstm_core", "ui", "viz", "deploy", "bench")
                       for p in (ROOT / d).rglob("*.py"))])
#: Every place that renders raw HTML, with the module-level constants it may show.
#: CSS: ui/static/teacher.css; STEP_SYNC_JS: ui/static/step_sync.js; CJK_CSS: ui/static/cjk.css;
#: each read once at import.
HTML_SINKS = {"ui/teacher.py": {"CSS"}, "ui/step_through.py": {"STEP_SYNC_JS"},
              "ui/language.py": {"CJK_CSS"}}


def test_html_is_only_rendered_from_our_own_static_content():
    """``unsafe_allow_html`` is never used; ``st.html`` only shows module-level constants read
    from the app's own files (never anything a student typed, uploaded or linked)."""
    found = {}
    for path in CODE_FILES:
        source = path.read_text()
        rel = str(path.relative_to(ROOT))
        assert "unsafe_allow_html" not in source, f"{rel} uses unsafe_allow_html"
        assert "components.html" not in source and "components.v1" not in source, rel
        tree = ast.parse(source)
        assigned = [t.id for n in ast.walk(tree) if isinstance(n, (ast.Assign, ast.AugAssign))
                    for t in (getattr(n, "targets", None) or [n.target])
                    if isinstance(t, ast.Name)]
        module_level = {t.id for n in tree.body if isinstance(n, ast.Assign)
                        for t in n.targets if isinstance(t, ast.Name)}
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "html"):
                continue
            names = {n.id for arg in node.args for n in ast.walk(arg) if isinstance(n, ast.Name)}
            found.setdefault(rel, set()).update(names)
            for name in names:  # constants: bound once, at module level, never rebound
                assert name in module_level and assigned.count(name) == 1, (
                    f"{rel}:{node.lineno}: st.html shows {name}, which is not a constant")
    assert found == HTML_SINKS, found
    for sheet in ("teacher.css", "cjk.css"):
        css = (ROOT / "ui" / "static" / sheet).read_text()
        assert "<" not in css and "javascript:" not in css.lower()  # cannot close <style>


#: The app's ``st.components.v2`` components, each in its module: the charts, the tab's
#: ``<html lang>``, lesson progress in localStorage, the share box and the sequence keys.
COMPONENT_MODULES = ("ui/charts.py", "ui/document.py", "ui/progress.py", "ui/share.py",
                     "ui/teacher.py")
_HTML_SINKS = ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
               "new Function", "setTimeout(\"", "srcdoc")


def test_the_custom_components_run_only_the_apps_own_code():
    """The app's few ``st.components.v2`` components (:data:`COMPONENT_MODULES`) are declared
    with the app's own constants and files, never with text from a session; the v1 API only
    serves the charts' asset folders (no ``components.html``, no iframe). Their JavaScript
    writes no HTML and runs no strings: a figure is JSON handed to Plotly, text an attribute or
    ``textContent``."""
    for path in CODE_FILES:
        rel = str(path.relative_to(ROOT))
        if rel not in COMPONENT_MODULES:
            source = path.read_text()
            assert "components.v2" not in source and "declare_component" not in source, rel
    for rel in COMPONENT_MODULES:
        tree = ast.parse((ROOT / rel).read_text())
        mounts = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
                  and ast.unparse(n.func) == "st.components.v2.component"]
        assert len(mounts) == 1, rel
        for keyword in mounts[0].keywords:
            # a literal, a module constant or a file of the app: nothing built per session
            assert isinstance(keyword.value, (ast.Constant, ast.Name, ast.Call)), (rel, keyword.arg)
            if isinstance(keyword.value, ast.Call):
                code = ast.unparse(keyword.value)
                assert code == "_component_js()" or ".read_text(" in code, (rel, code)
    tree = ast.parse((ROOT / "ui" / "charts.py").read_text())
    calls = {ast.unparse(n.func): n for n in ast.walk(tree) if isinstance(n, ast.Call)}
    declare = calls["components_v1.declare_component"]
    assert [ast.unparse(a) for a in declare.args] == ["name"], "v1 only serves ASSET_DIRS"
    scripts = [p.read_text() for p in (ROOT / "ui" / "static").glob("*.js")]
    scripts += [(ROOT / rel).read_text() for rel in COMPONENT_MODULES]  # inline JS constants
    for js in scripts:
        for sink in _HTML_SINKS:
            assert sink not in js, sink


PAYLOAD = "<img src=x onerror=alert(1)>"
_RAW_TAG = re.compile(r"(?<!\\)<\s*(img|script|a|iframe|svg|style|object)\b", re.IGNORECASE)


def _markdown_bodies(at) -> list[str]:
    kinds = ("markdown", "caption", "info", "warning", "error", "success", "title", "header",
             "subheader", "latex", "exception")
    return [str(getattr(el, "value", "")) for kind in kinds for el in at.get(kind)]


def _chart_strings(at) -> list[str]:
    strings = []

    def walk(value):
        if isinstance(value, str):
            strings.append(value)
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(k)
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for figure in charts(at):
        walk(figure)
    return strings


def assert_no_raw_html(at, *user_strings: str) -> None:
    """No user string reaches Markdown unescaped (outside a code span) or a chart as is."""
    no_exceptions(at)
    for body in _markdown_bodies(at):
        outside_code = re.sub(r"`[^`\n]*`", "", body)
        assert not _RAW_TAG.search(outside_code), body
        assert not re.search(r"(?<!\\)\]\((https?|javascript):", outside_code), body
    assert not [el for el in at.get("html") if any(s in el.proto.body for s in user_strings)]
    for text in _chart_strings(at):
        assert "<img" not in text and "<script" not in text, text
        for user in user_strings:
            assert user not in text or "<" not in user, text


def _csv(text: str, name: str = PAYLOAD + ".csv") -> dict:
    from ui.run_setup import CSV_KEY

    return {CSV_KEY: (name, text.encode())}


HTML_CASES = {
    "typed token": ("pages/step_through.py",
                    {"source": "typed", "typed": f"0.5, {PAYLOAD}, 1"}, None),
    "typed on compare": ("pages/compare.py", {"source": "typed", "typed": f"1 {PAYLOAD}"}, None),
    "CSV header and file name": ("pages/step_through.py", {"source": "csv"},
                                 _csv(f"{PAYLOAD}\n0.5\n-1\n2\n")),
    "CSV cell": ("pages/step_through.py", {"source": "csv"}, _csv("x\n1\n<svg/onload=alert(1)>\n")),
    "CSV on compare": ("pages/compare.py", {"source": "csv"}, _csv(f"a,{PAYLOAD}\n1,2\n")),
    "custom expression": ("pages/activation_lab.py", {"custom": PAYLOAD}, None),
    "custom with < and >": ("pages/activation_lab.py",
                            {"custom": "where(x<1,1,0)*where(x>2,x,0)"}, None),
    "custom with an icon code": ("pages/activation_lab.py", {"custom": "x[:material/warning:]"},
                                 None),
    "custom in a link": ("pages/step_through.py", {"custom": PAYLOAD, "candidate": "custom"},
                         None),
    "unknown parameter": ("pages/gradient_flow.py", {PAYLOAD: PAYLOAD}, None),
    "link injection": ("pages/activation_lab.py",
                       {"x` [click](https://evil.example) `": "1",
                        "\n\n# big [click](javascript:alert(1))": "1"}, None),
    "bad value": ("pages/training_lab.py", {"task": PAYLOAD, "presets": PAYLOAD}, None),
}


@pytest.mark.parametrize("name", sorted(HTML_CASES))
def test_user_strings_never_become_html(name):
    path, query, session = HTML_CASES[name]
    at = run_page(path, query=query, session=session)
    user = [*query.values(), *query.keys(), *((session or {}) and [PAYLOAD])]
    assert_no_raw_html(at, *user)
    shown = " ".join(_markdown_bodies(at))
    if name == "typed token":  # the message names the bad token, escaped
        assert r'"\<img" \(value 2\) is not a number' in shown, shown
    if name == "CSV cell":
        assert r'"\<svg/onload=alert\(1\)\>" at row 3, column 1 is not a number' in shown, shown
    if name == "CSV header and file name":  # the header row is skipped; the run is drawn
        assert charts(at) and r"\<img src=x onerror=alert\(1\)\>\.csv" in shown, shown
    if name == "custom with < and >":  # drawn, with the expression escaped in the figure
        texts = _chart_strings(at)
        assert any("where(x&lt;1,1,0)*where(x&gt;2,x,0)" in t for t in texts)
    if name == "custom with an icon code":  # quoted in the error, but not drawn as an icon
        assert r"\:material/warning\:" in shown and ":material/warning:" not in shown, shown
    if name == "link injection":
        notice = next(el.value for el in at.info if "ignored" in el.value)
        assert "`x [click](https://evil.example)`" in notice, notice
        assert "`# big [click](javascript:alert(1))`" in notice, notice


# --- configuration ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", [".streamlit/config.toml", "deploy/streamlit-production.toml"])
def test_configuration_matches_the_issue(path):
    """Upload ≤ 1 MB, viewer toolbar, no usage stats, no static serving, XSRF and CORS
    protection on, no file watcher, and never global.developmentMode / global.e2eTest."""
    text = (ROOT / path).read_text()
    config = tomllib.loads(text)
    server, client = config["server"], config["client"]
    assert server["maxUploadSize"] == 1
    assert client["toolbarMode"] == "viewer"
    assert client.get("showErrorDetails") == "none"
    assert config["browser"]["gatherUsageStats"] is False
    assert server["enableStaticServing"] is False
    assert server["enableXsrfProtection"] is True and server["enableCORS"] is True
    assert server["fileWatcherType"] == "none" and server.get("runOnSave", False) is False
    assert "global" not in config
    assert not re.search(r"^\s*(developmentMode|e2eTest)\s*=", text, re.MULTILINE)


def test_nothing_a_user_runs_sets_development_mode():
    """Scripts and docs that start the app never pass developmentMode or e2eTest."""
    pattern = re.compile(r"(global\.)?(developmentMode|e2eTest)\s*(=|\s)\s*(true|1)", re.I)
    files = [*ROOT.glob("*.md"), *(ROOT / "deploy").iterdir(), *(ROOT / "bench").rglob("*.py"),
             *(ROOT / "docs").rglob("*.md"), ROOT / "tests" / "conftest.py"]
    hits = [str(f.relative_to(ROOT)) for f in files
            if f.is_file() and pattern.search(f.read_text(errors="replace"))]
    assert not hits, hits
