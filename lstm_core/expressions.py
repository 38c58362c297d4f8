"""A safe evaluator for a custom activation typed by a student, e.g. ``x/(1+abs(x))``.

The text is parsed with :mod:`ast` and checked against a whitelist; the checked tree is then turned
into a tree of small Python closures that call NumPy ufuncs. Nothing the student types is ever
passed to ``eval``, ``exec``, ``compile`` of code, SymPy or numexpr.

What is allowed (everything else is rejected with :class:`ExpressionError`):

* the name ``x`` and the constants ``pi`` and ``e``;
* finite int/float literals with magnitude at most ``MAX_LITERAL`` (1e6);
* binary ``+ - * / **``, unary ``-`` and ``+``, parentheses;
* calls with exactly the listed number of positional arguments (no keywords, so NumPy's
  positional ``out=`` can never be reached) to the functions in :data:`FUNCTIONS`;
* one comparison ``a < b``, ``a <= b``, ``a > b`` or ``a >= b``, and only as the first argument of
  ``where(condition, if_true, if_false)``.

Limits: at most 200 ASCII characters, 100 syntax-tree nodes and nesting depth 30. Every literal
becomes a float64 *before* any arithmetic, so ``9**9**9`` is a NumPy float power (it gives
``inf`` at once) and a Python integer power is never computed. Evaluation runs in float64 on a
private copy of ``x`` under ``np.errstate(all="ignore")``: results outside the float range become
``inf``/``nan``, which the caller reports.
"""

from __future__ import annotations

import ast
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from i18n import Text

from .activations import Activation
from .analysis import measured_properties

MAX_CHARS = 200
MAX_NODES = 100
MAX_DEPTH = 30
MAX_LITERAL = 1e6

Node = Callable[[np.ndarray], np.ndarray]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 + 0.5 * np.tanh(0.5 * z)


def _softplus(z: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, z)


def _relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


#: name → (function, number of arguments). Every function takes positional arrays only.
FUNCTIONS: dict[str, tuple[Callable[..., np.ndarray], int]] = {
    "exp": (np.exp, 1),
    "expm1": (np.expm1, 1),
    "log": (np.log, 1),
    "log1p": (np.log1p, 1),
    "sqrt": (np.sqrt, 1),
    "abs": (np.abs, 1),
    "sign": (np.sign, 1),
    "sin": (np.sin, 1),
    "cos": (np.cos, 1),
    "tan": (np.tan, 1),
    "arctan": (np.arctan, 1),
    "sinh": (np.sinh, 1),
    "cosh": (np.cosh, 1),
    "tanh": (np.tanh, 1),
    "sigmoid": (_sigmoid, 1),
    "softplus": (_softplus, 1),
    "relu": (_relu, 1),
    "maximum": (np.maximum, 2),
    "minimum": (np.minimum, 2),
    "clip": (np.clip, 3),
    "where": (np.where, 3),
}
CONSTANTS = {"pi": math.pi, "e": math.e}

_BINARY = {
    ast.Add: np.add,
    ast.Sub: np.subtract,
    ast.Mult: np.multiply,
    ast.Div: np.true_divide,
    ast.Pow: np.power,
}
_UNARY = {ast.USub: np.negative, ast.UAdd: np.positive}
_COMPARE = {ast.Lt: np.less, ast.LtE: np.less_equal, ast.Gt: np.greater, ast.GtE: np.greater_equal}

#: What a custom activation may use (a :class:`Text`, shown in the student's language).
ALLOWED_LIST = Text(
    "x, numbers, + - * / **, ( ), {functions} (one argument), maximum(a, b), minimum(a, b), "
    "clip(v, lo, hi), where(x < 0, a, b)",
    functions=" ".join(name for name, (_, arity) in FUNCTIONS.items() if arity == 1),
)
ALLOWED = Text("allowed: {list}", list=ALLOWED_LIST)


