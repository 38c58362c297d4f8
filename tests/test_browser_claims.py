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


@pytest.mark.parametrize(("name", "size", "query"), [
    ("desktop", (1400, 1000), "claim=tanh_converges_faster"),
    ("phone", (390, 844), "claim=jozefowicz_forget_bias"),
    ("teacher", (1920, 1080), "claim=relu_replaces_tanh&teacher=1"),
    ("chinese", (1400, 1000), "claim=greff_output_activation&lang=zh"),
])
def test_trained_verdicts_arrive_with_their_seeds_rule_and_sweep(browser, app_url, screenshot_dir,
                                                                 name, size, query):
    """The study is computed by the server's own background process (at the CI budget here);
    the claim then shows its verdict, the rule, one dot per seed and the learning-rate sweep."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    try:
        open_page(page, app_url, f"claims?{query}")
        assert_no_exception(page)
        rule = "判定方法" if name == "chinese" else "How the verdict is decided"
        page.wait_for_function(f"() => document.body.innerText.includes({rule!r})",
                               timeout=300_000)
        assert_no_exception(page)
        main = page.locator('[data-testid="stMain"]')
        text = main.inner_text()
        if name == "chinese":
            assert "Greff" in text and "论文" in text
        else:
            assert "95 %" in text and "seeds" in text
        if "greff" in query:
            assert page.locator('[data-testid="stMain"] blockquote, [data-testid="stMain"] p'
                                ).filter(has_text="Greff").count() >= 1
        # the per-seed chart: one row per configuration and budget, the median as a diamond
        page.wait_for_selector('[data-testid="stMain"] .js-plotly-plot .point', timeout=30_000)
        assert page.locator('[data-testid="stMain"] .js-plotly-plot .point').count() >= 20
        assert main.locator('[data-testid="stDataFrame"]').count() >= 1  # the sweep table
        _fits(page)
        page.screenshot(path=str(screenshot_dir / f"claims-trained-{name}.png"), full_page=True)
    finally:
        context.close()
