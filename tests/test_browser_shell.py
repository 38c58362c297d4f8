"""Real browser: every page in the navigation opens with no exception and its charts drawn."""

from __future__ import annotations

import pytest

from tests.browser_helpers import assert_no_exception, open_page, wait_for_run

pytestmark = pytest.mark.browser


def test_every_page_in_the_navigation_opens(page, app_url, screenshot_dir):
    open_page(page, app_url)
    links = page.locator('[data-testid="stSidebarNavLink"]')
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert len(hrefs) >= 1
    for href in hrefs:
        page.goto(href if href.startswith("http") else app_url + href)
        wait_for_run(page)
        assert_no_exception(page)
        name = href.rstrip("/").rsplit("/", 1)[-1] or "home"
        page.screenshot(path=str(screenshot_dir / f"nav-{name}.png"), full_page=True)
        charts = page.locator('[data-testid="lensChart"]')
        for i in range(charts.count()):
            assert charts.nth(i).locator(".main-svg").count() > 0, f"chart {i} on {href} not drawn"


def test_a_fresh_server_opens_a_page_link_through_the_router(browser, screenshot_dir):
    """The first visit of a new server is a shared link to a page (e.g. after a restart)."""
    from tests.conftest import start_server, stop_server

    proc, url = start_server()
    try:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page.goto(f"{url}/gradient_flow?steps=50")
        wait_for_run(page)
        page.wait_for_selector('[data-testid="lensChart"] .main-svg', timeout=30_000)
        wait_for_run(page)
        assert_no_exception(page)
        page.screenshot(path=str(screenshot_dir / "fresh-server-page-link.png"), full_page=True)
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        assert "Explore" in nav and "Cell Step-Through" in nav  # the router's sections
        assert page.get_by_text("Teacher mode").count() == 1  # drawn by app.py
        assert "steps=50" in page.url
        context.close()
    finally:
        stop_server(proc)
