"""Real browser: the Activation Lab draws its chart and a keyboard change redraws it."""

from __future__ import annotations

import time

import pytest

from tests.browser_helpers import assert_no_exception, chart_count, open_page, wait_for_run

pytestmark = pytest.mark.browser


def _legend(page) -> str:
    return " | ".join(
        page.locator('[data-testid="lensChart"] .legendtext').all_text_contents()
    )


def test_activation_lab_keyboard_changes_chart(page, app_url, screenshot_dir):
    open_page(page, app_url, "activation_lab")
    assert_no_exception(page)
    assert chart_count(page) == 1
    chart = page.locator('[data-testid="lensChart"]').first
    assert chart.locator(".main-svg").count() > 0
    assert chart.locator(".scatterlayer .trace").count() >= 9  # 3 activations × 3 panels
    assert "|f′| < ε = 0.05" in _legend(page)
    page.screenshot(path=str(screenshot_dir / "activation_lab-default.png"), full_page=True)

    # The ε slider is the second slider (x range, ε, leaky slope): focus its thumb, ArrowRight.
    thumb = page.locator('[data-testid="stSlider"]').nth(1).get_by_role("slider")
    thumb.focus()
    start = time.perf_counter()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="lensChart"] .legendtext')]
                 .some(t => t.textContent.includes('ε = 0.055'))""",
        timeout=15_000,
    )
    wait_for_run(page)
    elapsed = time.perf_counter() - start
    assert_no_exception(page)
    assert "|f′| < ε = 0.055" in _legend(page)
    page.screenshot(path=str(screenshot_dir / "activation_lab-eps-0.055.png"), full_page=True)
    print(f"keyboard change → chart redrawn in {elapsed * 1000:.0f} ms")


def test_activation_lab_bad_custom_expression_in_browser(page, app_url, screenshot_dir):
    open_page(page, app_url, "activation_lab")
    box = page.get_by_label("Custom activation f(x)", exact=True)
    box.fill("().__class__.__bases__")
    box.press("Enter")
    page.wait_for_selector('[data-testid="stAlertContentError"]', timeout=15_000)
    wait_for_run(page)
    assert_no_exception(page)
    assert chart_count(page) == 1
    page.screenshot(path=str(screenshot_dir / "activation_lab-bad-custom.png"), full_page=True)
