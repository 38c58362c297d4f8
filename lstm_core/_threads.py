"""Process settings for the engine's small-array workload, applied when ``lstm_core`` is imported.

* BLAS at one thread: small matmuls got up to 2.4× slower with two threads on a 2-core machine
  shared with the browser and the server.
* 16 MiB of slack kept at the top of the C heap (glibc's ``M_TOP_PAD``; its default is 128 KiB):
  with the default, a freed array of ≳ 200 kB (a training step's whole-sequence arrays) went back
  to the OS and was page-faulted in again at the next allocation — 200 µs instead of 12 µs for
  ``1 - r * r`` on 30 k doubles, and a training step up to 2× slower.
"""

from __future__ import annotations

import ctypes
import os

_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
M_TOP_PAD = -2
HEAP_PAD = 16 << 20
#: glibc's own default, for benchmarks that measure the process as it was.
GLIBC_DEFAULT_TOP_PAD = 128 << 10


def limit_blas_threads() -> None:
    """Set the thread variables (effective if NumPy is not loaded yet) and, if threadpoolctl is
    installed, also cap an already-loaded BLAS."""
    for var in _VARS:
        os.environ.setdefault(var, "1")
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # the env vars alone then; NumPy was usually not imported yet
        return
    threadpool_limits(1)


def set_heap_pad(pad: int = HEAP_PAD) -> bool:
    """Keep ``pad`` bytes of freed memory at the top of the C heap (glibc's ``M_TOP_PAD``).

    Does nothing where there is no ``mallopt`` or when ``MALLOC_TOP_PAD_`` is set (the user's
    choice wins); returns whether it was applied.
    """
    if "MALLOC_TOP_PAD_" in os.environ:
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (macOS, Windows)
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return bool(mallopt(M_TOP_PAD, pad))
