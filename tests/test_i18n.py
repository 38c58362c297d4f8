"""Chinese: the catalog is complete and faithful, every page reads in Chinese with ``lang=zh``,
English is unchanged, and the language switch keeps the view."""

from __future__ import annotations

import gettext
import json
import pickle
import re
import threading
import tomllib

import pytest
from apptest_helpers import ROOT, run_page
from i18n_checks import english_phrases, page_texts

import i18n
from i18n import Text, _, set_language
from i18n.catalog import compiled, messages, read
from ui.share import PAGE_FILES

PAGES = ["pages/home.py", "pages/lessons.py", "pages/claims.py", "pages/activation_lab.py",
         "pages/step_through.py", "pages/compare.py", "pages/gradient_flow.py",
         "pages/training_lab.py"]
CJK = re.compile(r"[\u4e00-\u9fff]")


#: Every language besides English: each must be complete (add one in i18n.LANGUAGES).
TRANSLATED = [code for code in i18n.LANGUAGES if code != i18n.DEFAULT_LANGUAGE]
#: Characters of each language's script (a page in that language must show some).
SCRIPT = {"zh": CJK}


@pytest.fixture(scope="module", params=TRANSLATED)
def zh(request):
    """The catalog of one translated language (named for the first of them)."""
    return read(request.param)


# --- the catalog ---------------------------------------------------------------------------------


