"""LSTM Lens engine: pure NumPy activations, recurrent cells, BPTT and training tasks."""

from ._threads import limit_blas_threads

limit_blas_threads()

from .activations import REGISTRY, Activation, get_activation, resolve  # noqa: E402
from .cells import CELL_TYPES, GRU, LSTM, RNN, RecurrentCell, WeightShapeError  # noqa: E402
from .trace import BLOWUP_BOUND, Gradients, Trace  # noqa: E402

__all__ = [
    "BLOWUP_BOUND", "CELL_TYPES", "GRU", "LSTM", "REGISTRY", "RNN", "Activation", "Gradients",
    "RecurrentCell", "Trace", "WeightShapeError", "get_activation", "resolve",
]
