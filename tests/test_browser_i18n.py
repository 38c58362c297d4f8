"""Real browser: Chinese from the browser's language or the switch, with real CJK glyphs, the
view kept, and ``lang=zh`` in the URL."""

from __future__ import annotations

import re

import pytest

from tests.browser_helpers import CHARTS, assert_no_exception, open_page, wait_for_run

pytestmark = pytest.mark.browser
CJK = re.compile(r"[\u4e00-\u9fff]")

#: Draws two different characters on a canvas in the page's own font and compares the pixels:
#: with no CJK font both are the same "missing glyph" box (or nothing at all).
_GLYPHS_DIFFER = """() => {
  const draw = (ch) => {
    const c = document.createElement('canvas'); c.width = 40; c.height = 40;
    const g = c.getContext('2d'); g.font = '32px ' + getComputedStyle(document.body).fontFamily;
    g.fillText(ch, 2, 32); return Array.from(g.getImageData(0, 0, 40, 40).data);
  };
  const a = draw('遗'), b = draw('门');
  // The check itself: two unassigned code points are drawn alike (both missing).
  const missingAlike = draw('\\u{E000}').join() === draw('\\u{E001}').join();
  return missingAlike && a.some(v => v > 0) && a.join() !== b.join();
}"""


def _title(page) -> str:
    return page.locator('[data-testid="stMain"] h1').first.inner_text()


def test_a_chinese_browser_gets_chinese_and_real_glyphs(browser, app_url, screenshot_dir):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    try:
        open_page(page, app_url, "step_through")
        assert_no_exception(page)
        assert CJK.search(_title(page)), _title(page)
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert CJK.search(nav), nav
        assert page.evaluate(_GLYPHS_DIFFER), "Chinese characters are drawn as missing glyphs"
        # The charts' own text (SVG) is Chinese too.
        chart_text = page.locator(CHARTS).first.evaluate(
            "c => [...c.querySelectorAll('svg text')].map(t => t.textContent).join(' ')")
        assert CJK.search(chart_text), chart_text[:200]
        page.screenshot(path=str(screenshot_dir / "zh-step-through.png"), full_page=True)
        open_page(page, app_url, "claims")
        assert_no_exception(page)
        assert CJK.search(_title(page))
        page.screenshot(path=str(screenshot_dir / "zh-claims.png"), full_page=True)
    finally:
        context.close()


def test_the_switch_translates_in_place_and_keeps_the_view(page, app_url):
    open_page(page, app_url, "gradient_flow?steps=40&loss=every")
    english = _title(page)
    assert not CJK.search(english)
    page.locator('[data-testid="stSidebar"] [data-testid="stRadio"]').first.get_by_text(
        "中文").click()
    page.wait_for_function("() => location.search.includes('lang=zh')")
    wait_for_run(page)
    assert CJK.search(_title(page))
    assert "steps=40" in page.url and "loss=every" in page.url
    # Another page keeps the language (the sidebar navigation drops the URL's parameters).
    page.locator('[data-testid="stSidebarNav"] a').nth(3).click()
    wait_for_run(page)
    assert CJK.search(_title(page)) and "lang=zh" in page.url
    page.locator('[data-testid="stSidebar"] [data-testid="stRadio"]').first.get_by_text(
        "English").click()
    page.wait_for_function("() => !location.search.includes('lang=zh')")
    wait_for_run(page)
    assert not CJK.search(_title(page))


def test_a_link_in_chinese_opens_in_chinese_in_an_english_browser(page, app_url):
    open_page(page, app_url, "compare?lang=zh&count=2")
    assert_no_exception(page)
    assert CJK.search(_title(page)) and "count=2" in page.url
