"""Input sequences for a cell: named presets, typed text and CSV files, all as (T, D) arrays.

Every function returns a float64 array of shape (T, D) with 1 ≤ T ≤ :data:`MAX_STEPS` and
1 ≤ D ≤ :data:`MAX_INPUT_SIZE`, or raises :class:`InputError` whose message is one friendly
sentence that names the problem (the token, or the row and column). Messages are plain text:
whoever shows them in Markdown must escape them (the token is the user's own text).
"""

from __future__ import annotations

import math
import re

import numpy as np

from i18n import N_, Text

from .stocks import STOCKS, stock_sequence

MAX_STEPS = 500
MAX_INPUT_SIZE = 4
MAX_CSV_BYTES = 1_000_000
MAX_TEXT_CHARS = 20_000
#: Longest text read as one number (a float needs ~25 characters; "0.000…1" a few more).
MAX_NUMBER_CHARS = 100

#: Preset key → label shown to students.
PRESETS: dict[str, str] = {
    "constant": N_("constant"),
    "step": N_("step (switches on at T/4)"),
    "impulse": N_("impulse (one pulse at T/4)"),
    "sine": N_("sine wave"),
    "square": N_("square wave"),
    "ramp": N_("ramp (−A to A)"),
    "noise": N_("seeded noise"),
    "remember": N_("a spike to remember, then silence"),
    "stocks": N_("real weekly stock returns"),
}


class InputError(ValueError):
    """An input sequence that cannot be used; the message says why in one sentence."""


# --- presets -------------------------------------------------------------------------------------


def make_sequence(
    preset: str,
    steps: int,
    input_size: int = 1,
    seed: int = 0,
    amplitude: float = 1.0,
    period: int = 20,
    stock: str = "GOOG",
) -> np.ndarray:
    """The (steps, input_size) sequence of ``preset`` (a key of :data:`PRESETS`).

    With A = ``amplitude`` and t = 0 … T−1 the array row (step t + 1 on the page), column 0 is:
    constant A; step 0 before t = T//4 and A from there; impulse A at t = T//4 only;
    sine A·sin(2πt/period); square A for (t mod period) < period/2 and −A otherwise;
    ramp from −A to A in equal steps; noise A·N(0, 1) from ``numpy.random.default_rng(seed)``;
    remember A at t = 0 then 0.
    Column k > 0: sine and square are delayed by k·period/D steps, noise columns are independent
    draws, every other preset is column 0 times (−1)^k.
    ``"stocks"`` is real data and has its own length: the 104 weekly returns r_t of ``stock``
    (a key of :data:`~lstm_core.stocks.STOCKS`) as x_t = A·100·r_t, whatever ``steps``; column
    k > 0 is the k-th next stock (:func:`lstm_core.stocks.stock_sequence`).
    """
    if preset not in PRESETS:
        raise InputError(Text("unknown preset {preset}; choose one of {choices}",
                              preset=repr(preset), choices=", ".join(PRESETS)))
    _check_size(steps, input_size)
    if period < 2:
        raise InputError(Text("the period must be at least 2 steps"))
    a = float(amplitude)
    if preset == "stocks":
        if stock not in STOCKS:
            raise InputError(Text("unknown stock {stock}; choose one of {choices}",
                                  stock=shown(str(stock)), choices=", ".join(STOCKS)))
        return stock_sequence(stock, input_size, a)
    t = np.arange(steps, dtype=np.float64)
    if preset == "noise":
        return a * np.random.default_rng(seed).standard_normal((steps, input_size))
    if preset in ("sine", "square"):
        delays = np.arange(input_size) * period / input_size
        phase = 2.0 * np.pi * (t[:, None] - delays[None, :]) / period
        if preset == "sine":
            return a * np.sin(phase)
        return np.where(np.mod(t[:, None] - delays[None, :], period) < period / 2, a, -a)
    onset = steps // 4
    if preset == "constant":
        column = np.full(steps, a)
    elif preset == "step":
        column = np.where(t >= onset, a, 0.0)
    elif preset == "impulse":
        column = np.where(t == onset, a, 0.0)
    elif preset == "ramp":
        column = np.linspace(-a, a, steps) if steps > 1 else np.array([a])
    else:  # remember
        column = np.where(t == 0, a, 0.0)
    signs = (-1.0) ** np.arange(input_size)
    return column[:, None] * signs[None, :]


