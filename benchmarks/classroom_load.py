"""A class on one server: thirty sessions load the studio and train at once (issue #12).

Starts ``studio app`` (headless, a free port, a fresh runs folder). The teacher opens the studio
first (``--teacher-lead``: the first page load starts the training workers' forkserver, which imports
torch), then one student arrives every ``--stagger`` seconds. Each opens the app, goes to Train, sets
a few epochs of the default draft, presses Train, and waits for its run to end while it goes on
using the page: every few seconds it changes the epochs box (a full rerun of the page), and its Train
panel polls live, as the page asks. Runs beyond ``--max-jobs`` queue.

Students are thin clients by default (``--clients thin``): each speaks Streamlit's websocket protocol
itself (benchmarks/streamlit_client.py), so the server's two cores serve the server, as in a class
whose browsers are the students' laptops. ``--clients browser`` drives thirty headless Chromium pages
on this machine instead (the iris preset; Chromium at the lowest CPU priority), which measures
Chromium as much as the server: their renderers take most of the cores.

Page rerun time, the figure with the target: from the input (a thin client sending its rerun request;
in Chromium the pointerdown or Enter, timed in the page) until the run it asked for has finished
(the server's "script finished"; in Chromium, the page showing the result with Streamlit's script
state "notRunning" again). The first load of the app is reported apart. "In the server" is each
script run's wall time (a ``sitecustomize`` timer put on the server's PYTHONPATH). The CPU that the
server with its training workers and the clients took is printed.

A run is finished when its run folder (found by the session's owner hash in owner.json) has a
summary that says completed or early_stopped; lost when its session pressed Train and it has not.
How many pages showed the end is printed beside it.

Prints the three figures with their targets: page rerun p95 (<= 1 s), runs finished (all), runs
lost (none); and the load average before and while it ran.

    .venv/bin/python benchmarks/classroom_load.py [--sessions 30] [--epochs 10] [--max-jobs N]
        [--clients thin|browser] [--probe-every 5] [--stagger 1] [--teacher-lead 10] [--browser-nice 19]

Measured on the project's 2-core VM (quiet), 30 thin sessions, runs in worker processes: 10 epochs:
page rerun p50 0.14 s, p95 0.86 s, 30 of 30 finished, none lost; 200 epochs: p50 0.07 s, p95 0.49 s.
The same with STUDIO_TRAIN_IN=thread (runs in the server's threads), 200 epochs: p50 0.26 s, p95 1.00 s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM_ARGS, chromium_path, free_port  # noqa: E402

PRESET = "iris-mlp"
WAIT_MS = 180_000  # a step of one session, on a machine that thirty sessions keep busy
ENDED = re.compile(r"status: (completed|early_stopped|stopped|failed)")
# Timestamps of the person's last input and of every script-state change, kept by the page itself.
TRACKER = """
window.__st = {input: 0, connection: [], last: null};
addEventListener('pointerdown', () => { window.__st.input = performance.now(); }, true);
addEventListener('keydown', (e) => { if (e.key === 'Enter') window.__st.input = performance.now(); }, true);
setInterval(() => {  // the websocket's state changes (a reconnect shows as a change away from CONNECTED)
  const app = document.querySelector("[data-testid='stApp']");
  const now = app && app.getAttribute('data-test-connection-state');
  if (now && now !== window.__st.last) { window.__st.connection.push(now); window.__st.last = now; }
}, 100);
"""
# True once ``check`` holds and no script runs; returns the time (page clock) it first did.
SETTLED = """([check, arg]) => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  const ok = {
    text: () => document.body.innerText.includes(arg),
    name: () => (document.querySelector('input[aria-label="Recipe name"]') || {}).value === arg,
    regex: () => new RegExp(arg).test(document.body.innerText),
  }[check]();
  return ok ? performance.now() : false;
}"""


@dataclass
class Wire:
    """Reruns as the websocket shows them: from the browser sending "rerun" to the server's "script
    finished" (Chromium's network layer reports both frames, so a busy page's rendering is left out)."""

    pending: list[tuple[float, bool]] = field(default_factory=list)  # (sent at, an automatic fragment poll)
    first: float | None = None  # the session's first run (the page's load), kept apart
    user: list[float] = field(default_factory=list)
    polls: list[float] = field(default_factory=list)
    waited: list[float] = field(default_factory=list)  # thin clients: an input's wait for a poll under way

    def watch(self, page) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        def sent(payload: bytes | str) -> None:
            if isinstance(payload, bytes):
                msg = BackMsg.FromString(payload)
                if msg.WhichOneof("type") == "rerun_script":
                    self.pending.append((time.perf_counter(), msg.rerun_script.is_auto_rerun))

        def received(payload: bytes | str) -> None:
            small = isinstance(payload, bytes) and len(payload) < 1024 and self.pending  # script_finished is
            if small and ForwardMsg.FromString(payload).WhichOneof("type") == "script_finished":
                t0, auto = self.pending.pop(0)
                if self.first is None:
                    self.first = time.perf_counter() - t0
                else:
                    (self.polls if auto else self.user).append(time.perf_counter() - t0)

        page.on("websocket", lambda ws: (ws.on("framesent", sent), ws.on("framereceived", received)))


