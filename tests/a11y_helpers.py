"""Accessibility checks in the real browser: axe-core on a page, and the contrast of chart text.

axe-core comes from npm, pinned in ``tests/node_tools/package.json`` (``.ci/run`` installs it
with ``npm ci``). axe checks only what is inside the viewport, so :func:`open_full_height`
makes the viewport as tall as the page first.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.browser_helpers import CHARTS, wait_for_run
from ui.share import PAGE_FILES
from viz.theme import contrast_ratio

AXE_JS = Path(__file__).parent / "node_tools" / "node_modules" / "axe-core" / "axe.min.js"

#: Every page of the router (``url_path``): Home is the default page.
PAGES = tuple(PAGE_FILES)
#: The modes a class meets: (name, query string, viewport).
MODES = {
    "en": ("", (1400, 1000)),
    "zh": ("?lang=zh", (1400, 1000)),
    "teacher": ("?teacher=1", (1400, 1000)),
    "phone": ("", (390, 844)),
}

#: The height of everything a visitor can scroll to: Streamlit scrolls its main area, not the
#: document, so the document's own height is the viewport's.
_PAGE_HEIGHT_JS = """() => Math.max(document.documentElement.scrollHeight,
  ...[...document.querySelectorAll('[data-testid=stMain], [data-testid=stAppViewContainer], '
     + '[data-testid=stSidebarContent]')].map(e => e.scrollHeight))"""


def axe_source() -> str:
    """axe-core's script; under CI a missing install fails, elsewhere it skips with the fix."""
    if not AXE_JS.exists():
        message = "axe-core is missing: npm ci --prefix tests/node_tools"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return AXE_JS.read_text(encoding="utf-8")


def open_full_height(page, url: str, reload: bool = True) -> None:
    """Open ``url`` (``reload=False``: stay on the page as it is) and grow the viewport to the
    page's full height (kept at its width)."""
    if reload:
        page.goto(url)
    wait_for_run(page)
    width = page.viewport_size["width"]
    for _ in range(3):  # charts and wrapped text settle at the new height: until it is stable
        height = page.evaluate(_PAGE_HEIGHT_JS)
        if height <= page.viewport_size["height"]:
            break
        page.set_viewport_size({"width": width, "height": min(height + 40, 30_000)})
        page.wait_for_timeout(300)
        wait_for_run(page)


def reveal_a_lesson(page) -> None:
    """On the Lessons page: predict (the first answer) and reveal, so the lesson's live chart
    and explanation are on the page too."""
    page.locator('[class*="st-key-lessons-prediction-"] [role="radiogroup"] label').first.click()
    wait_for_run(page)
    page.locator('[class*="st-key-lessons-reveal-"] button').first.click()
    page.wait_for_selector(CHARTS + " >> .main-svg", timeout=30_000)
    wait_for_run(page)


def open_page_full(page, app_url: str, path: str, query: str) -> None:
    """Open one of the app's pages at full height, a lesson revealed on the Lessons page."""
    open_full_height(page, f"{app_url}/{path}{query}")
    if path == "lessons":
        reveal_a_lesson(page)
        open_full_height(page, page.url, reload=False)


def run_axe(page) -> list[dict]:
    """axe-core's violations on the whole document: WCAG 2.0–2.2 A/AA and best practices."""
    page.add_script_tag(content=axe_source())
    return page.evaluate("""async () => {
      const r = await axe.run(document, {resultTypes: ['violations']});
      return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 300),
          impact: n.impact, summary: n.failureSummary,
          inside: (() => { const el = document.querySelector(n.target[0]);
                           const ids = [];
                           for (let e = el; e; e = e.parentElement) {
                             const id = e.getAttribute && e.getAttribute('data-testid');
                             if (id) ids.push(id);
                           }
                           return ids; })()}))}));
    }""")


# --- what counts as Streamlit's own ---------------------------------------------------------
#: Violations in markup that Streamlit generates whole from a call's arguments, which the app
#: cannot change: (axe rule ids, data-testid of the Streamlit element the node is inside, why).
#: Colour contrast is never Streamlit's: the app's theme (.streamlit/config.toml) and CSS decide
#: every colour, so a contrast failure anywhere, Streamlit's chrome included, is the app's.
STREAMLIT_OWN = (
    ({"list", "listitem"}, "stSidebarNav",
     "st.navigation's sidebar: Streamlit puts its section headers inside the <ul> as non-<li>"
     " children; the app gives only page titles and icons"),
    ({"presentation-role-conflict"}, "stFileUploaderDropzone",
     "st.file_uploader's drop zone is Streamlit's <section role=presentation aria-label …>;"
     " the app gives only the label"),
    ({"scrollable-region-focusable"}, "stTable",
     "st.table's horizontal scroll wrapper (a phone-wide table) is Streamlit's <div> without"
     " tabindex; the app gives only the data"),
)


def streamlit_reason(rule: str, inside: list[str]) -> str | None:
    """Why a violating node of ``rule`` inside the elements ``inside`` (data-testids, innermost
    first) is Streamlit's own, or None if the app caused it."""
    for rules, testid, why in STREAMLIT_OWN:
        if rule in rules and testid in inside:
            return why
    return None


def classify(violations: list[dict]) -> dict[str, list[dict]]:
    """axe's violations node by node: ``app_serious`` (serious or critical, caused by the app),
    ``app_minor`` (moderate or minor) and ``streamlit`` (Streamlit's own, with the reason)."""
    out: dict[str, list[dict]] = {"app_serious": [], "app_minor": [], "streamlit": []}
    for violation in violations:
        for node in violation["nodes"]:
            impact = node["impact"] or violation["impact"]
            row = {"rule": violation["id"], "impact": impact, "target": node["target"],
                   "html": node["html"][:120], "summary": (node["summary"] or "")[-200:]}
            why = streamlit_reason(violation["id"], node["inside"])
            if why is not None:
                out["streamlit"].append({**row, "why": why})
            elif impact in ("serious", "critical"):
                out["app_serious"].append(row)
            else:
                out["app_minor"].append(row)
    return out


# --- chart text contrast (axe does not test SVG text) ----------------------------------------
# Each text's colour is its computed ``fill`` with its fill-opacity and every ancestor's opacity;
# its background is measured, not assumed: a screenshot of the page with every chart text hidden
# (``visibility: hidden`` keeps the layout), the colours under the text's box. A box over two
# backgrounds (a heatmap's cells, a line) is judged on the worst colour that covers >= 20 % of it.
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
