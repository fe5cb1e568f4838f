"""How many CPU threads training uses: ``training.threads`` when set, else the policy below.

The policy: ``max(1, min(torch's default, cores - 1, cores - busy))``, where ``cores`` are the
cores this process may use (its affinity, within a container's CPU quota) and ``busy`` the cores
other work keeps busy when the run starts (measured over 0.15 s from /proc/stat on Linux; taken as
0 elsewhere, where the policy is cores - 1).

Why (measured on this project's 2-core VM, torch 2.13, Adam, samples/s, ranges of 3-4 interleaved
rounds; other processes kept 1.0-1.5 cores busy unless said otherwise):

* Torch's intra-op threads wait for each other at the end of every parallel region, so a thread
  that shares its core with another busy process stalls all of them for a scheduler time slice.
  A 32-128-64-2 MLP (batch 64) trained at 31-47k with 1 thread and at 0.4-2.6k with 2 (12-80x
  slower); a 32-512-512-2 MLP (batch 1024) at 16-24k against 3.1-5.5k. In a thread other than the
  main one (the app's Job) 2 threads did less badly (8.5-20k) but still lost to 1 (16-45k).
  The issue's report: a 1M-row epoch took 491 s with 2 threads instead of 14.6 s with 1.
* On an idle machine (0.03 cores busy) 2 threads ran the 512-512 MLP at 39k against 24k with 1
  (1.65x); small layers gain nothing (the note that was in device.py: 60-77k either way).
* benchmarks/contention.py (MLP 32-256-128-2, batch 128, main thread, medians of 7 rounds, other
  processes at 0.05 cores): torch's default (2 threads) ran at 46k idle and 1.8k beside one spinning
  process (0.04x); the policy (1 thread) at 54k idle and 50k beside it (0.92x), 27x the default there.
  With others at 1.0-1.5 cores the policy kept 0.54-0.89x, while the default collapsed even "idle".

Losing up to 1.65x when idle is cheap against losing 10-80x when anything else runs, so one core
is always left over (for the app's own server, the browser, a test run), and cores that other work
keeps busy at the start are not used either. Contention that starts during a run is met by the
spare core only; ``training.threads`` overrides the policy.

When several jobs train in one process (the app's job queue), each gets at most ``cores // jobs``
threads, counted when it starts (:mod:`studio.train.cpu_share`), ``training.threads`` included.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch

from studio.train.cpu_share import sharers

TORCH_DEFAULT = torch.get_num_threads()  # torch's own choice at import: physical cores or OMP_NUM_THREADS
SAMPLE_SECONDS = 0.15  # how long the busy cores are measured when the policy could use more than 1 thread
_STAT = Path("/proc/stat")
_BUSY_FIELDS = (0, 1, 2, 5, 6, 7)  # user, nice, system, irq, softirq, steal (guest time is inside user)


# A container's CPU limit (docker --cpus): cgroup v2's "quota period", or v1's quota and period files.
_CGROUP_V2 = Path("/sys/fs/cgroup/cpu.max")
_CGROUP_V1 = (Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"), Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us"))


def cgroup_cpu_limit(v2: str | None = None, v1: tuple[str, str] | None = None) -> int | None:
    """Whole cores a container's CPU quota allows (rounded up), or None without a quota.

    With neither text given, they are read from /sys/fs/cgroup (v2 first).
    """
    try:
        if v2 is None and v1 is None:
            if _CGROUP_V2.is_file():
                v2 = _CGROUP_V2.read_text()
            elif _CGROUP_V1[0].is_file():
                v1 = (_CGROUP_V1[0].read_text(), _CGROUP_V1[1].read_text())
            else:
                return None
        quota, period = (v2.split()[:2] if v2 is not None else v1) or ("max", "1")
        if quota.strip() in ("max", "-1"):
            return None
        return max(1, math.ceil(int(quota) / int(period)))
    except (OSError, ValueError, ZeroDivisionError):
        return None


def usable_cores() -> int:
    """Cores this process may use: its CPU affinity (else all cores), within a container's CPU quota."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        cores = os.cpu_count() or 1
    limit = cgroup_cpu_limit()
    return min(cores, limit) if limit else cores


def policy_threads(cores: int, busy: float, torch_default: int = TORCH_DEFAULT) -> int:
    """The policy's thread count for ``cores`` usable cores of which ``busy`` are kept busy by other work.

    A core counts as busy from half its time on (``busy`` 0.5 -> 1 core, 0.4 -> 0).
    """
    busy_cores = math.floor(max(0.0, busy) + 0.5)
    return max(1, min(torch_default, cores - 1, cores - busy_cores))


def _busy_jiffies(text: str) -> tuple[int, int, int]:
    """(busy ticks, all ticks, CPUs) of the machine from /proc/stat: its "cpu" line and "cpuN" lines."""
    lines = text.splitlines()
    fields = [int(v) for v in lines[0].split()[1:]]
    cpus = sum(1 for line in lines[1:] if line.startswith("cpu") and line[3:4].isdigit())
    return sum(fields[i] for i in _BUSY_FIELDS if i < len(fields)), sum(fields[:8]), max(1, cpus)


def busy_cores(seconds: float = SAMPLE_SECONDS, read: Callable[[], str] | None = None,
               sleep: Callable[[float], None] = time.sleep) -> float:
    """Cores kept busy by everything but the calling thread (it sleeps meanwhile), over ``seconds``.

    Other threads of this process count as busy (another Job, the app's server). Returns 0.0 where
    there is no /proc/stat.
    """
    if read is None:
        if not _STAT.is_file():
            return 0.0
        read = _STAT.read_text
    busy0, all0, _ = _busy_jiffies(read())
    sleep(seconds)
    busy1, all1, cpus = _busy_jiffies(read())
    if all1 <= all0:
        return 0.0
    return cpus * (busy1 - busy0) / (all1 - all0)


@dataclass(frozen=True)
class ThreadChoice:
    threads: int
    reason: str  # e.g. "training.threads", "policy: 2 cores, 1.0 busy"


def choose_threads(override: int | None, cores: int | None = None,
                   measure: Callable[[], float] = busy_cores, jobs: int | None = None) -> ThreadChoice:
    """``override`` when given, else the policy; the busy cores are only measured when they could matter.

    ``jobs``: training jobs that share the cores, this one included (default: what the calling thread
    was told, :func:`studio.train.cpu_share.sharers`; 1 outside the app's job queue). With more than
    one, the run gets at most ``cores // jobs`` threads (at least 1), ``training.threads`` included.
    """
    jobs = jobs or sharers()
    if override is not None:
        if jobs > 1:
            cores = cores or usable_cores()
            share = max(1, cores // jobs)
            if override > share:
                return ThreadChoice(share, f"training.threads {override}, capped to {cores} cores // {jobs} jobs")
        return ThreadChoice(override, "training.threads")
    cores = cores or usable_cores()
    share = max(1, cores // jobs)
    shared = f", {jobs} jobs" if jobs > 1 else ""
    ceiling = min(policy_threads(cores, 0.0), share)  # measuring busy cores (0.15 s) can only lower it
    if ceiling == 1:
        return ThreadChoice(1, f"policy: {cores} core{'' if cores == 1 else 's'}{shared}")
    busy = measure()
    return ThreadChoice(min(policy_threads(cores, busy), share), f"policy: {cores} cores, {busy:.1f} busy{shared}")
