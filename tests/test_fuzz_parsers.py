"""Hypothesis fuzzing of every parser of outside input, plus adversarial inputs for each.

Parsers: typed sequences and CSV bytes (``lstm_core.sequences``), ``.npz`` weights
(``lstm_core.weights``), the custom expression (``lstm_core.expressions``), every page's URL
parameters (``PageState.from_query``; ``tests/test_state.py`` fuzzes random names, this file
fuzzes each class's own field names with values aimed at each field's kind and limits) and view
files (``ui.share.parse_view_file``).

Each call must return or raise the module's friendly error (nothing else) within
``CPU_LIMIT`` of CPU time. CPU time of this thread (``time.thread_time``), not wall time: the
limit is about the work a parser does, and a loaded test machine stretches wall time; a much
larger wall-clock bound still catches a hang. Hypothesis' own deadline is off for the same
reason.

The adversarial cases at the end also check that no file appears in the working directory or the
temporary directory while they run (``no_files_written``).
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import math
import os
import signal
import tempfile
import threading
import time
import zipfile
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from test_state import PAGE_STATES

from lstm_core import GRU, LSTM, RNN
from lstm_core.analysis import max_abs_derivative, property_row, saturation
from lstm_core.cells import WeightShapeError
from lstm_core.expressions import ExpressionError, custom_activation, parse_expression
from lstm_core.sequences import (
    MAX_INPUT_SIZE,
    MAX_STEPS,
    InputError,
    parse_sequence_csv,
    parse_sequence_text,
)
from lstm_core.weights import load_state_dict_npz
from ui.share import PAGE_FILES, ViewFileError, parse_view_file
from ui.state import IGNORED_PARAMS, PageState

CPU_LIMIT = 0.1   # seconds of CPU per parser call (the 100 ms)
WALL_LIMIT = 5.0  # a hang, whatever the machine's load
#: Examples per fuzz test; ``LENS_FUZZ_EXAMPLES=5000 pytest tests/test_fuzz_parsers.py`` digs
#: deeper (about 3 minutes per 4,000).
EXAMPLES = int(os.environ.get("LENS_FUZZ_EXAMPLES", "200"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


class Hang(Exception):
    """A parser call ran past WALL_LIMIT and was interrupted."""


@contextlib.contextmanager
def _alarm(seconds: float):
    """Interrupt the block with :class:`Hang` after ``seconds`` (a hang fails, not blocks)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def ring(signum, frame):
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def timed(fn, *args, allowed: type[Exception] | tuple = (), cpu_limit: float = CPU_LIMIT):
    """``fn(*args)``: its result, or the allowed exception it raised; fails when slow.

    The garbage collector is paused during the call: a collection of Hypothesis' own garbage
    (100+ ms now and then) is not the parser's work.
    """
    gc.disable()
    with _alarm(WALL_LIMIT):
        cpu, wall = time.thread_time(), time.perf_counter()
        try:
            result = fn(*args)
        except allowed as err:
            result = err
        finally:
            cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
            gc.enable()
    name = getattr(fn, "__name__", fn)
    assert cpu < cpu_limit, f"{name} took {cpu * 1000:.0f} ms of CPU"
    assert wall < WALL_LIMIT, f"{name} took {wall:.1f} s"
    return result


def friendly(err: Exception) -> None:
    """A friendly message: one line, not empty, not a Python repr of bytes, bounded."""
    message = str(err)
    assert message and "\n" not in message and len(message) < 600, message
    assert "Traceback" not in message and "b'" not in message[:5]


# --- typed sequences -----------------------------------------------------------------------------

NUMBERISH = "0123456789.eE+-−, ;\n\t\r" + "nafiNIxX_" + "٣１\u00a0\u2028\x00"
number_text = st.lists(
    st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr),
              st.integers(-10**30, 10**30).map(str),
              st.sampled_from(["nan", "-inf", "1e309", "1,5", "0x1", "1_0", "−2", ".", "e", ""])),
    max_size=60,
).flatmap(lambda tokens: st.sampled_from([", ", " ", "\n", ";", ",", "\t"]).map(
    lambda sep: sep.join(tokens)))


