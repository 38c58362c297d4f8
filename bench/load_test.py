"""Classroom load: N simulated students speaking Streamlit's own WebSocket protocol, on loopback.

Run: ``python bench/load_test.py --students 60 --duration 60 --page activation_lab``.

Each student does what a browser does: ``GET /_stcore/health`` (which sets the XSRF cookie, and
behind ``deploy/`` nginx the stickiness cookie), opens ``ws://…/_stcore/stream`` with subprotocols
``["streamlit", <xsrf token>]``, an ``Origin`` header and those cookies, and sends a
``BackMsg.rerun_script`` (``ClientState``: query string, page name = the page's URL path) to open
the page. Then it repeatedly moves the page's first slider one step (its id, min, max, step and
value come from the ``Delta`` elements of the last run; the new value goes in a ``WidgetStates``)
after 2.5–7.5 s of think time, and times send → ``script_finished``. A page without a slider gets
its first number input stepped instead; a page with neither is rerun unchanged. Errors:
exception elements, a failed or early-finished run, ``page_not_found``, disconnects, timeouts.
``--controls random`` instead moves, on every run, a *different* control (any slider or number
input of the last run, picked at random) to a new random value on its grid: what a class exploring
a page costs, as caches rarely hold the result; ``--controls both`` measures the two workloads one
after the other on the same server and prints both rows.

Phases: warm-up (one student, discarded) → RSS *before* → all students open the page and stay
idle (RSS *idle*; memory per idle session = (idle − before) / N) → the timed interaction phase
(RSS *peak*) → every student disconnects (RSS *after*; Streamlit keeps a disconnected session for
``server.disconnectedSessionTTL`` = 120 s, so *after* still holds them).

Without ``--url`` the script starts its own server on a free loopback port (``tests/conftest.py``
``start_server``). ``--replicas-url`` (e.g. the nginx front of ``deploy/run_replicas.sh``) runs the
same scenario there too and prints both rows; pass the replicas' pids with ``--replicas-pids``
(``run_replicas.sh`` writes them to a file: ``--replicas-pids @/tmp/…/replicas.pids``) to get RSS.
Bounds: ≤ 200 students, ≤ 600 s, URLs on 127.0.0.1/localhost only.
Goals (issue 7): 60 students, 0 errors, p95 ≤ 1 s, ≤ 2 MB per idle session.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import random
import sys
import time
import urllib.request
from dataclasses import dataclass, field, replace
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    ROOT,
    fmt_mb,
    fmt_ms,
    format_table,
    goal_mark,
    percentile,
    require_loopback,
    total_cpu_seconds,
    total_rss,
)

MAX_STUDENTS = 200
MAX_DURATION_S = 600
GOAL_P95_S = 1.0
GOAL_IDLE_BYTES = 2 * 2**20


# --- pure protocol helpers -----------------------------------------------------------------------


@dataclass
class SliderInfo:
    """What a student needs to move a control: widget id, bounds, step and current value.

    ``kind`` is "slider" (value sent as ``double_array_value``) or "number" (a number input,
    ``double_value``).
    """

    widget_id: str
    lo: float
    hi: float
    step: float
    value: float
    is_int: bool
    kind: str = "slider"


def slider_from_proto(slider: Any) -> SliderInfo | None:
    """The first handle of a ``Slider`` proto (select-sliders use option indices)."""
    current = list(slider.value) if slider.set_value else list(slider.default)
    if not current:
        return None
    if slider.options:
        lo, hi, step, is_int = 0.0, float(len(slider.options) - 1), 1.0, True
    else:
        lo, hi, step = float(slider.min), float(slider.max), float(slider.step or 1)
        is_int = slider.data_type == slider.INT
    return SliderInfo(slider.id, lo, hi, step, float(current[0]), is_int)


def number_from_proto(number: Any) -> SliderInfo:
    """A ``NumberInput`` proto as a control to step (unbounded sides get ±1000 steps)."""
    value = float(number.value if number.set_value else number.default)
    step = float(number.step or 1)
    lo = float(number.min) if number.has_min else value - 1000 * step
    hi = float(number.max) if number.has_max else value + 1000 * step
    return SliderInfo(number.id, lo, hi, step, value, number.data_type == number.INT, "number")


def next_value(info: SliderInfo, direction: int) -> tuple[float, int]:
    """One step in ``direction`` (+1/−1), turning back at a bound; returns (value, direction)."""
    for d in (direction, -direction):
        value = info.value + d * info.step
        if info.lo - 1e-9 <= value <= info.hi + 1e-9:
            return (round(value) if info.is_int else round(value, 12)), d
    return info.value, direction


def random_value(info: SliderInfo, rng: random.Random) -> float:
    """A value on ``info``'s grid other than its current one (the current one if it has no
    other)."""
    steps = round((info.hi - info.lo) / info.step) if info.step > 0 else 0
    others = [k for k in range(steps + 1) if abs(info.lo + k * info.step - info.value) > 1e-9]
    if not others:
        return info.value
    value = info.lo + rng.choice(others) * info.step
    return round(value) if info.is_int else round(value, 12)


def rerun_msg(query_string: str, page_name: str = "", page_hash: str = "",
              widget: SliderInfo | None = None, value: float | None = None) -> bytes:
    """A serialised ``BackMsg.rerun_script``, optionally with one slider's new value."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    msg = BackMsg()
    state = msg.rerun_script
    state.query_string = query_string
    state.page_name = page_name
    state.page_script_hash = page_hash
    state.widget_states.SetInParent()
    if widget is not None and value is not None:
        w = state.widget_states.widgets.add()
        w.id = widget.widget_id
        if widget.kind == "number":
            w.double_value = float(value)
        else:
            w.double_array_value.data.append(float(value))
    return msg.SerializeToString()


