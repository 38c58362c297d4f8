"""Every page on a phone (390×844) and on a projector (teacher mode), in Chromium."""

from __future__ import annotations

import pytest
from browser_helpers import assert_no_exception, wait_for_run
from layout_checks import (
    button_problems,
    layout_problems,
    legend_overlaps,
    title_overlaps,
    titles_over_axes,
)

PAGES = ("", "lessons", "claims", "activation_lab", "step_through", "compare", "gradient_flow",
         "training_lab")
#: Chart text in teacher mode: at least this many CSS pixels (the prose is 21–24 px).
PROJECTOR_MIN_PX = 18
#: A plot on a phone: at least this many CSS pixels wide (the Step-Through's slot curves, three
#: panels of one figure, were 72 px).
PHONE_MIN_PLOT_PX = 150

SMALL_CHART_TEXT_JS = """() => [
  ...document.querySelectorAll('[data-testid=lensChart] svg text')]
  .filter(t => (t.textContent || '').trim() && t.getBoundingClientRect().width)
  .map(t => [parseFloat(getComputedStyle(t).fontSize), t.textContent.slice(0, 30)])"""


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    yield context.new_page()
    context.close()


@pytest.mark.browser
def test_phone_every_page_fits_and_the_diagram_does_not_overlap(phone, app_url):
    problems = {}
    for path in PAGES:
        phone.goto(f"{app_url}/{path}")
        wait_for_run(phone)
        assert_no_exception(phone)
        found = layout_problems(phone, "step_through-diagram")
        if found:
            problems[path or "home"] = found
    assert not problems, problems
    for cell_type in ("GRU", "RNN"):
        phone.goto(f"{app_url}/step_through?cell_type={cell_type}")
        wait_for_run(phone)
        assert not layout_problems(phone, "step_through-diagram"), cell_type


@pytest.mark.browser
def test_teacher_mode_chart_text_is_projector_sized_and_no_control_gap(page, app_url):
    small = {}
    for path in PAGES:
        page.goto(f"{app_url}/{path}?teacher=1")
        wait_for_run(page)
        sizes = page.evaluate(SMALL_CHART_TEXT_JS)
        below = [text for size, text in sizes if size < PROJECTOR_MIN_PX]
        if below:
            small[path or "home"] = below[:5]
    assert not small, small
    page.goto(f"{app_url}/activation_lab?teacher=1")
    wait_for_run(page)
    # The hidden controls leave no gap: the intro's last paragraph is close above the chart.
    gap = page.evaluate("""() => {
      const chart = document.querySelector('[data-testid=lensChart]').getBoundingClientRect();
      const texts = [...document.querySelectorAll('[data-testid=stMain] [data-testid=stMarkdown]')]
        .map(e => e.getBoundingClientRect()).filter(r => r.bottom <= chart.top);
      return chart.top - Math.max(...texts.map(r => r.bottom)); }""")
    assert gap < 120, gap


@pytest.mark.browser
def test_phone_gradient_flow_legends_stay_off_the_plots(phone, app_url):
    """On a phone the saturation panel's legend wrapped to four rows over the plot above and
    below it; it now sits under the step axis."""
    phone.goto(f"{app_url}/gradient_flow")
    wait_for_run(phone)
    assert [p for p in legend_overlaps(phone) if "over a plot" in p] == []


@pytest.mark.browser
@pytest.mark.parametrize(("width", "height", "query"),
                         [(1400, 1000, ""), (390, 844, ""), (1400, 1000, "&teacher=1")],
                         ids=["wide", "phone", "teacher"])
def test_compare_legend_of_six_stays_off_the_panel_titles(browser, app_url, width, height, query):
    """Six names wrap to two rows (six on a phone, three at projector size): the rows grew
    down over the first panel's title and the phase plot's title."""
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.goto(f"{app_url}/compare?count=6{query}")
        wait_for_run(page)
        assert legend_overlaps(page) == []
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("query", ["", "&lang=zh", "&cell_type=GRU"])
def test_phone_step_through_curve_titles_apart_and_plots_wide_enough(phone, app_url, query):
    """The slot curves ("where each slot operates") were three panels of one figure, 72 px wide
    on a phone, and their English titles ran into one line; each is now its own chart in a
    column, stacked one per row on a phone."""
    phone.goto(f"{app_url}/step_through?unit=1{query}")
    wait_for_run(phone)
    assert phone.locator(".nsewdrag").count() >= 8  # the checks below see the charts
    assert title_overlaps(phone, PHONE_MIN_PLOT_PX) == []


@pytest.mark.browser
@pytest.mark.parametrize("query", ["", "&lang=zh", "&teacher=1"])
def test_phone_compare_phase_plot_wide_enough_and_titles_clear(phone, app_url, query):
    """The phase plot sat right of the stacked panels in one figure: 72 px wide on a phone,
    and the "difference from …" title ran under its tick labels. It is now a chart of its own
    in a column, stacked under the panels on a phone."""
    phone.goto(f"{app_url}/compare?count=6{query}")
    wait_for_run(phone)
    assert phone.locator(".nsewdrag").count() == 4  # the checks below see every plot
    assert titles_over_axes(phone) == []
    assert title_overlaps(phone, PHONE_MIN_PLOT_PX) == []
    assert legend_overlaps(phone) == []
    assert layout_problems(phone) == []


@pytest.mark.browser
@pytest.mark.parametrize(("width", "height", "query"),
                         [(1400, 1000, ""), (1400, 1000, "&lang=zh"), (390, 844, ""),
                          (390, 844, "&lang=zh"), (390, 844, "&cell_type=GRU")],
                         ids=["wide", "wide-zh", "phone", "phone-zh", "phone-gru"])
def test_teacher_mode_play_buttons_fully_visible(browser, app_url, width, height, query):
    """At projector size (20 px) the three play buttons were one row wider than a phone-wide
    chart: the last one was cut off at the chart's edge (Chinese labels, or the GRU's wider tick
    labels). Each label lies inside its button, each button inside the chart, over no text, and
    the three share one row."""
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.goto(f"{app_url}/step_through?teacher=1{query}")
        wait_for_run(page)
        assert page.locator(".updatemenu-button").count() == 3
        assert button_problems(page) == []
        tops = page.locator(".updatemenu-button").evaluate_all(
            "els => els.map(e => Math.round(e.getBoundingClientRect().top))")
        assert len(set(tops)) == 1, f"the play buttons wrap onto rows at tops {tops}"
    finally:
        context.close()