@FUZZ
@given(text=st.one_of(st.text(alphabet=NUMBERISH, max_size=400), st.text(max_size=200),
                      number_text),
       input_size=st.integers(-1, MAX_INPUT_SIZE + 2))
def test_fuzz_sequence_text(text, input_size):
    result = timed(parse_sequence_text, text, input_size, allowed=InputError)
    if isinstance(result, InputError):
        friendly(result)
        return
    assert result.dtype == np.float64 and result.ndim == 2
    assert 1 <= result.shape[0] <= MAX_STEPS and result.shape[1] == input_size
    assert np.isfinite(result).all()


# --- CSV bytes -----------------------------------------------------------------------------------

CELLS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**6, 10**6).map(str),
    st.sampled_from(["", "x", "=1+2", "+1", "-1", "@SUM(A1)", "=cmd|' /C calc'!A0", '"1"',
                     "<img src=x onerror=alert(1)>", "1e400", "NaN", "−3", "1,5", "é"]),
    st.text(max_size=8),
)


@st.composite
def csv_files(draw) -> bytes:
    rows = draw(st.lists(st.lists(CELLS, min_size=1, max_size=6), min_size=0, max_size=30))
    delimiter = draw(st.sampled_from([",", ";", "\t", " ", "  "]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r", "\n\n"]))
    text = newline.join(delimiter.join(row) for row in rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16", "cp1252"]))
    return text.encode(encoding, errors="replace")


@FUZZ
@given(data=st.one_of(st.binary(max_size=3000), csv_files()))
def test_fuzz_csv_bytes(data):
    result = timed(parse_sequence_csv, data, allowed=InputError)
    if isinstance(result, InputError):
        friendly(result)
        return
    assert result.dtype == np.float64 and result.ndim == 2
    assert 1 <= result.shape[0] <= MAX_STEPS and 1 <= result.shape[1] <= MAX_INPUT_SIZE
    assert np.isfinite(result).all()


# --- .npz weights --------------------------------------------------------------------------------


def npz_bytes(compressed: bool = False, **arrays) -> bytes:
    buf = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buf, **arrays)
    return buf.getvalue()


VALID_NPZ = [
    npz_bytes(compressed, **cls.random(2, 3, np.random.default_rng(0)).to_pytorch())
    for cls in (LSTM, GRU, RNN) for compressed in (False, True)
]
CELL_TYPE = st.sampled_from(["LSTM", "GRU", "RNN"])


def _check_weights(result, cell_type: str) -> None:
    if isinstance(result, WeightShapeError):
        friendly(result)
        return
    assert set(result) == {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"}
    assert all(v.dtype == np.float64 and np.isfinite(v).all() for v in result.values())
    hidden = result["weight_hh_l0"].shape[1]
    assert 1 <= hidden <= 16 and 1 <= result["weight_ih_l0"].shape[1] <= 4, cell_type


@FUZZ
@given(data=st.binary(max_size=2000), cell_type=CELL_TYPE)
def test_fuzz_npz_random_bytes(data, cell_type):
    result = timed(load_state_dict_npz, data, cell_type, allowed=WeightShapeError)
    _check_weights(result, cell_type)


@FUZZ
@given(base=st.sampled_from(VALID_NPZ), cell_type=CELL_TYPE,
       edits=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)),
                      min_size=1, max_size=6),
       cut=st.one_of(st.none(), st.floats(0, 1)))
def test_fuzz_npz_mutated(base, cell_type, edits, cut):
    data = bytearray(base)
    for where, byte in edits:
        data[int(where * len(data))] = byte
    if cut is not None:
        data = data[: int(cut * len(data))]
    result = timed(load_state_dict_npz, bytes(data), cell_type, allowed=WeightShapeError)
    _check_weights(result, cell_type)


