"""The pure parts of the benchmark and deployment tools (bench/, deploy/): fast, no server."""

from __future__ import annotations

import math
import os
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from bench import bench_browser, bench_rerun, load_test
from bench.common import format_table, goal_mark, percentile, require_loopback, summary
from deploy import nginx_conf, streamlit_flags
from tests.conftest import nginx_binary
from ui.state import PageState, choice, choices, flag, number

ROOT = Path(__file__).resolve().parents[1]


# --- statistics and tables -----------------------------------------------------------------------


@pytest.mark.parametrize("q", [0, 10, 50, 90, 95, 100])
def test_percentile_matches_numpy(q):
    values = list(np.random.default_rng(3).exponential(size=37))
    assert percentile(values, q) == pytest.approx(np.percentile(values, q))


def test_percentile_edge_cases():
    assert math.isnan(percentile([], 50))
    assert percentile([4.0], 95) == 4.0
    with pytest.raises(ValueError):
        percentile([1.0], 101)


def test_summary_and_goal_marks():
    stats = summary([0.010, 0.020, 0.030, 0.040, 1.0])
    assert stats["n"] == 5 and stats["median"] == 0.030 and stats["max"] == 1.0
    assert goal_mark(0.030, 0.030) == "ok"
    assert goal_mark(0.031, 0.030) == "MISS"
    assert goal_mark(float("nan"), 0.030) == "–"


def test_format_table_aligns_columns_and_checks_row_length():
    text = format_table(["page", "ms"], [["home", 5], ["activation_lab", 120]])
    lines = text.splitlines()
    assert lines[0].startswith("| page ") and len({len(line) for line in lines}) == 1
    assert "| activation_lab | 120 |" in lines
    with pytest.raises(ValueError):
        format_table(["a", "b"], [["only one"]])


# --- loopback and argument bounds ----------------------------------------------------------------


@pytest.mark.parametrize("url", ["http://127.0.0.1:8501", "http://localhost:8080/", "ws://[::1]:9"])
def test_loopback_urls_are_accepted(url):
    assert require_loopback(url) == url.rstrip("/")


@pytest.mark.parametrize(
    "url", ["http://10.0.0.5:8501", "http://example.com", "file:///etc/passwd",
            "http://127.0.0.1.example.com:80", "http://0.0.0.0:8501"],
)
def test_non_loopback_urls_are_refused(url):
    with pytest.raises(ValueError):
        require_loopback(url)


@pytest.mark.parametrize(
    "argv",
    [["--students", "201"], ["--students", "0"], ["--duration", "601"], ["--duration", "0"],
     ["--url", "http://192.168.1.2:8501"], ["--replicas-url", "http://example.com"],
     ["--think", "5", "1"], ["--replicas-only"]],
)
def test_load_test_refuses_out_of_bounds_arguments(argv):
    with pytest.raises(SystemExit):
        load_test.parse_args(argv)


def test_load_test_defaults_are_small_and_the_limits_are_accepted():
    args = load_test.parse_args([])
    assert args.students <= 20 and args.duration <= 60 and args.url is None
    args = load_test.parse_args(["--students", "200", "--duration", "600",
                                 "--url", "http://localhost:8501/", "--pids", "1,2"])
    assert (args.students, args.url, args.pids) == (200, "http://localhost:8501", [1, 2])


@pytest.mark.parametrize("argv", [["--reruns", "0"], ["--reruns", "201"], ["--budget", "601"],
                                  ["--cap", "steps"]])
def test_bench_rerun_refuses_out_of_bounds_arguments(argv):
    with pytest.raises(SystemExit):
        bench_rerun.parse_args(argv)


@pytest.mark.parametrize("argv", [["--changes", "101"], ["--url", "http://10.1.1.1:80"]])
def test_bench_browser_refuses_out_of_bounds_arguments(argv):
    with pytest.raises(SystemExit):
        bench_browser.parse_args(argv)


def test_browser_url_paths():
    assert bench_browser.url_path("pages/home.py") == ""
    assert bench_browser.url_path("pages/activation_lab.py") == "activation_lab"


# --- Streamlit protocol helpers of the load test -------------------------------------------------


def _slider(**kw):
    from streamlit.proto.Slider_pb2 import Slider

    proto = Slider(id="$$ID-abc-page.steps", min=1, max=10, step=1, data_type=Slider.INT)
    proto.default[:] = [10]
    for key, value in kw.items():
        if key == "value":
            proto.value[:] = value
            proto.set_value = True
        elif key == "options":
            proto.options[:] = value
        else:
            setattr(proto, key, value)
    return proto


def test_slider_info_uses_default_unless_the_script_set_a_value():
    info = load_test.slider_from_proto(_slider())
    assert (info.widget_id, info.lo, info.hi, info.value, info.is_int) == (
        "$$ID-abc-page.steps", 1.0, 10.0, 10.0, True)
    assert load_test.slider_from_proto(_slider(value=[3])).value == 3.0
    select = load_test.slider_from_proto(_slider(options=["a", "b", "c"]))
    assert (select.lo, select.hi, select.step) == (0.0, 2.0, 1.0)


