"""Every page's "Share this view" link restores exactly the view it was taken from.

Each page is driven to seeded random states: server-side controls (a link's parameters, then one
control changed with its widget) and, on the Step-Through, the in-chart slider and play button
(the browser changes the step without a rerun). The share popover's link is then opened in a
fresh browser context and the two views are compared: the address's parameters, every chart's
drawn data (``gd.data``: x, y, z, name, visible) and the in-chart slider's active step.
``LSTM_LENS_LINK_STATES`` sets the states per page (default 3).
"""

from __future__ import annotations

import os
import random
from urllib.parse import parse_qsl, urlsplit

import pytest
from browser_helpers import assert_no_exception, wait_for_run

pytestmark = pytest.mark.browser

STATES = int(os.environ.get("LSTM_LENS_LINK_STATES", "3"))
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "hard_tanh", "identity", "softsign", "elu")

#: What a chart draws, in DOM order (typed arrays as plain lists).
DRAWN_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].map(gd => ({
  data: (gd.data || []).map(t => ({name: t.name ?? null, visible: t.visible ?? true,
    x: t.x ? Array.from(t.x, String) : null, y: t.y ? Array.from(t.y, String) : null,
    z: t.z ? Array.from(t.z, r => Array.isArray(r) || ArrayBuffer.isView(r)
                                  ? Array.from(r, String) : String(r)) : null})),
  active: ((gd.layout || {}).sliders || []).map(s => s.active ?? 0)}))"""


def _random_query(page: str, rng: random.Random) -> dict[str, str]:
    """A random view of ``page`` as link parameters (light enough for this machine)."""
    pick = rng.sample
    if page == "activation_lab":
        return {"activations": ",".join(pick(ACTIVATIONS, rng.randint(1, 3))),
                "x_max": str(rng.choice([3.0, 6.0, 9.5, 14.0])),
                "eps": str(rng.choice([0.01, 0.05, 0.2])),
                "show_d2": rng.choice("01"), "rescaled_sigmoid": rng.choice("01")}
    if page in ("step_through", "compare"):
        query = {"preset": rng.choice(["sine", "square", "noise", "ramp", "stocks"]),
                 "seed": str(rng.randint(0, 50)), "steps": str(rng.randint(20, 120)),
                 "hidden_size": str(rng.randint(1, 6)),
                 "weight_scale": str(rng.choice([0.5, 1.0, 2.5]))}
        if page == "step_through":
            query |= {"cell_type": rng.choice(["LSTM", "GRU", "RNN"]),
                      "candidate": rng.choice(ACTIVATIONS[:5]),
                      "unit": str(rng.randint(1, int(query["hidden_size"])))}
        else:
            query |= {"count": str(rng.randint(2, 4))}
        return query
    if page == "gradient_flow":
        return {"steps": str(rng.randint(20, 200)),
                "forget_bias": str(rng.choice([0.0, 1.0, 3.0])),
                "candidate": rng.choice(ACTIVATIONS[:5]), "loss": rng.choice(["last", "every"]),
                "seed": str(rng.randint(0, 99))}
    if page == "training_lab":
        return {"task": rng.choice(["adding", "sine", "sign"]),
                "presets": ",".join(pick(["lstm", "gru", "rnn_tanh", "lstm_relu"],
                                         rng.randint(1, 2))),
                "seeds": str(rng.randint(1, 2)), "steps": "25", "length": "10"}
    if page == "claims":
        from lstm_core.claims import CLAIMS

        return {"claim": rng.choice([k for k, c in CLAIMS.items() if not c.trained])}
    if page == "lessons":
        from ui.lessons import scenarios

        return {"scenario": rng.choice([s.key for s in scenarios()])}
    raise AssertionError(page)


def _drive_in_chart(page, rng: random.Random) -> None:
    """Step-Through: click the in-chart slider's rail somewhere, sometimes play a little."""
    rail = page.locator(".st-key-step_through-diagram .slider-rail-rect").first
    rail.scroll_into_view_if_needed()
    box = rail.bounding_box()
    page.mouse.click(box["x"] + box["width"] * rng.uniform(0.05, 0.95),
                     box["y"] + box["height"] / 2)
    page.wait_for_timeout(400)
    if rng.random() < 0.5:
        buttons = page.locator(".st-key-step_through-diagram .updatemenu-button")
        buttons.first.click()  # play
        page.wait_for_timeout(rng.randint(300, 900))
        buttons.nth(1).click()  # pause
        page.wait_for_timeout(400)