KEYS = st.one_of(st.sampled_from(["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                                  "lstm.weight_ih_l0", "weight_ih_l1", "weight_ih_l0_reverse"]),
                 st.text(min_size=1, max_size=12).filter(lambda k: "/" not in k))
DTYPES = st.one_of(hnp.floating_dtypes(), hnp.integer_dtypes(), hnp.unsigned_integer_dtypes(),
                   hnp.complex_number_dtypes(), hnp.boolean_dtypes(), hnp.datetime64_dtypes(),
                   hnp.byte_string_dtypes(max_len=4), hnp.unicode_string_dtypes(max_len=4))


@FUZZ
@given(arrays=st.dictionaries(
    KEYS, hnp.arrays(DTYPES, hnp.array_shapes(min_dims=0, max_dims=3, max_side=20)), max_size=6),
    cell_type=CELL_TYPE)
def test_fuzz_npz_arbitrary_arrays(arrays, cell_type):
    try:
        data = npz_bytes(**arrays)
    except (ValueError, OSError):  # names NumPy itself cannot store
        return
    result = timed(load_state_dict_npz, data, cell_type, allowed=WeightShapeError)
    _check_weights(result, cell_type)


# --- URL parameters of every page state ----------------------------------------------------------


def _values_for(spec) -> st.SearchStrategy:
    """Parameter text aimed at one field: valid values, edges, just outside, junk."""
    meta, junk = spec.metadata, st.text(max_size=30)
    kind = meta["kind"]
    if kind in ("int", "float"):
        lo, hi = meta["lo"], meta["hi"]
        near = st.sampled_from([lo, hi, lo - 1, hi + 1, (lo + hi) / 2, lo - 1e-9, hi + 1e-9])
        return st.one_of(near.map(repr), near.map(lambda v: str(int(v))),
                         st.floats(allow_nan=True, allow_infinity=True).map(repr),
                         st.sampled_from(["1e308", "-0", "0x10", "1_0", " 5 ", "٣", "5.0"]),
                         junk)
    if kind == "choice":
        return st.one_of(st.sampled_from(meta["options"]), junk,
                         st.sampled_from(meta["options"]).map(str.upper))
    if kind == "choices":
        return st.one_of(
            st.lists(st.sampled_from(meta["options"]), max_size=len(meta["options"]) + 2)
            .map(",".join), junk, st.just(","), st.just(""))
    if kind == "flag":
        return st.sampled_from(["0", "1", "true", "false", "yes", "", "2", "TRUE"])
    return st.one_of(junk, st.text(min_size=meta["max_chars"] - 1, max_size=meta["max_chars"] + 1))


def _check_limits(state: PageState) -> None:
    """Every field of ``state`` holds a value its declaration allows."""
    for spec in fields(state):
        value, meta = getattr(state, spec.name), spec.metadata
        kind = meta["kind"]
        if kind == "int":
            assert type(value) is int and meta["lo"] <= value <= meta["hi"], spec.name
        elif kind == "float":
            assert math.isfinite(value) and meta["lo"] <= value <= meta["hi"], spec.name
        elif kind == "choice":
            assert value in meta["options"], spec.name
        elif kind == "choices":
            assert set(value) <= set(meta["options"]) and len(set(value)) == len(value)
            assert meta["min_count"] <= len(value) <= meta["max_count"], spec.name
        elif kind == "flag":
            assert type(value) is bool, spec.name
        else:
            assert isinstance(value, str) and len(value) <= meta["max_chars"], spec.name


@st.composite
def page_params(draw, cls):
    specs = {spec.name: spec for spec in fields(cls)}
    params = {}
    for name in draw(st.lists(st.sampled_from(sorted(specs)), max_size=8, unique=True)):
        value = draw(_values_for(specs[name]))
        params[name] = draw(st.sampled_from([value, [value], ["x", value], []]))
    extra = draw(st.dictionaries(
        st.one_of(st.sampled_from(sorted(IGNORED_PARAMS)), st.text(max_size=50)),
        st.one_of(st.text(max_size=20), st.none(), st.integers(), st.just("x" * 3000)),
        max_size=3))
    return {**extra, **params}


@pytest.mark.parametrize("cls", PAGE_STATES, ids=lambda c: c.__name__)
def test_page_state_defaults_obey_their_own_limits(cls):
    _check_limits(cls())


@pytest.mark.parametrize("cls", PAGE_STATES, ids=lambda c: c.__name__)
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fuzz_page_state_fields(cls, data):
    params = data.draw(page_params(cls))
    state, notices = timed(cls.from_query, params)
    assert isinstance(state, cls)
    _check_limits(state)
    for notice in notices:  # shown as Markdown: one line, the name in one code span
        assert isinstance(notice, str) and "\n" not in notice and len(notice) < 200
        assert notice.count("`") in (0, 2), notice
    again, ignored = cls.from_query(state.to_query())
    assert again == state and ignored == []
    assert cls.from_values({s.name: getattr(state, s.name) for s in fields(cls)}) == state


# --- custom expressions --------------------------------------------------------------------------

ATOMS = st.one_of(st.just("x"), st.sampled_from(["pi", "e", "0", "1", "2.5", "1e6", "1e-6", "-0.0",
                                                  "1e300", "0.5"]),
                  st.floats(-1e6, 1e6, allow_nan=False).map(repr))
UNARY = ["exp", "expm1", "log", "log1p", "sqrt", "abs", "sign", "sin", "cos", "tan", "arctan",
         "sinh", "cosh", "tanh", "sigmoid", "softplus", "relu"]


def _extend(inner: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "**"]), inner)
        .map(lambda t: f"({t[0]}{t[1]}{t[2]})"),
        st.tuples(st.sampled_from(UNARY), inner).map(lambda t: f"{t[0]}({t[1]})"),
        st.tuples(st.sampled_from(["maximum", "minimum"]), inner, inner)
        .map(lambda t: f"{t[0]}({t[1]}, {t[2]})"),
        st.tuples(inner, inner, inner).map(lambda t: f"clip({t[0]}, {t[1]}, {t[2]})"),
        st.tuples(inner, st.sampled_from(["<", "<=", ">", ">="]), inner, inner, inner)
        .map(lambda t: f"where({t[0]} {t[1]} {t[2]}, {t[3]}, {t[4]})"),
        inner.map(lambda a: f"-{a}"),
    )


