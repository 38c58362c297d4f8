"""Shared helpers of the benchmark scripts: statistics, tables, goals, loopback checks, RSS.

Pure functions only (no Streamlit, no browser), so ``tests/test_bench_tools.py`` can check them.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def pin_blas_threads() -> None:
    """Pin BLAS to one thread (effective when called before NumPy is imported)."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")


def add_root_to_path() -> None:
    """Make ``lstm_core``, ``ui``, ``tests`` importable when a script is run by its path."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0–100) with linear interpolation, like ``numpy.percentile``."""
    if not values:
        return math.nan
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be in 0…100, got {q}")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(values: Sequence[float]) -> dict[str, float]:
    """Count, median, p95 and max of ``values`` (NaN when empty)."""
    return {
        "n": len(values),
        "median": percentile(values, 50),
        "p95": percentile(values, 95),
        "max": max(values) if values else math.nan,
    }


def fmt_ms(seconds: float) -> str:
    """Seconds as whole milliseconds, ``–`` for NaN."""
    return "–" if seconds is None or math.isnan(seconds) else f"{seconds * 1000:.0f}"


def goal_mark(value: float, limit: float) -> str:
    """``ok`` when ``value`` ≤ ``limit``, else ``MISS``; ``–`` when not measured."""
    if value is None or math.isnan(value):
        return "–"
    return "ok" if value <= limit else "MISS"


def format_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table with columns padded to their widest cell."""
    body = [[str(cell) for cell in row] for row in rows]
    for row in body:
        if len(row) != len(headers):
            raise ValueError(f"row has {len(row)} cells, expected {len(headers)}: {row}")
    widths = [max([len(h)] + [len(r[i]) for r in body]) for i, h in enumerate(headers)]
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(list(headers)), rule, *(line(r) for r in body)])


def require_loopback(url: str) -> str:
    """Return ``url`` without a trailing slash; raise ``ValueError`` unless it is on loopback."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "ws", "wss"):
        raise ValueError(f"{url!r}: only http(s)/ws(s) URLs are allowed")
    if parts.hostname not in LOOPBACK_HOSTS:
        raise ValueError(f"{url!r}: only 127.0.0.1 / localhost are allowed")
    return url.rstrip("/")


def page_files(root: Path = ROOT) -> list[str]:
    """The page scripts, ``pages/*.py``, as paths relative to ``root``, sorted."""
    return sorted(p.relative_to(root).as_posix() for p in (root / "pages").glob("*.py"))


def rss_bytes(pid: int) -> int | None:
    """Resident memory of process ``pid`` (VmRSS from ``/proc``), or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return None


def total_rss(pids: Iterable[int]) -> int:
    """Summed VmRSS of ``pids`` in bytes (processes that are gone count 0)."""
    return sum(rss or 0 for rss in map(rss_bytes, pids))


def fmt_mb(n_bytes: float) -> str:
    """Bytes as MB with one decimal."""
    return "–" if n_bytes is None or math.isnan(n_bytes) else f"{n_bytes / 2**20:.1f}"


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of process ``pid`` and its threads so far (``/proc/<pid>/stat``),
    or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()  # the command name may contain spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def total_cpu_seconds(pids: Iterable[int]) -> float:
    """Summed CPU seconds of ``pids`` (processes that are gone count 0)."""
    return sum(cpu or 0.0 for cpu in map(cpu_seconds, pids))