@dataclass
class Session:
    index: int
    first_load: float | None = None
    reruns: list[tuple[str, float]] = field(default_factory=list)  # (step, seconds)
    pressed_train: bool = False
    queued_text: str | None = None
    end: str | None = None
    owner: str | None = None
    error: str | None = None
    step: str = "start"
    connection: list[str] = field(default_factory=list)  # the websocket's states, in order
    wire: Wire = field(default_factory=Wire)


async def settle(page, check: str, arg: str) -> float:
    """Seconds from the last input to the page showing ``check(arg)`` with no script running."""
    done = await page.wait_for_function(SETTLED, arg=[check, arg], polling=50, timeout=WAIT_MS)
    return (await done.json_value() - await page.evaluate("window.__st.input")) / 1000


async def student(browser, url: str, s: Session, epochs: int, probe_every: float, stagger: float) -> None:
    await asyncio.sleep(s.index * stagger)
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = await context.new_page()
        page.set_default_timeout(WAIT_MS)
        await page.add_init_script(TRACKER)
        s.wire.watch(page)
        t0 = time.perf_counter()
        await page.goto(url)
        await page.wait_for_function(SETTLED, arg=["text", "Load a preset"], polling=50, timeout=WAIT_MS)
        s.first_load = time.perf_counter() - t0
        s.step = "open Train"
        await page.get_by_test_id("stSidebarNav").get_by_role("link", name="Train").click()
        s.reruns.append((s.step, await settle(page, "text", "Epochs & device")))
        s.step = "load the preset"
        await page.get_by_test_id("stSelectbox").filter(has_text="Load a preset").click()
        await page.get_by_role("option", name=PRESET).click()
        s.reruns.append((s.step, await settle(page, "name", PRESET)))
        s.step = "set the epochs"
        await page.get_by_role("tab", name="Epochs & device").click()
        box = page.get_by_label("epochs", exact=True)
        await box.fill(str(epochs))
        await box.press("Enter")
        s.reruns.append((s.step, await settle(page, "text", f"Draft {PRESET}: {epochs} epochs")))
        s.step = "press Train"
        await page.get_by_test_id("stButton").filter(has_text="Train").locator("button").first.click()
        s.pressed_train = True
        s.reruns.append((s.step, await settle(page, "text", "status: ")))
        text = await page.evaluate("document.body.innerText")
        s.queued_text = next((line for line in text.splitlines() if line.startswith("Queued:")), None)
        s.owner = parse_qs(urlsplit(page.url).query).get("owner", [None])[0]
        value, s.step = epochs, "wait for the run"
        deadline = time.monotonic() + WAIT_MS / 1000 * 3
        while time.monotonic() < deadline:
            text = await page.evaluate("document.body.innerText")
            found = ENDED.search(text)
            if found:
                s.end = found.group(1)
                s.connection = await page.evaluate("window.__st.connection")
                return
            if probe_every > 0:  # go on using the page: a full rerun that changes the draft
                await asyncio.sleep(probe_every)
                if ENDED.search(await page.evaluate("document.body.innerText")):
                    continue  # it ended meanwhile (and the page's full rerun showed the first tab)
                # no rerun: tabs are the browser's (.first: during a rerun the old tabs can still be there)
                await page.get_by_role("tab", name="Epochs & device").first.click()
                value = epochs + 1 if value == epochs else epochs
                await box.fill(str(value))
                await box.press("Enter")
                s.reruns.append((s.step, await settle(page, "text", f"Draft {PRESET}: {value} epochs")))
            else:
                await asyncio.sleep(1.0)
        s.error = "the run did not end in time"
    except Exception as err:  # one session's failure is reported, the others go on
        s.error = f"at {s.step}: {type(err).__name__}: {str(err).splitlines()[0][:200]}"
        s.connection = await page.evaluate("window.__st.connection")
        if os.environ.get("CLASSROOM_DEBUG"):
            folder = Path(os.environ["CLASSROOM_DEBUG"])
            await page.screenshot(path=str(folder / f"session-{s.index}.png"), full_page=True)
            (folder / f"session-{s.index}.txt").write_text(await page.evaluate("document.body.innerText"))
    finally:
        await context.close()