EXPRESSIONS = st.recursive(ATOMS, _extend, max_leaves=25)


@FUZZ
@given(text=st.one_of(EXPRESSIONS, st.text(max_size=250)))
def test_fuzz_expressions_parse_fast(text):
    result = timed(parse_expression, text, allowed=ExpressionError)
    if isinstance(result, ExpressionError):
        friendly(result)
        return
    x = np.linspace(-20.0, 20.0, 801)  # the Activation Lab's widest grid
    values = timed(result, x)
    assert values.shape == x.shape and values.dtype == np.float64


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=EXPRESSIONS)
def test_fuzz_valid_expressions_through_the_whole_activation_lab(text):
    """What the page does with an accepted expression: derivatives, measured flags, saturation,
    the property row. No RuntimeWarning (pytest turns them into errors), bounded work."""
    act = timed(custom_activation, text, allowed=ExpressionError, cpu_limit=0.5)
    if isinstance(act, ExpressionError):
        friendly(act)
        return
    timed(property_row, act, 0.05, cpu_limit=0.5)
    timed(saturation, act.d1, 0.05, cpu_limit=0.5)
    timed(max_abs_derivative, act.d1, cpu_limit=0.5)


# --- view files ----------------------------------------------------------------------------------

JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
              st.text(max_size=20)),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=15,
)


@st.composite
def view_files(draw) -> bytes:
    view = {"app": draw(st.sampled_from(["lstm-lens", "LSTM-lens", 1, None])),
            "page": draw(st.one_of(st.sampled_from(sorted(PAGE_FILES)), JSON,
                                   st.sampled_from(["../app", "/etc/passwd", "pages/x.py",
                                                    "compare/../../x", "https://evil.example"]))),
            "params": draw(st.one_of(st.dictionaries(st.text(max_size=10), st.text(max_size=20),
                                                     max_size=5), JSON))}
    for key in draw(st.lists(st.sampled_from(sorted(view)), max_size=2)):
        view.pop(key, None)
    return json.dumps(view).encode()


@FUZZ
@given(data=st.one_of(st.binary(max_size=500), JSON.map(lambda v: json.dumps(v).encode()),
                      view_files()))
