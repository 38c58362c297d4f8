"""Once per server process, off every request: load the pages' modules, freeze them out of the
garbage collector, then compute the Claims page's verdicts.

``app.py`` calls :func:`start` on every run; only the first call does anything. The work runs in
one daemon thread, so the first student's page is never held up by it:

1. import every page module (Plotly, pandas and the engine load once, in the background, while
   the first visitor reads the Home page);
2. ``gc.freeze()``: the ~125 k objects loaded so far move to the collector's permanent
   generation, so Streamlit's full collection after every script run (see
   ``.streamlit/config.toml``) no longer scans them: ~1 ms instead of ~70 ms a run;
3. every claim's verdict, computed by the engine one after another, then a second freeze for
   what those first computations loaded. The trained verdicts come from the study
   (:mod:`lstm_core.study`, minutes of training): if this version of the code has not stored
   it yet, it is computed by a separate process at the lowest CPU priority (``nice 19``), never
   in the server's interpreter, and the verdicts are read once it is on disk. The Claims page
   shows the verdicts that are ready and the study's progress.
"""

from __future__ import annotations

import gc
import importlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Generic, TypeVar

from lstm_core import study
from lstm_core.claims import CLAIMS

T = TypeVar("T")

PAGE_MODULES = ("ui.activation_lab", "ui.step_through", "ui.compare", "ui.gradient_flow",
                "ui.training_lab", "ui.claims", "ui.lessons", "ui.teach")


class BackgroundJobs(Generic[T]):
    """Named zero-argument jobs run one after another in a daemon thread; results are read
    with :meth:`get` as they arrive. A job that raises stores its exception instead."""

    def __init__(self, jobs: Mapping[str, Callable[[], T]]) -> None:
        self._jobs = dict(jobs)
        self._results: dict[str, T] = {}
        self._errors: dict[str, BaseException] = {}
        self._finished = threading.Event()
        self._started = False
        self._lock = threading.Lock()

    def start(self, before: Callable[[], None] | None = None,
              after: Callable[[], None] | None = None) -> None:
        """Start the thread (once); ``before`` runs in it first, ``after`` last."""
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._run, args=(before, after), name="lstm-lens-warmup",
                         daemon=True).start()

    def _run(self, before: Callable[[], None] | None,
             after: Callable[[], None] | None) -> None:
        try:
            if before is not None:
                before()
            for key, job in self._jobs.items():
                try:
                    self._results[key] = job()
                except Exception as why:  # shown on the page as this job's failure
                    self._errors[key] = why
            if after is not None:
                after()
        finally:
            self._finished.set()

    @property
    def keys(self) -> list[str]:
        return list(self._jobs)

    def get(self, key: str) -> T | None:
        """The job's result, or None while it is pending (or if it failed)."""
        return self._results.get(key)

    def error(self, key: str) -> BaseException | None:
        return self._errors.get(key)

    def pending(self) -> list[str]:
        """Keys of the jobs not finished yet, in running order."""
        return [k for k in self._jobs if k not in self._results and k not in self._errors]

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every job has finished (tests and benchmarks); True if they did."""
        return self._finished.wait(timeout)


def _freeze() -> None:
    """Move every object alive now out of the collector's sweeps (after one last sweep)."""
    gc.collect()
    gc.freeze()


def _load_pages_then_freeze() -> None:
    for name in PAGE_MODULES:
        importlib.import_module(name)
    _freeze()


#: Seconds the warm-up waits before it starts training: the process's first visitor triggered
#: it, and that visitor's page run should not share the interpreter with a race while it draws.
FIRST_VISIT_SECONDS = 1.0


ROOT = Path(__file__).resolve().parents[1]
POLL_SECONDS = 1.0


class StudyFailed(RuntimeError):
    """The study's process stopped without storing the study."""


def study_progress() -> tuple[int, int]:
    """(configurations trained, configurations in all) of the app's study."""
    spec = study.spec_for()
    if study.stored(spec) is not None:
        return len(spec.arms), len(spec.arms)
    return study.progress_of(spec)


def ensure_study() -> None:
    """Wait until the app's study is on disk; if no process is computing it, start one (a
    separate Python process at the lowest priority, so page runs keep the CPU)."""
    spec = study.spec_for()
    process = None
    while study.stored(spec) is None:
        if process is None and not study.being_computed(spec):
            time.sleep(FIRST_VISIT_SECONDS)  # the first visitor's page draws first
            process = subprocess.Popen(
                [sys.executable, "-m", "lstm_core.study", "--nice", "19"], cwd=ROOT,
                env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE)
        if process is not None and process.poll() is not None and study.stored(spec) is None:
            error = process.stderr.read().decode(errors="replace").strip().splitlines()
            if not study.being_computed(spec):
                raise StudyFailed(error[-1] if error else f"exit code {process.returncode}")
            process = None
        time.sleep(POLL_SECONDS)


def _claim_jobs() -> dict[str, Callable]:
    """The quick checks first (milliseconds each), then the trained ones, which wait for the
    study (see :func:`ensure_study`)."""
    quick = {key: claim for key, claim in CLAIMS.items() if not claim.trained}
    trained = [(key, claim) for key, claim in CLAIMS.items() if claim.trained]

    def after_the_study(claim: Callable):
        ensure_study()
        return claim()

    return quick | {key: (lambda c=claim: after_the_study(c)) for key, claim in trained}


#: The process's claim verdicts; nothing runs until :func:`claim_verdicts` first asks.
_CLAIMS: BackgroundJobs = BackgroundJobs(_claim_jobs())


def claim_verdicts() -> BackgroundJobs:
    """The process's claim verdicts (their computation started if it has not yet been)."""
    _CLAIMS.start(before=_load_pages_then_freeze, after=_freeze)
    return _CLAIMS


def start() -> None:
    """Start the process's warm-up (cheap after the first call)."""
    claim_verdicts()
