"""Charts from the keyboard and for screen readers; the toolbar in Chinese and on a phone."""

from __future__ import annotations

import re

import pytest

from tests.browser_helpers import open_page, wait_for_run

pytestmark = pytest.mark.browser

DIAGRAM = ".st-key-step_through-diagram .lens-chart"
PAGES = ["", "activation_lab", "step_through", "compare", "gradient_flow", "training_lab",
         "lessons", "claims"]


def _state(page) -> dict:
    return page.evaluate(f"""() => {{
      const box = document.querySelector('{DIAGRAM}');
      const drawn = [...box.querySelectorAll('text')].map(t => t.textContent)
        .find(t => /^step t = \\d+/.test(t));
      return {{live: box.querySelector('.lens-live').textContent,
               drawn: Number(drawn.match(/\\d+/)[0]),
               focused: document.activeElement.classList.contains('lens-step-control')}};
    }}""")


def test_the_step_through_walks_and_plays_from_the_keyboard(page, app_url):
    open_page(page, app_url, "step_through")
    presses = 0
    while not _state(page)["focused"]:
        presses += 1
        assert presses < 120, "Tab never reached the chart's step control"
        page.keyboard.press("Tab")
    start = _state(page)
    assert start["live"] == f"step {start['drawn']} of 100"
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"() => document.querySelector('{DIAGRAM} .lens-live')"
                           f".textContent === 'step {start['drawn'] + 1} of 100'")
    assert _state(page)["drawn"] == start["drawn"] + 1
    page.keyboard.press("End")
    page.wait_for_timeout(300)
    assert _state(page) == {"live": "step 100 of 100", "drawn": 100, "focused": True}
    page.keyboard.press("Home")
    page.wait_for_timeout(300)
    assert _state(page)["drawn"] == 1
    page.keyboard.press(" ")
    page.wait_for_timeout(1200)
    playing = _state(page)["drawn"]
    assert playing > 2
    page.keyboard.press(" ")
    page.wait_for_timeout(300)
    paused = _state(page)
    page.wait_for_timeout(800)
    assert _state(page)["drawn"] == paused["drawn"] >= playing
    assert paused["live"] == f"step {paused['drawn']} of 100"
    print(f"Tab presses from page load to the step control: {presses}")


def _focused_title(page) -> str | None:
    return page.evaluate("() => document.activeElement.getAttribute('data-title')")


def test_fullscreen_keeps_focus_on_its_button_and_the_toolbar_is_one_tab_stop(page, app_url):
    open_page(page, app_url, "activation_lab")
    box = page.locator(".lens-chart").first
    tab_stops = box.evaluate("b => [...b.querySelectorAll('.modebar-btn')].map(x => x.tabIndex)")
    assert tab_stops.count(0) == 1 and len(tab_stops) >= 7
    box.locator(".modebar-btn").first.focus()
    page.keyboard.press("End")
    assert _focused_title(page) == "Fullscreen"
    page.keyboard.press("Enter")
    page.wait_for_selector(".lens-chart-fullscreen")
    page.wait_for_function("() => document.activeElement.dataset.title === 'Close fullscreen'")
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.querySelector('.lens-chart-fullscreen')")
    page.wait_for_function("() => document.activeElement.dataset.title === 'Fullscreen'")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.dataset.title === 'Close fullscreen'")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.dataset.title === 'Fullscreen'")
    page.keyboard.press("ArrowLeft")
    assert _focused_title(page) not in (None, "Fullscreen")


def test_each_chart_is_one_named_figure_linked_to_its_twin(page, app_url):
    open_page(page, app_url, "activation_lab")
    page.get_by_text("Show every chart's data as a table").click()
    wait_for_run(page)
    box = page.locator(".lens-chart").first
    name = box.get_attribute("aria-label")
    assert box.get_attribute("role") == "figure" and name
    assert box.evaluate("b => [...b.querySelectorAll('svg.main-svg')]"
                        ".every(s => s.getAttribute('aria-hidden') === 'true')")
    snapshot = box.aria_snapshot()
    assert snapshot.splitlines()[0].startswith("- figure")
    assert "img" not in snapshot and "text:" not in snapshot  # no tick label exposed
    page.wait_for_function("() => document.querySelector('.lens-chart[aria-details]')")
    twin = page.locator("#" + box.get_attribute("aria-details"))
    assert twin.locator('[data-testid="stDataFrame"]').count() == 1
    caption = page.locator("#" + box.get_attribute("aria-describedby")).inner_text()
    assert caption.startswith("Data of the chart above") and "<br>" not in caption


def test_a_chinese_page_has_chinese_toolbar_tooltips(page, app_url):
    open_page(page, app_url, "activation_lab?lang=zh")
    titles = page.locator(".lens-chart").first.evaluate(
        "b => [...b.querySelectorAll('.modebar-btn')].map(x => x.dataset.title)")
    assert {"下载图表", "缩放", "平移", "自动缩放", "重置轴", "全屏"} <= set(titles)
    assert not [t for t in titles if re.search(r"[A-Za-z]{3}", t)]


def _overlaps(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] \
        and b["top"] < a["bottom"]


def test_on_a_phone_the_toolbar_covers_no_title_or_legend(browser, app_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True,
                                  is_mobile=True)
    page = context.new_page()
    checked = 0
    try:
        for path in PAGES:
            open_page(page, app_url, path)
            boxes = page.evaluate("""(labels) => [...document.querySelectorAll('.lens-chart')]
              .map(b => {
              const rect = (e) => { const r = e.getBoundingClientRect();
                return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
              const bar = b.querySelector('.modebar');
              return {bar: bar && rect(bar), opacity: bar && getComputedStyle(bar).opacity,
                      labels: [...b.querySelectorAll(labels)].map(rect)
                        .filter(r => r.right > r.left)};
            })""", ".gtitle, .legend, .annotation, .g-xtitle, .g-ytitle")
            for box in boxes:
                assert box["bar"] is not None
                for label in box["labels"]:
                    assert not _overlaps(box["bar"], label), (path, box["bar"], label)
                checked += 1
    finally:
        context.close()
    assert checked >= 10
