"""The server's job queue (components/jobs.py): a cap on jobs training at once, a cap per session, a
FIFO queue beyond it, Stop taking a job out of the queue, and each started job's share of the cores."""

from __future__ import annotations

import threading
import time

import pytest

from components.jobs import JobRegistry, QueuePlace
from components.queue_view import line, ordinal
from studio.errors import JobLimitError
from studio.status import RunStatus
from studio.train.cpu_share import sharers
from studio.train.job import STOPPED_IN_QUEUE, Job, JobControl

WAIT = 10.0


def gated(gate: threading.Event, seen: list[int] | None = None):
    """A target that trains until ``gate`` is set (or it is stopped); records its thread's sharers."""

    def run(control: JobControl) -> str:
        if seen is not None:
            seen.append(sharers())
        while not gate.wait(0.01):
            if not control.checkpoint():
                return "stopped"
        return "done"

    return run


def until(pred, timeout: float = WAIT) -> None:
    end = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.005)


def test_beyond_the_cap_a_job_waits_first_in_line_and_starts_when_the_first_ends() -> None:
    reg = JobRegistry(max_running=1, max_per_owner=1)
    gate_a, gate_b = threading.Event(), threading.Event()
    seen: list[int] = []
    a = reg.submit("owner-a", Job(gated(gate_a, seen), name="a"), "a")
    b = reg.submit("owner-b", Job(gated(gate_b, seen), name="b"), "b")
    assert a.job.status == RunStatus.RUNNING and b.job.status == RunStatus.QUEUED
    assert reg.place(b.run_id) == QueuePlace(place=1, waiting=1, training=1) and reg.place(a.run_id) is None
    assert line(reg.place(b.run_id)) == "Queued: 1st in line (1 run training on this server)"
    time.sleep(0.1)
    assert b.job.status == RunStatus.QUEUED and b.job.snapshot().events == []  # it really waits
    gate_a.set()
    assert a.job.wait(WAIT) and a.job.status == RunStatus.COMPLETED
    until(lambda: b.job.status == RunStatus.RUNNING)  # started from a's end, not by anyone polling
    assert reg.place(b.run_id) is None and reg.training() == 1
    gate_b.set()
    assert b.job.wait(WAIT) and b.job.status == RunStatus.COMPLETED and b.job.result == "done"
    assert seen == [1, 1]  # each trained alone: all the cores' threads were its to take


def test_stop_takes_a_queued_job_out_of_the_queue_and_it_never_starts() -> None:
    reg = JobRegistry(max_running=1, max_per_owner=1)
    gate = threading.Event()
    ran: list[str] = []
    a = reg.submit("a", Job(gated(gate), name="a"), "a")
    b = reg.submit("b", Job(lambda control: ran.append("b"), name="b"), "b")
    c = reg.submit("c", Job(lambda control: ran.append("c"), name="c"), "c")
    assert reg.place(c.run_id).place == 2
    b.job.stop()
    assert b.job.status == RunStatus.STOPPED and b.job.wait(0)  # at once, no thread involved
    assert b.job.snapshot().finished["message"] == STOPPED_IN_QUEUE
    assert reg.place(b.run_id) is None and reg.place(c.run_id) == QueuePlace(1, 1, 1)
    assert reg.get(b.run_id, owner="b") is b  # not lost: its tab still finds it, stopped
    assert reg.going("b") == 0  # and its session may train again
    gate.set()
    assert a.job.wait(WAIT)
    until(lambda: c.job.status == RunStatus.COMPLETED)
    assert ran == ["c"] and b.job.status == RunStatus.STOPPED


def test_five_jobs_with_a_cap_of_two_all_finish_never_more_than_two_at_once() -> None:
    reg = JobRegistry(max_running=2, max_per_owner=1)
    lock, now, most, order, shares = threading.Lock(), [0], [0], [], {}

    def work(name: str):
        def run(control: JobControl) -> None:
            with lock:
                now[0] += 1
                most[0] = max(most[0], now[0])
                order.append(name)
                shares[name] = sharers()
            time.sleep(0.05)
            with lock:
                now[0] -= 1
        return run

    handles = [reg.submit(f"owner-{i}", Job(work(str(i)), name=str(i)), str(i)) for i in range(5)]
    assert [h.job.status for h in handles] == [RunStatus.RUNNING] * 2 + [RunStatus.QUEUED] * 3
    assert [reg.place(h.run_id).place for h in handles[2:]] == [1, 2, 3]
    until(lambda: all(h.job.status == RunStatus.COMPLETED for h in handles))
    assert most[0] == 2 and sorted(order) == list("01234") and set(order[:2]) == {"0", "1"}
    assert shares["0"] == 1 and shares["1"] == 2  # the second started beside the first: half the cores each
    assert set(shares.values()) <= {1, 2}
    assert reg.training() == 0 and not reg.active()


