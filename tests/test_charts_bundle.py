"""The renderer's vendored plotly.js bundle: the plotly package's plotly.js version, and it holds
every trace type and layout part the app's figures use."""

from __future__ import annotations

import json
import re

import plotly.io as pio

from tests.test_viz_common import _every_figure
from ui import charts

BUNDLE = charts.STATIC / charts.PLOTLY_BUNDLE
HEADER_VERSION = re.compile(r"plotly\.js(?: \([a-z -]+\))? v(\d+\.\d+\.\d+)")
# Layout keys drawn by a plotly.js component (not by the core), as named in the bundle.
COMPONENT_KEYS = {"annotations", "shapes", "images", "sliders", "updatemenus", "legend",
                  "colorbar", "rangeslider", "rangeselector"}


def _bundle_text() -> str:
    return BUNDLE.read_text(encoding="utf-8")


def _registered(kind: str) -> set[str]:
    """Names the bundle registers as ``kind`` ("trace") or defines as a component's module."""
    text = _bundle_text()
    if kind == "trace":
        return set(re.findall(r'moduleType:"trace",name:"(\w+)"', text))
    return set(re.findall(r'(?:moduleType:"component",|exports=\{)name:"(\w+)"', text))


def _used() -> tuple[set[str], set[str], bool]:
    """Trace types, component layout keys (plus trace colorbars) and whether any figure has
    frames, over every figure builder's output."""
    traces, components, frames = set(), set(), False
    for fig in _every_figure().values():
        spec = json.loads(pio.to_json(fig, validate=False))
        traces |= {t.get("type", "scatter") for t in spec["data"]}
        components |= {k for k in spec["layout"] if k in COMPONENT_KEYS}
        components |= {"colorbar" for t in spec["data"] if "colorbar" in t}
        frames = frames or bool(spec.get("frames"))
    return traces, components, frames


def test_the_bundle_is_the_plotly_js_version_the_plotly_package_bundles():
    package = (charts.PLOTLY_JS_DIR / "plotly.min.js").read_text(encoding="utf-8")[:300]
    ours = HEADER_VERSION.search(_bundle_text()[:300])
    theirs = HEADER_VERSION.search(package)
    assert ours and theirs and "(cartesian - minified)" in _bundle_text()[:300]
    assert ours[1] == theirs[1], f"vendored plotly.js {ours[1]}, plotly package's {theirs[1]}"
    assert BUNDLE.stat().st_size < (charts.PLOTLY_JS_DIR / "plotly.min.js").stat().st_size / 2


def test_every_trace_type_and_layout_part_the_app_draws_is_in_the_bundle():
    traces, components, frames = _used()
    # The figures do use the parts this test guards (else it would check nothing).
    assert {"scatter", "heatmap"} <= traces and frames
    assert {"annotations", "shapes", "sliders", "updatemenus"} <= components
    missing_traces = traces - _registered("trace")
    missing_parts = components - _registered("component")
    assert not missing_traces and not missing_parts, (missing_traces, missing_parts)


def test_the_renderer_loads_the_vendored_bundle_and_never_streamlits_plotly_chunk():
    js = charts._component_js()
    assert "ui.charts.${dir}/${name}" in js and charts.PLOTLY_BUNDLE in js
    assert "PlotlyChart" not in js and "__PLOTLY" not in js
    assert (charts.ASSET_DIRS["assets"] / charts.PLOTLY_BUNDLE).is_file()
