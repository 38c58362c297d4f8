"""Prose lives in Markdown files under ``content/``; pages show it through here."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from i18n import _, paragraphs

CONTENT = Path(__file__).resolve().parents[1] / "content"


@cache
def _english(name: str) -> tuple[str, ...]:
    return tuple(paragraphs((CONTENT / f"{name}.md").read_text(encoding="utf-8")))


def prose(name: str) -> str:
    """The text of ``content/<name>.md`` in the session's language, paragraph by paragraph
    (each paragraph is one message of the catalog)."""
    return "\n\n".join(_(block) for block in _english(name))