def test_next_value_turns_back_at_a_bound():
    info = load_test.slider_from_proto(_slider())  # at its max, 10
    assert load_test.next_value(info, +1) == (9, -1)
    info.value = 5
    assert load_test.next_value(info, +1) == (6, 1)
    info.lo = info.hi = 5
    assert load_test.next_value(info, +1) == (5, 1)


def test_rerun_message_round_trips():
    from streamlit.proto.BackMsg_pb2 import BackMsg

    info = load_test.slider_from_proto(_slider())
    msg = BackMsg.FromString(load_test.rerun_msg("a=1", page_hash="h1", widget=info, value=7))
    state = msg.rerun_script
    assert (state.query_string, state.page_script_hash) == ("a=1", "h1")
    [widget] = state.widget_states.widgets
    assert widget.id == info.widget_id and list(widget.double_array_value.data) == [7.0]
    first = BackMsg.FromString(load_test.rerun_msg("", page_name="compare")).rerun_script
    assert first.page_name == "compare" and not first.widget_states.widgets
    assert first.HasField("widget_states")


def test_ws_url():
    assert load_test.ws_url("http://127.0.0.1:8080") == "ws://127.0.0.1:8080/_stcore/stream"


# --- heaviest settings from a page's state dataclass ---------------------------------------------


@dataclass(frozen=True)
class _Demo(PageState):
    steps: int = number(20, 1, 500, integer=True)
    scale: float = number(1.0, 0.1, 4.0)
    acts: tuple = choices(("tanh",), ("tanh", "relu", "sigmoid", "elu"), min_count=1, max_count=3)
    cell: str = choice("LSTM", ("LSTM", "GRU"))
    grid: bool = flag(False)



def test_heaviest_query_takes_every_number_at_its_max_and_parses_back():
    query = bench_rerun.heaviest_query(_Demo)
    assert query == {"steps": "500", "scale": "4.0", "acts": "tanh,relu,sigmoid"}
    state, notices = _Demo.from_query(query)
    assert notices == [] and state.steps == 500 and state.acts == ("tanh", "relu", "sigmoid")


def test_heaviest_query_leaves_out_defaults():
    query = bench_rerun.heaviest_query(_Demo, overrides={"cell": "LSTM", "grid": "1"})
    assert "cell" not in query and query["grid"] == "1"


def test_heaviest_query_caps_and_overrides():
    query = bench_rerun.heaviest_query(_Demo, caps={"steps": "200", "scale": "9"},
                                       overrides={"cell": "GRU"})
    assert query["steps"] == "200" and query["scale"] == "4.0" and query["cell"] == "GRU"


def test_every_page_is_found():
    pages = bench_rerun.page_files()
    assert "pages/home.py" in pages
    assert pages == sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))


# --- deploy/: nginx config and production flags --------------------------------------------------


def test_nginx_config_has_one_upstream_entry_per_replica_and_websocket_headers(tmp_path):
    conf = nginx_conf.render(9000, [9001, 9002, 9003], tmp_path)
    servers = [line.split()[1] for line in conf.splitlines() if line.strip().startswith("server 1")]
    assert servers == ["127.0.0.1:9001", "127.0.0.1:9002", "127.0.0.1:9003"]
    for needed in ("proxy_http_version 1.1;", "proxy_set_header Upgrade $http_upgrade;",
                   "proxy_set_header Connection $connection_upgrade;",
                   "proxy_set_header Host $http_host;", "hash $lens_route consistent;",
                   "listen 127.0.0.1:9000;", "proxy_read_timeout 3600s;", "max_fails=2"):
        assert needed in conf, needed
    assert "ip_hash" not in conf and "$remote_addr" not in conf
    assert f"pid {tmp_path.resolve()}/nginx.pid;" in conf


@pytest.mark.parametrize("ports", [[], [9000], [9001, 9001], list(range(9001, 9018)), [70000]])
def test_nginx_config_refuses_bad_replica_lists(tmp_path, ports):
    with pytest.raises(ValueError):
        nginx_conf.render(9000, ports, tmp_path)


def test_nginx_config_compresses_text_assets_and_loads_brotli_only_when_asked(tmp_path):
    plain = nginx_conf.render(9000, [9001], tmp_path)
    for needed in ("gzip on;", "gzip_proxied any;", "gzip_vary on;"):
        assert needed in plain, needed
    types = next(line for line in plain.splitlines() if "gzip_types" in line)
    for kind in ("application/javascript", "text/css", "application/json", "image/svg+xml"):
        assert kind in types, kind
    assert "brotli on;" not in plain and "load_module" not in plain
    module = tmp_path / "brotli.so"
    with_brotli = nginx_conf.render(9000, [9001], tmp_path, brotli=module)
    assert with_brotli.splitlines()[2] == f"load_module {module};"  # before any block
    assert "brotli on;" in with_brotli and "gzip on;" in with_brotli