def test_every_message_has_a_chinese_translation(zh):
    missing = [m for m in messages() if not (zh.get(m) and zh.get(m).string)]
    assert not missing, f"{len(missing)} message(s) without a translation, e.g. {missing[:5]}"
    fuzzy = [m.id for m in zh if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy (unchecked) translations: {fuzzy[:5]}"


def test_every_translation_is_chinese(zh):
    """A translation that is still the English text (or empty of Chinese) is a missed one; a
    message that is only maths, a name or a number may stay as it is."""
    script = SCRIPT[str(zh.locale)]
    english = [m.id for m in zh if m.id and m.string and not script.search(m.string)
               and english_phrases(m.id)]
    assert not english, english[:5]


_KEPT = {
    "placeholders": re.compile(r"\{[^{}]*\}"),
    "code": re.compile(r"`[^`]+`"),
    "maths": re.compile(r"\$[^$]+\$"),
    "template headings": re.compile(r"^## \S+$", re.MULTILINE),
    "page keys": re.compile(rf"\| (?:{'|'.join(k for k in PAGE_FILES if k)})$", re.MULTILINE),
    # a chart label's <br> or <sub> is markup only where the English has it: the same text is
    # also a chart's alt text and table caption, where a tag reads as "<br>"
    "HTML tags": re.compile(r"<[^<>]+>"),
}


@pytest.mark.parametrize("what", _KEPT)
def test_translations_keep_placeholders_code_maths_and_keys(zh, what):
    pattern = _KEPT[what]
    changed = [(m.id[:60], sorted(pattern.findall(m.id)), sorted(pattern.findall(m.string)))
               for m in zh if m.id and m.string
               and sorted(pattern.findall(m.id)) != sorted(pattern.findall(m.string))]
    assert not changed, changed[:3]


GLOSSARY = tomllib.loads((ROOT / "i18n" / "glossary.toml").read_text("utf-8"))
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
#: Code and maths, which a translation keeps as they are.
_VERBATIM = re.compile(r"`[^`]*`|\$[^$]*\$")


def test_glossary_terms_are_used_every_time(zh):
    glossary = GLOSSARY[str(zh.locale)]
    wrong = []
    for m in zh:
        if not (m.id and m.string):
            continue
        english = _PLACEHOLDER.sub(" ", m.id)  # {unit} is a number, not the word
        for term, chinese in glossary.items():
            used = re.search(rf"\b{re.escape(term)}\b", english, re.IGNORECASE)
            if used and chinese not in m.string:
                wrong.append((term, chinese, m.id[:50], m.string[:50]))
    assert not wrong, f"{len(wrong)} translation(s) without the glossary term: {wrong[:5]}"


def test_no_translation_uses_a_forbidden_variant(zh):
    """One concept, one term: the variants the glossary lists under ``[forbidden]`` (and the
    wordings a reader misreads) appear in no translation, outside code and maths."""
    forbidden = GLOSSARY.get("forbidden", {}).get(str(zh.locale), {})
    found = [(variant, why, m.string[:60]) for m in zh if m.id and m.string
             for variant, why in forbidden.items() if variant in _VERBATIM.sub(" ", m.string)]
    assert not found, found[:5]


_CJK_ITALICS = re.compile(r"(?<![*\\A-Za-z0-9])\*(?![*\s])([^*\n]+?)(?<![\s*])\*(?![*A-Za-z0-9])")
_CJK_TEXT = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _italics(text: str) -> list[str]:
    """Runs of Markdown italics (*…*, not **…**) that hold CJK text."""
    bare = _VERBATIM.sub(" ", text).replace("**", "\0\0")
    return [m.group(1) for m in _CJK_ITALICS.finditer(bare) if _CJK_TEXT.search(m.group(1))]


def test_italics_finder_finds_italics_only():
    assert _italics("只能*写入*非负的量，*也可以*为负") == ["写入", "也可以"]
    assert _italics("**比例**、$a*b*c$、`x*y*z`、2 * 3 * 4、*Share this view*") == []


def test_chinese_typography(zh):
    """No synthetic italics on Chinese text (no CJK italic face exists: the browser slants the
    glyphs; stress is **bold**, a term being introduced is “quoted”), a number keeps its % (no
    space a line can break at), and brackets follow Chinese usage."""
    italic = [(m.id[:40], _italics(m.string)) for m in zh if m.string and _italics(m.string)]
    assert not italic, italic[:5]
    spaced = [m.string[:60] for m in zh if m.string
              and re.search(r"[\d}] %(?!\{)", _VERBATIM.sub(" ", m.string))]
    assert not spaced, spaced[:5]
    doubled = [m.string[:60] for m in zh if m.string and "）（" in m.string]
    assert not doubled, doubled[:5]


def test_the_compiled_catalog_is_the_po_file(zh):
    """The app reads the ``.mo``; it must hold exactly the ``.po``'s translations."""
    mo = ROOT / "i18n" / "locales" / str(zh.locale) / "LC_MESSAGES" / "messages.mo"
    shipped = gettext.GNUTranslations(mo.open("rb"))._catalog
    fresh = gettext.GNUTranslations(__import__("io").BytesIO(compiled(zh)))._catalog
    assert shipped == fresh, "run `python -m i18n.catalog build zh` and commit messages.mo"


# --- messages and languages -----------------------------------------------------------------------


@pytest.fixture
def fake_chinese(monkeypatch):
    class Catalog(gettext.NullTranslations):
        def gettext(self, message):
            return {"Loss {loss:.2f} at step {step}": "第 {step} 步的损失为 {loss:.2f}",
                    "forget gate": "遗忘门", "The {gate} is closed": "{gate}已关闭"}.get(
                message, message)

    monkeypatch.setattr(i18n, "translations", lambda language: Catalog())
    yield
    set_language(None)


def test_a_message_reads_english_and_is_translated_where_shown(fake_chinese):
    text = Text("Loss {loss:.2f} at step {step}", loss=0.125, step=3)
    assert text == "Loss 0.12 at step 3" and isinstance(text, str)
    set_language("zh")
    assert _(text) == "第 3 步的损失为 0.12"
    nested = Text("The {gate} is closed", gate="forget gate")
    assert _(nested) == "遗忘门已关闭"
    assert _("not in the catalog") == "not in the catalog"
    set_language("en")
    assert _(nested) == "The forget gate is closed" and type(_(nested)) is str


def test_a_message_survives_the_cache(fake_chinese):
    """``st.cache_data`` pickles results: a message must come back with its id and values."""
    text = pickle.loads(pickle.dumps(Text("Loss {loss:.2f} at step {step}", loss=1.0, step=2)))
    set_language("zh")
    assert (str.__str__(text), _(text)) == ("Loss 1.00 at step 2", "第 2 步的损失为 1.00")


def test_each_thread_has_its_own_language(fake_chinese):
    set_language("zh")
    seen = []
    worker = threading.Thread(target=lambda: seen.append(_("forget gate")))
    worker.start()
    worker.join()
    assert seen == ["forget gate"] and _("forget gate") == "遗忘门"


def test_an_unknown_language_reads_english(fake_chinese):
    set_language("xx")
    assert i18n.language() == "en" and _("forget gate") == "forget gate"


# --- pages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", TRANSLATED)
@pytest.mark.parametrize("path", PAGES)
def test_every_page_reads_in_chinese(path, lang):
    at = run_page(path, {"lang": lang})
    assert not at.exception, [e.value for e in at.exception]
    assert at.title and SCRIPT[lang].search(at.title[0].value), "the page title is not translated"
    left = {text[:120]: english_phrases(text)[:3] for text in page_texts(at)
            if english_phrases(text)}
    assert not left, f"{len(left)} text(s) with English left: {list(left.items())[:6]}"


@pytest.mark.parametrize("path", PAGES)
def test_english_is_the_default_and_has_no_chinese(path):
    at = run_page(path)
    assert not at.exception
    assert "lang" not in at.query_params
    chinese = [t for t in page_texts(at) if CJK.search(t) and t not in ("Language · 语言", "中文")]
    assert not chinese, chinese[:5]


def test_switching_language_keeps_every_other_setting():
    """(AppTest reruns a page without the router, which draws the switch: the switch itself and
    the URL are checked in the browser, tests/test_browser_i18n.py. AppTest also calls the
    widgets' ``format_func`` in the test's own thread, so that thread is told the language.)"""
    at = run_page("pages/gradient_flow.py")
    at.slider(key="gradient_flow.steps").set_value(40).run()
    at.radio(key="gradient_flow.loss").set_value("every").run()
    english = at.title[0].value
    keys = [w.key for w in (*at.slider, *at.selectbox, *at.radio, *at.number_input)]
    before = {key: at.session_state[key] for key in keys}
    at.session_state["shared.language"] = "zh"
    at.run()
    assert not at.exception and CJK.search(at.title[0].value)
    assert {key: at.session_state[key] for key in keys} == before
    try:
        set_language("zh")  # the labels on screen are Chinese until the next run
        at.session_state["shared.language"] = "en"
        at.run()
    finally:
        set_language(None)
    assert not at.exception and at.title[0].value == english
    assert {key: at.session_state[key] for key in keys} == before


def test_a_link_with_lang_zh_wins_and_the_share_link_keeps_it():
    at = run_page("pages/gradient_flow.py", {"lang": "zh", "steps": "40"})
    assert at.session_state["shared.language"] == "zh"
    link = next(json.loads(el.proto.json)["link"] for el in at.get("bidi_component")
                if el.proto.component_name == "lstm_lens_share")
    assert "lang=zh" in link and "steps=40" in link


def test_the_saved_view_file_holds_the_language(monkeypatch):
    import streamlit as st

    from ui.gradient_flow import GradientFlowState
    from ui.share import view_json

    monkeypatch.setattr(st, "session_state", {"shared.language": "zh"})
    assert json.loads(view_json("gradient_flow", GradientFlowState(steps=40)))["params"] == {
        "steps": "40", "lang": "zh"}
    monkeypatch.setattr(st, "session_state", {"shared.language": "en"})
    assert "lang" not in json.loads(view_json("gradient_flow", GradientFlowState()))["params"]


def test_the_view_file_keeps_the_language():
    from ui.share import parse_view_file

    page, params = parse_view_file(json.dumps(
        {"app": "lstm-lens", "page": "compare", "params": {"lang": "zh", "count": "2"}}).encode())
    at = run_page(page, params)
    assert not at.exception
    assert at.session_state["shared.language"] == "zh" and CJK.search(at.title[0].value)
    assert not [n for n in at.info if "ignored" in n.value]


def test_a_missing_custom_activation_is_named_in_chinese():
    at = run_page("pages/gradient_flow.py", {"lang": "zh", "candidate": "custom"})
    warnings = [w.value for w in at.warning]
    assert not at.exception and any("自定义激活函数" in w for w in warnings), warnings
    assert not [w for w in warnings if "custom" in w], warnings  # not the raw key


def test_a_bad_lang_value_is_english_without_a_crash():
    for value in ("xx", "", "zh" * 500, "<script>", "ZH"):
        at = run_page("pages/compare.py", {"lang": value})
        assert not at.exception and at.session_state["shared.language"] == "en"