def cpu_seconds(root: int) -> float:
    """CPU seconds used so far by the processes under ``root``, itself included (Linux /proc): the live
    ones' own time plus that of their children that ended (a closed page's renderer)."""
    tick, kids, used = os.sysconf("SC_CLK_TCK"), {}, {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # from the state on: ppid is [1], utime [11]
        except OSError:
            continue
        pid = int(stat.parent.name)
        kids.setdefault(int(fields[1]), []).append(pid)
        used[pid] = sum(int(v) for v in fields[11:15]) / tick  # utime, stime, cutime, cstime
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += used.get(pid, 0.0)
        todo += kids.get(pid, [])
    return total


async def load_average(samples: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        samples.append(os.getloadavg()[0])
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 2.0)


def niced_chromium(folder: Path, nice: int) -> str:
    """The system Chromium, or a script that starts it at CPU priority ``nice`` (its pages inherit it)."""
    if nice <= 0:
        return chromium_path()
    wrapper = folder / "chromium-niced"
    wrapper.write_text(f'#!/bin/sh\nexec nice -n {nice} "{chromium_path()}" "$@"\n')
    wrapper.chmod(0o755)
    return str(wrapper)


async def drive(url: str, server: int, sessions: list[Session], args: argparse.Namespace,
                load: list[float], browser_exe: str) -> dict[str, float]:
    """Run the sessions; returns the wall time and the CPU seconds the server and the clients took."""
    stop = asyncio.Event()
    sampler = asyncio.create_task(load_average(load, stop))
    if args.teacher_lead > 0:  # the teacher opens the studio first (the server's first page load warms it up)
        from streamlit_client import ThinSession

        teacher = ThinSession(url)
        await teacher.open()
        await teacher.close()
        await asyncio.sleep(args.teacher_lead)
    if args.clients == "thin":
        from classroom_thin import thin_student

        server0, all0, t0 = cpu_seconds(server), cpu_seconds(os.getpid()), time.perf_counter()
        await asyncio.gather(*(thin_student(url, s, args.epochs, args.probe_every, args.stagger) for s in sessions))
        server1, all1, wall = cpu_seconds(server), cpu_seconds(os.getpid()), time.perf_counter() - t0
        stop.set()
        await sampler
        return {"wall": wall, "server": server1 - server0, "browser": (all1 - all0) - (server1 - server0)}
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=browser_exe, args=CHROMIUM_ARGS)
        server0, all0, t0 = cpu_seconds(server), cpu_seconds(os.getpid()), time.perf_counter()
        await asyncio.gather(*(student(browser, url, s, args.epochs, args.probe_every, args.stagger)
                               for s in sessions))
        server1, all1, wall = cpu_seconds(server), cpu_seconds(os.getpid()), time.perf_counter() - t0
        await browser.close()
    stop.set()
    await sampler
    return {"wall": wall, "server": server1 - server0, "browser": (all1 - all0) - (server1 - server0)}


# Loaded by the server's Python (a sitecustomize on its PYTHONPATH): appends the wall time of every
# script run of every session, as the server sees it, to $CLASSROOM_RUN_TIMES ("first", "full" or "poll"
# and the seconds: a session's first run, a later full run, a live poll of the Train panel).
TIMER = """
import os, threading, time
from streamlit.runtime.scriptrunner import script_runner as _sr

_path, _lock, _real = os.environ["CLASSROOM_RUN_TIMES"], threading.Lock(), _sr.ScriptRunner._run_script
_sessions = set()

def _timed(self, rerun_data):
    t0 = time.perf_counter()
    try:
        return _real(self, rerun_data)
    finally:
        kind = "poll" if rerun_data.is_auto_rerun else "full" if self._session_id in _sessions else "first"
        _sessions.add(self._session_id)
        with _lock, open(_path, "a") as f:
            f.write(f"{kind} {time.perf_counter() - t0:.4f}\\n")

_sr.ScriptRunner._run_script = _timed
"""


