"""The app's chart renderer (ui/charts.py, Plotly.react in place) draws exactly what
``st.plotly_chart(theme="streamlit")`` draws, and updates its plot instead of replacing it."""

from __future__ import annotations

import re

import pytest

from tests.browser_helpers import wait_for_run
from tests.conftest import ROOT, start_server, stop_server

pytestmark = pytest.mark.browser

# Every figure builder's output (tests/test_viz_common.py), drawn both ways one under the other.
SIDE_BY_SIDE = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
import streamlit as st
from tests.test_viz_common import _every_figure
from ui import charts
from viz.theme import export_config

bump = st.number_input("bump", 0, 5, 0)
for i, (name, fig) in enumerate(_every_figure().items()):
    if bump and name == "evidence":
        fig.update_layout(title_text=f"bumped {{bump}}")
    st.plotly_chart(fig, key=f"reference-{{i}}", width="stretch", alt=name,
                    config=export_config("lstm-lens-x"))
    charts.show(fig, key=f"lens-{{i}}", alt=name)
"""

# Each chart's SVG layers, with the random ids of the plot and of its traces (in clip-path and
# class names) made neutral.
PICTURES_JS = """(sel) => [...document.querySelectorAll(sel)].map(c => {
  const gd = c.querySelector('.js-plotly-plot');
  let svg = [...gd.querySelectorAll('.main-svg')].map(s => s.outerHTML).join('');
  svg = svg.split(gd._fullLayout._uid).join('UID');
  gd._fullData.forEach((t, i) => { svg = svg.split(t.uid).join('TRACE' + i); });
  return {name: c.getAttribute('aria-label'), svg};
})"""


NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")
TAG = re.compile(r"<([a-zA-Z]+)((?:\s+[\w:-]+=\"[^\"]*\")*)\s*(/?)>")
ATTRIBUTE = re.compile(r'([\w:-]+)="([^"]*)"')
# Streamlit bolds a title twice ("<b><b>t</b></b>"): the same bold text as our once.
BOLD = '<tspan style="font-weight:bold">'
TWICE_BOLD = re.compile(re.escape(BOLD * 2) + r"(.*?)</tspan></tspan>")


def _canonical(svg: str) -> str:
    """``svg`` with each tag's attributes sorted (their order follows the drawing history),
    the source text of labels and the renderer's ``aria-hidden`` (the SVG is hidden from the
    accessibility tree: the chart is one named figure) dropped and double bold made single."""
    def tag(match: re.Match) -> str:
        attributes = sorted(a for a in ATTRIBUTE.findall(match[2])
                            if a[0] not in ("data-unformatted", "aria-hidden"))
        return "<" + match[1] + "".join(f' {k}="{v}"' for k, v in attributes) + match[3] + ">"
    return TWICE_BOLD.sub(BOLD + r"\1</tspan>", TAG.sub(tag, svg))


def same_picture(ours: str, theirs: str, px: float = 2.0) -> bool:
    """Whether two SVGs have the same elements, text, styles and colours, and every number
    (coordinates, sizes) within ``px``: Plotly's automatic margins may settle a pixel apart
    after Streamlit's second draw of a new chart."""
    ours, theirs = _canonical(ours), _canonical(theirs)
    if NUMBER.sub("#", ours) != NUMBER.sub("#", theirs):
        return False
    return all(abs(float(a) - float(b)) <= px
               for a, b in zip(NUMBER.findall(ours), NUMBER.findall(theirs), strict=True))


def test_same_picture_sees_a_colour_a_shift_and_a_missing_element():
    svg = '<g><path d="M1,2L3.5,4" style="fill: rgb(0, 114, 178);"></path></g>'
    assert same_picture(svg, svg.replace("3.5", "4.5"))
    assert not same_picture(svg, svg.replace("3.5", "6"))
    assert not same_picture(svg, svg.replace("114", "84"))
    assert not same_picture(svg, svg.replace("<path", "<rect"))
    assert not same_picture(svg, svg.replace("</g>", "<text>x</text></g>"))
    assert same_picture('<rect x="1" y="2"></rect>', '<rect y="2" x="1"></rect>')
    assert same_picture(f"<text>{BOLD}t</tspan></text>",
                        f"<text>{BOLD * 2}t</tspan></tspan></text>")
    assert not same_picture(f"<text>{BOLD}t</tspan></text>", "<text>t</text>")


