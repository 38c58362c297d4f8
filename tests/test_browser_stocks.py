"""Real browser: the stock input on the Step-Through and Compare, and the stock lesson, on a wide
screen, a phone and a projector (teacher mode): they render, name their source, and lay out."""

from __future__ import annotations

import pytest

from tests.browser_helpers import assert_no_exception, chart_count, wait_for_run
from tests.layout_checks import layout_problems, legend_overlaps, title_overlaps

pytestmark = pytest.mark.browser

SOURCE = "from the sample data shipped with the plotly package"
VIEWS = [(1400, 1000, ""), (390, 844, ""), (1400, 1000, "&teacher=1")]
IDS = ["wide", "phone", "teacher"]


@pytest.fixture
def sized(browser, request):
    width, height, query = request.param
    context = browser.new_context(viewport={"width": width, "height": height})
    yield context.new_page(), query, f"{request.node.callspec.id}"
    context.close()


def _whole_page_shot(page, path) -> None:
    """A screenshot of the whole page: Streamlit scrolls inside the app, not the document, so
    the viewport is made as tall as the content for the picture (the width, which decides the
    layout, stays), then put back."""
    size = page.viewport_size
    height = page.evaluate("() => Math.max(...[...document.querySelectorAll('section, div')]"
                           ".map(e => e.scrollHeight))")
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, 9000)})
    page.wait_for_timeout(800)  # charts redraw for the new height of their containers
    page.screenshot(path=str(path))
    page.set_viewport_size(size)


def _main_text(page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


@pytest.mark.parametrize("sized", VIEWS, ids=IDS, indirect=True)
def test_the_stock_lesson_reveals_its_live_numbers_and_source(sized, app_url, screenshot_dir):
    page, query, name = sized
    page.goto(f"{app_url}/lessons?scenario=stock_down_weeks{query}")
    wait_for_run(page)
    assert_no_exception(page)
    question = _main_text(page)
    assert "GOOG · Alphabet (Google)" in question and "46 of its 104 weeks" in question
    radio = page.locator(".st-key-lessons-prediction-stock_down_weeks [data-testid=stRadio]")
    radio.get_by_text("Only the tanh candidate", exact=False).click()
    wait_for_run(page)
    page.get_by_role("button", name="Reveal").click()
    wait_for_run(page)
    page.get_by_text("Not a picked seed", exact=False).wait_for(timeout=15_000)
    wait_for_run(page)  # the revealed charts are drawn
    assert_no_exception(page)
    text = _main_text(page)
    assert "Your prediction was right." in text
    assert "tanh candidate: 68% of the writes" in text
    assert "sigmoid candidate: 0%" in text and "seeds 0–29" in text
    assert SOURCE in text  # the caption above the lesson's chart
    assert chart_count(page) == 2
    assert layout_problems(page) == []
    assert legend_overlaps(page) == []
    _whole_page_shot(page, screenshot_dir / f"stock-lesson-{name}.png")


@pytest.mark.parametrize("sized", VIEWS, ids=IDS, indirect=True)
def test_step_through_with_the_stock_input(sized, app_url, screenshot_dir):
    page, query, name = sized
    page.goto(f"{app_url}/step_through?preset=stocks&stock=NFLX{query}")
    wait_for_run(page)
    assert_no_exception(page)
    main = _main_text(page)
    assert "Input: NFLX · Netflix" in main and SOURCE in main  # also when the sidebar is hidden
    sidebar = page.locator('[data-testid="stSidebar"]')
    if "teacher" in query:
        assert sidebar.is_hidden()
    elif page.viewport_size["width"] > 600:
        assert page.locator(".st-key-step_through-stock input").input_value() == "NFLX · Netflix"
        assert "104 weeks, 52 of them down" in sidebar.inner_text()
    slider_steps = page.evaluate(
        "() => document.querySelector('[data-testid=lensChart] .js-plotly-plot')"
        ".layout.sliders[0].steps.length")
    assert slider_steps == 104
    assert layout_problems(page) == []
    _whole_page_shot(page, screenshot_dir / f"stock-step-through-{name}.png")


@pytest.mark.parametrize("sized", VIEWS, ids=IDS, indirect=True)
def test_compare_with_the_stock_input(sized, app_url, screenshot_dir):
    page, query, name = sized
    page.goto(f"{app_url}/compare?preset=stocks&stock=AAPL&count=3{query}")
    wait_for_run(page)
    assert_no_exception(page)
    main = _main_text(page)
    assert "Input: AAPL · Apple" in main and SOURCE in main
    assert chart_count(page) == 2
    assert legend_overlaps(page) == []
    assert title_overlaps(page) == []
    _whole_page_shot(page, screenshot_dir / f"stock-compare-{name}.png")


def test_picking_a_stock_in_the_sidebar(page, app_url):
    page.goto(f"{app_url}/step_through?preset=stocks")
    wait_for_run(page)
    option = page.get_by_role("option", name="MSFT · Microsoft")
    for _attempt in range(3):  # a rerun that lands just after the click closes the list again
        page.locator(".st-key-step_through-stock [data-testid=stSelectbox]").click()
        try:
            option.wait_for(timeout=5_000)
            break
        except Exception:
            wait_for_run(page)
    option.click()
    page.wait_for_function("() => location.search.includes('stock=MSFT')")
    wait_for_run(page)
    assert "Input: MSFT · Microsoft" in _main_text(page)
    assert_no_exception(page)