def start_app(runs: Path, cwd: Path, max_jobs: int | None) -> tuple[subprocess.Popen, str, Path]:
    """``studio app`` on a free port, as a teacher starts it; returns once /_stcore/health says ok."""
    port = free_port()
    log = cwd / "server.log"
    cmd = [sys.executable, "-m", "studio.cli", "app", "--host", "127.0.0.1", "--port", str(port),
           "--runs-dir", str(runs), *(["--max-jobs", str(max_jobs)] if max_jobs else [])]
    timer = cwd / "timer"
    timer.mkdir()
    (timer / "sitecustomize.py").write_text(TIMER)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(timer), str(ROOT)]),
           "CLASSROOM_RUN_TIMES": str(cwd / "run_times.txt")}
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                return proc, url, log
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit(f"studio app did not start:\n{log.read_text()}")


def stop_app(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGINT)  # as Ctrl+C: it stops the server, which stops its jobs
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def runs_on_disk(runs: Path) -> dict[str, str]:
    """user hash (owner.json) -> the status in its run's summary.json, for every run folder."""
    found: dict[str, str] = {}
    for run in runs.iterdir() if runs.is_dir() else []:
        try:
            user = json.loads((run / "owner.json").read_text()).get("user")
            found[user] = json.loads((run / "summary.json").read_text()).get("status", "?")
        except (OSError, ValueError):
            found.setdefault(str(run.name), "no summary")
    return found


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=30, help="browser sessions (students), default 30")
    ap.add_argument("--epochs", type=int, default=10, help="epochs of each run (iris), default 10")
    ap.add_argument("--max-jobs", type=int, default=None, help="studio app --max-jobs (default: the app's)")
    ap.add_argument("--probe-every", type=float, default=5.0,
                    help="seconds between a session's page reruns while its run goes on (0: none)")
    ap.add_argument("--clients", choices=["thin", "browser"], default="thin",
                    help="thin (default): each student speaks Streamlit's websocket protocol itself (benchmarks/"
                         "streamlit_client.py), so the server's cores serve the server, as in a class where the "
                         "browsers are the students' laptops; browser: thirty Chromium pages on this machine")
    ap.add_argument("--browser-nice", type=int, default=19,
                    help="CPU priority (nice) of Chromium: by default the lowest, so that the simulated laptops take "
                         "only the CPU the server leaves, as in a real class where they are other machines (0: same)")
    ap.add_argument("--teacher-lead", type=float, default=10.0,
                    help="seconds between the teacher opening the studio and the first student (default 10: the "
                         "first page load starts the training workers' forkserver, which imports torch meanwhile)")
    ap.add_argument("--stagger", type=float, default=1.0,
                    help="seconds between two sessions' arrivals (default 1: a class opens it within half a minute)")
    args = ap.parse_args()
    if args.clients == "browser" and chromium_path() is None:
        raise SystemExit("no system Chromium: install the Debian package `chromium` or set CHROMIUM_PATH")
    sessions = [Session(i) for i in range(args.sessions)]
    print(f"load average (1 min) before it started: {os.getloadavg()[0]:.1f}", flush=True)
    load: list[float] = []
    with tempfile.TemporaryDirectory(prefix="classroom-") as tmp:
        runs = Path(tmp) / "runs"
        proc, url, log = start_app(runs, Path(tmp), args.max_jobs)
        try:
            exe = niced_chromium(Path(tmp), args.browser_nice) if args.clients == "browser" else ""
            used = asyncio.run(drive(url, proc.pid, sessions, args, load, exe))
        finally:
            stop_app(proc)
        disk = runs_on_disk(runs)
        times = Path(tmp) / "run_times.txt"
        server_runs = times.read_text().split("\n") if times.is_file() else []
        server_log = log.read_text(errors="replace")
        if os.environ.get("CLASSROOM_LOG"):
            Path(os.environ["CLASSROOM_LOG"]).write_text(server_log)
    report(sessions, disk, load, used, server_log, server_runs, args)