@pytest.fixture(scope="module")
def side_by_side_url(tmp_path_factory):
    script = tmp_path_factory.mktemp("renderer") / "side_by_side.py"
    script.write_text(SIDE_BY_SIDE, encoding="utf-8")
    (ROOT / ".pytest_cache").mkdir(exist_ok=True)
    proc, url = start_server(script=str(script))
    yield url
    stop_server(proc)


def _open(page, url):
    page.goto(url)
    page.wait_for_selector('[data-testid="stNumberInput"]')
    wait_for_run(page, title=False)


#: Streamlit's chart text grey (#808495, 3.72:1 on white) and the app's (viz.theme.TEXT_COLOUR,
#: the template snapshot's): the one difference between the two pictures.
STREAMLIT_GREY, APP_GREY = "rgb(128, 132, 149)", "rgb(85, 88, 103)"


def _in_app_grey(pictures: list[dict]) -> list[dict]:
    """st.plotly_chart's pictures with Streamlit's chart grey replaced by the app's."""
    assert any(STREAMLIT_GREY in p["svg"] for p in pictures)  # the reference still uses it
    return [{**p, "svg": p["svg"].replace(STREAMLIT_GREY, APP_GREY)} for p in pictures]


def test_the_renderer_draws_what_st_plotly_chart_draws(page, side_by_side_url):
    _open(page, side_by_side_url)
    reference = _in_app_grey(page.evaluate(PICTURES_JS, '[data-testid="stPlotlyChart"]'))
    ours = page.evaluate(PICTURES_JS, '[data-testid="lensChart"]')
    assert not any(STREAMLIT_GREY in p["svg"] for p in ours)
    assert len(ours) == len(reference) >= 10
    for mine, theirs in zip(ours, reference, strict=True):
        assert mine["name"] == theirs["name"]
        assert same_picture(mine["svg"], theirs["svg"]), f"{mine['name']}: the pictures differ"
    # the modebar: Streamlit's buttons (fullscreen, camera with our file name), no logo
    buttons = page.locator('[data-testid="lensChart"]').first.locator(".modebar-btn")
    titles = {buttons.nth(i).get_attribute("data-title") for i in range(buttons.count())}
    assert {"Fullscreen", "Download plot"} <= titles, titles
    assert not titles & {"Box Select", "Lasso Select"}, titles
    assert not page.locator('[data-testid="lensChart"] .modebar-btn--logo').count()
    download = page.evaluate("""() => document.querySelector(
        '[data-testid="lensChart"] .js-plotly-plot')._context.toImageButtonOptions""")
    assert download == {"format": "svg", "filename": "lstm-lens-lens-0", "scale": 2}


def test_a_changed_figure_is_updated_in_place_and_still_matches(page, side_by_side_url):
    _open(page, side_by_side_url)
    plots = page.evaluate_handle(
        "() => [...document.querySelectorAll('[data-testid=lensChart] .js-plotly-plot')]")
    page.locator('[data-testid="stNumberInputStepUp"]').click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=lensChart] .gtitle')]"
        ".some(t => t.textContent === 'bumped 1')")
    wait_for_run(page, title=False)
    same = page.evaluate("""(before) => {
      const now = [...document.querySelectorAll('[data-testid="lensChart"] .js-plotly-plot')];
      return now.length === before.length && now.every((gd, i) => gd === before[i]); }""", plots)
    assert same, "a chart's plot was replaced instead of updated"
    reference = _in_app_grey(page.evaluate(PICTURES_JS, '[data-testid="stPlotlyChart"]'))
    ours = page.evaluate(PICTURES_JS, '[data-testid="lensChart"]')
    changed = [m for m, t in zip(ours, reference, strict=True)
               if not same_picture(m["svg"], t["svg"])]
    assert not changed, [m["name"] for m in changed]


def test_fullscreen_fills_the_window_and_escape_restores(page, side_by_side_url):
    _open(page, side_by_side_url)
    chart = page.locator('[data-testid="lensChart"]').first
    size_js = """() => {
      const gd = document.querySelector('[data-testid="lensChart"] .js-plotly-plot');
      return [gd._fullLayout.width, gd._fullLayout.height]; }"""
    before = page.evaluate(size_js)
    chart.hover()
    chart.locator('.modebar-btn[data-title="Fullscreen"]').click()
    page.wait_for_function(f"() => ({size_js})()[0] === innerWidth")
    assert page.evaluate(size_js) == [1400, 1000]
    page.keyboard.press("Escape")
    page.wait_for_function(f"() => ({size_js})()[0] !== innerWidth")
    assert page.evaluate(size_js) == before