def ws_url(base: str) -> str:
    """The Streamlit stream endpoint of app URL ``base``."""
    return base.replace("http://", "ws://", 1).replace("https://", "wss://", 1) + "/_stcore/stream"


# --- one student ---------------------------------------------------------------------------------


@dataclass
class Results:
    """Everything measured in one scenario."""

    opens: list[float] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    first_error: dict[str, str] = field(default_factory=dict)
    control: str = ""

    def error(self, kind: str, detail: str = "") -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1
        self.first_error.setdefault(kind, detail[:200])


class RunFailed(Exception):
    """A rerun ended badly (exception element, compile error, page not found, timeout)."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind, self.detail = kind, detail


class Student:
    """One simulated browser tab showing ``page``."""

    def __init__(self, base: str, page: str, query: str, timeout: float, name: str,
                 span: int = 0) -> None:
        self.base, self.page, self.query, self.timeout, self.name = base, page, query, timeout, name
        self.span = span
        self._origin: dict[str, float] = {}
        self.ws: Any = None
        self.page_hash = ""
        self.slider: SliderInfo | None = None
        self.direction = 1
        self._finished: asyncio.Queue = asyncio.Queue()
        self._run_slider: SliderInfo | None = None
        self._run_errors: list[str] = []
        self._echoed = False
        self._has_slider = False
        self._reader: asyncio.Task | None = None
        self._bytes = 0
        self.run_bytes: list[int] = []
        self.controls: list[SliderInfo] = []  # every slider and number input of the last run
        self._run_controls: list[SliderInfo] = []
        self.rng: random.Random | None = None  # set: each run moves a random control at random

    def _cookies(self) -> tuple[str, str]:
        """GET /_stcore/health like the frontend: returns (Cookie header, XSRF token)."""
        request = urllib.request.Request(self.base + "/_stcore/health",
                                         headers={"X-Student": self.name})
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            jar = SimpleCookie()
            for header in response.headers.get_all("Set-Cookie") or []:
                jar.load(header)
        cookie = "; ".join(f"{k}={m.value}" for k, m in jar.items())
        xsrf = jar["_streamlit_xsrf"].value if "_streamlit_xsrf" in jar else ""
        return cookie, xsrf

    async def connect(self) -> None:
        from websockets.asyncio.client import connect

        cookie, xsrf = await asyncio.to_thread(self._cookies)
        protocols = ["streamlit", xsrf] if xsrf else ["streamlit"]
        headers = {"Cookie": cookie} if cookie else {}
        self.ws = await connect(
            ws_url(self.base), subprotocols=protocols, origin=self.base,
            additional_headers=headers, max_size=None, compression=None,
            open_timeout=self.timeout, ping_interval=None,
        )
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        try:
            async for raw in self.ws:
                self._bytes += len(raw)
                msg = ForwardMsg()
                msg.ParseFromString(raw)
                kind = msg.WhichOneof("type")
                if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                    element = msg.delta.new_element
                    which = element.WhichOneof("type")
                    if which == "exception":
                        self._run_errors.append(
                            f"{element.exception.type}: {element.exception.message}")
                    elif which == "slider":
                        info = slider_from_proto(element.slider)
                        if info is not None:
                            self._run_controls.append(info)
                        if not self._has_slider:
                            self._run_slider = info
                            self._echoed = element.slider.set_value
                            self._has_slider = True
                    elif which == "number_input":
                        info = number_from_proto(element.number_input)
                        self._run_controls.append(info)
                        if self._run_slider is None:
                            self._run_slider = info
                            self._echoed = element.number_input.set_value
                elif kind == "navigation":
                    self.page_hash = msg.navigation.page_script_hash
                elif kind == "page_info_changed":
                    self.query = msg.page_info_changed.query_string
                elif kind == "page_not_found":
                    self._run_errors.append("page_not_found: " + msg.page_not_found.page_name)
                elif kind == "script_finished":
                    self._finished.put_nowait(msg.script_finished)
        except Exception as why:  # any end of the stream ends the student
            self._finished.put_nowait(why)
        else:
            self._finished.put_nowait(ConnectionError("server closed the stream"))

    async def _run(self, payload: bytes) -> float:
        """Send one rerun request and wait for its end; returns the latency in seconds."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self._run_slider, self._run_errors, self._has_slider = None, [], False
        self._run_controls = []
        self._bytes = 0
        started = time.perf_counter()
        await self.ws.send(payload)
        status = ForwardMsg.FINISHED_EARLY_FOR_RERUN
        # A run that calls st.rerun() ends "early for rerun" and the next run follows by itself
        # (we never send a request while one is running): the student waits for both.
        while status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            remaining = self.timeout - (time.perf_counter() - started)
            try:
                status = await asyncio.wait_for(self._finished.get(), max(remaining, 0.001))
            except TimeoutError:
                raise RunFailed("timeout", f"no script_finished in {self.timeout:g} s") from None
        latency = time.perf_counter() - started
        self.run_bytes.append(self._bytes)
        if isinstance(status, BaseException):
            raise RunFailed("disconnect", repr(status))
        if status not in (ForwardMsg.FINISHED_SUCCESSFULLY,
                          ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY):
            raise RunFailed("bad finish", ForwardMsg.ScriptFinishedStatus.Name(status))
        if self._run_errors:
            raise RunFailed("exception", self._run_errors[0])
        self.slider = self._run_slider
        self.controls = self._run_controls
        return latency

    async def open(self) -> float:
        """Connect and run the page once."""
        await self.connect()
        page_name = "" if self.page == "home" else self.page
        return await self._run(rerun_msg(self.query, page_name=page_name))

    async def interact(self) -> float:
        """Move the slider one step (or rerun unchanged when the page has none); with ``rng``
        set, move a random control to a random new value instead."""
        if self.rng is not None and self.controls:
            control = self.rng.choice(self.controls)
            value = random_value(control, self.rng)
            return await self._run(rerun_msg(self.query, page_hash=self.page_hash,
                                             widget=control, value=value))
        if self.slider is None:
            return await self._run(rerun_msg(self.query, page_hash=self.page_hash))
        control = self.slider
        if self.span:  # stay within ±span steps of where this student started
            origin = self._origin.setdefault(control.widget_id, control.value)
            control = replace(control, lo=max(control.lo, origin - self.span * control.step),
                              hi=min(control.hi, origin + self.span * control.step))
        value, self.direction = next_value(control, self.direction)
        payload = rerun_msg(self.query, page_hash=self.page_hash, widget=self.slider, value=value)
        sent_id = self.slider.widget_id
        latency = await self._run(payload)
        if self.slider is not None and self.slider.widget_id == sent_id and not self._echoed:
            self.slider.value = value  # the server echoes a value only when the script set it
        return latency

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(BaseException):
                await self._reader


