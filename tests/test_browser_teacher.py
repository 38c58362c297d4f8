"""Real browser: teacher mode from a link hides the controls and the sidebar, and can be left."""

from __future__ import annotations

import pytest

from tests.browser_helpers import assert_no_exception, open_page, wait_for_run

pytestmark = pytest.mark.browser


def test_teacher_mode_hides_controls_and_enlarges_text(page, app_url, screenshot_dir):
    open_page(page, app_url, "activation_lab?teacher=1&eps=0.1")
    assert_no_exception(page)
    page.screenshot(path=str(screenshot_dir / "teacher-mode.png"))
    assert not page.locator('[data-testid="stSidebar"]').is_visible()
    sliders = page.locator('[data-testid="stSlider"]')
    assert sliders.count() > 0 and not sliders.first.is_visible()
    assert page.locator('[data-testid="lensChart"]').first.is_visible()
    font_size = page.evaluate("getComputedStyle(document.querySelector('h1')).fontSize")
    assert float(font_size.removesuffix("px")) > 48
    assert "teacher=1" in page.url and "eps=0.1" in page.url

    page.get_by_role("button", name="Leave teacher mode").click()
    wait_for_run(page)
    page.wait_for_function("() => !location.search.includes('teacher=1')")
    # The stylesheet goes when the rerun's elements replace the old ones: wait for that.
    page.locator('[data-testid="stSidebar"]').wait_for(state="visible", timeout=15_000)
    page.locator('[data-testid="stSlider"]').first.wait_for(state="visible", timeout=15_000)
    assert "eps=0.1" in page.url  # leaving keeps the view


def test_lessons_stay_interactive_in_teacher_mode(page, app_url):
    # The class predicts, the teacher reveals: the lesson's choices, Reveal and the quiz stay.
    open_page(page, app_url, "lessons?scenario=vanishing&teacher=1")
    assert page.locator(".st-key-lessons-prediction-vanishing [data-testid=stRadio]").is_visible()
    assert page.get_by_role("button", name="Reveal").is_visible()
    assert page.get_by_role("button", name="Next").is_visible()
    assert page.locator('[data-testid="stSidebar"]').is_hidden()  # the rest stays hidden


def test_a_race_runs_and_stops_in_teacher_mode(page, app_url):
    # The link sets the race up; on the projector Run race and Stop stay (nothing else does).
    open_page(page, app_url, "training_lab?task=adding&length=20&presets=lstm,gru&seeds=2"
                             "&steps=2000&teacher=1")
    assert page.get_by_text("Press Run race to race the settings of this link").is_visible()
    page.get_by_role("button", name="Run race").click()
    page.wait_for_selector('[data-testid="lensChart"] .scatterlayer .trace path.js-line',
                           timeout=10_000)
    page.locator(".st-key-training_lab-stop button:visible").first.click()
    page.locator('[data-testid="stMarkdownContainer"]', has_text="Stopped").first.wait_for(
        timeout=30_000)
    wait_for_run(page)
    assert_no_exception(page)
    assert page.locator('[data-testid="stSidebar"]').is_hidden()
    assert not page.locator('[data-testid="stSlider"]').first.is_visible()
