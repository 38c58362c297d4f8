"""Real browser: the Claims page renders formulas as math, fills in the trained verdicts by
itself, and fits a phone and a projector."""

from __future__ import annotations

import pytest

from tests.browser_helpers import assert_no_exception, open_page

pytestmark = pytest.mark.browser


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.clientWidth")
    wider = page.evaluate("document.documentElement.scrollWidth")
    assert wider <= width + 1, f"the page scrolls sideways: {wider} > {width}"


@pytest.mark.parametrize(("name", "size", "query"), [
    ("desktop", (1400, 1000), "claim=quoted_sigmoid_derivative"),
    ("phone", (390, 844), "claim=printed_derivatives"),
    ("teacher", (1400, 1000), "claim=quoted_sigmoid_derivative&teacher=1"),
])
def test_claims_page_renders_math_and_fits(browser, app_url, screenshot_dir, name, size, query):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    try:
        open_page(page, app_url, f"claims?{query}")
        assert_no_exception(page)
        page.wait_for_selector(".katex", timeout=15_000)
        assert page.locator('[data-testid="stMain"] .katex').count() >= 1
        main = page.locator('[data-testid="stMain"]').inner_text()
        assert "\\dfrac" not in main and "e^{" not in main  # no raw LaTeX left
        # the trained verdicts arrive without a reload
        page.wait_for_function(
            "() => !document.body.innerText.includes('Still computing')", timeout=90_000)
        _fits(page)
        page.screenshot(path=str(screenshot_dir / f"claims-{name}.png"))
        page.locator('[data-testid="stMain"] .katex').first.scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot_dir / f"claims-{name}-claim.png"))
    finally:
        context.close()