# --- the scenario --------------------------------------------------------------------------------


async def _sample_rss(pids: list[int], peak: list[int], stop: asyncio.Event,
                      timeline: list[tuple[float, int]] | None = None) -> None:
    started = time.monotonic()
    while not stop.is_set():
        rss = total_rss(pids)
        peak[0] = max(peak[0], rss)
        if timeline is not None:
            timeline.append((time.monotonic() - started, rss))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)


async def scenario(base: str, args: argparse.Namespace, pids: list[int]) -> dict[str, Any]:
    """Warm-up, idle sessions, timed interactions, disconnect; returns the figures."""
    rng = random.Random(args.seed)
    results = Results()

    # Warm every process up (imports, caches) so that the idle figure is per session only;
    # behind nginx the hash spreads warm-up students too, so use several per replica.
    warm_controls: list[SliderInfo] = []

    async def warm_up(name: str) -> str:
        warm = Student(base, args.page, args.query, args.timeout, name)
        try:
            await warm.open()
            for _ in range(2):
                await warm.interact()
            control = warm.slider
            warm_controls[:] = warm.controls
            return f"{control.kind} {control.widget_id[-30:]}" if control else "rerun"
        except (RunFailed, OSError) as why:
            results.error("warm-up", str(why))
            return ""
        finally:
            await warm.close()

    n_warm = 1 if len(pids) <= 1 else 4 * len(pids)
    controls = await asyncio.gather(*(warm_up(f"warm-{i}") for i in range(n_warm)))
    results.control = next((c for c in controls if c), "")
    await asyncio.sleep(1.0)
    rss_before = total_rss(pids)

    students = [Student(base, args.page, args.query, args.timeout, f"s{i}", args.span)
                for i in range(args.students)]
    if args.mode == "random":
        for i, student in enumerate(students):
            student.rng = random.Random(f"{args.seed}-{i}")
        results.control = f"random of {len(warm_controls)} controls"
    alive: list[Student] = []

    async def open_one(i: int, student: Student) -> None:
        await asyncio.sleep(i * args.stagger)
        try:
            results.opens.append(await student.open())
            alive.append(student)
        except RunFailed as why:
            results.error(f"open {why.kind}", why.detail)
        except Exception as why:  # refused, reset, handshake timeout…
            results.error("open connect", repr(why))

    await asyncio.gather(*(open_one(i, s) for i, s in enumerate(students)))
    await asyncio.sleep(2.0)
    rss_idle = total_rss(pids)

    peak, stop = [max(rss_before, rss_idle)], asyncio.Event()
    timeline: list[tuple[float, int]] = []
    sampler = asyncio.create_task(_sample_rss(pids, peak, stop, timeline))
    deadline = time.monotonic() + args.duration

    async def work(student: Student) -> None:
        await asyncio.sleep(rng.uniform(0, args.think[1]))
        while time.monotonic() < deadline:
            try:
                results.latencies.append(await student.interact())
            except RunFailed as why:
                results.error(why.kind, why.detail)
                if why.kind in ("disconnect", "timeout"):
                    return
            think = rng.uniform(*args.think)
            if time.monotonic() + think >= deadline:
                return
            await asyncio.sleep(think)

    for student in alive:
        student.run_bytes.clear()
    started, cpu_start = time.monotonic(), total_cpu_seconds(pids)
    await asyncio.gather(*(work(s) for s in alive))
    elapsed = time.monotonic() - started
    cpu = total_cpu_seconds(pids) - cpu_start if pids else float("nan")
    sent = [b for s in alive for b in s.run_bytes]
    stop.set()
    await sampler
    await asyncio.gather(*(s.close() for s in students))
    await asyncio.sleep(3.0)
    rss_after = total_rss(pids)
    n_open = len(alive)
    return {
        "results": results, "elapsed": elapsed, "opened": n_open, "mode": args.mode,
        "rss_before": rss_before, "rss_idle": rss_idle, "rss_peak": peak[0],
        "rss_growth": rss_growth(timeline, WARM_UP_SHARE) if pids else float("nan"),
        "rss_after": rss_after, "measured_rss": bool(pids),
        "per_idle": (rss_idle - rss_before) / n_open if pids and n_open else float("nan"),
        "cpu_per_run": cpu / len(results.latencies) if results.latencies else float("nan"),
        "bytes_per_run": sum(sent) / len(sent) if sent else float("nan"),
    }