@pytest.mark.parametrize("brotli", [False, True], ids=["gzip", "gzip+brotli"])
def test_nginx_accepts_the_generated_config(tmp_path, brotli):
    nginx = nginx_binary()
    if brotli and not nginx_conf.BROTLI_MODULE.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {nginx_conf.BROTLI_MODULE} is missing (.ci/run)")
        pytest.skip("nginx's brotli module is not installed")
    conf = nginx_conf.render(9000, [9001, 9002], tmp_path,
                             brotli=nginx_conf.BROTLI_MODULE if brotli else None)
    (tmp_path / "nginx.conf").write_text(conf)
    done = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                           "-e", str(tmp_path / "error.log")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_production_config_is_hardened():
    config = tomllib.loads((ROOT / "deploy" / "streamlit-production.toml").read_text())
    assert "global" not in config
    server = config["server"]
    assert server["maxUploadSize"] == 1 and server["fileWatcherType"] == "none"
    assert server["enableStaticServing"] is False and server["runOnSave"] is False
    assert server["enableXsrfProtection"] is True and server["enableCORS"] is True
    assert config["client"] == {"toolbarMode": "viewer", "showErrorDetails": "none"}
    assert config["browser"]["gatherUsageStats"] is False


def test_production_flags():
    config = tomllib.loads((ROOT / "deploy" / "streamlit-production.toml").read_text())
    flags = streamlit_flags.flags(config)
    assert "--server.maxUploadSize=1" in flags and "--client.toolbarMode=viewer" in flags
    assert "--server.enableXsrfProtection=true" in flags
    with pytest.raises(ValueError):
        streamlit_flags.flags({"global": {"developmentMode": True}})
    with pytest.raises(ValueError):
        streamlit_flags.flags({"theme": {"chartCategoricalColors": ["#000000"]}})


def test_number_input_control_is_sent_as_a_double_value():
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.NumberInput_pb2 import NumberInput

    proto = NumberInput(id="$$ID-n-page.steps", default=20, step=1, min=1, max=20, has_min=True,
                        has_max=True, data_type=NumberInput.INT)
    info = load_test.number_from_proto(proto)
    assert (info.kind, info.lo, info.hi, info.value, info.is_int) == ("number", 1, 20, 20, True)
    value, _ = load_test.next_value(info, +1)
    [widget] = BackMsg.FromString(
        load_test.rerun_msg("", widget=info, value=value)).rerun_script.widget_states.widgets
    assert widget.WhichOneof("value") == "double_value" and widget.double_value == 19.0


def test_rss_growth_is_measured_from_the_end_of_the_warm_up():
    timeline = [(0.0, 100), (1.0, 150), (2.0, 200), (8.0, 200), (10.0, 220)]
    assert load_test.rss_growth(timeline, 0.2) == pytest.approx(0.10)  # 200 at t ≥ 2 → 220
    assert load_test.rss_growth(timeline[:1], 0.2) != load_test.rss_growth(timeline[:1], 0.2)


def test_cpu_seconds_reads_this_process():
    import os

    from bench.common import cpu_seconds, total_cpu_seconds

    before = cpu_seconds(os.getpid())
    sum(i * i for i in range(300_000))
    assert cpu_seconds(os.getpid()) > before
    assert cpu_seconds(2**22 + 12345) is None and total_cpu_seconds([2**22 + 12345]) == 0.0


def test_a_student_with_a_span_stays_near_where_it_started():
    student = load_test.Student("http://127.0.0.1:1", "x", "", 1.0, "s", span=2)
    student.slider = load_test.SliderInfo("w", 1, 500, 1, 100, True, "number")
    sent = []

    async def fake_run(payload):
        from streamlit.proto.BackMsg_pb2 import BackMsg

        widget = BackMsg.FromString(payload).rerun_script.widget_states.widgets[0]
        sent.append(widget.double_value)
        return 0.0

    import asyncio

    student._run = fake_run
    for _ in range(9):
        asyncio.run(student.interact())
    assert sent == [101, 102, 101, 100, 99, 98, 99, 100, 101]


def test_a_random_control_value_is_on_the_grid_inside_the_bounds_and_new():
    import random

    rng = random.Random(0)
    info = load_test.SliderInfo("w", 0.0, 1.0, 0.25, 0.5, is_int=False)
    seen = {load_test.random_value(info, rng) for _ in range(200)}
    assert seen == {0.0, 0.25, 0.75, 1.0}  # every other grid value, never the current 0.5
    steps = load_test.SliderInfo("n", 1, 8, 1, 8, is_int=True, kind="number")
    assert {load_test.random_value(steps, rng) for _ in range(200)} == set(range(1, 8))
    single = load_test.SliderInfo("s", 3, 3, 1, 3, is_int=True)
    assert load_test.random_value(single, rng) == 3  # nowhere else to go


def test_load_test_random_controls_mode_is_parsed():
    assert load_test.parse_args([]).mode == "step"
    assert load_test.parse_args(["--controls", "random"]).mode == "random"
    with pytest.raises(SystemExit):
        load_test.parse_args(["--controls", "sideways"])
