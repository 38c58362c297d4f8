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
        charts = page.locator('[data-testid="stPlotlyChart"]')
        for i in range(charts.count()):
            assert charts.nth(i).locator(".main-svg").count() > 0, f"chart {i} on {href} not drawn"
