"""Training Lab Stop latency in Chromium on the heaviest race one click may ask for.

Run: ``python bench/bench_stop.py [--trials 5] [--before DIR]``.

The race is 4 LSTM/GRU configurations × 5 seeds × 100 steps at T = 100 (the work cap). Each trial
opens the page in a fresh browser context, presses *Run race*, waits for the first curve points
plus a delay that differs per trial (so Stop lands at different points of a chunk), and presses
*Stop*. In-page timestamps: pointer-down on Stop → the "Stopped at …" message in the DOM
(**acts**) and → the script's run finished (**idle**). **agrees** checks that the curves end at
the step (or steps) the message names. Every trial uses its own learning rate: chunks are cached
across sessions, and a repeat would measure the cache. With ``--before DIR`` a second checkout is
served too and measured trial by trial in the same run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, fmt_ms, format_table, summary

RATES = ("0.001", "0.003", "0.01", "0.02", "0.05", "0.1", "0.2")
HEAVIEST = ("training_lab?task=adding&length=100&presets=lstm,lstm_sigmoid,lstm_hard_tanh,gru"
            "&seeds=5&steps=100&learning_rate={rate}")
CURVE = '[data-testid="stPlotlyChart"] .scatterlayer .trace path.js-line'

WATCH_JS = """() => {
  const w = window.__stop = {down: 0, shown: 0, idle: 0};
  const app = document.querySelector('[data-testid="stApp"]');
  document.addEventListener('pointerdown', () => { w.down = performance.now(); }, true);
  new MutationObserver(() => {
    if (!w.down) return;
    if (!w.shown && [...document.querySelectorAll('[data-testid="stMarkdownContainer"]')]
          .some(e => e.innerText.includes('Stopped at'))) w.shown = performance.now();
    if (w.shown && !w.idle && app.getAttribute('data-test-script-state') === 'notRunning')
      w.idle = performance.now();
  }).observe(document.body, {subtree: true, childList: true, characterData: true,
                             attributes: true, attributeFilter: ['data-test-script-state']});
}"""

ENDS_JS = """() => {
  const gd = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
  return gd._fullData.filter(t => t.mode === 'lines+markers').map(t => Math.max(...t.x)); }"""


def trial(browser: Any, url: str, rate: str, delay_ms: int, timeout_ms: int) -> tuple:
    """One Run → Stop: (acts s, idle s, curves agree with the message)."""
    from tests.browser_helpers import wait_for_run

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.goto(f"{url}/{HEAVIEST.format(rate=rate)}")
        wait_for_run(page, timeout_ms)
        page.evaluate(WATCH_JS)
        page.get_by_role("button", name="Run race").click()
        page.wait_for_selector(CURVE, timeout=timeout_ms)
        page.wait_for_timeout(delay_ms)
        page.locator(".st-key-training_lab-stop button:visible").first.click()
        page.wait_for_function("() => window.__stop.idle > 0", timeout=timeout_ms)
        wait_for_run(page, timeout_ms)
        watch = page.evaluate("() => window.__stop")
        text = page.locator('[data-testid="stMarkdownContainer"]',
                            has_text="Stopped").first.inner_text()
        reached = text.split("at step")[1].split(" of ")[0].strip(" s").split("–")
        ends = page.evaluate(ENDS_JS)
        agrees = bool(ends) and min(ends) == int(reached[0]) and max(ends) == int(reached[-1])
        return ((watch["shown"] - watch["down"]) / 1000, (watch["idle"] - watch["down"]) / 1000,
                agrees)
    finally:
        context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=5, help=f"1…{len(RATES)} (default 5)")
    parser.add_argument("--before", type=Path, help="a second checkout, measured in the same run")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per wait")
    args = parser.parse_args(argv)
    if not 1 <= args.trials <= len(RATES):
        parser.error(f"--trials must be in 1…{len(RATES)}")
    if args.before is not None and not (args.before / "app.py").is_file():
        parser.error(f"--before {args.before}: no app.py there")
    from playwright.sync_api import sync_playwright

    from tests.conftest import CHROMIUM, CHROMIUM_FLAGS, start_server, stop_server

    (ROOT / ".pytest_cache").mkdir(exist_ok=True)
    targets, procs = [], []
    results: dict[str, list[tuple]] = {}
    try:
        if args.before is not None:
            proc, url = start_server(root=args.before.resolve())
            procs.append(proc)
            targets.append(("before", url))
        proc, url = start_server()
        procs.append(proc)
        targets.append(("after" if args.before is not None else "this", url))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            for i, rate in enumerate(RATES[:args.trials]):
                for label, url in targets:  # interleaved: both see the same machine load
                    delay = 200 + 370 * i
                    print(f"… {label}: lr {rate}, Stop {delay} ms after the first curve",
                          file=sys.stderr, flush=True)
                    results.setdefault(label, []).append(
                        trial(browser, url, rate, delay, int(args.timeout * 1000)))
            browser.close()
    finally:
        for proc in procs:
            stop_server(proc)
    rows = []
    for label, trials in results.items():
        acts, idle = summary([t[0] for t in trials]), summary([t[1] for t in trials])
        rows.append([label, len(trials), fmt_ms(acts["median"]), fmt_ms(max(t[0] for t in trials)),
                     fmt_ms(idle["median"]), f"{sum(t[2] for t in trials)}/{len(trials)}"])
    print(format_table(["target", "trials", "Stop → message median ms", "max ms",
                        "Stop → run over median ms", "curves agree"], rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
