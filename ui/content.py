"""Prose lives in Markdown files under ``content/``; pages show it through here."""

from __future__ import annotations

from functools import cache
from pathlib import Path

CONTENT = Path(__file__).resolve().parents[1] / "content"


@cache
def prose(name: str) -> str:
    """The text of ``content/<name>.md``."""
    return (CONTENT / f"{name}.md").read_text(encoding="utf-8")
