"""Real browser: a short race draws its curves live and at the end; Stop stops a long one."""

from __future__ import annotations

import time

import pytest

from tests.browser_helpers import assert_no_exception, chart_count, open_page, wait_for_run

pytestmark = pytest.mark.browser

SHORT = "training_lab?task=adding&length=10&presets=lstm,gru&seeds=2&steps=100"
LONG = "training_lab?task=adding&length=20&presets=lstm,gru&seeds=2&steps=2000"
#: The heaviest race one click may ask for (the work cap): its chunks are the smallest.
HEAVIEST = ("training_lab?task=adding&length=100&presets=lstm,lstm_sigmoid,lstm_hard_tanh,gru"
            "&seeds=5&steps=100")
# Live curves (a fresh chart per redraw) and the final ones are drawn by the app's renderer
# (ui/charts.py), never by st.plotly_chart (its plotly.js chunk alone is 4.7 MB).
CURVE = '[data-testid="lensChart"] .scatterlayer .trace path.js-line'


def _tall_screenshot(page, path) -> None:
    """Streamlit scrolls inside its main block, so ``full_page`` misses the bottom: grow the
    viewport instead."""
    page.set_viewport_size({"width": 1400, "height": 2800})
    wait_for_run(page)
    page.screenshot(path=str(path))


def test_a_short_race_runs_and_its_curves_appear(page, app_url, screenshot_dir):
    open_page(page, app_url, SHORT)
    assert_no_exception(page)
    page.get_by_role("button", name="Run race").click()
    clicked = time.perf_counter()
    page.wait_for_selector(CURVE, timeout=10_000)
    first_points = time.perf_counter() - clicked
    wait_for_run(page)
    assert_no_exception(page)
    assert page.get_by_text("Finished").count() >= 1
    assert chart_count(page) == 2  # loss curves and the trained model's gates
    assert page.locator(CURVE).count() >= 2  # one mean curve per configuration (and more)
    assert page.locator('[data-testid="stDataFrame"]').count() == 1
    assert not page.locator('[data-testid="stPlotlyChart"]').count()
    _tall_screenshot(page, screenshot_dir / "training-lab-race.png")
    assert first_points < 5.0, f"first curve points took {first_points:.1f} s"


@pytest.mark.parametrize(("path", "total"), [(LONG, 2000), (HEAVIEST, 100)],
                         ids=["long", "heaviest"])
def test_stop_ends_a_long_race_early(page, app_url, screenshot_dir, path, total):
    open_page(page, app_url, path)
    page.get_by_role("button", name="Run race").click()
    page.wait_for_selector(CURVE, timeout=10_000)
    # the page's own Stop (the app header has a "Stop" of its own while a script runs)
    # (during a rerun the previous run's copy of the button may still be in the DOM)
    page.locator(".st-key-training_lab-stop button:visible").first.click()
    stopped = page.locator('[data-testid="stMarkdownContainer"]', has_text="Stopped")
    # a wait, not a timing: on a loaded 2-core CI machine the stop can take more than 10 s
    stopped.first.wait_for(timeout=30_000)
    wait_for_run(page)
    assert_no_exception(page)
    text = stopped.first.inner_text()
    assert f"of {total}" in text
    # The message and the curves agree: the curves end at the step (or the range of steps,
    # when a round was cut short) that the message names.
    reached = text.split("at step")[1].split(" of ")[0].strip(" s").split("–")
    low, high = int(reached[0]), int(reached[-1])
    ends = page.evaluate("""() => {
        const gd = document.querySelector('[data-testid="lensChart"] .js-plotly-plot');
        return gd._fullData.filter(t => t.mode === 'lines+markers')
                           .map(t => Math.max(...t.x)); }""")
    assert ends and min(ends) == low and max(ends) == high, (text, ends)
    assert low < total  # stopped, not finished
    _tall_screenshot(page, screenshot_dir / f"training-lab-stopped-{total}.png")


def test_a_phone_sees_configuration_reached_and_diverged_first(browser, app_url, screenshot_dir):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    try:
        page = context.new_page()
        open_page(page, app_url, SHORT)
        page.get_by_role("button", name="Run race").click()
        page.wait_for_selector('[data-testid="stDataFrame"] td', state="attached", timeout=60_000)
        wait_for_run(page)
        assert_no_exception(page)
        table = page.locator('[data-testid="stDataFrame"]').first
        table.scroll_into_view_if_needed()
        box = table.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # the table itself fits
        # The grid (a canvas) keeps an accessible twin holding the columns it draws: those in
        # view and at most one more beyond the right edge.
        heads = page.eval_on_selector_all('[data-testid="stDataFrame"] th',
                                          "els => els.map(e => e.innerText.trim())")
        assert heads[:3] == ["configuration", "reached", "diverged (at step)"], heads
        assert len(heads) >= 4, heads  # so "diverged" is not the one beyond the edge
        cells = page.eval_on_selector_all('[data-testid="stDataFrame"] td',
                                          "els => els.map(e => e.innerText.trim())")
        assert "textbook LSTM" in cells and "GRU" in cells
        assert any(c.endswith("/2") for c in cells)  # reached / diverged of 2 seeds
        page.screenshot(path=str(screenshot_dir / "training_lab_phone.png"))
    finally:
        context.close()