def rss_growth(timeline: list[tuple[float, int]], warm_up_share: float) -> float:
    """Relative RSS growth from the end of the warm-up (the first ``warm_up_share`` of the
    samples' time span) to the last sample: 0.05 = grew 5 %. NaN with fewer than 2 samples."""
    if len(timeline) < 2:
        return math.nan
    settled_at = timeline[-1][0] * warm_up_share
    settled = next(rss for t, rss in timeline if t >= settled_at)
    return timeline[-1][1] / settled - 1 if settled else math.nan


async def churn(base: str, args: argparse.Namespace, pids: list[int]) -> dict[str, float]:
    """Open and close ``args.churn`` sessions (``CHURN_BATCH`` at a time), each showing the
    page once; RSS before, once the server has dropped the first half's disconnected sessions
    (``server.disconnectedSessionTTL`` later), right after all, and settled after all. A leak
    grows from the half to the end; an allocator that keeps freed memory for reuse does not."""
    async def one(i: int) -> None:
        student = Student(base, args.page, args.query, args.timeout, f"churn-{i}")
        try:
            await student.open()
        except (RunFailed, OSError) as why:
            errors.append(str(why))
        finally:
            await student.close()

    async def settle() -> int:
        """RSS once the disconnected sessions' TTL has passed and one more visit has let the
        server drop them (its session store expires entries lazily, on use)."""
        await asyncio.sleep(args.session_ttl + 2)
        for k in range(2):  # the second run's collection frees what the first one expired
            poke = Student(base, args.page, args.query, args.timeout, f"churn-poke-{k}")
            await poke.open()
            await poke.close()
            await asyncio.sleep(1)
        return total_rss(pids)

    errors: list[str] = []
    before = await settle()
    half = args.churn // 2
    for first in range(0, args.churn, CHURN_BATCH):
        await asyncio.gather(*(one(i) for i in range(first, min(first + CHURN_BATCH,
                                                                  args.churn))))
        if first + CHURN_BATCH == half or (first < half <= first + CHURN_BATCH):
            halfway = await settle()
    right_after = total_rss(pids)
    settled = await settle()
    return {"before": before, "halfway": halfway, "right_after": right_after, "settled": settled,
            "errors": float(len(errors))}


