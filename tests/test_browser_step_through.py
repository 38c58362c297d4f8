"""Cell Step-Through in Chromium: loads, draws, scrubs time inside the figure with no rerun, and
the time series still answer hover."""

from __future__ import annotations

import pytest
from browser_helpers import assert_no_exception, chart_count, open_page

pytestmark = pytest.mark.browser

CURSOR_JS = """() => {
  const gd = document.querySelector('[data-testid="lensChart"] .js-plotly-plot');
  const cursor = gd.data[gd.data.length - 1];
  const eq = gd.data.find(t => t.mode === 'text' && Array.isArray(t.texttemplate)
                               && t.texttemplate[0] === 'step t = %{text}');
  const shown = [...gd.querySelectorAll('.textpoint text')].map(t => t.textContent);
  return {x: cursor.x[0], active: gd.layout.sliders[0].active, text: eq.text[1],
          step: shown.find(t => t.startsWith('step t = '))};
}"""
# The diagram's trace groups in drawing order, with what each draws: an animation that dropped
# or reordered traces (plotly.js does both for traces left out of a frame) changes it.
LAYERS_JS = """() => {
  const gd = document.querySelector('[data-testid="lensChart"] .js-plotly-plot');
  return [...gd.querySelectorAll('.scatterlayer .trace')].map(g =>
    g.querySelectorAll('.js-line').length + '/' + g.querySelectorAll('.point').length + '/'
    + [...g.querySelectorAll('.textpoint text')].map(t => t.textContent[0]).join(''));
}"""
# Where on the screen step 31 of the "c cell state" line is drawn (scrolled into view first).
POINT_JS = """(scroll) => {
  const gd = document.querySelector('[data-testid="lensChart"] .js-plotly-plot');
  const i = gd.data.findIndex(t => t.name === 'c cell state');
  const trace = gd._fullData[i], box = gd.getBoundingClientRect();
  const xa = gd._fullLayout[trace.xaxis.replace('x', 'xaxis')];
  const ya = gd._fullLayout[trace.yaxis.replace('y', 'yaxis')];
  const point = gd.calcdata[i][30];
  const at = {x: box.left + xa._offset + xa.c2p(point.x),
              y: box.top + ya._offset + ya.c2p(point.y)};
  if (scroll) {
    let el = gd.parentElement;
    while (el && !(el.scrollHeight > el.clientHeight
                   && ['auto', 'scroll'].includes(getComputedStyle(el).overflowY))) {
      el = el.parentElement;
    }
    (el || document.scrollingElement).scrollBy(0, at.y - innerHeight / 2);
  }
  return at;
}"""


def test_page_loads_and_scrubbing_does_not_rerun(page, app_url, screenshot_dir):
    sent: list = []  # every message the browser sends to the server (a rerun request is one)
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
    open_page(page, app_url, "step_through")
    assert_no_exception(page)
    assert chart_count(page) == 5  # diagram + time series; a curve per slot (3); unit heatmaps
    page.screenshot(path=str(screenshot_dir / "step_through_default.png"))
    before = page.evaluate(CURSOR_JS)
    layers = page.evaluate(LAYERS_JS)
    assert sent, "the listener saw no message at all: it would not see a rerun either"
    sent_before = len(sent)
    # drag the in-figure slider's handle to the right
    handle = page.locator(".slider-grip-rect").first
    box = handle.bounding_box()
    rail = page.locator(".slider-rail-rect").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(rail["x"] + rail["width"] * 0.8, box["y"] + box["height"] / 2, steps=8)
    page.mouse.up()
    page.wait_for_timeout(500)
    after = page.evaluate(CURSOR_JS)
    assert after["x"] > before["x"] + 20, (before, after)
    assert after["text"] != before["text"] and after["step"] == f"step t = {after['x']}"
    assert page.evaluate(LAYERS_JS) == layers, "scrubbing dropped or reordered traces"
    state = page.get_attribute('[data-testid="stApp"]', "data-test-script-state")
    assert state == "notRunning"
    assert len(sent) == sent_before, "scrubbing sent a message to the server (a rerun)"
    page.wait_for_timeout(500)  # the address follows the slider (step_sync.js), no rerun
    assert page.url.endswith(f"step={after['x']}"), page.url
    page.screenshot(path=str(screenshot_dir / "step_through_scrubbed.png"))


def test_time_series_answer_hover(page, app_url):
    """Nothing covers the time-series panels (an overlay axis for the cursor once did): their
    points answer hover."""
    open_page(page, app_url, "step_through")
    page.evaluate(POINT_JS, True)
    page.wait_for_timeout(200)
    point = page.evaluate(POINT_JS, False)
    assert 0 < point["y"] < page.viewport_size["height"], point
    page.mouse.move(point["x"], point["y"])
    page.wait_for_function(
        "() => [...document.querySelectorAll('.hoverlayer text')]"
        ".some(t => t.textContent.startsWith('c = '))", timeout=5000)
