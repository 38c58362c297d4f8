"""Layout checks run in the browser: what sticks out of the viewport, chart text cut off at a
chart's edge, overlapping diagram labels (bounding boxes, in CSS pixels)."""

from __future__ import annotations

from pathlib import Path

#: JavaScript (layout_checks.js): the page's problems as strings, none when the layout is clean.
LAYOUT_PROBLEMS_JS = Path(__file__).with_suffix(".js").read_text(encoding="utf-8")


def layout_problems(page, diagram_key: str = "") -> list[str]:
    """The layout problems of the page as shown (see :data:`LAYOUT_PROBLEMS_JS`)."""
    return page.evaluate(LAYOUT_PROBLEMS_JS, diagram_key)


#: JavaScript: each chart's legend lying over one of its panel titles (annotations) or plot areas.
LEGEND_OVERLAPS_JS = """() => [...document.querySelectorAll(
    '[data-testid=lensChart], [data-testid=stPlotlyChart]')]
  .flatMap((chart, i) => {
    const legend = chart.querySelector('.legend');
    if (!legend) return [];
    const box = legend.getBoundingClientRect();
    const over = (p) => box.left < p.right && p.left < box.right && box.top < p.bottom
                        && p.top < box.bottom;
    const plots = [...chart.querySelectorAll('.nsewdrag')]
      .filter(drag => over(drag.getBoundingClientRect()))
      .map(() => `chart ${i + 1}: legend over a plot area`);
    const titles = [...chart.querySelectorAll('.annotation')]
      .filter(title => over(title.getBoundingClientRect()))
      .map(title => `chart ${i + 1}: legend over "${title.textContent.slice(0, 30)}"`);
    return [...plots, ...titles];
  })"""


def legend_overlaps(page) -> list[str]:
    """Charts whose legend covers a panel title or a plot area (see :data:`LEGEND_OVERLAPS_JS`)."""
    return page.evaluate(LEGEND_OVERLAPS_JS)
