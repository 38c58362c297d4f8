"""Real browser, projector size: the teacher's sequence walked with the keys, and every page in
teacher mode read for sentences about hidden controls and for chart text under 18 px."""

from __future__ import annotations

import re

import pytest

from tests.browser_helpers import assert_no_exception, open_page, wait_for_run

pytestmark = pytest.mark.browser

PAGES = ("", "lessons", "claims", "activation_lab", "step_through", "compare", "gradient_flow",
         "training_lab", "teach")
#: A verb of using a control, or a place where hidden controls live.
HIDDEN_CONTROL = re.compile(r"\b(sidebar|choose|pick|select|press|type (a|an|in|your)|upload)\b",
                            re.I)
#: Controls teacher mode keeps: a sentence may name them.
VISIBLE = re.compile(r"Run race|▶|slider inside the chart|R reveals|→|←", re.I)


@pytest.fixture
def projector(browser):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    yield page
    context.close()


def _strip(page) -> str:
    return page.locator(".st-key-sequence-strip").inner_text()


def test_the_ready_made_sequence_walks_with_the_keys(projector, app_url, screenshot_dir):
    open_page(projector, app_url, "teach")
    link = projector.locator("code").first.inner_text()
    assert "seq=" in link and "teacher=1" in link and "at=1" in link
    projector.goto(app_url + "/" + link.split("/", 3)[3])
    wait_for_run(projector)
    assert "1 / 12" in _strip(projector)
    for number in range(2, 5):
        projector.keyboard.press("ArrowRight")
        projector.wait_for_function(f"() => location.search.includes('at={number}')")
        wait_for_run(projector)
        assert f"{number} / 12" in _strip(projector)
        assert_no_exception(projector)
        projector.screenshot(path=str(screenshot_dir / f"sequence-{number}.png"))
    # Point 4 is a lesson: the strip's title is the lesson shown.
    title = _strip(projector).split("·", 1)[1].splitlines()[0].strip()
    assert projector.locator("h2, h3", has_text=title).count() == 1
    projector.keyboard.press("ArrowLeft")
    projector.wait_for_function("() => location.search.includes('at=3')")
    wait_for_run(projector)
    assert "3 / 12" in _strip(projector)


def test_a_bad_sequence_link_gives_a_friendly_message(projector, app_url):
    open_page(projector, app_url, "lessons?teacher=1&seq=lesson.nope,%3Cb%3E&at=99")
    assert_no_exception(projector)
    assert projector.get_by_text("unknown point(s) of the sequence").count() >= 1


@pytest.mark.parametrize("path", PAGES)
def test_teacher_mode_reads_cleanly_on_a_projector(projector, app_url, path):
    open_page(projector, app_url, f"{path}?teacher=1")
    assert_no_exception(projector)
    text = projector.locator('[data-testid="stMain"]').inner_text()
    picker = projector.locator(".st-key-claims-claim [data-testid=stRadio]")
    kept = picker.count() > 0 and picker.first.is_visible()  # "pick one" names a visible picker
    offending = [s for s in re.split(r"(?<=[.!?:;])\s+|\n", text)
                 if HIDDEN_CONTROL.search(s) and not VISIBLE.search(s)
                 and not (kept and s.startswith("pick one"))]
    assert offending == []
    small = projector.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot svg text')]
        .filter(t => t.getBoundingClientRect().width > 0 && t.textContent.trim())
        .map(t => [parseFloat(getComputedStyle(t).fontSize), t.textContent.slice(0, 30)])
        .filter(([size]) => size < 18)""")
    assert small == []
