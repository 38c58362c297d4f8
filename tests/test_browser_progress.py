"""Real browser: a student's predictions, reveals and quiz answers survive a reload and are
there in a second tab of the same browser, until "Start over"; tampered storage is ignored."""

from __future__ import annotations

import json

import pytest

from tests.browser_helpers import assert_no_exception, open_page, wait_for_run
from ui import lessons

pytestmark = pytest.mark.browser

STORAGE_KEY = "lstm-lens.progress.v1"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def settled(page) -> None:
    """The stored progress arrives after the first run (one more run): wait for both."""
    wait_for_run(page)
    page.wait_for_timeout(600)
    wait_for_run(page)


def progress_text(page) -> str:
    return " / ".join(page.locator('[data-testid="stProgress"]').all_inner_texts())


def checked(page) -> list[str]:
    """The labels of every checked radio option on the page."""
    return page.eval_on_selector_all(
        '[data-testid="stMain"] [data-testid="stRadio"] input[type=radio]:checked',
        "els => els.map(e => e.closest('label').innerText.trim())")


def option(page, text: str):
    labels = page.locator('[data-testid="stMain"] [data-testid="stRadio"] label')
    return labels.filter(has_text=text).first


def test_progress_survives_a_reload_and_a_second_tab_until_start_over(browser, app_url):
    context = browser.new_context(**PHONE)
    try:
        page = context.new_page()
        open_page(page, app_url, "lessons")
        settled(page)
        first = lessons.scenarios()[0]
        option(page, first.choices[first.answer]).click()
        wait_for_run(page)
        page.get_by_role("button", name="Reveal").click()
        wait_for_run(page)
        q1, q2 = lessons.quiz()[:2]
        wrong = (q2.answer + 1) % len(q2.choices)
        option(page, q1.choices[q1.answer]).click()
        wait_for_run(page)
        option(page, q2.choices[wrong]).click()
        wait_for_run(page)
        total = len(lessons.quiz())
        expected = [first.choices[first.answer], q1.choices[q1.answer], q2.choices[wrong]]
        before = progress_text(page)
        assert "1 revealed" in before and f"2 of {total} answered" in before
        assert checked(page) == expected

        page.reload()
        open_page(page, app_url, "lessons")
        settled(page)
        assert_no_exception(page)
        assert progress_text(page) == before, "a reload lost the student's work"
        assert checked(page) == expected
        assert page.get_by_text("Your prediction was right.").count() == 1  # still revealed

        second = context.new_page()
        open_page(second, app_url, "lessons")
        settled(second)
        assert progress_text(second) == before, "a second tab starts empty"
        assert checked(second) == expected

        second.get_by_role("button", name="Start over").click()
        settled(second)
        assert "0 revealed" in progress_text(second) and checked(second) == []
        assert second.evaluate(f"localStorage.getItem('{STORAGE_KEY}')") is None
        page.reload()
        open_page(page, app_url, "lessons")
        settled(page)
        assert "0 revealed" in progress_text(page) and f"0 of {total} answered" in (
            progress_text(page))
        assert checked(page) == []
    finally:
        context.close()


@pytest.mark.parametrize("stored", [
    "{not json", "[1, 2]", json.dumps({"v": 1, "predictions": {"why_tanh_candidate": 99},
                                       "revealed": "all", "quiz": {"../x": 0}}),
    json.dumps({"v": 1, "predictions": {"why_tanh_candidate": True}, "quiz": []}),
    "x" * 50_000,
])
def test_tampered_storage_is_ignored_without_a_traceback(browser, app_url, stored):
    context = browser.new_context(**PHONE)
    try:
        page = context.new_page()
        open_page(page, app_url, "lessons")
        page.evaluate("([k, v]) => localStorage.setItem(k, v)", [STORAGE_KEY, stored])
        page.reload()
        open_page(page, app_url, "lessons")
        settled(page)
        assert_no_exception(page)
        assert "0 revealed" in progress_text(page) and checked(page) == []
    finally:
        context.close()
