"""A server restart under an open page: the page reconnects and a shared link restores the view.

A student's tab survives the server being stopped and started again on the same port (a
redeploy, a crashed replica restarted by ``deploy/run_replicas.sh``): the page shows that it is
reconnecting, then reconnects by itself, reruns the page from its URL into the same view, and
works (a change reruns). A link copied from the address bar reproduces the view in a new tab.
"""

from __future__ import annotations

import pytest
from browser_helpers import assert_no_exception, wait_for_run
from conftest import _free_port, start_server, stop_server

pytestmark = pytest.mark.browser

TIMEOUT_MS = 60_000
STATUS = '[data-testid="stConnectionStatus"]'


def _value(page, label: str) -> str:
    return page.get_by_label(label, exact=True).input_value()


@pytest.fixture
def restartable_server():
    """A server on one fixed free port; the test may stop and start it again (``servers``)."""
    port = _free_port()
    servers = [start_server(port)]
    yield port, servers
    for proc, _ in servers:
        if proc.poll() is None:
            stop_server(proc)


def test_page_reconnects_after_a_restart_and_a_shared_link_restores_the_view(
        browser, restartable_server):
    port, servers = restartable_server
    url = servers[0][1]
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws))
    try:
        page.goto(f"{url}/step_through?hidden_size=7&seed=3&cell_type=GRU")
        wait_for_run(page)
        assert_no_exception(page)
        assert _value(page, "Hidden size H") == "7" and _value(page, "Seed") == "3"
        assert len(sockets) == 1

        # Stop the server: the page notices and says it is reconnecting.
        stop_server(servers[0][0])
        page.wait_for_selector(STATUS, state="visible", timeout=TIMEOUT_MS)

        # Start it again on the same port: the page reconnects by itself (a new WebSocket, a
        # new session), reruns from its URL and shows the same view, without an exception.
        servers.append(start_server(port))
        page.wait_for_selector(STATUS, state="hidden", timeout=TIMEOUT_MS)
        for _ in range(100):  # Playwright reports the new WebSocket on this (Python) side
            if len(sockets) >= 2:
                break
            page.wait_for_timeout(100)
        assert len(sockets) == 2, "the page did not open a new connection"
        received = []
        sockets[1].on("framereceived", lambda payload: received.append(payload))
        wait_for_run(page, timeout=TIMEOUT_MS)
        assert_no_exception(page)
        assert _value(page, "Hidden size H") == "7" and _value(page, "Seed") == "3"
        assert page.get_by_role("radio", name="GRU").is_checked()

        # The reconnected page works: a change reruns on the new server and updates the URL.
        seed = page.get_by_label("Seed", exact=True)
        seed.fill("4")
        seed.press("Enter")
        page.wait_for_function("() => location.search.includes('seed=4')", timeout=TIMEOUT_MS)
        wait_for_run(page, timeout=TIMEOUT_MS)
        assert received, "no message came back over the new connection"
        assert_no_exception(page)
        shared = page.url
        assert "hidden_size=7" in shared and "cell_type=GRU" in shared

        # A link to this view, opened in a fresh tab (a new session), restores it exactly.
        other = context.new_page()
        other.goto(shared)
        wait_for_run(other, timeout=TIMEOUT_MS)
        assert_no_exception(other)
        assert _value(other, "Hidden size H") == "7" and _value(other, "Seed") == "4"
        assert other.get_by_role("radio", name="GRU").is_checked()
        assert other.url == shared  # nothing was dropped or added on the way
    finally:
        context.close()
