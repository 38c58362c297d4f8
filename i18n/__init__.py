"""Translations: one gettext catalog per language, and messages translated when they are shown.

Code holds English message ids only. Three ways to mark one (``python -m i18n.catalog``
extracts all three):

- ``_("Forget gate")`` translates now, in the language of the current session;
- ``N_("Forget gate")`` only marks a constant; ``_()`` translates it where it is shown;
- ``Text("Loss {loss:.3f} at step {step}", loss=..., step=...)`` is a message with parameters,
  made where the numbers are (the engine, a cache) and shown later: as a ``str`` it reads in
  English, ``_()`` gives it in the session's language.

The catalogs are ``i18n/locales/<lang>/LC_MESSAGES/messages.po`` (edited by translators) and
their compiled ``.mo`` (read here with the standard library's :mod:`gettext`).
"""

from __future__ import annotations

import gettext
import re
import threading
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

#: Languages offered, by code, each named in itself.
LANGUAGES = {"en": "English", "zh": "中文"}
DEFAULT_LANGUAGE = "en"
LOCALES = Path(__file__).resolve().parent / "locales"
DOMAIN = "messages"

_session = threading.local()
_language_source: Callable[[], str] = lambda: DEFAULT_LANGUAGE


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalog of ``language`` (English: the message ids themselves)."""
    if language == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    with open(LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.mo", "rb") as mo:
        return gettext.GNUTranslations(mo)


def use_language_source(source: Callable[[], str]) -> None:
    """Where :func:`language` looks when this thread has not been told (the UI's session)."""
    global _language_source
    _language_source = source


def set_language(language: str | None) -> None:
    """Make this thread translate into ``language`` whatever the source says (``None``: follow
    the language source again). For tests and work outside a session."""
    _session.language = language


def language() -> str:
    """The current thread's language."""
    current = getattr(_session, "language", None) or _language_source()
    return current if current in LANGUAGES else DEFAULT_LANGUAGE


class Text(str):
    """A message id and its parameters. As a ``str`` it is the English sentence; :func:`_`
    gives it in the current language, its parameters translated too."""

    msgid: str
    params: dict[str, Any]

    def __new__(cls, msgid: str, /, **params: Any) -> Text:
        text = super().__new__(cls, msgid.format(**params) if params else msgid)
        text.msgid, text.params = msgid, params
        return text

    def __reduce__(self) -> tuple[Any, ...]:  # st.cache_data pickles results
        return _rebuild, (self.msgid, self.params)


def _rebuild(msgid: str, params: dict[str, Any]) -> Text:
    return Text(msgid, **params)


def message_of(error: BaseException) -> str:
    """The message ``error`` was raised with, untranslated: a :class:`Text` stays one (``str(err)``
    would be its English only); show it with ``_()``."""
    message = error.args[0] if len(error.args) == 1 else None
    return message if isinstance(message, str) else str(error)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it here."""
    return message


def _(message: str) -> str:
    """``message`` in the current language (a plain ``str``)."""
    lang = language()
    if lang == DEFAULT_LANGUAGE:
        return str.__str__(message)
    return translate(message, lang)


def translate(message: str, lang: str) -> str:
    """``message`` in ``lang``; an id missing from the catalog stays English."""
    lookup = translations(lang).gettext
    if isinstance(message, Text):
        params = {k: translate(v, lang) if isinstance(v, str) else v
                  for k, v in message.params.items()}
        return lookup(message.msgid).format(**params) if params else lookup(message.msgid)
    return lookup(message) if message else message


def paragraphs(text: str) -> list[str]:
    """The blank-line separated blocks of a Markdown text: each is one message."""
    return [block.strip("\n") for block in re.split(r"\n[ \t]*\n", text) if block.strip()]


#: Text fields of the lessons' TOML files (``content/lessons/*.toml``), and whether runs of
#: whitespace become one space (else the value is only stripped).
LESSON_FIELDS = {"title": True, "question": True, "choices": True, "reveal": False,
                 "explanation": False, "note": True}


def lesson_text(field: str, value: str) -> str:
    """A lesson field as the app shows it (and as its message id)."""
    return " ".join(value.split()) if LESSON_FIELDS[field] else value.strip()
