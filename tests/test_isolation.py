"""No session affects another: two live AppTest sessions, and static checks of the code.

Streamlit runs every student's session in one Python process. What one session could leak into
another: module-level objects written at run time, ``st.cache_resource`` (one object shared by
every session), and ``st.cache_data`` / ``functools.cache`` entries that depend on more than
their arguments. The two-session test drives both sessions in turn in this process (as the
server would) and checks each one's session state, URL and rendered charts; the static tests
read the source with :mod:`ast`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pytest
from apptest_helpers import charts, decode, no_exceptions, run_page

from ui.activation_picker import CUSTOM_KEY
from ui.shared import EPSILON_KEY

ROOT = Path(__file__).resolve().parents[1]
CODE_DIRS = ("lstm_core", "ui", "viz")
EXPRESSION = "x/(1+abs(x))"


def _widget(at, kind: str, key: str):
    return next(w for w in at.get(kind) if w.key == key)


def _units_in_heatmap(at) -> int:
    """H of the Step-Through run, read from its units × time heatmap (rows = units)."""
    heatmaps = [t for fig in charts(at) for t in fig["data"] if t.get("type") == "heatmap"]
    assert heatmaps, "no heatmap on the page"
    return decode(heatmaps[0]["z"]).shape[0]


def _legend_names(at) -> list[str]:
    return [t.get("name", "") for fig in charts(at) for t in fig["data"]]


def test_two_sessions_changing_different_things_do_not_see_each_other():
    # Session A: a custom activation on the Activation Lab, then a Step-Through that uses it.
    a = run_page("pages/activation_lab.py")
    a.text_input(key="activation_lab.custom").input(EXPRESSION).run()
    no_exceptions(a)
    assert a.session_state[CUSTOM_KEY] == EXPRESSION
    assert any(EXPRESSION in name for name in _legend_names(a))

    # Session B opens the same pages meanwhile: no custom activation anywhere.
    b = run_page("pages/activation_lab.py")
    no_exceptions(b)
    assert CUSTOM_KEY not in b.session_state
    assert b.text_input(key="activation_lab.custom").value == ""
    assert not any("custom" in name for name in _legend_names(b))

    a.switch_page("pages/step_through.py").run()
    # A's pickers offer its custom activation. (A does not pick it: AppTest formats a
    # selectbox value with the page's format_func in the test thread, outside any session.)
    assert f"custom: {EXPRESSION}" in _widget(a, "selectbox", "step_through.candidate").options
    _widget(a, "selectbox", "step_through.candidate").set_value("relu")
    a.number_input(key="step_through.hidden_size").set_value(7)
    a.run()
    no_exceptions(a)
    assert a.query_params["hidden_size"] in ("7", ["7"])

    # B changes other things: the saturation threshold ε and, on the Step-Through, the seed.
    b.slider(key="activation_lab.eps").set_value(0.2).run()
    b.switch_page("pages/step_through.py").run()
    no_exceptions(b)
    assert "custom" not in _widget(b, "selectbox", "step_through.candidate").options
    assert _widget(b, "selectbox", "step_through.candidate").value == "tanh"
    assert b.number_input(key="step_through.hidden_size").value == 4
    b.number_input(key="step_through.seed").set_value(5).run()
    no_exceptions(b)
    assert _units_in_heatmap(b) == 4
    assert "hidden_size" not in b.query_params and b.query_params["seed"] in ("5", ["5"])
    assert b.session_state[EPSILON_KEY] == pytest.approx(0.2)

    # A again: still its own setup, its own ε, its own custom activation; none of B's changes.
    a.run()
    no_exceptions(a)
    assert a.number_input(key="step_through.hidden_size").value == 7
    assert a.number_input(key="step_through.seed").value == 0
    assert _widget(a, "selectbox", "step_through.candidate").value == "relu"
    assert f"custom: {EXPRESSION}" in _widget(a, "selectbox", "step_through.candidate").options
    assert _units_in_heatmap(a) == 7
    assert a.session_state[CUSTOM_KEY] == EXPRESSION
    assert a.session_state[EPSILON_KEY] == pytest.approx(0.05)  # A's own ε; B set 0.2
    assert "seed" not in a.query_params

    # And B still has no custom activation, after A used it in a (cached) computation.
    b.run()
    assert CUSTOM_KEY not in b.session_state
    assert b.number_input(key="step_through.hidden_size").value == 4
    assert "custom" not in _widget(b, "selectbox", "step_through.candidate").options


def test_a_third_session_starts_from_the_defaults():
    """After other sessions changed everything above, a new one sees only defaults."""
    fresh = run_page("pages/step_through.py")
    no_exceptions(fresh)
    assert CUSTOM_KEY not in fresh.session_state and EPSILON_KEY not in fresh.session_state
    assert fresh.number_input(key="step_through.hidden_size").value == 4
    assert fresh.number_input(key="step_through.seed").value == 0
    assert dict(fresh.query_params) == {}
    assert np.isclose(fresh.number_input(key="step_through.epsilon").value, 0.05)


# --- static checks --------------------------------------------------------------------------------


def _modules() -> list[Path]:
    return sorted(p for d in CODE_DIRS for p in (ROOT / d).rglob("*.py"))


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


MUTABLE_CALLS = {"dict", "list", "set", "defaultdict", "OrderedDict", "Counter", "deque",
                 "bytearray"}
MUTATING_METHODS = {"append", "extend", "insert", "update", "add", "pop", "popitem", "clear",
                    "setdefault", "remove", "discard", "sort", "reverse", "appendleft",
                    "__setitem__", "__delitem__", "fill", "resize", "put"}


def _is_mutable_value(node: ast.AST) -> bool:
    if isinstance(node, (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)):
        return True
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        return name in MUTABLE_CALLS or name in {"zeros", "empty", "ones", "array", "full"}
    return False


def _module_mutables(tree: ast.Module) -> set[str]:
    """Names bound at module level to a mutable container (dict, list, set, NumPy array…)."""
    names = set()
    for node in tree.body:
        targets, value = [], None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        if value is not None and _is_mutable_value(value):
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def _imported_names(tree: ast.Module) -> dict[str, str]:
    """``from ui.x import NAME`` → {local name: "ui/x.py:NAME"} for this project's modules."""
    found = {}
    for node in ast.walk(tree):
        if (isinstance(node, ast.ImportFrom) and node.module and node.level == 0
                and node.module.split(".")[0] in CODE_DIRS):
            for alias in node.names:
                found[alias.asname or alias.name] = f"{node.module}:{alias.name}"
    return found


