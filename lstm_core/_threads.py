"""Cap BLAS at one thread: small matmuls got up to 2.4× slower with two threads on a 2-core
machine shared with the browser and the server."""

from __future__ import annotations

import os

_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


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