def test_a_session_has_its_share_of_runs_at_a_time() -> None:
    reg = JobRegistry(max_running=4, max_per_owner=1)
    gate = threading.Event()
    first = reg.submit("me", Job(gated(gate), name="1"), "1")
    with pytest.raises(JobLimitError, match="1 run queued or training at a time"):
        reg.submit("me", Job(gated(gate), name="2"), "2")
    assert reg.list("me") == [first]  # the refused job was not filed
    two = JobRegistry(max_running=1, max_per_owner=2)
    a, b = (two.submit("me", Job(gated(gate), name=n), n) for n in "ab")
    assert a.job.status == RunStatus.RUNNING and b.job.status == RunStatus.QUEUED and two.going("me") == 2
    first.job.stop()
    gate.set()
    assert first.job.wait(WAIT) and a.job.wait(WAIT) and b.job.wait(WAIT)


def test_stop_all_ends_queued_jobs_and_starts_none() -> None:
    reg = JobRegistry(max_running=1, max_per_owner=1)
    started: list[str] = []
    a = reg.submit("a", Job(gated(threading.Event()), name="a"), "a")
    queued = [reg.submit(o, Job(lambda control, o=o: started.append(o), name=o), o) for o in "bcd"]
    assert reg.stop_all(wait=WAIT) == []
    assert a.job.status == RunStatus.STOPPED and started == []
    assert all(h.job.status == RunStatus.STOPPED for h in queued)


@pytest.mark.parametrize(("n", "text"), [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"),
                                         (12, "12th"), (13, "13th"), (21, "21st"), (22, "22nd"), (103, "103rd")])
def test_ordinals(n: int, text: str) -> None:
    assert ordinal(n) == text


def test_each_owners_newest_ended_run_is_kept_beyond_max_finished() -> None:
    reg = JobRegistry(max_finished=20, max_running=2, max_per_owner=1)
    class_runs = [reg.submit(f"student-{i}", Job(lambda control: None, name=str(i)), str(i)) for i in range(25)]
    until(lambda: not reg.active())
    again = reg.submit("student-0", Job(lambda control: None, name="again"), "again")
    until(lambda: not reg.active())
    for i, handle in enumerate(class_runs[1:], start=1):
        assert reg.get(handle.run_id, owner=f"student-{i}") is handle  # still on its Train page
    assert reg.get(again.run_id) is again


def test_a_group_is_one_share_of_its_session_and_a_slot_each() -> None:
    reg = JobRegistry(max_running=3, max_per_owner=1)
    gate, other = threading.Event(), threading.Event()
    busy = reg.submit("someone-else", Job(gated(other), name="x"), "x")
    a, b = reg.submit_group("me", [(Job(gated(gate), name="a"), "A"), (Job(gated(gate), name="b"), "B")])
    assert a.job.status == b.job.status == RunStatus.RUNNING and reg.slots_taken() == 3
    assert reg.going("me") == 1  # the pair is one share, though it holds two slots
    with pytest.raises(JobLimitError, match="1 run queued or training"):
        reg.submit("me", Job(gated(gate), name="c"), "c")
    with pytest.raises(JobLimitError):
        reg.submit_group("me", [(Job(gated(gate), name="d"), "d"), (Job(gated(gate), name="e"), "e")])
    assert [h.name for h in reg.list("me")] == ["B", "A"]  # the refused ones were not filed
    late = reg.submit_group("late", [(Job(gated(gate), name=n), n) for n in "fg"])
    assert [h.job.status for h in late] == [RunStatus.QUEUED] * 2  # no slot left: both wait, in order
    assert [reg.place(h.run_id).place for h in late] == [1, 2]
    gate.set()
    until(lambda: all(h.job.status == RunStatus.COMPLETED for h in (a, b, *late)))
    assert reg.going("me") == 0 and reg.going("late") == 0
    other.set()
    assert busy.job.wait(WAIT)


def test_a_job_holding_two_slots_waits_for_both_and_keeps_its_place_in_line() -> None:
    reg = JobRegistry(max_running=2, max_per_owner=1)
    gate_a, gate_wide, gate_c = threading.Event(), threading.Event(), threading.Event()
    seen: list[int] = []
    first = reg.submit("a", Job(gated(gate_a), name="a"), "a")
    wide = reg.submit("w", Job(gated(gate_wide, seen), name="sweep"), "sweep", slots=2)
    c = reg.submit("c", Job(gated(gate_c), name="c"), "c")
    assert wide.job.status == RunStatus.QUEUED  # one slot is free, it needs two
    assert c.job.status == RunStatus.QUEUED  # first in, first out: c does not jump ahead into the free slot
    gate_a.set()
    until(lambda: wide.job.status == RunStatus.RUNNING)
    assert first.job.status == RunStatus.COMPLETED and reg.slots_taken() == 2
    assert c.job.status == RunStatus.QUEUED and seen == [2]
    gate_wide.set()
    until(lambda: c.job.status == RunStatus.RUNNING)
    gate_c.set()
    assert c.job.wait(WAIT)


def test_a_job_wider_than_the_server_starts_alone() -> None:
    reg = JobRegistry(max_running=2, max_per_owner=1)
    gate = threading.Event()
    wide = reg.submit("w", Job(gated(gate), name="sweep"), "sweep", slots=4)
    assert wide.job.status == RunStatus.RUNNING and reg.slots_taken() == 4
    after = reg.submit("b", Job(gated(gate), name="b"), "b")
    assert after.job.status == RunStatus.QUEUED
    gate.set()
    until(lambda: after.job.status == RunStatus.COMPLETED)