# --- reporting -----------------------------------------------------------------------------------


HEADERS = ["target", "page (control)", "students", "s", "reruns", "reruns/s", "errors",
           "p50 ms", "p95 ms", "max ms", "open p95 ms", "CPU ms/run", "× floor", "kB/rerun",
           "RSS before/idle/peak/after MB", "RSS growth after warm-up", "MB/idle session",
           "goals"]
WARM_UP_SHARE = 0.2
GOAL_RSS_GROWTH = 0.10
CHURN_BATCH = 20
GOAL_CPU_S = 0.040
GOAL_CPU_FLOOR_RATIO = 6.0
FLOOR_PAGE = "floor"


def row(target: str, students: int, figures: dict[str, Any], floor_cpu: float = math.nan,
        page: str = "") -> list[str]:
    """One table row from a scenario's figures; ``floor_cpu`` is the floor page's CPU per run
    measured in the same run (NaN when not measured)."""
    res: Results = figures["results"]
    lat = res.latencies
    n_err = sum(res.errors.values())
    rss = "–"
    if figures["measured_rss"]:
        rss = "/".join(fmt_mb(figures[k]) for k in ("rss_before", "rss_idle", "rss_peak",
                                                    "rss_after"))
    p95, cpu = percentile(lat, 95), figures.get("cpu_per_run", math.nan)
    ratio = cpu / floor_cpu if floor_cpu and not math.isnan(floor_cpu) else math.nan
    goals = [f"p95 {goal_mark(p95, GOAL_P95_S)}", "errors " + ("ok" if n_err == 0 else "MISS"),
             f"CPU {goal_mark(cpu, GOAL_CPU_S)}"]
    if not math.isnan(ratio) and page != FLOOR_PAGE:
        goals.append(f"×floor {goal_mark(ratio, GOAL_CPU_FLOOR_RATIO)}")
    kb = figures.get("bytes_per_run", math.nan)
    growth = figures.get("rss_growth", math.nan)
    if not math.isnan(growth):
        goals.append(f"RSS {goal_mark(growth, GOAL_RSS_GROWTH)}")
    return [
        target, f"{page} ({res.control or '?'})", f"{figures['opened']}/{students}",
        f"{figures['elapsed']:.0f}", str(len(lat)),
        f"{len(lat) / figures['elapsed']:.1f}" if figures["elapsed"] else "–", str(n_err),
        fmt_ms(percentile(lat, 50)), fmt_ms(p95), fmt_ms(max(lat) if lat else math.nan),
        fmt_ms(percentile(res.opens, 95)), fmt_ms(cpu),
        "–" if math.isnan(ratio) or page == FLOOR_PAGE else f"{ratio:.1f}",
        "–" if math.isnan(kb) else f"{kb / 1000:.0f}", rss,
        "–" if math.isnan(growth) else f"{100 * growth:+.1f} %", fmt_mb(figures["per_idle"]),
        " · ".join(goals),
    ]