def test_fuzz_view_files(data):
    result = timed(parse_view_file, data, allowed=ViewFileError)
    if isinstance(result, ViewFileError):
        friendly(result)
        return
    page_file, params = result
    assert page_file in PAGE_FILES.values()
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in params.items())


# --- adversarial inputs --------------------------------------------------------------------------


def _listing(folder: Path) -> set[str]:
    try:
        return {entry.name for entry in os.scandir(folder)}
    except OSError:
        return set()


@pytest.fixture
def no_files_written(tmp_path, monkeypatch):
    """Run in an empty working directory; fail if it or the temp directory gains an entry."""
    monkeypatch.chdir(tmp_path)
    temp = Path(tempfile.gettempdir())
    before = _listing(temp)
    yield
    assert _listing(tmp_path) == set(), "a file was written in the working directory"
    # Other processes (browsers, servers) may use /tmp too: only names an attack could pick.
    new = {name for name in _listing(temp) - before if name in {"p", "pwned", "x", "out"}}
    assert not new, f"written in {temp}: {new}"


EXPRESSION_ATTACKS = [  # beyond tests/test_expressions.py's list
    "__import__('os').system('touch pwned')",
    "exp(x).tofile('pwned')",
    "open('pwned', 'w').write('1')",
    "maximum(x, 0, x)",           # a positional `out` for a 2-argument ufunc
    "clip(x, 0, 1, x)",           # … and for clip
    "where(x < 0, x, x, x)",
    "exp(x, out=(x,))",
    "exp(x, **{'out': x})",
    "sin(x, where=x > 0)",
    "x @ x",
    "x % 0", "x // 0", "~x", "not x", "x and x", "x if x > 0 else 0",
    "(y := x)", "f'{x}'", "x[::-1]", "x.T", "e.real", "pi.__class__",
    "lambda: x", "[x][0]", "{x}", "x;1", "x\nimport os",
    "еxp(x)",                       # Cyrillic е
    "x\u200b+1",                    # zero-width space
    "x\u202e+1",                    # right-to-left override
    "ｅｘｐ(ｘ)",                     # full-width
    "exp(x)\u00a0",                 # no-break space
    "1e6**1e6**1e6",
    "exp(exp(exp(exp(x))))",
    "x**1e6", "x**-1e6", "(-8)**(1/3) + x", "0/0 + x", "1/(x - x)",
    "sinh(1e6*x)", "tan(pi/2) * x",
    "tanh(" * 31 + "x" + ")" * 31,  # one level past the depth cap
    "+".join(["x"] * 99),           # the node cap
    "-" * 199 + "x",
    "1" * 199,
    "9" * 200,
    "(((((((((((((((((((((((((((((((((((((((((((((((((x)))))))))))))))))))))))))))))))))))))))))))))))))",
    "x" * 201,
]


@pytest.mark.parametrize("text", EXPRESSION_ATTACKS, ids=lambda t: repr(t[:20]))
def test_adversarial_expressions(text, no_files_written):
    result = timed(custom_activation, text, allowed=ExpressionError, cpu_limit=0.5)
    if isinstance(result, ExpressionError):
        friendly(result)
        return
    x = np.array([-1e6, -3.0, 0.0, 0.5, 3.0, 1e6])
    before = x.copy()
    values = timed(result.f, x)
    assert values.dtype == np.float64 and values.shape == x.shape
    np.testing.assert_array_equal(x, before)  # the input was never written to


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_STORED,
         encrypted: bool = False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = method
            info.flag_bits |= 0x1 if encrypted else 0  # "encrypted, password required"
            archive.writestr(info, data)
    return buf.getvalue()


def _npy_header(shape, descr: object = "<f8") -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False,
                                               "shape": shape})
    return buf.getvalue()


