"""Layout checks run in the browser: what sticks out of the viewport, chart text cut off at a
chart's edge, overlapping diagram labels (bounding boxes, in CSS pixels)."""

from __future__ import annotations

from pathlib import Path

#: JavaScript (layout_checks.js): the page's problems as strings, none when the layout is clean.
LAYOUT_PROBLEMS_JS = Path(__file__).with_suffix(".js").read_text(encoding="utf-8")


def layout_problems(page, diagram_key: str = "") -> list[str]:
    """The layout problems of the page as shown (see :data:`LAYOUT_PROBLEMS_JS`)."""
    return page.evaluate(LAYOUT_PROBLEMS_JS, diagram_key)
