"""Server rerun cost per page, measured with ``streamlit.testing.v1.AppTest``.

Run: ``python bench/bench_rerun.py [--pages home activation_lab] [--reruns 15]``.

Every ``pages/*.py`` is run through ``app.py`` (the real router) at two settings:

* **default** – no URL parameters;
* **heaviest** – URL parameters derived from the page's state dataclass (a ``PageState`` subclass
  in ``ui/<page>.py``): every ``number`` field at its declared maximum, every ``choices`` field
  with as many options as it allows. ``--cap FIELD=VALUE`` lowers a field; a page module may set
  ``BENCH_HEAVY = {"field": "value"}`` to override values and ``BENCH_SKIP_HEAVY = "reason"`` to
  opt out (e.g. a page that trains a model on every rerun); ``--exclude-heavy`` does the same.

For each setting: one warm-up run, then ``--reruns`` timed reruns with warm caches (median, p95),
then ``--cold`` reruns after ``st.cache_data.clear()`` (what a control moved to a value nobody has
seen yet costs). Each setting stops early once it has spent ``--budget`` seconds. BLAS runs on one
thread. AppTest adds its own parsing of the element tree, so times are a little above a real
server's script time. Goals (issue 7): median ≤ 30 ms at default, ≤ 150 ms at the heaviest.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import sys
import time
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    ROOT,
    add_root_to_path,
    fmt_ms,
    format_table,
    goal_mark,
    page_files,
    pin_blas_threads,
    summary,
)

GOAL_DEFAULT_S = 0.030
GOAL_HEAVY_S = 0.150
MAX_RERUNS = 200
MAX_BUDGET_S = 600.0


@dataclass
class Setting:
    """One page at one setting: the URL parameters to use, or why it is skipped."""

    page: str  # the page file, "pages/x.py"
    name: str  # "default" or "heaviest"
    query: dict[str, str]
    skip: str = ""


# --- deriving the heaviest settings --------------------------------------------------------------


def state_class(page_stem: str) -> tuple[type | None, Any]:
    """The ``PageState`` subclass declared in ``ui/<page_stem>.py`` and that module (or Nones)."""
    from ui.state import PageState

    try:
        module = importlib.import_module(f"ui.{page_stem}")
    except ModuleNotFoundError as why:
        if why.name in (f"ui.{page_stem}", "ui"):
            return None, None
        raise
    found = [
        obj
        for _, obj in inspect.getmembers(module, inspect.isclass)
        if issubclass(obj, PageState) and obj is not PageState and obj.__module__ == module.__name__
    ]
    return (found[0] if found else None), module


def _format_number(value: float, kind: str) -> str:
    return str(int(value)) if kind == "int" else repr(float(value))


def heaviest_query(cls: type, caps: dict[str, str] | None = None,
                   overrides: dict[str, str] | None = None) -> dict[str, str]:
    """URL parameters for the heaviest allowed setting of page state ``cls``.

    ``number`` fields go to their maximum (or ``caps[name]`` when lower), ``choices`` fields take
    the first ``max_count`` options; other fields keep their defaults. ``overrides`` win.
    Parameters equal to the default are left out.
    """
    caps = caps or {}
    query: dict[str, str] = {}
    for spec in fields(cls):
        meta = spec.metadata
        kind = meta.get("kind")
        if kind in ("int", "float"):
            value = meta["hi"]
            if spec.name in caps:
                value = min(value, float(caps[spec.name]))
            query[spec.name] = _format_number(value, kind)
        elif kind == "choices":
            count = min(meta["max_count"], len(meta["options"]))
            query[spec.name] = ",".join(meta["options"][:count])
    query.update(overrides or {})
    # A value equal to the default is left out, as the page's own URL would leave it out.
    default = cls()
    return {name: value for name, value in query.items()
            if getattr(cls.from_query({name: value})[0], name) != getattr(default, name)}


def settings_for(page: str, caps: dict[str, str], exclude_heavy: set[str]) -> list[Setting]:
    """The default and the heaviest setting of ``page`` ("pages/x.py")."""
    stem = Path(page).stem
    result = [Setting(page, "default", {})]
    cls, module = state_class(stem)
    if cls is None:
        return [*result, Setting(page, "heaviest", {}, skip="no state class in ui/")]
    reason = getattr(module, "BENCH_SKIP_HEAVY", "") or (
        "excluded by --exclude-heavy" if stem in exclude_heavy else ""
    )
    overrides = {k: str(v) for k, v in getattr(module, "BENCH_HEAVY", {}).items()}
    query = heaviest_query(cls, caps, overrides)
    return [*result, Setting(page, "heaviest", query, skip=reason)]


# --- running -------------------------------------------------------------------------------------


def open_page(page: str, query: dict[str, str], timeout: float) -> Any:
    """An AppTest of ``app.py`` showing ``page`` after its first run with ``query`` in the URL."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.run()
    for key, value in query.items():
        at.query_params[key] = value
    if page != "pages/home.py" or query:
        at.switch_page(page)
        at.run()
    return at


