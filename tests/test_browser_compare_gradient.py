"""Compare Trajectories and Gradient Flow in headless Chromium: they load with their charts drawn,
raise no exception, and redraw after a keyboard change of a control."""

from __future__ import annotations

import pytest
from browser_helpers import assert_no_exception, chart_count, open_page, wait_for_run

pytestmark = pytest.mark.browser

#: Points drawn in the first trace of the n-th Plotly chart (plotly.js keeps its decoded data
#: on the chart's div).
FIRST_TRACE_POINTS = """n => {
    const plots = document.querySelectorAll('[data-testid="lensChart"] .js-plotly-plot');
    return plots.length > n && plots[n]._fullData ? plots[n]._fullData[0]._length : -1;
}"""


def _points(page, chart: int = 0) -> int:
    return page.evaluate(FIRST_TRACE_POINTS, chart)


def test_gradient_flow_loads_and_redraws_on_a_key(page, app_url, screenshot_dir):
    open_page(page, app_url, "gradient_flow")
    assert_no_exception(page)
    assert chart_count(page) == 2
    assert _points(page) == 100
    page.screenshot(path=str(screenshot_dir / "gradient_flow.png"), full_page=True)
    slider = (page.locator('[data-testid="stSlider"]').filter(has_text="Sequence length T")
              .get_by_role("slider"))
    slider.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"() => ({FIRST_TRACE_POINTS})(0) === 101", timeout=30_000)
    wait_for_run(page)
    assert_no_exception(page)
    assert chart_count(page) == 2
    assert "T = 101" in page.inner_text('[data-testid="stMain"]')
    page.screenshot(path=str(screenshot_dir / "gradient_flow_t101.png"), full_page=True)


def test_compare_loads_and_redraws_on_a_key(page, app_url, screenshot_dir):
    open_page(page, app_url, "compare")
    assert_no_exception(page)
    assert chart_count(page) == 2  # panels, phase plot
    assert _points(page) == 100
    cut = page.evaluate("""() => [...document.querySelectorAll(
            '[data-testid="stMain"] [data-testid="stSelectbox"] input')]
        .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.value)""")
    assert cut == [], f"configuration names cut off: {cut}"
    page.screenshot(path=str(screenshot_dir / "compare.png"), full_page=True)
    steps = page.get_by_label("Steps T")
    steps.click()
    steps.press("Control+A")
    steps.type("120")
    steps.press("Enter")
    page.wait_for_function(f"() => ({FIRST_TRACE_POINTS})(0) === 120", timeout=30_000)
    wait_for_run(page)
    assert_no_exception(page)
    assert chart_count(page) == 2  # panels, phase plot
    page.screenshot(path=str(screenshot_dir / "compare_t120.png"), full_page=True)


TRACE_COUNT = """() => {
    const plot = document.querySelector('[data-testid="lensChart"] .js-plotly-plot');
    return plot && plot._fullData ? plot._fullData.length : -1;
}"""


def test_compare_configuration_panel_reruns_as_a_fragment(page, app_url):
    """The configuration panel is a fragment: its controls redraw the figure and update the
    link; "custom" opens a configuration's slot boxes, and the link reproduces the view."""
    open_page(page, app_url, "compare")
    assert page.evaluate(TRACE_COUNT) == 17  # 6 × (memory, hidden) + 5 differences
    count = (page.locator('[data-testid="stSlider"]').filter(has_text="Number of configurations")
             .get_by_role("slider"))
    count.focus()
    page.keyboard.press("ArrowLeft")
    page.wait_for_function(f"() => ({TRACE_COUNT})() === 14", timeout=30_000)
    wait_for_run(page)
    page.wait_for_url("**/compare?count=5", timeout=10_000)
    boxes = page.locator('[data-testid="stSelectbox"]')
    assert boxes.filter(has_text="cell type").count() == 0
    boxes.filter(has_text="Configuration 3").click()
    # the custom option is named by the configuration's slots
    page.get_by_role("option", name="custom: LSTM (σ, ReLU, ReLU)", exact=True).click()
    boxes.filter(has_text="cell type").wait_for(timeout=30_000)
    boxes.filter(has_text="cell type").click()
    page.get_by_role("option", name="RNN", exact=True).click()
    page.wait_for_url("**c3_cell=RNN**", timeout=30_000)
    wait_for_run(page)
    assert_no_exception(page)
    main = page.locator('[data-testid="stMain"]')
    assert "3. RNN (φ = ReLU)" in main.inner_text()
    page.goto(page.url)  # the link reproduces the view in a fresh session
    wait_for_run(page)
    assert page.evaluate(TRACE_COUNT) == 14
    assert "3. RNN (φ = ReLU)" in page.locator('[data-testid="stMain"]').inner_text()