GOOD = LSTM.random(1, 2, np.random.default_rng(0)).to_pytorch()
NPZ_ATTACKS = {
    "zip bomb (deflate)": _zip({"weight_ih_l0.npy": _npy_header((2_000_000,)) + bytes(16_000_000)},
                               zipfile.ZIP_DEFLATED),
    "zip bomb (lzma)": _zip({"weight_ih_l0.npy": _npy_header((2_000_000,)) + bytes(16_000_000)},
                            zipfile.ZIP_LZMA),
    "declares 10^12 values": _zip({"weight_ih_l0.npy": _npy_header((10**12,)),
                                   "weight_hh_l0.npy": _npy_header((8, 2)) + bytes(128)}),
    "declares 10^9 values": _zip({"weight_ih_l0.npy": _npy_header((10**9,))}),
    "negative shape": _zip({"weight_ih_l0.npy": _npy_header((-1,))}),
    "thousands of members": _zip({f"k{i}.npy": _npy_header((1,)) + bytes(8) for i in range(3000)}),
    "pickled object array": npz_bytes(weight_ih_l0=np.array([{"a": 1}], dtype=object),
                                      weight_hh_l0=GOOD["weight_hh_l0"]),
    "raw pickle": b"\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00\x8c\x02os\x94\x8c\x06system\x94.",
    "plain .npy": (lambda: (np.save(b := io.BytesIO(), GOOD["weight_ih_l0"]), b.getvalue())[1])(),
    "nested zip": _zip({"weight_ih_l0.npy": npz_bytes(**GOOD)}),
    "member outside (../)": _zip({"../../pwned.npy": _npy_header((1,)) + bytes(8)}),
    "absolute member": _zip({"/tmp/pwned.npy": _npy_header((1,)) + bytes(8)}),
    "NaN weights": npz_bytes(**{**GOOD, "bias_ih_l0": np.full(8, np.nan)}),
    "0-d arrays": npz_bytes(weight_ih_l0=np.float16(0), weight_hh_l0=np.float16(0)),
    "1-D weights": npz_bytes(weight_ih_l0=np.zeros(8), weight_hh_l0=np.zeros((8, 2))),
    "H = 0": npz_bytes(weight_ih_l0=np.zeros((0, 1)), weight_hh_l0=np.zeros((0, 0))),
    "H = 17": npz_bytes(**LSTM.random(1, 17, np.random.default_rng(0)).to_pytorch()),
    "D = 5": npz_bytes(**LSTM.random(5, 2, np.random.default_rng(0)).to_pytorch()),
    "two layers": npz_bytes(**GOOD, weight_ih_l1=GOOD["weight_ih_l0"]),
    "encrypted": _zip({"weight_ih_l0.npy": _npy_header((8, 1)) + bytes(64)}, encrypted=True),
    "header eval attempt": _zip({"weight_ih_l0.npy": _npy_header((1,), "__import__('os')")}),
    "deep header": _zip({"weight_ih_l0.npy": b"\x93NUMPY\x01\x00" + (1000).to_bytes(2, "little")
                         + b"[" * 999 + b"\n"}),
    "huge key name": npz_bytes(**GOOD, **{"<img src=x onerror=alert(1)>" * 50: np.zeros(1)}),
    "empty": b"",
    "over 1 MB": bytes(1_000_001),
}


@pytest.mark.parametrize("name", sorted(NPZ_ATTACKS))
def test_adversarial_npz(name, no_files_written):
    result = timed(load_state_dict_npz, NPZ_ATTACKS[name], "LSTM", allowed=WeightShapeError)
    assert isinstance(result, WeightShapeError), f"{name} was accepted"
    friendly(result)


CSV_ATTACKS = {
    "10^6 columns": ("1," * 499_999 + "1").encode(),
    "10^6 tab columns": b"\t" * 999_998 + b"1\n",
    "header of 10^6 names": ("a;" * 499_999 + "a\n1").encode()[:1_000_000],
    "10^6 columns in row 2": b"1\n" + b"1," * 499_000,
    "10^6 rows": b"1\n" * 499_999,
    "one 10^6-digit number": b"1" * 999_999,
    "formula cells": b"=cmd|' /C calc'!A0\n=1+2\n@SUM(A1)\n",
    "formula after header": b"x\n=HYPERLINK(\"http://evil.example\",\"click\")\n",
    "html header": b"<img src=x onerror=alert(1)>\n1\n2\n",
    "html cell": b"1\n<script>alert(1)</script>\n",
    "utf-16": "1\n2\n".encode("utf-16"),
    "binary": bytes(range(256)) * 100,
    "control characters": b"\x01\x02\x03" * 1000,
    "over 1 MB": b"1\n" * 500_001,
    "NaN": b"1\nnan\n",
    "1e400": b"1e400\n",
    "ragged": b"1,2\n3\n",
}