def measure(setting: Setting, reruns: int, cold: int, budget: float, timeout: float) -> dict:
    """Time warm and cold reruns of one setting; returns a row of results."""
    import streamlit as st

    row: dict[str, Any] = {"page": Path(setting.page).stem, "setting": setting.name,
                           "query": setting.query, "warm": [], "cold": [], "status": "ok"}
    if setting.skip:
        row["status"] = f"skipped: {setting.skip}"
        return row
    started = time.perf_counter()
    at = open_page(setting.page, setting.query, timeout)
    if at.exception:
        row["status"] = "exception: " + str(at.exception[0].value)[:80]
        return row
    rejected = [k for k, v in setting.query.items() if at.query_params.get(k) != v]
    if rejected:
        row["status"] = "not applied: " + ",".join(rejected)
    at.run()  # warm-up: caches filled, imports done
    for _ in range(reruns):
        if time.perf_counter() - started > budget:
            row["status"] = f"budget {budget:g}s spent"
            break
        t0 = time.perf_counter()
        at.run()
        row["warm"].append(time.perf_counter() - t0)
    for _ in range(cold):
        if time.perf_counter() - started > budget:
            break
        st.cache_data.clear()
        t0 = time.perf_counter()
        at.run()
        row["cold"].append(time.perf_counter() - t0)
    if at.exception and row["status"] == "ok":
        row["status"] = "exception: " + str(at.exception[0].value)[:80]
    return row


def table(rows: list[dict]) -> str:
    """The results as a Markdown table with a goal column."""
    out = []
    for row in rows:
        warm, cold = summary(row["warm"]), summary(row["cold"])
        limit = GOAL_DEFAULT_S if row["setting"] == "default" else GOAL_HEAVY_S
        params = ",".join(f"{k}={v}" for k, v in row["query"].items()) or "–"
        out.append([
            row["page"], row["setting"], params[:60], warm["n"], fmt_ms(warm["median"]),
            fmt_ms(warm["p95"]), fmt_ms(cold["median"]),
            f"≤ {limit * 1000:.0f}: {goal_mark(warm['median'], limit)}", row["status"],
        ])
    headers = ["page", "setting", "params", "n", "median ms", "p95 ms", "cold median ms",
               "goal (median)", "status"]
    return format_table(headers, out)


def _pairs(items: list[str]) -> dict[str, str]:
    result = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise argparse.ArgumentTypeError(f"expected FIELD=VALUE, got {item!r}")
        result[name] = value
    return result


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options (bounded: reruns ≤ 200, budget ≤ 600 s per setting)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", nargs="*", default=None,
                        help="page names (file stems, e.g. home activation_lab); default: all")
    parser.add_argument("--reruns", type=int, default=15, help="timed warm reruns (default 15)")
    parser.add_argument("--cold", type=int, default=3,
                        help="reruns after clearing st.cache_data (default 3, 0 to skip)")
    parser.add_argument("--budget", type=float, default=30.0,
                        help="seconds spent at most per page and setting (default 30)")
    parser.add_argument("--timeout", type=float, default=30.0, help="AppTest run timeout, s")
    parser.add_argument("--cap", nargs="*", default=[], metavar="FIELD=VALUE",
                        help="upper limit for a number field at the heaviest setting")
    parser.add_argument("--exclude-heavy", nargs="*", default=["training_lab"], metavar="PAGE",
                        help="pages measured at default settings only (default: training_lab)")
    parser.add_argument("--default-only", action="store_true", help="skip the heaviest settings")
    parser.add_argument("--json", type=Path, help="also write the raw timings here")
    args = parser.parse_args(argv)
    if not 1 <= args.reruns <= MAX_RERUNS:
        parser.error(f"--reruns must be in 1…{MAX_RERUNS}")
    if not 0 <= args.cold <= MAX_RERUNS:
        parser.error(f"--cold must be in 0…{MAX_RERUNS}")
    if not 0 < args.budget <= MAX_BUDGET_S:
        parser.error(f"--budget must be in (0, {MAX_BUDGET_S:g}] seconds")
    try:
        args.cap = _pairs(args.cap)
    except argparse.ArgumentTypeError as why:
        parser.error(str(why))
    return args


def quiet_streamlit() -> None:
    """Silence Streamlit's "No runtime found" / "missing ScriptRunContext" warnings."""
    import logging

    logging.disable(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    pin_blas_threads()
    add_root_to_path()
    quiet_streamlit()
    pages = page_files()
    if args.pages:
        unknown = set(args.pages) - {Path(p).stem for p in pages}
        if unknown:
            print(f"unknown pages: {sorted(unknown)}; have {[Path(p).stem for p in pages]}")
            return 2
        pages = [p for p in pages if Path(p).stem in args.pages]
    rows = []
    for page in pages:
        for setting in settings_for(page, args.cap, set(args.exclude_heavy)):
            if args.default_only and setting.name != "default":
                continue
            print(f"… {setting.page} {setting.name}", file=sys.stderr, flush=True)
            rows.append(measure(setting, args.reruns, args.cold, args.budget, args.timeout))
    print(table(rows))
    if args.reruns < 15:
        print(f"\nnote: only {args.reruns} reruns per setting; issue 7 asks for ≥ 15")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
