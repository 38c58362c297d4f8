"""A fresh server's first visitor: how long until the page answers, and until its background
work is done. Playwright + Debian's /usr/bin/chromium on loopback.

Run: ``python bench/bench_cold_start.py [--before DIR] [--page claims] [--repeats 2]``.

For each repeat a new server is started (``tests/conftest.py`` ``start_server``) and, as soon as
it is healthy, the page is opened over Streamlit's WebSocket protocol (``bench/load_test.py``'s
``Student``): **first run** = until the server has finished that run. Then another new server
is started and a fresh browser context opens ``/<page>``:

* **answered** – the page's title and its first table are drawn and the run is over
  (``data-test-script-state="notRunning"``);
* **complete** – nothing on the page says "computing…" any more (the Claims page fills in the
  verdicts the server computes in the background, see ui/warmup.py).

``--before DIR`` measures a second checkout the same way in the same run (rows labelled
"before"). Goal (issue 12): first run ≤ 1 s on the Claims page. The browser columns add
Streamlit's own start-up in a cold browser (its JavaScript bundle), the same on every page.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, fmt_ms, format_table, goal_mark, summary

GOAL_ANSWER_S = 1.0
ANSWERED_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!document.querySelector('[data-testid="stMain"] h1')
    && !!document.querySelector('[data-testid="stDataFrame"]')
    && app.getAttribute('data-test-script-state') === 'notRunning';
}"""
COMPLETE_JS = """() => !document.body.innerText.includes('computing…')
  && !document.querySelector('[data-testid="stSkeleton"]')"""


def cold_visit(browser, root: Path, page: str, timeout_ms: int) -> tuple[float, float]:
    """Start a server from ``root``, open ``page`` at once; (answered, complete) seconds."""
    from tests.conftest import start_server, stop_server

    proc, url = start_server(root=root)
    try:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        tab = context.new_page()
        started = time.perf_counter()
        tab.goto(f"{url}/{page}")
        tab.wait_for_function(ANSWERED_JS, timeout=timeout_ms, polling=20)
        answered = time.perf_counter() - started
        tab.wait_for_function(COMPLETE_JS, timeout=timeout_ms, polling=50)
        complete = time.perf_counter() - started
        context.close()
        return answered, complete
    finally:
        stop_server(proc)


def first_run(root: Path, page: str, timeout_s: float) -> float:
    """Start a server from ``root`` and open ``page`` over Streamlit's WebSocket protocol (no
    browser); seconds until that first run has finished on the server."""
    import asyncio

    from bench.load_test import Student
    from tests.conftest import start_server, stop_server

    proc, url = start_server(root=root)

    async def visit() -> float:
        student = Student(url, page, "", timeout_s, "cold")
        try:
            return await student.open()
        finally:
            await student.close()

    try:
        return asyncio.run(visit())
    finally:
        stop_server(proc)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--page", default="claims", help="URL path (default claims)")
    parser.add_argument("--repeats", type=int, default=2, help="fresh servers each (≤ 10)")
    parser.add_argument("--before", type=Path, help="a second checkout, measured the same way")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per wait")
    args = parser.parse_args(argv)
    if not 1 <= args.repeats <= 10 or not 1 <= args.timeout <= 600:
        parser.error("--repeats must be in 1…10 and --timeout in 1…600 s")
    from playwright.sync_api import sync_playwright

    from tests.conftest import CHROMIUM, CHROMIUM_FLAGS

    (ROOT / ".pytest_cache").mkdir(exist_ok=True)
    targets = ([("before", args.before.resolve())] if args.before else []) + [("after", ROOT)]
    rows = []
    # Before the browser: Playwright's sync API keeps an event loop of its own running.
    runs = {label: summary([first_run(root, args.page, args.timeout)
                            for _ in range(args.repeats)]) for label, root in targets}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        for label, root in targets:
            visits = [cold_visit(browser, root, args.page, int(args.timeout * 1000))
                      for _ in range(args.repeats)]
            answered = summary([a for a, _ in visits])
            complete = summary([c for _, c in visits])
            run = runs[label]
            rows.append([label, args.page, str(args.repeats), fmt_ms(run["median"]),
                         fmt_ms(run["max"]), fmt_ms(answered["median"]),
                         fmt_ms(complete["median"]), goal_mark(run["max"], GOAL_ANSWER_S)])
        browser.close()
    print(format_table(["target", "page", "fresh servers", "first run median ms",
                        "first run max ms", "browser: answered median ms",
                        "browser: complete median ms", "goal first run ≤ 1 s"], rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
