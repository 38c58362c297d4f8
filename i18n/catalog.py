"""Keep the catalogs in step with the code (a developer tool; needs Babel, a test dependency).

    python -m i18n.catalog build zh         # update zh's .po from the code, then write its .mo
    python -m i18n.catalog todo zh [path]   # untranslated messages (those used under path)
    python -m i18n.catalog part zh NAME PATH...  # parts/NAME.po: a translator's share, to fill

Message ids come from three places: ``_()``, ``N_()`` and ``Text()`` calls in the Python code;
each paragraph of ``content/*.md`` (blank-line separated); and the text fields of the lessons in
``content/lessons/*.toml``.
"""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from i18n import DOMAIN, LESSON_FIELDS, LOCALES, lesson_text, paragraphs

ROOT = LOCALES.parents[1]
CODE_DIRS = ("app.py", "pages", "ui", "viz", "lstm_core", "i18n")
KEYWORDS = {"_": None, "N_": None, "Text": None}
def _code_messages() -> Iterator[tuple[str, str]]:
    for name in CODE_DIRS:
        path = ROOT / name
        if path.is_file():
            with open(path, "rb") as source:
                for lineno, message, *_ in extract("python", source, KEYWORDS):
                    yield message, f"{name}:{lineno}"
            continue
        for filename, lineno, message, *_ in extract_from_dir(
            path, [("**.py", "python")], keywords=KEYWORDS,
        ):
            yield message, f"{name}/{filename}:{lineno}"


def _content_messages() -> Iterator[tuple[str, str]]:
    for md in sorted((ROOT / "content").glob("*.md")):
        for block in paragraphs(md.read_text(encoding="utf-8")):
            yield block, f"content/{md.name}"
    for toml in sorted((ROOT / "content" / "lessons").glob("*.toml")):
        data = tomllib.loads(toml.read_text(encoding="utf-8"))
        for items in data.values():
            for item in items:
                for field, value in item.items():
                    if field not in LESSON_FIELDS:
                        continue
                    for text in (value if isinstance(value, list) else [value]):
                        yield lesson_text(field, text), f"content/lessons/{toml.name}"


def messages() -> dict[str, list[str]]:
    """Every message id the app can show, with where it comes from."""
    found: dict[str, list[str]] = {}
    for source in (_code_messages(), _content_messages()):
        for message, where in source:
            if isinstance(message, tuple):  # ngettext-style keywords: not used here
                message = message[0]
            if message:
                found.setdefault(message, []).append(where)
    return found


def po_path(lang: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(lang: str) -> Catalog:
    with open(po_path(lang), "rb") as po:
        return read_po(po, locale=lang)


def template() -> Catalog:
    pot = Catalog(project="LSTM Lens", domain=DOMAIN)
    for message, places in messages().items():
        pot.add(message, locations=[(p.partition(":")[0], 0) for p in places[:3]])
    return pot


def update(lang: str) -> Catalog:
    """Add every new message id to ``lang``'s catalog (untranslated) and drop unused ones."""
    path = po_path(lang)
    if path.exists():
        catalog = read(lang)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = Catalog(locale=lang, project="LSTM Lens", domain=DOMAIN)
    created = catalog.creation_date
    catalog.update(template(), no_fuzzy_matching=True)
    catalog.obsolete.clear()
    # A stable header: building twice gives the same file.
    catalog.creation_date = catalog.revision_date = created
    catalog.fuzzy = False
    catalog.last_translator = catalog.language_team = "LSTM Lens"
    _write(catalog, lang)
    return catalog


def _write(catalog: Catalog, lang: str) -> None:
    out = BytesIO()
    write_po(out, catalog, width=100, sort_output=False, omit_header=False)
    po_path(lang).write_bytes(out.getvalue())


def compiled(catalog: Catalog) -> bytes:
    out = BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def compile_catalog(lang: str) -> None:
    """Write ``lang``'s ``.mo`` from its ``.po``."""
    po_path(lang).with_suffix(".mo").write_bytes(compiled(read(lang)))


def build(lang: str) -> Catalog:
    """Update ``lang``'s catalog from the code, take in translations from ``parts/*.po`` beside
    it (several translators' work, merged), write it and its ``.mo``."""
    catalog = update(lang)
    for part in sorted(po_path(lang).parent.glob("parts/*.po")):
        with open(part, "rb") as po:
            for message in read_po(po, locale=lang):
                if not (message.id and message.string):
                    continue
                if message.id in catalog:
                    catalog[message.id].string = message.string
                    catalog[message.id].flags.discard("fuzzy")
                else:
                    print(f"{part.name}: no longer used: {message.id[:60]!r}")
    _write(catalog, lang)
    compile_catalog(lang)
    return catalog


def todo(lang: str, under: str = "") -> list[str]:
    """Message ids without a translation in ``lang`` that are used under path ``under``."""
    catalog = read(lang)
    return [message for message, places in messages().items()
            if any(p.startswith(under) for p in places)
            and not (catalog.get(message) and catalog.get(message).string)]


def part(lang: str, name: str, *under: str) -> Path:
    """Write ``parts/<name>.po``: the messages used under the paths ``under`` that have no
    translation yet, one line each, after those the part already translates."""
    path = po_path(lang).parent / "parts" / f"{name}.po"
    path.parent.mkdir(exist_ok=True)
    share = Catalog(locale=lang, project="LSTM Lens", domain=DOMAIN)
    if path.exists():
        with open(path, "rb") as po:
            for message in read_po(po, locale=lang):
                if message.id:
                    share.add(message.id, message.string, locations=message.locations)
    for where in under:
        for message in todo(lang, where):
            if message not in share:
                share.add(message, "", locations=[(where, 0)])
    out = BytesIO()
    write_po(out, share, width=0, omit_header=True)
    path.write_bytes(out.getvalue())
    return path


if __name__ == "__main__":
    command, lang, *rest = sys.argv[1:]
    if command == "build":
        missing = [m for m in build(lang) if m.id and not m.string]
        print(f"{po_path(lang)}: {len(missing)} message(s) without a translation")
    elif command == "part":
        print(part(lang, *rest))
    elif command == "todo":
        for message in todo(lang, *rest):
            print(f"msgid {message!r}")
    else:
        sys.exit(__doc__)