def _bound_locally(function: ast.AST) -> set[str]:
    names = {a.arg for a in ast.walk(function) if isinstance(a, ast.arg)}
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
    return names


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _runtime_mutations(tree: ast.Module, shared: set[str]) -> list[tuple[int, str]]:
    """Writes, inside functions, to ``shared`` names that the function did not bind itself."""
    found = []
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef,
                                                             ast.AsyncFunctionDef, ast.Lambda))]
    for function in functions:
        local = _bound_locally(function)
        for node in ast.walk(function):
            targets = []
            if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
                targets = getattr(node, "targets", None) or [node.target]
            for target in targets:
                if isinstance(target, (ast.Subscript, ast.Attribute)):
                    name = _root_name(target)
                    if name in shared and name not in local:
                        found.append((node.lineno, ast.unparse(target)))
                elif (isinstance(node, ast.AugAssign) and isinstance(target, ast.Name)
                      and target.id in shared and target.id not in local):
                    found.append((node.lineno, ast.unparse(target)))
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in MUTATING_METHODS):
                name = _root_name(node.func.value)
                if name in shared and name not in local:
                    found.append((node.lineno, ast.unparse(node.func)))
    return found


def test_no_global_statements():
    """``global`` rebinds a module name at run time: state every session would share."""
    found = [f"{_rel(p)}:{n.lineno}: global {', '.join(n.names)}"
             for p in _modules() for n in ast.walk(ast.parse(p.read_text()))
             if isinstance(n, ast.Global)]
    assert not found, found


def test_the_scan_finds_run_time_writes():
    """The scanner itself: module containers written in functions are found, locals are not."""
    tree = ast.parse(
        "import numpy as np\n"
        "CACHE = {}\nITEMS: list = []\nGRID = np.zeros(3)\nNAME = 'x'\n"
        "def remember(k, v):\n    CACHE[k] = v\n    ITEMS.append(v)\n    GRID[0] += 1\n"
        "def shadowed(CACHE):\n    CACHE[1] = 2\n"
        "def local():\n    ITEMS = []\n    ITEMS.append(1)\n    return ITEMS\n"
    )
    shared = _module_mutables(tree)
    assert shared == {"CACHE", "ITEMS", "GRID"}
    assert sorted(what for _, what in _runtime_mutations(tree, shared)) == [
        "CACHE[k]", "GRID[0]", "ITEMS.append"]


def test_module_level_containers_are_never_written_at_run_time():
    """Module-level dicts, lists, sets and arrays are filled at import and only read afterwards.

    Checked in every module of lstm_core/, ui/ and viz/, for the module's own containers and the
    ones it imports from the others (``from ui.x import TABLE`` then ``TABLE[k] = …``).
    """
    trees = {p: ast.parse(p.read_text()) for p in _modules()}
    mutables = {}
    for path, tree in trees.items():
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for name in _module_mutables(tree):
            mutables[f"{module}:{name}"] = name
    assert mutables, "the scan found no module-level containers at all: is it broken?"
    problems = []
    for path, tree in trees.items():
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        own = {name for key, name in mutables.items() if key.startswith(module + ":")}
        imported = {local for local, ref in _imported_names(tree).items() if ref in mutables}
        problems += [f"{_rel(path)}:{line}: {what}"
                     for line, what in _runtime_mutations(tree, own | imported)]
    assert not problems, problems