@pytest.mark.parametrize("name", sorted(CSV_ATTACKS))
def test_adversarial_csv(name, no_files_written):
    result = timed(parse_sequence_csv, CSV_ATTACKS[name], allowed=InputError)
    if name == "html header":  # a header row is skipped; only the numbers are kept
        assert result.tolist() == [[1.0], [2.0]]
        return
    assert isinstance(result, InputError), f"{name} was accepted"
    friendly(result)


TEXT_ATTACKS = {
    "huge string": "1, " * 3_000_000,
    "20k digits": "9" * 20_000,
    "huge exponent": "1e99999999999999999999",
    "injection": "__import__('os').system('touch pwned')",
    "unicode digits": "١٢٣, ٤",         # Arabic-Indic digits: Python reads them as numbers
    "full-width digits": "１, ２",
    "look-alike minus": "‐1, ‒2, –3",   # hyphen, figure dash, en dash: not minus signs
    "html": "<img src=x onerror=alert(1)>",
    "NaN": "1, nan",
    "inf": "1, -inf",
    "501 values": ", ".join(["1"] * 501),
    "zero-width": "1\u200b2",
}


@pytest.mark.parametrize("name", sorted(TEXT_ATTACKS))
def test_adversarial_typed_text(name, no_files_written):
    result = timed(parse_sequence_text, TEXT_ATTACKS[name], 1, allowed=InputError)
    if isinstance(result, InputError):
        friendly(result)
        assert name not in ("unicode digits", "full-width digits")
        return
    assert name in ("unicode digits", "full-width digits"), f"{name} was accepted"
    assert np.isfinite(result).all()


VIEW_ATTACKS = {
    "outside the app": {"app": "lstm-lens", "page": "../../etc/passwd"},
    "a page file path": {"app": "lstm-lens", "page": "pages/compare.py"},
    "a URL": {"app": "lstm-lens", "page": "https://evil.example/"},
    "page as a list": {"app": "lstm-lens", "page": ["compare"]},
    "page as an object": {"app": "lstm-lens", "page": {"compare": 1}},
    "params as a list": {"app": "lstm-lens", "page": "compare", "params": ["a"]},
    "nested params": {"app": "lstm-lens", "page": "compare", "params": {"steps": {"a": 1}}},
    "number params": {"app": "lstm-lens", "page": "compare", "params": {"steps": 5}},
    "not ours": {"app": "other", "page": "compare"},
}
VIEW_BYTES = {
    "deep nesting": b"[" * 50_000,
    "huge integer": b'{"app": "lstm-lens", "page": "compare", "x": ' + b"9" * 5000 + b"}",
    "over 20 kB": b" " * 20_001,
    "not UTF-8": b"\xff\xfe{}",
    "NaN literal": b'{"app": "lstm-lens", "page": NaN}',
    "duplicate keys": b'{"app": "lstm-lens", "page": "compare", "page": "../x"}',
}


@pytest.mark.parametrize("name", sorted(VIEW_ATTACKS) + sorted(VIEW_BYTES))
def test_adversarial_view_files(name, no_files_written):
    data = VIEW_BYTES.get(name) or json.dumps(VIEW_ATTACKS[name]).encode()
    result = timed(parse_view_file, data, allowed=ViewFileError)
    assert isinstance(result, ViewFileError), f"{name} was accepted: {result}"
    friendly(result)


def test_a_view_file_only_opens_pages_of_the_app():
    """Every accepted view opens one of the app's page files, whatever the params say."""
    for page, page_file in PAGE_FILES.items():
        view = {"app": "lstm-lens", "page": page, "params": {"page": "../../x", "steps": "9e9"}}
        assert parse_view_file(json.dumps(view).encode()) == (page_file, view["params"])
        assert (Path(__file__).resolve().parents[1] / page_file).is_file()