def _check_size(steps: int, input_size: int) -> None:
    if not 1 <= steps <= MAX_STEPS:
        raise InputError(Text("the sequence needs 1 to {limit} steps; asked for {steps}",
                              limit=MAX_STEPS, steps=steps))
    if not 1 <= input_size <= MAX_INPUT_SIZE:
        raise InputError(_input_size_error(input_size))


# --- typed text ----------------------------------------------------------------------------------

_VALUE_SEPARATORS = re.compile(r"[,;\s]+")
_ROW_SEPARATORS = re.compile(r"[;\n\r]+")
_FIELD_SEPARATORS = re.compile(r"[,\s]+")


def _input_size_error(input_size: int) -> Text:
    return Text("the input size D must be 1 to {limit}; asked for {size}", limit=MAX_INPUT_SIZE,
                size=input_size)


def shown(token: str, limit: int = 24) -> str:
    """A token as quoted in a message: at most ``limit`` characters, control characters as '?'."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in token)
    return f'"{clean[:limit]}…"' if len(clean) > limit else f'"{clean}"'


def parse_number(token: str, where: str) -> float:
    """``token`` as a finite float, or :class:`InputError` naming ``where`` it was found.

    Accepts what Python's ``float`` accepts plus the typographic minus "−" (as copied from
    this app's own pages).
    """
    if len(token) > MAX_NUMBER_CHARS:
        raise InputError(Text("{token} {where} is too long to be a number (over {limit} "
                              "characters)", token=shown(token), where=where,
                              limit=MAX_NUMBER_CHARS))
    try:
        value = float(token.replace("−", "-"))
    except ValueError:
        hint = Text(" (use a point as the decimal separator)") if re.fullmatch(
            r"[+\-−]?\d+,\d+", token) else ""
        raise InputError(Text("{token} {where} is not a number{hint}", token=shown(token),
                              where=where, hint=hint)) from None
    if math.isnan(value):
        raise InputError(Text("{token} {where} is NaN (not a number); use a finite value",
                              token=shown(token), where=where))
    if math.isinf(value):
        raise InputError(Text("{token} {where} is infinite; use a finite value",
                              token=shown(token), where=where))
    return value


def parse_sequence_text(text: str, input_size: int = 1) -> np.ndarray:
    """Typed values as a (T, input_size) array.

    D = 1: values separated by commas, spaces, semicolons or new lines (``0.5, -1 2; 3``).
    D > 1: one step per line (or separated by semicolons), that step's D values separated by
    commas or spaces (``0.5, 1`` newline ``-1, 0``).
    """
    if not 1 <= input_size <= MAX_INPUT_SIZE:
        raise InputError(_input_size_error(input_size))
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(Text("the text is {length:,} characters long; at most {limit:,} are "
                              "read", length=len(text), limit=MAX_TEXT_CHARS))
    if input_size == 1:
        tokens = [tok for tok in _VALUE_SEPARATORS.split(text) if tok]
        if not tokens:
            raise InputError(Text("no values were typed; type numbers such as 0.5, -1, 2"))
        if len(tokens) > MAX_STEPS:
            raise InputError(Text("{count} values were typed; at most {limit} steps are "
                                  "allowed", count=len(tokens), limit=MAX_STEPS))
        values = [parse_number(tok, Text("(value {k})", k=k))
                  for k, tok in enumerate(tokens, start=1)]
        return np.asarray(values, dtype=np.float64)[:, None]
    rows = [row for row in _ROW_SEPARATORS.split(text) if row.strip()]
    if not rows:
        raise InputError(Text("no values were typed; type one step per line, {size} numbers "
                              "per line", size=input_size))
    if len(rows) > MAX_STEPS:
        raise InputError(Text("{count} steps were typed; at most {limit} are allowed",
                              count=len(rows), limit=MAX_STEPS))
    out = np.empty((len(rows), input_size))
    for r, row in enumerate(rows, start=1):
        tokens = [tok for tok in _FIELD_SEPARATORS.split(row) if tok]
        if len(tokens) != input_size:
            message = N_("step {step} has {count} values; each step needs D = {size} (one step "
                       "per line)")
            if len(tokens) == 1:
                message = N_("step {step} has {count} value; each step needs D = {size} (one step "
                           "per line)")
            raise InputError(Text(message, step=r, count=len(tokens), size=input_size))
        for c, tok in enumerate(tokens):
            out[r - 1, c] = parse_number(tok, Text("(step {step}, value {k})", step=r, k=c + 1))
    return out


# --- CSV files -----------------------------------------------------------------------------------


_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise InputError(Text("the file looks binary (it contains NUL bytes); upload a "
                              "plain-text CSV saved as UTF-8"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")  # old spreadsheet exports; digits are the same in both
    controls = _CONTROL_CHARACTERS.subn("", text)[1]
    if controls > max(2, len(text) // 100):
        raise InputError(Text("the file looks binary (it contains control characters); "
                              "upload a plain-text CSV"))
    return text


def _delimiter(line: str) -> str | None:
    for delimiter in ("\t", ";", ","):
        if delimiter in line:
            return delimiter
    return None  # whitespace


def _cells(line: str, delimiter: str | None, limit: int = -1) -> list[str]:
    """The cells of ``line``; with ``limit``, at most limit + 1 (the last holds the rest)."""
    parts = line.split(delimiter, limit)
    return [part.strip().strip('"').strip() for part in parts]


def _width(line: str, delimiter: str | None) -> int:
    """How many cells ``line`` has, without splitting it (a row may hold 10⁶ delimiters)."""
    return line.count(delimiter) + 1 if delimiter else len(line.split())


def parse_sequence_csv(data: bytes) -> np.ndarray:
    """A CSV file as a (T, D) array: one row per step, one column per input feature (D ≤ 4).

    The delimiter is a tab, semicolon or comma (the first found in the first row) or else
    whitespace. The first row is a header if none of its cells is a number. Blank lines are
    skipped. Rows and columns in messages are counted as a spreadsheet shows them: row 1 is
    the file's first line (the header, if any), column 1 the first column.
    """
    if len(data) > MAX_CSV_BYTES:
        raise InputError(Text("the file is {size:.1f} MB; at most 1 MB is read",
                              size=len(data) / 1e6))
    if not data.strip():
        raise InputError(Text("the file is empty; it needs one row per step and one column "
                              "per input feature"))
    text = _decode(data)
    lines: list[tuple[int, str]] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            lines.append((n, line))
            if len(lines) > MAX_STEPS + 1:  # a header and MAX_STEPS steps fit; stop reading
                break
    if not lines:
        raise InputError(Text("the file has no rows with values"))
    truncated = len(lines) > MAX_STEPS + 1
    delimiter = _delimiter(lines[0][1])
    # The header test looks at the first few cells only (a row may hold 10⁶ of them).
    first = _cells(lines[0][1], delimiter, MAX_INPUT_SIZE + 1)
    if not any(_is_number(cell) for cell in first):
        lines = lines[1:]
        if not lines:
            raise InputError(Text("the file has a header row but no rows with values"))
    width = _width(lines[0][1], delimiter)
    if width > MAX_INPUT_SIZE:
        raise InputError(Text("row {row} has {width:,} columns; at most {limit} input "
                              "features (columns) are allowed", row=lines[0][0], width=width,
                              limit=MAX_INPUT_SIZE))
    if len(lines) > MAX_STEPS:
        if truncated:
            raise InputError(Text("the file has more than {limit} rows of values; at most "
                                  "{limit} steps are allowed", limit=MAX_STEPS))
        raise InputError(Text("the file has {count} rows of values; at most {limit} steps "
                              "are allowed", count=len(lines), limit=MAX_STEPS))
    out = np.empty((len(lines), width))
    for r, (row_number, line) in enumerate(lines):
        found = _width(line, delimiter)
        if found != width:
            message = N_("row {row} has {found:,} columns but row {first} has {width}; every "
                       "row needs the same number of columns")
            if found == 1:
                message = N_("row {row} has {found:,} column but row {first} has {width}; every "
                           "row needs the same number of columns")
            raise InputError(Text(message, row=row_number, found=found, first=lines[0][0],
                                  width=width))
        for c, cell in enumerate(_cells(line, delimiter)):
            where = Text("at row {row}, column {column}", row=row_number, column=c + 1)
            if not cell:
                raise InputError(Text("the cell {where} is empty", where=where))
            out[r, c] = parse_number(cell, where)
    return out


def _is_number(cell: str) -> bool:
    if len(cell) > MAX_NUMBER_CHARS:
        return False
    try:
        float(cell.replace("−", "-"))
    except ValueError:
        return False
    return True
