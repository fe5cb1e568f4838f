"""`studio app`'s server process: signals reach it, it ends with `studio app`, and is waited for.

The server (``streamlit run``) runs in a process group of its own, so a Ctrl-C in the terminal
reaches it once, through `studio app`, which forwards SIGINT and SIGTERM as they are and SIGHUP (a
closed terminal) as SIGTERM, then waits until the server has stopped its training jobs and exited.
A second Ctrl-C is forwarded too; the server then quits at once (see ``components/jobs.py``).

If `studio app` itself is killed (SIGKILL, the OOM killer), Linux sends the server SIGTERM
(``prctl(PR_SET_PDEATHSIG)``), so it stops its jobs cleanly instead of running on as an orphan.
macOS and Windows have no such call: there an orphaned server keeps running until it is stopped.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from types import FrameType

FORWARDED: dict[int, int] = {signal.SIGINT: signal.SIGINT, signal.SIGTERM: signal.SIGTERM}
if hasattr(signal, "SIGHUP"):
    FORWARDED[signal.SIGHUP] = signal.SIGTERM  # a closed terminal: stop cleanly, as for SIGTERM
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` that asks Linux to send SIGTERM to the child when this process dies (None elsewhere)."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before fork: the child only calls it
    parent = os.getpid()

    def in_child() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before prctl: nobody will send the signal
            os._exit(1)

    return in_child


def exit_status(returncode: int) -> int:
    """A child's return code as a shell reports it: -15 (killed by SIGTERM) -> 143."""
    return 128 - returncode if returncode < 0 else returncode


def run_server(cmd: Sequence[str], env: dict[str, str] | None = None) -> int:
    """Run ``cmd`` until it exits, forwarding signals to it; returns its exit status."""
    started: list[subprocess.Popen] = []
    pending: list[int] = []  # signals that came before the server existed

    def forward(signum: int, frame: FrameType | None) -> None:
        if not started:
            pending.append(FORWARDED[signum])
        elif started[0].poll() is None:
            started[0].send_signal(FORWARDED[signum])

    # A signal this process ignores (SIGHUP under nohup) stays ignored, and the server inherits that.
    previous = {sig: signal.signal(sig, forward) for sig in FORWARDED
                if signal.getsignal(sig) is not signal.SIG_IGN}
    try:
        proc = subprocess.Popen(list(cmd), env=env, preexec_fn=_die_with_parent(),
                                **({"process_group": 0} if os.name == "posix" else {}))
        started.append(proc)
        for sig in pending:
            proc.send_signal(sig)
        return exit_status(proc.wait())  # wait() goes on waiting after each forwarded signal (PEP 475)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if started and started[0].poll() is None:  # only after an unexpected error: never leave it behind
            started[0].terminate()
            started[0].wait()
