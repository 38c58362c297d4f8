"""Prose lives in Markdown files under ``content/``; pages show it through here.

A file may have a teacher-mode twin, ``content/<name>.teacher.md``: the same text without the
sentences about controls that teacher mode hides (it is shown instead in teacher mode).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from i18n import _, paragraphs

CONTENT = Path(__file__).resolve().parents[1] / "content"
TEACHER_SUFFIX = ".teacher"


@cache
def _english(name: str) -> tuple[str, ...]:
    return tuple(paragraphs((CONTENT / f"{name}.md").read_text(encoding="utf-8")))


@cache
def _has_teacher_twin(name: str) -> bool:
    return (CONTENT / f"{name}{TEACHER_SUFFIX}.md").is_file()


def prose(name: str) -> str:
    """The text of ``content/<name>.md`` (in teacher mode its ``.teacher.md`` twin, if any) in
    the session's language, paragraph by paragraph (each paragraph is one message of the
    catalog)."""
    from ui.teacher import teacher_mode

    if _has_teacher_twin(name) and teacher_mode():
        name += TEACHER_SUFFIX
    return "\n\n".join(_(block) for block in _english(name))