# --- command line --------------------------------------------------------------------------------


def _pids(text: str) -> list[int]:
    if text.startswith("@"):
        text = Path(text[1:]).read_text()
    return [int(p) for p in text.replace(",", " ").split()]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options, validated against the hard bounds."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=10,
                        help=f"simulated students, 1…{MAX_STUDENTS} (default 10)")
    parser.add_argument("--duration", type=float, default=20.0,
                        help=f"seconds of interaction, ≤ {MAX_DURATION_S} (default 20)")
    parser.add_argument("--page", "--pages", dest="pages", default="activation_lab",
                        help="page URL paths (file stems in pages/), comma-separated, run one "
                             "after another on the same server; 'floor' is the benchmarks' "
                             "one-slider page (default activation_lab)")
    parser.add_argument("--before", type=Path,
                        help="a second checkout of the app (e.g. `git worktree add /tmp/before "
                             "main`): its server runs the same pages in the same run, rows "
                             "labelled 'before'")
    parser.add_argument("--query", default="", help="URL query string to open the page with")
    parser.add_argument("--url", help="app URL on loopback; default: start a server here")
    parser.add_argument("--pids", default="",
                        help="server pids for RSS with --url: '123,456' or '@file'")
    parser.add_argument("--replicas-url",
                        help="also run against this URL (the nginx front of deploy/)")
    parser.add_argument("--replicas-pids", default="",
                        help="replica pids for RSS: '123,456' or '@file' (run_replicas.sh)")
    parser.add_argument("--replicas-only", action="store_true",
                        help="with --replicas-url: skip the single-server run")
    parser.add_argument("--think", type=float, nargs=2, default=(2.5, 7.5), metavar=("MIN", "MAX"),
                        help="think time range in seconds (default 2.5 7.5)")
    parser.add_argument("--stagger", type=float, default=0.05,
                        help="seconds between students opening the page (default 0.05)")
    parser.add_argument("--timeout", type=float, default=30.0,
                        help="seconds to wait for one rerun (default 30)")
    parser.add_argument("--seed", type=int, default=0, help="think-time random seed")
    parser.add_argument("--controls", choices=("step", "random", "both"), default="step",
                        help="step: move the first slider one step per run (default); random: "
                             "move a random control to a random value per run; both: one "
                             "after the other, two rows per page")
    parser.add_argument("--span", type=int, default=0,
                        help="each student's control stays within ±SPAN steps of its start "
                             "(a steady workload for a memory soak); default 0: walk to the "
                             "bounds and back")
    parser.add_argument("--churn", type=int, default=0,
                        help="after the scenarios, open and close this many sessions on the "
                             "last page and report RSS (≤ 2000; default 0: skip)")
    parser.add_argument("--session-ttl", type=int, default=120,
                        help="server.disconnectedSessionTTL of the servers started here, in "
                             "seconds (Streamlit's default 120; lower it for --churn)")
    args = parser.parse_args(argv)
    if not 1 <= args.students <= MAX_STUDENTS:
        parser.error(f"--students must be in 1…{MAX_STUDENTS}")
    if not 0 < args.duration <= MAX_DURATION_S:
        parser.error(f"--duration must be in (0, {MAX_DURATION_S}] seconds")
    if not 0.1 <= args.think[0] <= args.think[1] <= 60:
        parser.error("--think needs 0.1 ≤ MIN ≤ MAX ≤ 60")
    if not 0 <= args.stagger <= 1 or not 1 <= args.timeout <= 120:
        parser.error("--stagger must be in 0…1 s and --timeout in 1…120 s")
    for name in ("url", "replicas_url"):
        if getattr(args, name):
            try:
                setattr(args, name, require_loopback(getattr(args, name)))
            except ValueError as why:
                parser.error(f"--{name.replace('_', '-')}: {why}")
    if not 0 <= args.span <= 1000:
        parser.error("--span must be in 0…1000")
    if not 0 <= args.churn <= 2000 or not 1 <= args.session_ttl <= 600:
        parser.error("--churn must be in 0…2000 and --session-ttl in 1…600 s")
    if args.replicas_only and not args.replicas_url:
        parser.error("--replicas-only needs --replicas-url")
    try:
        args.pids, args.replicas_pids = _pids(args.pids), _pids(args.replicas_pids)
    except (OSError, ValueError) as why:
        parser.error(f"bad pid list: {why}")
    args.query = args.query.lstrip("?")
    args.mode = "random" if args.controls == "random" else "step"
    args.pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    if not args.pages:
        parser.error("--pages needs at least one page")
    if args.before is not None and not (args.before / "app.py").is_file():
        parser.error(f"--before {args.before}: no app.py there")
    return args


