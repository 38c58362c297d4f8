"""Cell Step-Through in Chromium: loads, draws, and scrubs time inside the figure with no rerun."""

from __future__ import annotations

import pytest
from browser_helpers import assert_no_exception, chart_count, open_page

pytestmark = pytest.mark.browser

CURSOR_JS = """() => {
  const gd = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
  const cursor = gd.data[gd.data.length - 1];
  return {x: cursor.x[0], active: gd.layout.sliders[0].active,
          text: gd.data.find(t => t.mode === 'text'
                             && String(t.text[0]).startsWith('c_t')).text[0]};
}"""


def test_page_loads_and_scrubbing_does_not_rerun(page, app_url, screenshot_dir):
    sent: list = []  # every message the browser sends to the server (a rerun request is one)
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
    open_page(page, app_url, "step_through")
    assert_no_exception(page)
    assert chart_count(page) == 3
    page.screenshot(path=str(screenshot_dir / "step_through_default.png"))
    before = page.evaluate(CURSOR_JS)
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
    assert after["text"] != before["text"]
    state = page.get_attribute('[data-testid="stApp"]', "data-test-script-state")
    assert state == "notRunning"
    assert len(sent) == sent_before, "scrubbing sent a message to the server (a rerun)"
    page.screenshot(path=str(screenshot_dir / "step_through_scrubbed.png"))
