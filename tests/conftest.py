"""Shared fixtures: BLAS at one thread, AppTest helpers and the real-browser fixture."""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import contextlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {proc.returncode}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.25)
    raise RuntimeError("streamlit did not become healthy within 60 s")


def start_server(port: int | None = None, root: Path = ROOT, env: dict[str, str] | None = None,
                 flags: tuple[str, ...] = (), script: str = "app.py") -> tuple[subprocess.Popen,
                                                                             str]:
    """Start ``streamlit run app.py`` (or ``script``) of the project at ``root`` on a loopback
    port, with extra environment variables ``env`` and command-line ``flags``; returns the
    process and URL."""
    port = port or _free_port()
    cmd = [
        sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true",
        "--server.address", "127.0.0.1", "--server.port", str(port),
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *flags,
    ]
    log = open(ROOT / ".pytest_cache" / f"streamlit-{port}.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=root, stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    _wait_healthy(url, proc)
    return proc, url


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def app_url():
    """The app served on loopback for the whole test session."""
    (ROOT / ".pytest_cache").mkdir(exist_ok=True)
    proc, url = start_server()
    yield url
    stop_server(proc)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but /usr/bin/chromium is missing: install it with apt-get")
        pytest.skip("browser tests need Debian's chromium: apt-get install -y chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


def pytest_configure(config) -> None:
    """The trained claims' study at the CI budget (20 seeds, 60 and 180 steps; see
    ``lstm_core.study``) for the tests and every server they start (read from the project's
    ``.cache/`` once computed). Set here, not at import: the benchmarks import
    ``start_server`` from this module and measure the real study."""
    os.environ.setdefault("LSTM_LENS_STUDY", "small")


def nginx_binary() -> str:
    """The nginx executable: a test fails without it under CI=true (``.ci/run`` installs it)
    and is skipped elsewhere."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but nginx is missing: .ci/run installs it with apt-get")
        pytest.skip("nginx is not installed (apt-get install -y nginx)")
    return nginx