def report(sessions: list[Session], disk: dict[str, str], load: list[float], used: dict[str, float],
           server_log: str, server_runs: list[str], args: argparse.Namespace) -> None:
    good = ("completed", "early_stopped")
    finished = seen = lost = 0
    for s in sessions:  # the runs folder is the truth; the page saying so is counted apart
        user = hashlib.sha256(f"studio-user:{s.owner}".encode()).hexdigest()[:32] if s.owner else None
        ok = disk.get(user) in good
        finished += ok
        seen += ok and s.end in good
        lost += s.pressed_train and not ok
    reruns = [r for s in sessions for _, r in s.reruns]
    steps: dict[str, list[float]] = {}
    for s in sessions:
        for step, r in s.reruns:
            steps.setdefault(step, []).append(r)
    loads = [s.first_load for s in sessions if s.first_load is not None]
    queued = [s.queued_text for s in sessions if s.queued_text]
    training = [int(m) for q in queued for m in re.findall(r"\((\d+) runs? training", q)]
    wall = used["wall"]
    clients = "thin clients" if args.clients == "thin" else f"Chromium pages at nice {args.browser_nice}"
    print(f"{args.sessions} sessions ({clients}), {args.epochs} epochs each, {os.cpu_count()} CPUs, "
          f"studio app --max-jobs {args.max_jobs or 'default'}; all done in {wall:.0f} s")
    print(f"CPU while it ran: the studio server and its training workers {used['server'] / wall:.2f} cores, "
          f"the clients and this driver {used['browser'] / wall:.2f} cores")
    if loads:
        print(f"first load of the app: p50 {statistics.median(loads):.2f} s, p95 {pct(loads, 95):.2f} s")
    print(f"queued at Train: {len(queued)} of {args.sessions} sessions"
          + (f" (e.g. {queued[-1]!r}; most runs training seen: {max(training)})" if training else ""))
    if load:
        print(f"load average (1 min) while it ran: mean {statistics.mean(load):.1f}, max {max(load):.1f}")
    for s in sessions:
        if s.error:
            print(f"  session {s.index}: {s.error}")
    dropped = [s.index for s in sessions if s.connection.count("CONNECTED") > 1]
    if dropped:
        print(f"  sessions whose websocket reconnected: {dropped}")
    tracebacks = server_log.count("Traceback")
    if tracebacks:
        last = server_log.split("Traceback")[1].strip().splitlines()
        print(f"  the server log holds {tracebacks} traceback(s); the first ends: {' | '.join(last[-3:])}")
    for step, values in steps.items():
        print(f"  rerun after '{step}': {len(values)}, p50 {statistics.median(values):.2f} s, max {max(values):.2f} s")
    user = [r for s in sessions for r in s.wire.user]
    polls = [r for s in sessions for r in s.wire.polls]
    waited = [r for s in sessions for r in s.wire.waited]
    if waited:
        print(f"  inputs that waited for a live poll under way (thin clients send one request at a time): "
              f"{sum(w > 0.001 for w in waited)} of {len(waited)}, p95 wait {pct(waited, 95):.2f} s")
    for name, values in (("after an input", user), ("live polls of the Train panel", polls)):
        if values:
            print(f"  on the wire (rerun sent -> script finished), {name}: {len(values)}, "
                  f"p50 {statistics.median(values):.2f} s, p95 {pct(values, 95):.2f} s")
    for kind, label in (("first", "first runs (the app's load)"), ("full", "full reruns after an input"),
                        ("poll", "live polls of the Train panel")):
        values = [float(line.split()[1]) for line in server_runs if line.startswith(kind + " ")]
        if values:
            print(f"  in the server (a script run's wall time), {label}: {len(values)}, "
                  f"p50 {statistics.median(values):.2f} s, p95 {pct(values, 95):.2f} s")
    if reruns:
        print(f"page rerun: {len(reruns)} reruns, p50 {statistics.median(reruns):.2f} s, "
              f"p95 {pct(reruns, 95):.2f} s (target <= 1 s)")
    else:
        print("page rerun: none measured (target <= 1 s)")
    print(f"runs finished: {finished} of {args.sessions} (target all; {seen} of them seen ending on their page)")
    print(f"runs lost: {lost} (target none)")


if __name__ == "__main__":
    main()
