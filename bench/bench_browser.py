"""Browser interaction latency per page: Playwright + Debian's /usr/bin/chromium on loopback.

Run: ``python bench/bench_browser.py [--pages activation_lab compare] [--changes 10]``.

For every ``pages/*.py`` (URL path = file stem; Home is ``/``):

* **first load** – a fresh browser context opens the page; done when ``[data-testid=stApp]`` has
  ``data-test-script-state="notRunning"``, no ``stSkeleton`` is left and every chart
  (``lensChart``, or ``stPlotlyChart`` in an older checkout) has its ``.main-svg``
  (``tests/browser_helpers.wait_for_run``). ``--loads`` times, median/p95.
* **control change** – the first slider's thumb is focused and ``ArrowRight`` / ``ArrowLeft``
  pressed alternately (turning back at a bound); a page without a slider gets its first number
  input's +/− buttons clicked instead. In Streamlit 1.67 a key press on a focused slider
  sends its value at once (a drag sends it on release). An in-page ``MutationObserver`` records
  the key-down (or pointer-down) time, the script state going ``running`` → ``notRunning`` and
  every DOM mutation inside a chart; a change is complete when the run is over,
  every chart has its ``.main-svg`` and no chart has changed for ``--quiet`` ms.
  Latency = (later of the end of the run and the last chart mutation) − key-down;
  ``server`` is the running → notRunning part.

Without ``--url`` the app is served on a free loopback port by ``tests/conftest.py``
``start_server``. Goals (issue 7): change → redrawn ≤ 300 ms median, first load ≤ 2.5 s.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    ROOT,
    fmt_ms,
    format_table,
    goal_mark,
    page_files,
    require_loopback,
    summary,
)

GOAL_CHANGE_S = 0.300
GOAL_CHANGE_P95_S = 0.500
GOAL_CHANGE_FLOOR_RATIO = 2.0
GOAL_SWITCH_S = 1.0
GOAL_LOAD_S = 2.5
FLOOR_PAGE = "bench/floor_page.py"
MAX_CHANGES = 100
MAX_LOADS = 20
#: Every chart: the app's renderer (``lensChart``) or, in an older checkout, ``st.plotly_chart``.
CHARTS = '[data-testid="lensChart"], [data-testid="stPlotlyChart"]'
SLIDER = "[data-testid=stSlider] [role=slider], [data-testid=stSlider] input[type=range]"

# Installed once per loaded page: records key-downs, script-state changes and chart mutations.
OBSERVER_JS = """() => {
  const lens = window.__lens = {keydown: 0, running: 0, done: 0, chart: 0};
  const start = () => { lens.keydown = performance.now();
    lens.running = 0; lens.done = 0; lens.chart = 0; };
  document.addEventListener('keydown', start, true);
  document.addEventListener('pointerdown', start, true);
  const app = document.querySelector('[data-testid="stApp"]');
  new MutationObserver(() => {
    const state = app.getAttribute('data-test-script-state');
    if (state === 'running' && lens.keydown && !lens.running) lens.running = performance.now();
    if (state === 'notRunning' && lens.running) lens.done = performance.now();
  }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
  new MutationObserver((records) => {
    if (!lens.keydown) return;
    for (const r of records) {
      const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      if (el && el.closest('[data-testid="lensChart"], [data-testid="stPlotlyChart"]')) {
        lens.chart = performance.now(); return;
      }
    }
  }).observe(document.body,
             {subtree: true, childList: true, attributes: true, characterData: true});
}"""

# True once the change that followed the last key-down is completely drawn.
DONE_JS = """(quiet) => {
  const lens = window.__lens, now = performance.now();
  if (!lens.done) return false;
  const app = document.querySelector('[data-testid="stApp"]');
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;
  const charts = [...document.querySelectorAll(
    '[data-testid="lensChart"], [data-testid="stPlotlyChart"]')];
  if (!charts.every(c => c.querySelector('.main-svg'))) return false;
  return now - Math.max(lens.done, lens.chart) >= quiet;
}"""

RESULT_JS = """() => { const l = window.__lens;
  return {total: Math.max(l.done, l.chart) - l.keydown, server: l.done - l.running}; }"""


def url_path(page: str) -> str:
    """The URL path of page file ``page`` ("pages/x.py" → "x"; Home is the default page "";
    the benchmarks' floor page is "floor")."""
    stem = Path(page).stem
    return {"home": "", "floor_page": "floor"}.get(stem, stem)


def first_loads(browser: Any, url: str, loads: int, timeout_ms: int) -> tuple[list[float], str]:
    """Time ``loads`` first loads in fresh contexts; returns the times and a status."""
    from tests.browser_helpers import wait_for_run

    times, status = [], "ok"
    for _ in range(loads):
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        try:
            started = time.perf_counter()
            page.goto(url)
            wait_for_run(page, timeout=timeout_ms)
            times.append(time.perf_counter() - started)
            if page.locator('[data-testid="stException"]').count():
                status = "exception on load"
        finally:
            context.close()
    return times, status


def _control(page: Any) -> tuple[str, Any, Any]:
    """The control to move: ("slider", thumb, None) or ("number", step-up, step-down) or none."""
    sliders = page.locator(SLIDER)
    if sliders.count():
        return "slider", sliders.first, None
    up = page.locator('[data-testid="stNumberInputStepUp"]')
    down = page.locator('[data-testid="stNumberInputStepDown"]')
    if up.count() and down.count():
        return "number", up.first, down.first
    return "", None, None


def changes(browser: Any, url: str, n: int, quiet_ms: int,
            timeout_ms: int) -> tuple[list[float], list[float], int, str, str]:
    """Time ``n`` control changes; returns totals, server parts, chart count, control, status.

    The control is the first slider (ArrowRight/ArrowLeft on its focused thumb) or, on a page
    without one, the first number input (its +/− buttons).
    """
    from playwright.sync_api import Error as PlaywrightError

    from tests.browser_helpers import wait_for_run

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    totals, servers, status = [], [], "ok"
    try:
        page.goto(url)
        wait_for_run(page, timeout=timeout_ms)
        n_charts = page.locator(CHARTS).count()
        kind, first, second = _control(page)
        if not kind:
            return totals, servers, n_charts, "–", "no slider or number input"
        page.evaluate(OBSERVER_JS)
        forward, attempts = True, 0
        while len(totals) < n and attempts < 2 * n + 2:
            attempts += 1
            try:
                if kind == "slider":
                    first.focus()
                    page.keyboard.press("ArrowRight" if forward else "ArrowLeft")
                else:
                    (first if forward else second).click(timeout=2000)
                # At a bound nothing changes and no run starts: turn round.
                page.wait_for_function("() => window.__lens.running > 0", timeout=3000)
            except PlaywrightError:
                forward = not forward
                continue
            page.wait_for_function(DONE_JS, arg=quiet_ms, timeout=timeout_ms, polling=50)
            result = page.evaluate(RESULT_JS)
            totals.append(result["total"] / 1000)
            servers.append(result["server"] / 1000)
            forward = not forward
        if page.locator('[data-testid="stException"]').count():
            status = "exception after change"
        elif len(totals) < n:
            status = f"only {len(totals)} changes started a run"
        return totals, servers, n_charts, kind, status
    finally:
        context.close()


# True once the page titled ``title`` has finished its run with ``charts`` charts drawn.
SHOWN_JS = """([title, charts]) => {
  const h1 = document.querySelector('[data-testid="stMain"] h1');
  if (!h1 || h1.innerText.trim() !== title) return false;
  const app = document.querySelector('[data-testid="stApp"]');
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stSkeleton"]')) return false;
  const all = [...document.querySelectorAll(
    '[data-testid="lensChart"], [data-testid="stPlotlyChart"]')];
  return all.length === charts && all.every(c => c.querySelector('.main-svg'));
}"""


def switches(browser: Any, base: str, path: str, n: int, timeout_ms: int) -> tuple[list[float],
                                                                                    list[float]]:
    """Page switches with a warm server: from Home, click the page's sidebar link and time
    until its title, its finished run and every chart are on screen (``n`` times); then open
    the page by its URL in the same browser (warm cache), ``n`` times. Returns both lists."""
    from tests.browser_helpers import wait_for_run

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        page.goto(f"{base}/{path}")
        wait_for_run(page, timeout=timeout_ms)
        title = page.locator('[data-testid="stMain"] h1').first.inner_text().strip()
        expected = [title, page.locator(CHARTS).count()]
        home = page.locator('[data-testid="stSidebarNavLink"]').first
        link = page.locator(f'[data-testid="stSidebarNavLink"][href$="/{path}"]').first
        clicks, opens = [], []
        for _ in range(n):
            home.click()
            wait_for_run(page, timeout=timeout_ms)
            page.wait_for_function(SHOWN_JS, arg=[
                page.locator('[data-testid="stMain"] h1').first.inner_text().strip(),
                page.locator(CHARTS).count()], timeout=timeout_ms)
            started = time.perf_counter()
            link.click()
            page.wait_for_function(SHOWN_JS, arg=expected, timeout=timeout_ms, polling=20)
            clicks.append(time.perf_counter() - started)
        for _ in range(n):
            started = time.perf_counter()
            page.goto(f"{base}/{path}")
            page.wait_for_function(SHOWN_JS, arg=expected, timeout=timeout_ms, polling=20)
            opens.append(time.perf_counter() - started)
        return clicks, opens
    finally:
        context.close()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options (bounded: ≤ 100 changes, ≤ 20 loads, loopback URL only)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", nargs="*", help="page names (file stems); default: all")
    parser.add_argument("--changes", type=int, default=10, help="slider changes (default 10)")
    parser.add_argument("--loads", type=int, default=3, help="first loads (default 3)")
    parser.add_argument("--quiet", type=int, default=300,
                        help="ms without chart mutations that end a change (default 300)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per wait")
    parser.add_argument("--switches", type=int, default=5,
                        help="sidebar page switches and warm URL opens per page (default 5)")
    parser.add_argument("--url", help="app URL on loopback; default: start a server here")
    parser.add_argument("--before", type=Path,
                        help="a second checkout of the app: its server is measured in the same "
                             "run, rows labelled 'before'")
    args = parser.parse_args(argv)
    if not 1 <= args.switches <= MAX_LOADS:
        parser.error(f"--switches must be in 1…{MAX_LOADS}")
    if args.before is not None and not (args.before / "app.py").is_file():
        parser.error(f"--before {args.before}: no app.py there")
    if not 1 <= args.changes <= MAX_CHANGES or not 1 <= args.loads <= MAX_LOADS:
        parser.error(f"--changes must be in 1…{MAX_CHANGES}, --loads in 1…{MAX_LOADS}")
    if not 50 <= args.quiet <= 2000 or not 1 <= args.timeout <= 120:
        parser.error("--quiet must be in 50…2000 ms, --timeout in 1…120 s")
    if args.url:
        try:
            args.url = require_loopback(args.url)
        except ValueError as why:
            parser.error(f"--url: {why}")
    return args


def measure_page(browser: Any, base: str, page: str, args: argparse.Namespace) -> list:
    """One table row (without the target label) for page file ``page`` served at ``base``."""
    timeout_ms = int(args.timeout * 1000)
    path = url_path(page)
    target = f"{base}/{path}"
    try:
        loads, load_status = first_loads(browser, target, args.loads, timeout_ms)
        totals, servers, n_charts, control, status = changes(
            browser, target, args.changes, args.quiet, timeout_ms)
        clicks, opens = switches(browser, base, path, args.switches, timeout_ms) if path else (
            [], [])
    except Exception as why:  # a page that never finishes still gets its row
        loads, totals, servers, clicks, opens, n_charts, control = [], [], [], [], [], 0, "–"
        load_status, status = "", f"error: {str(why).splitlines()[0][:70]}"
    load, change, server = summary(loads), summary(totals), summary(servers)
    click, warm = summary(clicks), summary(opens)
    return [
        Path(page).stem, n_charts, fmt_ms(load["median"]), fmt_ms(warm["median"]),
        fmt_ms(click["median"]), fmt_ms(click["p95"]), control, change["n"],
        fmt_ms(change["median"]), fmt_ms(change["p95"]), fmt_ms(server["median"]),
        "; ".join(s for s in (load_status, status) if s and s != "ok") or "ok",
    ], change["median"], change["p95"], click["median"], warm["median"]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from playwright.sync_api import sync_playwright

    from tests.conftest import CHROMIUM, CHROMIUM_FLAGS, start_server, stop_server

    pages = page_files()
    if args.pages:
        pages = [p for p in pages if Path(p).stem in args.pages]
    targets: list[tuple[str, str]] = []
    procs = []
    results = []  # (target, row, change median, change p95, switch median, warm open median)
    try:
        if args.url is None:
            (ROOT / ".pytest_cache").mkdir(exist_ok=True)
            if args.before is not None:
                proc, url = start_server(root=args.before.resolve())
                procs.append(proc)
                targets.append(("before", url))
            proc, url = start_server(env={"LSTM_LENS_BENCH_FLOOR": "1"})
            procs.append(proc)
            targets.append(("after" if args.before is not None else "this", url))
        else:
            targets.append(("this", args.url))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            for page in [*pages, FLOOR_PAGE]:
                for label, url in targets:
                    if page == FLOOR_PAGE and (label == "before" or args.url):
                        continue  # the floor page is served by this checkout's own server
                    print(f"… {label}: {page}", file=sys.stderr, flush=True)
                    results.append((label, *measure_page(browser, url, page, args)))
            browser.close()
    finally:
        for proc in procs:
            stop_server(proc)
    floor_name = Path(FLOOR_PAGE).stem
    floor = {label: median for label, row, median, *_ in results if row[0] == floor_name}
    rows = []
    for label, row, median, p95, click, warm in results:
        ratio = median / floor[label] if floor.get(label) else math.nan
        goals = [f"change {goal_mark(median, GOAL_CHANGE_S)}",
                 f"p95 {goal_mark(p95, GOAL_CHANGE_P95_S)}",
                 f"switch {goal_mark(click, GOAL_SWITCH_S)}",
                 f"URL {goal_mark(warm, GOAL_LOAD_S)}"]
        if not math.isnan(ratio) and row[0] != floor_name:
            goals.append(f"×floor {goal_mark(ratio, GOAL_CHANGE_FLOOR_RATIO)}")
        rows.append([label, *row[:-1], "–" if math.isnan(ratio) or row[0] == floor_name
                     else f"{ratio:.1f}", " · ".join(goals), row[-1]])
    headers = ["target", "page", "charts", "first load median ms", "URL open (warm) ms",
               "switch median ms", "switch p95 ms", "control", "changes", "change median ms",
               "change p95 ms", "server median ms", "change × floor", "goals", "status"]
    print(format_table(headers, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