def _change_one_control(page, name: str) -> None:
    """One server-side change made with a widget, as a student would (a rerun)."""
    box = page.locator(f".st-key-{name} input").first
    box.scroll_into_view_if_needed()
    box.focus()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Tab")
    wait_for_run(page)


WIDGET_TO_CHANGE = {"step_through": "step_through-seed", "gradient_flow": "gradient_flow-seed",
                    "compare": "compare-seed"}


def _share_link(page) -> str:
    page.get_by_role("button", name="Share this view").first.click()
    body = page.locator('[data-testid="stPopoverBody"]').first
    body.wait_for(timeout=10_000)
    page.wait_for_timeout(300)
    link = body.locator(".lens-share-link, code").first.inner_text().strip()
    page.keyboard.press("Escape")
    return link


def _view(page) -> dict:
    return {"query": dict(parse_qsl(urlsplit(page.url).query)), "drawn": page.evaluate(DRAWN_JS)}


def differences(first: dict, second: dict) -> list[str]:
    """What differs between two views: parameters, charts' data, sliders' steps."""
    found = []
    for name in sorted(set(first["query"]) | set(second["query"])):
        if first["query"].get(name) != second["query"].get(name):
            found.append(f"param {name}: {first['query'].get(name)} → {second['query'].get(name)}")
    a, b = first["drawn"], second["drawn"]
    if len(a) != len(b):
        found.append(f"charts: {len(a)} → {len(b)}")
    for i, (one, two) in enumerate(zip(a, b, strict=False)):
        if one["active"] != two["active"]:
            found.append(f"chart {i} slider step: {one['active']} → {two['active']}")
        if one["data"] != two["data"]:
            found.append(f"chart {i} data")
    return found


#: The Training Lab is left out: its link does not hold a race's result yet (a fresh context
#: opens it empty, "press Run race"), see issue 23 goal 2.
PAGES = ("activation_lab", "step_through", "compare", "gradient_flow", "claims", "lessons")


@pytest.mark.parametrize("path", PAGES)
def test_share_link_restores_the_view(browser, app_url, path):
    rng = random.Random(f"links-{path}")
    table = []
    for index in range(STATES):
        query = _random_query(path, rng)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.goto(f"{app_url}/{path}?" + "&".join(f"{k}={v}" for k, v in query.items()))
        wait_for_run(page, timeout=90_000)
        assert_no_exception(page)
        if path in WIDGET_TO_CHANGE and index % 2:
            _change_one_control(page, WIDGET_TO_CHANGE[path])
        if path == "training_lab":
            page.get_by_role("button", name="Run race").click()
            page.wait_for_timeout(500)
            wait_for_run(page, timeout=90_000)
        if path == "step_through":
            _drive_in_chart(page, rng)
        link = _share_link(page)
        first = _view(page)
        context.close()
        fresh = browser.new_context(viewport={"width": 1400, "height": 1000})
        other = fresh.new_page()
        other.goto(link)
        wait_for_run(other, timeout=90_000)
        page_shown = _view(other)
        fresh.close()
        found = differences(first, page_shown)
        table.append((index, link.split("?", 1)[-1][:90], len(found), found[:4]))
    report = "\n".join(f"{path} state {i}: {n} differences {d} ({q})" for i, q, n, d in table)
    print(report)
    assert all(n == 0 for _i, _q, n, _d in table), report
