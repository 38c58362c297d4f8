"""The deployed setup, for real: a replica with the production flags behind nginx configured by
``deploy/nginx_conf.py``. A phone's first visit to every page arrives compressed and within
the byte budget, and never pulls Streamlit's full plotly.js chunk."""

from __future__ import annotations

import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

from bench.common import page_files
from deploy import nginx_conf, streamlit_flags
from tests.browser_helpers import first_load_transfer
from tests.conftest import ROOT, _free_port, nginx_binary, start_server, stop_server

pytestmark = pytest.mark.browser

#: Issue 22: a student's first visit to any page transfers at most this over the wire.
BUDGET_BYTES = 2_500_000
#: A script, style or data response this large (as received) must have come compressed.
COMPRESSIBLE = ("javascript", "css", "json", "svg+xml", "text/plain")
SMALLEST_CHECKED = 2_000


def _page_paths() -> list[str]:
    return [{"home": ""}.get(Path(p).stem, Path(p).stem) for p in page_files()]


def _wait_for(url: str, proc: subprocess.Popen, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"nginx exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


@pytest.fixture(scope="module")
def deployed_url(tmp_path_factory):
    """One replica (production flags) behind nginx with the generated config, on loopback."""
    nginx = nginx_binary()
    prefix = tmp_path_factory.mktemp("nginx")
    prefix.chmod(0o755)  # nginx's workers (not root) use the temp dirs inside
    production = tomllib.loads((ROOT / "deploy" / "streamlit-production.toml").read_text())
    (ROOT / ".pytest_cache").mkdir(exist_ok=True)
    replica, replica_url = start_server(flags=tuple(streamlit_flags.flags(production)))
    listen = _free_port()
    brotli = nginx_conf.BROTLI_MODULE if nginx_conf.BROTLI_MODULE.is_file() else None
    conf = prefix / "nginx.conf"
    conf.write_text(nginx_conf.render(listen, [int(replica_url.rsplit(":", 1)[1])], prefix,
                                      brotli=brotli))
    proc = subprocess.Popen([nginx, "-p", str(prefix), "-c", str(conf), "-e",
                             str(prefix / "error.log"), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{listen}"
        _wait_for(url + "/_stcore/health", proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        stop_server(replica)


def test_every_page_first_load_is_compressed_and_within_budget(browser, deployed_url):
    rows = []
    for path in _page_paths():
        sent = first_load_transfer(browser, f"{deployed_url}/{path}", timeout=90_000)
        assets = sent["assets"]
        uncompressed = [a for a in assets if a["bytes"] >= SMALLEST_CHECKED
                        and any(kind in a["type"] for kind in COMPRESSIBLE)
                        and a["encoding"] not in ("gzip", "br")]
        assert not uncompressed, (path, [(a["url"], a["bytes"]) for a in uncompressed])
        # The big ones are there and compressed (else the check above had nothing to see).
        scripts = [a for a in assets if "javascript" in a["type"]]
        assert sum(a["bytes"] for a in scripts) > 300_000, path
        assert all(a["encoding"] in ("gzip", "br") for a in scripts[:5]), path
        assert not [a["url"] for a in assets if "/PlotlyChart." in a["url"]], path
        rows.append((path or "home", sent["total"]))
        assert sent["total"] <= BUDGET_BYTES, (
            f"{path or 'home'}: {sent['total'] / 1e6:.2f} MB on a first visit "
            f"(budget {BUDGET_BYTES / 1e6} MB); largest: "
            + ", ".join(f"{a['url'].rsplit('/', 1)[-1]} {a['bytes'] / 1e3:.0f} kB"
                        for a in assets[:5]))
    print("\n" + "\n".join(f"{name}: {total / 1e6:.2f} MB" for name, total in rows),
          file=sys.stderr)


def test_a_chart_page_loads_the_renderers_bundle_compressed(browser, deployed_url):
    sent = first_load_transfer(browser, f"{deployed_url}/step_through", timeout=90_000)
    bundle = [a for a in sent["assets"] if a["url"].split("?")[0].endswith(
        "/component/ui.charts.assets/" + "vendor/plotly.js-cartesian-dist-min/"
        "plotly-cartesian.min.js")]
    assert len(bundle) == 1, [a["url"] for a in sent["assets"][:8]]
    assert bundle[0]["encoding"] in ("gzip", "br")
    # 1.5 MB as a file, a third of that or less over the wire
    assert bundle[0]["bytes"] < 600_000, bundle[0]
