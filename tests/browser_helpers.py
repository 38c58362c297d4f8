"""Helpers for driving the served app in Playwright."""

from __future__ import annotations

RUN_TIMEOUT_MS = 30_000
#: Every chart on a page: the app's own renderer (ui/charts.py, ``lensChart``) and, for an older
#: checkout measured by the benchmarks, Streamlit's ``st.plotly_chart``.
CHARTS = '[data-testid="lensChart"], [data-testid="stPlotlyChart"]'


def wait_for_run(page, timeout: int = RUN_TIMEOUT_MS, title: bool = True) -> None:
    """Wait until the script run has finished and every chart is drawn.

    Every page starts with a title, so a finished run with no ``h1`` is not the page yet (e.g.
    the router's one-time rerun on a fresh server, see ui/router.py); ``title=False`` for a
    script that is not one of the app's pages.
    """
    if title:
        page.wait_for_selector('[data-testid="stMain"] h1', timeout=timeout)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                           timeout=timeout)
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=\"stSkeleton\"]').length === 0",
        timeout=timeout,
    )
    # Plotly charts are drawn when their SVG main layer exists.
    page.wait_for_function(
        "(sel) => [...document.querySelectorAll(sel)].every(c => c.querySelector('.main-svg'))",
        arg=CHARTS, timeout=timeout,
    )


def open_page(page, url: str, path: str = "") -> None:
    page.goto(f"{url}/{path}")
    wait_for_run(page)


def assert_no_exception(page) -> None:
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()


def chart_count(page) -> int:
    return page.locator(CHARTS).count()
