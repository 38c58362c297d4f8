"""Weights from outside the app: a PyTorch ``state_dict`` saved as ``.npz``, or a hand-set LSTM.

How a student makes the file (one-layer ``nn.LSTM`` / ``nn.GRU`` / ``nn.RNN`` called ``model``)::

    np.savez("w.npz", **{k: v.numpy() for k, v in model.state_dict().items()})

The file is read with ``allow_pickle=False`` (an object array is refused, never unpickled); the
key, dtype and shape checks are the engine's own (``Cell.from_pytorch``, ``WeightShapeError``).
"""

from __future__ import annotations

import io
import lzma
import math
import zipfile
import zlib
from collections.abc import Mapping

import numpy as np
from numpy.lib import format as npformat

from i18n import N_, Text

from .activations import Activation
from .cells import CELL_TYPES, LSTM, PYTORCH_KEYS, WeightShapeError

MAX_NPZ_BYTES = 1_000_000
#: Largest total unpacked size of the arrays in an .npz (guards against a zip bomb).
MAX_NPZ_UNPACKED_BYTES = 8_000_000
#: Most arrays (zip members) read from one .npz: a state_dict has 4; a few more get a clear
#: "unexpected key" message, thousands of tiny members are refused before any is read.
MAX_NPZ_ARRAYS = 16
MAX_HIDDEN_SIZE = 16
MAX_INPUT_SIZE = 4

_GATE_COUNT_HINT = {4: N_("an LSTM"), 3: N_("a GRU"), 1: N_("a plain RNN")}
#: What reading a damaged or exotic zip member can raise (bad CRC or deflate stream, unknown
#: compression method or zip version, encryption, truncation, a malformed .npy header).
_DAMAGED_MESSAGE = Text("an array in the file is damaged and cannot be read")
_DAMAGED = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, NotImplementedError, RuntimeError,
            EOFError, OSError, KeyError, TypeError, SyntaxError, RecursionError, MemoryError)


def load_state_dict_npz(data: bytes, cell_type: str) -> dict[str, np.ndarray]:
    """The four float64 arrays of a one-layer PyTorch ``state_dict`` saved with ``np.savez``.

    Keys may carry one module prefix (``lstm.weight_ih_l0``). Raises :class:`WeightShapeError`
    with a one-sentence message for: a file that is not an ``.npz``, object arrays, missing,
    unknown or multi-layer keys, non-numeric or non-finite values, shapes that do not fit
    ``cell_type``, and sizes beyond D ≤ 4, H ≤ 16.
    """
    if cell_type not in CELL_TYPES:
        raise WeightShapeError(Text("unknown cell type {cell}", cell=repr(cell_type)))
    if len(data) > MAX_NPZ_BYTES:
        raise WeightShapeError(Text("the file is {size:.1f} MB; at most 1 MB is read",
                                    size=len(data) / 1e6))
    if not data:
        raise WeightShapeError(Text("the file is empty"))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
        unpacked = sum(info.file_size for info in members)
    except (*_DAMAGED, ValueError):
        raise WeightShapeError(
            Text("this is not an .npz file; save the weights with np.savez (see the recipe)")
        ) from None
    if len(members) > MAX_NPZ_ARRAYS:
        raise WeightShapeError(Text("the file holds {count} arrays; a one-layer cell's "
                                    "state_dict has {expected}", count=len(members),
                                    expected=len(PYTORCH_KEYS)))
    if unpacked > MAX_NPZ_UNPACKED_BYTES:
        raise WeightShapeError(Text("the arrays unpack to {size:.0f} MB; a one-layer cell with "
                                    "H ≤ 16 needs far less", size=unpacked / 1e6))
    _check_declared_sizes(archive, members)
    arrays = _read_arrays(data)
    state = _strip_prefix(arrays)
    unknown = sorted(set(state) - set(PYTORCH_KEYS))
    if unknown:
        layered = [k for k in unknown if k.endswith(("_l1", "_reverse")) or "_l1" in k]
        why = (Text("only a one-layer, one-direction cell is supported") if layered
               else Text("expected only {keys}", keys=", ".join(PYTORCH_KEYS)))
        message = (N_("unexpected keys {keys}: {why}") if len(unknown) > 1
                   else N_("unexpected key {keys}: {why}"))
        raise WeightShapeError(Text(message, keys=", ".join(_shown_key(k) for k in unknown[:4]),
                                    why=why))
    for key, value in state.items():  # the cells check sizes; they assume the dimensions
        dims = 2 if key.startswith("weight") else 1
        if np.ndim(value) != dims:
            raise WeightShapeError(Text("{key} has shape {shape}; it must be {kind}", key=key,
                                        shape=str(np.shape(value)),
                                        kind=N_("a 2-D matrix") if dims == 2
                                        else N_("a 1-D vector")))
    cls = CELL_TYPES[cell_type]
    try:
        cell = cls.from_pytorch(state)
    except WeightShapeError as err:
        raise WeightShapeError(Text("{problem}{hint}", problem=_message(err),
                                    hint=_cell_type_hint(state, cell_type))) from None
    params = cell.to_pytorch()
    for key, value in params.items():
        if not np.isfinite(value).all():
            raise WeightShapeError(Text("{key} holds NaN or infinite values", key=key))
    if not 1 <= cell.hidden_size <= MAX_HIDDEN_SIZE:
        raise WeightShapeError(Text("hidden size H = {size}; this page takes H = 1 to {limit}",
                                    size=cell.hidden_size, limit=MAX_HIDDEN_SIZE))
    if not 1 <= cell.input_size <= MAX_INPUT_SIZE:
        raise WeightShapeError(Text("input size D = {size}; this page takes D = 1 to {limit}",
                                    size=cell.input_size, limit=MAX_INPUT_SIZE))
    return params