def _hard_limit(args: argparse.Namespace) -> float:
    """Seconds after which a scenario is abandoned, whatever happens."""
    return args.duration + args.students * args.stagger + 3 * args.timeout + 60


async def _run_target(target: str, base: str, args: argparse.Namespace,
                      pids: list[int]) -> tuple[str, dict[str, Any]]:
    print(f"… {target}: {args.students} students on {base}/{args.page} for {args.duration:g} s",
          file=sys.stderr, flush=True)
    figures = await asyncio.wait_for(scenario(base, args, pids), _hard_limit(args))
    res: Results = figures["results"]
    for kind, count in res.errors.items():
        print(f"  {kind}: {count}× e.g. {res.first_error[kind]}", file=sys.stderr)
    return target, figures


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    own_server = args.url is None and not args.replicas_only
    for page in args.pages:
        if own_server and page != FLOOR_PAGE and not (ROOT / "pages" / f"{page}.py").exists():
            print(f"no page pages/{page}.py")
            return 2
    from tests.conftest import start_server, stop_server

    (ROOT / ".pytest_cache").mkdir(exist_ok=True)
    targets: list[tuple[str, str, list[int]]] = []  # (label, url, pids)
    procs = []
    results: list[tuple[str, str, dict[str, Any]]] = []  # (label, page, figures)
    churned: list[list[str]] = []
    ttl = (f"--server.disconnectedSessionTTL={args.session_ttl}",)
    try:
        if not args.replicas_only:
            if args.url is None:
                if args.before is not None:
                    proc, url = start_server(root=args.before.resolve(), flags=ttl)
                    procs.append(proc)
                    targets.append(("before", url, [proc.pid]))
                proc, url = start_server(env={"LSTM_LENS_BENCH_FLOOR": "1"}, flags=ttl)
                procs.append(proc)
                targets.append(("1 process" if args.before is None else "after", url,
                                [proc.pid]))
            else:
                targets.append(("1 process", args.url, args.pids))
        if args.replicas_url:
            n = len(args.replicas_pids)
            targets.append((f"nginx + {n} replicas" if n else "replicas", args.replicas_url,
                            args.replicas_pids))
        modes = ("step", "random") if args.controls == "both" else (args.controls,)
        for page in args.pages:
            for mode in modes:
                for label, url, pids in targets:
                    if page == FLOOR_PAGE and label == "before":
                        continue  # the floor page is this checkout's
                    args.page, args.mode = page, mode
                    figures = asyncio.run(_run_target(label, url, args, pids))[1]
                    results.append((label, page, figures))
        if args.churn:
            for label, url, pids in targets:
                print(f"… {label}: {args.churn} sessions opened and closed", file=sys.stderr,
                      flush=True)
                c = asyncio.run(churn(url, args, pids))
                grown = c["settled"] / c["before"] - 1 if c["before"] else math.nan
                churned.append([label, args.page, str(args.churn), str(int(c["errors"])),
                                fmt_mb(c["before"]), fmt_mb(c["halfway"]),
                                fmt_mb(c["right_after"]), fmt_mb(c["settled"]),
                                "–" if math.isnan(grown) else f"{100 * grown:+.1f} %",
                                goal_mark(grown, GOAL_RSS_GROWTH)])
    finally:
        for proc in procs:
            stop_server(proc)
    floors = {label: figures["cpu_per_run"] for label, page, figures in results
              if page == FLOOR_PAGE}
    floor = next(iter(floors.values()), math.nan)
    rows = [row(label, args.students, figures, floor, page) for label, page, figures in results]
    print(format_table(HEADERS, rows))
    if churned:
        print()
        print(format_table(["target", "page", "sessions", "errors", "RSS before MB",
                            "settled after half MB", "right after all MB",
                            "settled after all MB", "settled vs before",
                            "goal ≤ +10 %"], churned))
    before = {(page, f["mode"]): f for label, page, f in results if label == "before"}
    ratios = [[f"{page} ({f['mode']})", fmt_ms(b["cpu_per_run"]), fmt_ms(f["cpu_per_run"]),
               f"{f['cpu_per_run'] / b['cpu_per_run']:.2f}",
               f"{b['bytes_per_run'] / 1000:.0f} → {f['bytes_per_run'] / 1000:.0f}"]
              for label, page, f in results
              if label == "after" and (b := before.get((page, f["mode"]))) is not None]
    if ratios:
        print()
        print(format_table(["page", "before CPU ms/run", "after CPU ms/run", "after ÷ before",
                            "kB/rerun before → after"], ratios))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
