"""Every SVG text of every chart on every page reads at WCAG AA (axe does not test SVG text).

Each text's colour is its computed ``fill`` with its fill-opacity and every ancestor's opacity;
its background is measured, not assumed: a screenshot of the page with every chart text hidden
(``visibility: hidden`` keeps the layout), the colours under the text's box. A box over two
backgrounds (a heatmap's cells, a line) is judged on the worst colour that covers ≥ 20 % of it.
AA: 4.5:1, large text (≥ 24 px, or ≥ 18.66 px bold) 3:1.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from tests.a11y_helpers import MODES, PAGES, open_page_full
from tests.browser_helpers import CHARTS
from viz.theme import contrast_ratio

pytestmark = pytest.mark.browser

#: Every visible text of every chart: its text, box, colour (with alpha), size and weight.
TEXTS_JS = """(sel) => {
  const out = [];
  const rgba = (s) => { const m = s.match(/[\\d.]+/g) || []; return m.map(Number); };
  for (const chart of document.querySelectorAll(sel)) {
    for (const el of chart.querySelectorAll('svg text')) {
      const text = el.textContent.trim();
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      if (!text || r.width < 1 || r.height < 1 || style.visibility !== 'visible'
          || style.display === 'none') continue;
      let alpha = Number(style.fillOpacity);
      for (let e = el; e && e !== chart; e = e.parentElement) {
        alpha *= Number(getComputedStyle(e).opacity);
      }
      if (alpha === 0) continue;
      const fill = rgba(style.fill);
      if (fill.length < 3) continue;  // fill: none
      const weights = [el, ...el.querySelectorAll('tspan')]
        .map(t => parseInt(getComputedStyle(t).fontWeight, 10) || 400);
      out.push({chart: chart.getAttribute('aria-label') || '', text: text.slice(0, 40),
                box: [r.left, r.top, r.right, r.bottom],
                fill: fill.slice(0, 3), alpha: alpha * (fill.length > 3 ? fill[3] : 1),
                size: parseFloat(style.fontSize), weight: Math.max(...weights)});
    }
  }
  return out;
}"""
HIDE_JS = """([sel, hide]) => { for (const chart of document.querySelectorAll(sel))
  for (const el of chart.querySelectorAll('svg text'))
    el.style.visibility = hide ? 'hidden' : ''; }"""


def required_ratio(size_px: float, weight: int) -> float:
    """WCAG AA's minimum contrast: 3 for large text (18 pt, or 14 pt bold), else 4.5."""
    large = size_px >= 24 or (size_px >= 18.66 and weight >= 700)
    return 3.0 if large else 4.5


def worst_ratio(fill: np.ndarray, alpha: float, pixels: np.ndarray, share: float = 0.2) -> tuple:
    """The lowest contrast of the text colour ``fill`` (drawn at ``alpha``) over any colour
    that covers at least ``share`` of ``pixels`` (N, 3), and that colour."""
    colours, counts = np.unique(pixels.reshape(-1, 3), axis=0, return_counts=True)
    common = colours[counts >= share * counts.sum()]
    if not len(common):
        common = colours[[np.argmax(counts)]]
    worst = None
    for background in common:
        shown = alpha * np.asarray(fill, float) + (1 - alpha) * background
        ratio = contrast_ratio(shown, background)
        if worst is None or ratio < worst[0]:
            worst = (ratio, tuple(int(c) for c in background))
    return worst


def test_worst_ratio_measures_the_background_under_the_text():
    white, grey = np.full((10, 10, 3), 255), np.array([128, 132, 149])
    assert round(worst_ratio(grey, 1.0, white)[0], 2) == 3.72  # Streamlit's chart grey
    half = white.copy()
    half[:, :5] = [0, 114, 178]  # a box half on Okabe–Ito blue: judged on the blue
    assert worst_ratio(np.array([17, 17, 17]), 1.0, half)[1] == (0, 114, 178)
    assert worst_ratio(np.zeros(3), 0.0, white)[0] == 1.0  # an invisible text fails
    assert required_ratio(13, 400) == 4.5 and required_ratio(20, 700) == 3.0


def chart_text_failures(page) -> tuple[int, list[str]]:
    """How many chart texts the page shows, and each one under AA with its contrast."""
    texts = page.evaluate(TEXTS_JS, CHARTS)
    page.evaluate(HIDE_JS, [CHARTS, True])
    try:
        shot = np.asarray(Image.open(io.BytesIO(page.screenshot())).convert("RGB"))
    finally:
        page.evaluate(HIDE_JS, [CHARTS, False])
    failures = []
    for t in texts:
        x0, y0, x1, y1 = (round(v) for v in t["box"])
        region = shot[max(y0, 0):max(y1, y0 + 1), max(x0, 0):max(x1, x0 + 1)]
        if not region.size:
            continue
        ratio, background = worst_ratio(np.array(t["fill"]), t["alpha"], region)
        need = required_ratio(t["size"], t["weight"])
        if ratio < need:
            failures.append(f"{t['chart'][:40]!r}: {t['text']!r} {ratio:.2f}:1 < {need} "
                            f"(fill {t['fill']} × {t['alpha']:.2f} on {background}, "
                            f"{t['size']}px)")
    return len(texts), failures


@pytest.mark.parametrize("mode", ["en", "teacher", "phone"])
@pytest.mark.parametrize("path", PAGES)
def test_every_chart_text_reads_at_aa(browser, app_url, path, mode):
    query, (width, height) = MODES[mode]
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        open_page_full(page, app_url, path, query)
        count, failures = chart_text_failures(page)
        charts = page.locator(CHARTS).count()
        assert not charts or count, "charts drawn but no text found in them"
        print(f"\n{path or 'home'}-{mode}: {charts} charts, {count} texts, "
              f"{len(failures)} under AA")
        assert not failures, "\n".join(failures)
    finally:
        context.close()
