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


#: JavaScript: axis titles and annotations of one chart that overlap each other (each chart's
#: own titles, pairwise; a title's lines are one box), and plot areas narrower than
#: ``minWidth`` CSS pixels. Charts of ``st.plotly_chart`` or of the app's own renderer
#: (``lensChart``, on main since the redraw branch).
TITLE_OVERLAPS_JS = """(minWidth) => [...document.querySelectorAll(
    '[data-testid=lensChart], [data-testid=stPlotlyChart]')].flatMap((chart, i) => {
    const titles = [...chart.querySelectorAll('.main-svg [class*=title] > text, .annotation-text')]
      .filter(t => (t.textContent || '').trim() && t.getBoundingClientRect().width)
      .map(t => [t.textContent.slice(0, 30), t.getBoundingClientRect()]);
    const found = [];
    for (let a = 0; a < titles.length; a++) for (let b = a + 1; b < titles.length; b++) {
      const [na, ra] = titles[a], [nb, rb] = titles[b];
      const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
      const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
      if (w > 1 && h > 1) found.push(`chart ${i + 1}: "${na}" overlaps "${nb}"`);
    }
    for (const drag of chart.querySelectorAll('.nsewdrag')) {
      const width = drag.getBoundingClientRect().width;
      if (width < minWidth) found.push(`chart ${i + 1}: a plot ${Math.round(width)} px wide`);
    }
    return found;
  })"""


def title_overlaps(page, min_plot_width: float = 0) -> list[str]:
    """Chart titles that overlap and plots narrower than ``min_plot_width`` CSS pixels (see
    :data:`TITLE_OVERLAPS_JS`)."""
    return page.evaluate(TITLE_OVERLAPS_JS, min_plot_width)


#: JavaScript: each chart's panel titles (annotations) lying over one of its tick labels or plot
#: areas (a title running through the panel beside it, under its ticks).
TITLES_OVER_AXES_JS = """() => [...document.querySelectorAll(
    '[data-testid=lensChart], [data-testid=stPlotlyChart]')].flatMap((chart, i) => {
    const visible = (t) => (t.textContent || '').trim() && t.getBoundingClientRect().width;
    const ticks = [...chart.querySelectorAll('.xtick text, .ytick text')].filter(visible)
      .map(t => [`tick "${t.textContent}"`, t.getBoundingClientRect()]);
    const plots = [...chart.querySelectorAll('.nsewdrag')]
      .map(p => ['a plot area', p.getBoundingClientRect()]);
    return [...chart.querySelectorAll('.annotation-text')].filter(visible).flatMap(title => {
      const r = title.getBoundingClientRect();
      return [...ticks, ...plots].filter(([, b]) =>
        Math.min(r.right, b.right) - Math.max(r.left, b.left) > 1
        && Math.min(r.bottom, b.bottom) - Math.max(r.top, b.top) > 1)
        .map(([name]) => `chart ${i + 1}: "${title.textContent.slice(0, 30)}" over ${name}`);
    });
  })"""


def titles_over_axes(page) -> list[str]:
    """Panel titles lying over a tick label or a plot area of their chart (see
    :data:`TITLES_OVER_AXES_JS`)."""
    return page.evaluate(TITLES_OVER_AXES_JS)


#: JavaScript: the play buttons (Plotly updatemenus) whose label sticks out of the button, that
#: stick out of their chart's SVG box, or that overlap any other text of the chart.
BUTTON_PROBLEMS_JS = """() => [...document.querySelectorAll(
    '[data-testid=lensChart], [data-testid=stPlotlyChart]')].flatMap((chart, i) => {
    const svg = chart.querySelector('.main-svg').getBoundingClientRect();
    const inside = (a, b) => a.left >= b.left - 1 && a.right <= b.right + 1
                             && a.top >= b.top - 1 && a.bottom <= b.bottom + 1;
    const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1
                              && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
    const others = [...chart.querySelectorAll('svg text')]
      .filter(t => !t.closest('.updatemenu-container') && (t.textContent || '').trim()
                   && t.getBoundingClientRect().width);
    return [...chart.querySelectorAll('.updatemenu-button')].flatMap(button => {
      const label = button.querySelector('text'), box = button.querySelector('rect');
      const r = box.getBoundingClientRect(), t = label.getBoundingClientRect();
      const name = `chart ${i + 1}: "${label.textContent}"`;
      return [
        ...(inside(t, r) ? [] : [`${name}: label sticks out of its button`]),
        ...(inside(r, svg) ? [] : [`${name}: button ${Math.round(r.left - svg.left)}..`
          + `${Math.round(r.right - svg.left)} of ${Math.round(svg.width)}`]),
        ...others.filter(o => overlap(o.getBoundingClientRect(), r))
          .map(o => `${name} overlaps "${o.textContent.slice(0, 30)}"`),
      ];
    });
  })"""


def button_problems(page) -> list[str]:
    """Play buttons cut off or overlapping chart text (see :data:`BUTTON_PROBLEMS_JS`)."""
    return page.evaluate(BUTTON_PROBLEMS_JS)