def _check_declared_sizes(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> None:
    """Refuse arrays whose ``.npy`` header declares more than the unpacked-size cap.

    NumPy allocates the declared shape before it reads the data, so a 500-byte file claiming
    shape (10¹², ) would otherwise ask for terabytes (a MemoryError, or gigabytes of address
    space) before the short data is noticed.
    """
    declared = 0
    for info in members:
        if not info.filename.endswith(".npy"):
            continue  # np.load hands such members back as bytes, refused later as non-numeric
        try:
            with archive.open(info) as member:
                version = npformat.read_magic(member)
                if version == (1, 0):
                    shape, _, dtype = npformat.read_array_header_1_0(member)
                elif version == (2, 0):
                    shape, _, dtype = npformat.read_array_header_2_0(member)
                else:
                    raise ValueError(f"unsupported .npy version {version}")
        except Exception:  # an untrusted header: NumPy raises many kinds (tokenize, …)
            raise WeightShapeError(_DAMAGED_MESSAGE) from None
        declared += math.prod(abs(int(n)) for n in shape) * max(dtype.itemsize, 1)
        if declared > MAX_NPZ_UNPACKED_BYTES:
            raise WeightShapeError(Text("the arrays declare over {size:.0f} MB of values; a "
                                        "one-layer cell with H ≤ 16 needs far less",
                                        size=MAX_NPZ_UNPACKED_BYTES / 1e6))


def _read_arrays(data: bytes) -> dict[str, np.ndarray]:
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            return {key: npz[key] for key in npz.files}
    except ValueError as err:
        if "pickle" in str(err).lower() or "object" in str(err).lower():
            raise WeightShapeError(Text("the file holds object arrays (pickled Python "
                                        "objects), which are never loaded; save plain numeric "
                                        "arrays with v.numpy()")) from None
        raise WeightShapeError(Text("an array in the file cannot be read ({error})",
                                    error=str(err))) from None
    except _DAMAGED:
        raise WeightShapeError(_DAMAGED_MESSAGE) from None


def _message(err: Exception) -> str:
    """The message ``err`` was raised with (a :class:`~i18n.Text` stays one)."""
    message = err.args[0] if len(err.args) == 1 else None
    return message if isinstance(message, str) else str(err)


def _shown_key(key: str, limit: int = 40) -> str:
    """A key from the file as quoted in a message: printable characters, at most ``limit``."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in key)
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


def _strip_prefix(arrays: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Drop one shared module prefix such as ``lstm.`` from every key."""
    prefixes = {key.rpartition(".")[0] for key in arrays}
    if len(prefixes) == 1 and (prefix := prefixes.pop()):
        return {key[len(prefix) + 1 :]: value for key, value in arrays.items()}
    return dict(arrays)


def _cell_type_hint(state: Mapping[str, np.ndarray], cell_type: str) -> str:
    weight_hh = np.asarray(state.get("weight_hh_l0", np.zeros((0, 0))))
    if weight_hh.ndim == 2 and weight_hh.shape[1] and weight_hh.shape[0] % weight_hh.shape[1] == 0:
        blocks = weight_hh.shape[0] // weight_hh.shape[1]
        found = _GATE_COUNT_HINT.get(blocks)
        if found and blocks != CELL_TYPES[cell_type].gate_blocks:
            return Text(" (these look like {cell}'s weights; choose that cell type)", cell=found)
    return ""


# --- hand-set 1-unit, 1-input LSTM ---------------------------------------------------------------

#: Gate → (input weight, recurrent weight, bias) names, in PyTorch's block order i, f, g, o.
HAND_SET_GATES: dict[str, tuple[str, str, str]] = {
    "input_gate": ("w_ii", "w_hi", "b_i"),
    "forget_gate": ("w_if", "w_hf", "b_f"),
    "candidate": ("w_ig", "w_hg", "b_g"),
    "output_gate": ("w_io", "w_ho", "b_o"),
}
HAND_SET_NAMES: tuple[str, ...] = tuple(n for names in HAND_SET_GATES.values() for n in names)
#: A cell that stores a large input and holds it: i opens for x ≫ 0, f ≈ 0.95, g = tanh(2x).
HAND_SET_DEFAULTS: dict[str, float] = dict(
    w_ii=4.0, w_hi=0.0, b_i=-2.0,
    w_if=0.0, w_hf=0.0, b_f=3.0,
    w_ig=2.0, w_hg=0.0, b_g=0.0,
    w_io=0.0, w_ho=0.0, b_o=2.0,
)


def hand_set_lstm(values: Mapping[str, float], **activations: Activation | str) -> LSTM:
    """A 1-unit, 1-input LSTM from the twelve scalars of :data:`HAND_SET_NAMES`.

    ``w_i·`` multiplies x_t, ``w_h·`` multiplies h_{t−1} and ``b_·`` is the whole bias
    (``bias_ih``; ``bias_hh`` is 0). Missing names take :data:`HAND_SET_DEFAULTS`.
    """
    unknown = set(values) - set(HAND_SET_NAMES)
    if unknown:
        raise KeyError(f"unknown hand-set weights {sorted(unknown)}")
    merged = {**HAND_SET_DEFAULTS, **values}
    # rows in block order i, f, g, o; columns: input weight, recurrent weight, bias
    table = np.array([[float(merged[name]) for name in names]
                      for names in HAND_SET_GATES.values()])
    return LSTM(table[:, :1], table[:, 1:2], table[:, 2], np.zeros(4), **activations)
