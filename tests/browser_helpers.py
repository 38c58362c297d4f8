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


def first_load_transfer(browser, url: str, timeout: int = RUN_TIMEOUT_MS,
                        viewport: tuple[int, int] = (390, 844)) -> dict:
    """Open ``url`` in a fresh browser context (empty cache, a phone's viewport) and count what
    came over the wire until the run is drawn and the network is quiet for a second.

    Returns ``{"http": bytes, "ws": bytes, "total": bytes, "requests": n, "assets": [...]}``:
    ``http`` sums Chromium's ``encodedDataLength`` (headers and compressed body as received),
    ``ws`` the WebSocket frames both ways (their payloads); ``assets`` lists each response as
    ``{"url", "bytes", "encoding", "type"}``, largest first.
    """
    import base64
    import time

    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    responses: dict[str, dict] = {}
    done: dict[str, float] = {}
    ws = [0]
    last = [time.monotonic()]

    def touched() -> None:
        last[0] = time.monotonic()

    def on_response(event: dict) -> None:
        headers = {k.lower(): v for k, v in event["response"].get("headers", {}).items()}
        responses[event["requestId"]] = {
            "url": event["response"]["url"], "encoding": headers.get("content-encoding", ""),
            "type": headers.get("content-type", "").split(";")[0]}
        touched()

    def on_finished(event: dict) -> None:
        done[event["requestId"]] = event["encodedDataLength"]
        touched()

    def on_frame(event: dict) -> None:
        frame = event["response"]
        # Binary frames (opcode 2) arrive base64-encoded; text frames as they are.
        data = frame["payloadData"]
        ws[0] += len(base64.b64decode(data)) if frame["opcode"] == 2 else len(data.encode())
        touched()

    cdp.on("Network.responseReceived", on_response)
    cdp.on("Network.loadingFinished", on_finished)
    cdp.on("Network.webSocketFrameReceived", on_frame)
    cdp.on("Network.webSocketFrameSent", on_frame)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
    try:
        page.goto(url)
        wait_for_run(page, timeout=timeout)
        deadline = time.monotonic() + timeout / 1000
        while time.monotonic() - last[0] < 1.0 and time.monotonic() < deadline:
            page.wait_for_timeout(200)
        assets = sorted(
            ({**responses.get(rid, {"url": "?", "encoding": "", "type": ""}), "bytes": n}
             for rid, n in done.items()), key=lambda a: -a["bytes"])
        http = sum(a["bytes"] for a in assets)
        return {"http": http, "ws": ws[0], "total": http + ws[0], "requests": len(assets),
                "assets": assets}
    finally:
        context.close()
