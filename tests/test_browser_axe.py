"""axe-core on every page × {English, Chinese, teacher mode, a phone}: no serious or critical
violation caused by the app, headings in order, the tab's title and ``<html lang>`` in the
session's language, and every SVG text of every chart at WCAG AA (axe does not test SVG text:
AA is 4.5:1, large text — ≥ 24 px, or ≥ 18.66 px bold — 3:1). One page load serves all checks.

Streamlit's own violations (``tests/a11y_helpers.STREAMLIT_OWN``, each rule with its reason) do
not fail the test; they are listed in its output and in ``.pytest_cache/axe/<page>-<mode>.json``.
"""

from __future__ import annotations

import itertools
import json
import re

import numpy as np
import pytest

from tests.a11y_helpers import (
    MODES,
    PAGES,
    chart_text_failures,
    classify,
    open_page_full,
    required_ratio,
    run_axe,
    worst_ratio,
)
from tests.browser_helpers import CHARTS
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

HEADINGS_JS = """() => [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
  .filter(h => h.getClientRects().length)
  .map(h => ({level: +h.tagName[1], text: h.textContent.trim().slice(0, 60),
              sidebar: !!h.closest('[data-testid="stSidebar"]')}))"""
CURRENT_PAGE_JS = """() => {
  const link = document.querySelector('[data-testid="stSidebarNavLink"][aria-current="page"]');
  if (!link) return null;
  const label = link.cloneNode(true);  // its text without the icon's ligature name ("home")
  label.querySelectorAll('[data-testid="stIconMaterial"]').forEach(i => i.remove());
  return label.textContent.trim(); }"""
CJK = re.compile(r"[\u4e00-\u9fff]")


def _report(name: str, found: dict[str, list[dict]]) -> None:
    folder = ROOT / ".pytest_cache" / "axe"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(found, indent=1, ensure_ascii=False),
                                         encoding="utf-8")
    print(f"\n{name}: app serious+critical {len(found['app_serious'])}, moderate+minor "
          f"{len(found['app_minor'])}, Streamlit's own {len(found['streamlit'])}")
    for row in found["streamlit"]:
        print(f"  Streamlit's own: {row['rule']} ({row['impact']}) {row['target']}: {row['why']}")


def heading_jumps(headings: list[dict]) -> list[str]:
    """Where the main area's headings skip a level (h1 → h3) or do not start with the h1, and
    sidebar headings deeper than h2 (the sidebar's sections sit beside the page's)."""
    problems = [f"sidebar {h['text']!r} is h{h['level']}" for h in headings
                if h["sidebar"] and h["level"] > 2]
    main = [h for h in headings if not h["sidebar"]]
    if main and main[0]["level"] != 1:
        problems.append(f"the page starts with h{main[0]['level']} {main[0]['text']!r}")
    for before, after in itertools.pairwise(main):
        if after["level"] > before["level"] + 1:
            problems.append(f"h{before['level']} {before['text']!r} → h{after['level']} "
                            f"{after['text']!r}")
    return problems


def test_heading_jumps_are_found():
    h = [{"level": 1, "text": "a", "sidebar": False}, {"level": 3, "text": "b", "sidebar": False}]
    assert heading_jumps(h) == ["h1 'a' → h3 'b'"]
    assert heading_jumps([{**h[0], "level": 2}]) == ["the page starts with h2 'a'"]
    assert heading_jumps([{**h[1], "sidebar": True}, h[0]]) == ["sidebar 'b' is h3"]
    assert heading_jumps([h[0], {**h[1], "level": 2}, h[1], {**h[0], "level": 2}]) == []


def test_worst_ratio_measures_the_background_under_the_text():
    white, grey = np.full((10, 10, 3), 255), np.array([128, 132, 149])
    assert round(worst_ratio(grey, 1.0, white)[0], 2) == 3.72  # Streamlit's chart grey
    half = white.copy()
    half[:, :5] = [0, 114, 178]  # a box half on Okabe–Ito blue: judged on the blue
    assert worst_ratio(np.array([17, 17, 17]), 1.0, half)[1] == (0, 114, 178)
    assert worst_ratio(np.zeros(3), 0.0, white)[0] == 1.0  # an invisible text fails
    assert required_ratio(13, 400) == 4.5 and required_ratio(20, 700) == 3.0


@pytest.mark.parametrize("mode", list(MODES))
@pytest.mark.parametrize("path", PAGES)
def test_every_page_reads_for_every_student(browser, app_url, path, mode):
    query, (width, height) = MODES[mode]
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        open_page_full(page, app_url, path, query)
        found = classify(run_axe(page))
        _report(f"{path or 'home'}-{mode}", found)
        assert not found["app_serious"], json.dumps(found["app_serious"], indent=1,
                                                    ensure_ascii=False)
        assert not [r for r in found["app_minor"] if r["rule"] == "heading-order"]
        assert not heading_jumps(page.evaluate(HEADINGS_JS))
        # the tab: "<this page's title in the navigation> · LSTM Lens", the document's language
        current = page.evaluate(CURRENT_PAGE_JS)
        assert current, "no current page in the navigation"
        assert page.title() == f"{current} · LSTM Lens"
        lang = page.evaluate("document.documentElement.lang")
        assert lang == ("zh-Hans" if mode == "zh" else "en")
        assert bool(CJK.search(current)) == (mode == "zh"), current
        count, failures = chart_text_failures(page)
        charts = page.locator(CHARTS).count()
        assert not charts or count, "charts drawn but no text found in them"
        print(f"\n{path or 'home'}-{mode}: {charts} charts, {count} texts, "
              f"{len(failures)} under AA")
        assert not failures, "\n".join(failures)
    finally:
        context.close()