#: Attributes of other libraries' objects that the code sets at run time, with why it is safe.
FOREIGN_ATTRIBUTE_WRITES = {
    # A process-wide, one-way switch: it turns off Streamlit's auto-discovered-pages relic for
    # every session (all of them should go through the router); it holds nothing per user.
    "ui/router.py": {"PagesManager.uses_pages_directory"},
}


def test_imported_objects_are_not_modified():
    """No function sets an attribute on an imported module or class (process-wide state)."""
    problems = []
    for path in _modules():
        tree = ast.parse(path.read_text())
        for function in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]:
            imported = {alias.asname or alias.name.split(".")[0]
                        for node in ast.walk(tree) if isinstance(node, (ast.Import,
                                                                        ast.ImportFrom))
                        for alias in node.names}
            local = _bound_locally(function) - {
                a.asname or a.name for n in ast.walk(function)
                if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
            for node in ast.walk(function):
                if isinstance(node, (ast.Assign, ast.AugAssign)):
                    for target in getattr(node, "targets", None) or [node.target]:
                        if (isinstance(target, ast.Attribute) and isinstance(target.value,
                                                                             ast.Name)
                                and target.value.id in imported and target.value.id not in local
                                and ast.unparse(target) not in FOREIGN_ATTRIBUTE_WRITES.get(
                                    _rel(path), set())):
                            problems.append(f"{_rel(path)}:{node.lineno}: {ast.unparse(target)}")
    assert not problems, problems


#: Module-level memo caches (``functools.cache`` / ``lru_cache``). Shared by every session, which
#: is right only for pure functions of their arguments returning immutable values.
ALLOWED_MEMOS = {
    "ui/content.py:_english",                # tuple of str: the paragraphs of a content/*.md file
    "ui/content.py:_has_teacher_twin",       # bool: whether content/<name>.teacher.md exists
    "ui/sequence.py:ready_made_title",       # str: the ready-made sequence's title (message id)
    "ui/sequence.py:ready_made_details",     # read-only mapping of (int, str) tuples
    "ui/gradient_flow.py:_sentences",  # (name, language) → templates from content/ (never written)
    "ui/lessons.py:scenarios",               # tuple of frozen dataclasses from content/lessons/
    "ui/lessons.py:quiz",                    # the same for the quiz
    "ui/activation_picker.py:compiled_custom",  # frozen Activation of an expression text
    "lstm_core/stocks.py:_table",            # the stock prices file: dates (tuple), read-only array
    "lstm_core/study.py:code_key",           # digest of the spec and the code files: a str
    "viz/theme.py:_default_template",        # Plotly's template (dict, copied on every use)
    "viz/theme.py:_layout_property_names",   # frozenset of go.Layout's property names
}


def test_memo_caches_are_pure_and_listed():
    found = set()
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef):
                for deco in node.decorator_list:
                    target = deco.func if isinstance(deco, ast.Call) else deco
                    name = target.id if isinstance(target, ast.Name) else getattr(target,
                                                                                  "attr", "")
                    if name in ("cache", "lru_cache", "cached_property"):
                        found.add(f"{_rel(path)}:{node.name}")
                        body = ast.unparse(node)
                        assert "session_state" not in body and "query_params" not in body, (
                            f"{_rel(path)}:{node.name} reads per-session data")
    assert found == set(ALLOWED_MEMOS), (
        "memo caches changed: check each new one is a pure function of its arguments and "
        f"returns an immutable value, then list it: {sorted(found ^ set(ALLOWED_MEMOS))}")


def test_cache_resource_is_not_used_for_per_user_data():
    """``st.cache_resource`` hands the *same object* to every session (and ``st.cache_data``
    copies). This app has nothing that needs it (no model to load, no connection); any use is
    a review point, so the test lists every one and fails when a new one appears."""
    uses = [f"{_rel(p)}:{n}" for p in [*_modules(), *(ROOT / "pages").glob("*.py"),
                                        ROOT / "app.py"]
            for n, line in enumerate(p.read_text().splitlines(), start=1)
            if "cache_resource" in line]
    assert uses == [], uses


def test_cache_data_functions_do_not_read_the_session():
    """An ``st.cache_data`` result is shared by every session with the same arguments, so the
    function must not read ``st.session_state`` or ``st.query_params`` (results would leak)."""
    problems = []
    for path in [*_modules(), *(ROOT / "pages").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef):
                continue
            decorated = any("cache_data" in ast.unparse(d) for d in node.decorator_list)
            if decorated and re.search(r"session_state|query_params|st\.context",
                                       ast.unparse(node)):
                problems.append(f"{_rel(path)}:{node.name}")
    assert not problems, problems