class ExpressionError(ValueError):
    """A custom activation that is not allowed or cannot be read; the message says why."""

    def __init__(self, problem: str) -> None:
        # args[0] is a Text: show ``_(err.args[0])`` (``str(err)`` is the English sentence).
        super().__init__(Text("{problem} — {allowed}.", problem=problem, allowed=ALLOWED))
        self.problem = problem


def _too_deep() -> Text:
    return Text("the expression is nested too deeply (over {n} levels)", n=MAX_DEPTH)


def _snippet(node: ast.AST, text: str) -> str:
    source = ast.get_source_segment(text, node) or type(node).__name__
    return source if len(source) <= 30 else source[:27] + "…"


class _Compiler:
    """Checks one parsed expression against the whitelist and builds its closure tree."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.nodes = 0

    def build(self, node: ast.AST, depth: int = 0) -> Node:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ExpressionError(Text("the expression is too long (over {n} parts)", n=MAX_NODES))
        if depth > MAX_DEPTH:
            raise ExpressionError(_too_deep())
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.Constant):
            return self._literal(node)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            ufunc = _BINARY[type(node.op)]
            left, right = self.build(node.left, depth + 1), self.build(node.right, depth + 1)
            return lambda x: ufunc(left(x), right(x))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            ufunc, operand = _UNARY[type(node.op)], self.build(node.operand, depth + 1)
            return lambda x: ufunc(operand(x))
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        if isinstance(node, ast.Compare):
            raise ExpressionError(Text(
                "a comparison ({snippet}) is only allowed inside where(…)",
                snippet=_snippet(node, self.text),
            ))
        raise ExpressionError(Text("`{snippet}` is not allowed", snippet=_snippet(node, self.text)))

    def _name(self, node: ast.Name) -> Node:
        if node.id == "x":
            return lambda x: x
        if node.id in CONSTANTS:
            value = np.float64(CONSTANTS[node.id])
            return lambda x: value
        if node.id in FUNCTIONS:
            raise ExpressionError(Text("`{name}` is a function: write {name}(…)", name=node.id))
        raise ExpressionError(Text("unknown name `{name}` (the variable is x)", name=node.id[:20]))

    def _literal(self, node: ast.Constant) -> Node:
        raw = node.value
        # bool is an int subclass; strings, bytes, None, complex and ... are all refused.
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            raise ExpressionError(Text("`{snippet}` is not a number",
                                       snippet=_snippet(node, self.text)))
        if isinstance(raw, float) and not math.isfinite(raw):
            raise ExpressionError(Text("`{snippet}` is not a finite number",
                                       snippet=_snippet(node, self.text)))
        if abs(raw) > MAX_LITERAL:  # int vs float comparison is exact and never overflows
            raise ExpressionError(Text("numbers must be at most {limit:g} in size",
                                       limit=MAX_LITERAL))
        value = np.float64(raw)
        return lambda x: value

    def _call(self, node: ast.Call, depth: int) -> Node:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            name = _snippet(node.func, self.text)
            raise ExpressionError(Text("`{name}(…)` is not an allowed function", name=name))
        name = node.func.id
        function, arity = FUNCTIONS[name]
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise ExpressionError(
                Text("{name}(…) takes plain arguments only, no names or *", name=name)
            )
        if len(node.args) != arity:
            raise ExpressionError(
                Text("{name}(…) takes exactly {arity} arguments, not {given}",
                     name=name, arity=arity, given=len(node.args)) if arity > 1 else
                Text("{name}(…) takes exactly {arity} argument, not {given}",
                     name=name, arity=arity, given=len(node.args))
            )
        args = []
        for position, arg in enumerate(node.args):
            if name == "where" and position == 0:
                args.append(self._condition(arg, depth + 1))
            else:
                args.append(self.build(arg, depth + 1))
        if arity == 1:
            (a,) = args
            return lambda x: function(a(x))
        if arity == 2:
            a, b = args
            return lambda x: function(a(x), b(x))
        a, b, c = args
        return lambda x: function(a(x), b(x), c(x))

    def _condition(self, node: ast.AST, depth: int) -> Node:
        self.nodes += 1
        if (
            not isinstance(node, ast.Compare)
            or len(node.ops) != 1
            or type(node.ops[0]) not in _COMPARE
        ):
            raise ExpressionError(
                Text("where(…)'s first argument must be one comparison with < <= > or >=")
            )
        compare = _COMPARE[type(node.ops[0])]
        left = self.build(node.left, depth + 1)
        right = self.build(node.comparators[0], depth + 1)
        return lambda x: compare(left(x), right(x))


@dataclass(frozen=True)
class CompiledExpression:
    """A checked custom activation: call it on an array to get float64 values of the same shape."""

    text: str
    _root: Node = field(repr=False, compare=False)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        private = np.array(x, dtype=np.float64, copy=True)
        with np.errstate(all="ignore"):
            result = self._root(private)
        return np.array(np.broadcast_to(result, private.shape), dtype=np.float64)


def parse_expression(text: str) -> CompiledExpression:
    """Check ``text`` against the whitelist and compile it; raises :class:`ExpressionError`."""
    if not isinstance(text, str):
        raise ExpressionError(Text("the expression must be text"))
    if len(text) > MAX_CHARS:
        raise ExpressionError(
            Text("the expression is longer than {n} characters", n=MAX_CHARS)
        )
    if not text.isascii():
        bad = next(ch for ch in text if not ch.isascii())
        raise ExpressionError(
            Text("the character `{character}` is not allowed (plain ASCII only)", character=bad)
        )
    text = text.strip()
    if not text:
        raise ExpressionError(Text("the expression is empty"))
    try:
        with warnings.catch_warnings():  # e.g. "1x" warns "invalid decimal literal" on stderr
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise ExpressionError(
            Text("the expression cannot be read (check the brackets and operators)")
        ) from None
    try:
        root = _Compiler(text).build(tree.body)
    except RecursionError:
        raise ExpressionError(_too_deep()) from None
    return CompiledExpression(text, root)


#: Finite-difference steps, relative to max(1, |x|): about eps^(1/3) for the central first
#: difference and eps^(1/4) for the second difference (truncation ≈ rounding error).
D1_STEP = 2.0**-17  # ≈ 7.6e-6
D2_STEP = 2.0**-13  # ≈ 1.2e-4


def _steps(x: np.ndarray, relative: float) -> np.ndarray:
    h = relative * np.maximum(1.0, np.abs(x))
    return (x + h) - x  # a step that is exactly representable at x


def _numerical_d1(f: CompiledExpression) -> Callable[[np.ndarray], np.ndarray]:
    def d1(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        h = _steps(x, D1_STEP)
        with np.errstate(all="ignore"):
            return (f(x + h) - f(x - h)) / (2.0 * h)

    return d1


def _numerical_d2(f: CompiledExpression) -> Callable[[np.ndarray], np.ndarray]:
    def d2(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        h = _steps(x, D2_STEP)
        with np.errstate(all="ignore"):
            return (f(x + h) - 2.0 * f(x) + f(x - h)) / (h * h)

    return d2


def custom_activation(text: str) -> Activation:
    """The :class:`Activation` for a typed expression: numerical derivatives, measured flags.

    Raises :class:`ExpressionError` if the text is not allowed or gives no finite value on
    [−5, 5].
    """
    f = parse_expression(text)
    if not np.isfinite(f(np.linspace(-5.0, 5.0, 101))).any():
        raise ExpressionError(
            Text("`{expression}` gives no finite value for x in [−5, 5]", expression=f.text[:30])
        )
    d1, d2 = _numerical_d1(f), _numerical_d2(f)
    props = measured_properties(f, d1, d2)
    return Activation(
        key="custom",
        name=Text("custom: {expression}", expression=f.text),
        latex=r"\text{custom}",
        f=f,
        d1=d1,
        d2=d2,
        output_range=props.output_range,
        zero_centred=props.zero_centred,
        bounded=props.bounded,
        monotonic=props.monotonic,
        smooth=props.smooth,
        custom=True,
        range_closed=props.range_closed,
    )
