"""A queued run's place in the server's job queue, as the Train page and the sidebar say it."""

from __future__ import annotations

from components import jobs
from components.jobs import QueuePlace, RunHandle

QUEUE_POLL = 2.0  # seconds between looks at a queued run's place (a running run's chart polls faster)


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, ... 11th, 12th, 13th, ... 21st, 22nd."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def line(place: QueuePlace) -> str:
    """e.g. "Queued: 3rd in line (2 runs training on this server)"."""
    runs = "1 run" if place.training == 1 else f"{place.training} runs"
    return f"Queued: {ordinal(place.place)} in line ({runs} training on this server)"


def place_of(handle: RunHandle) -> QueuePlace | None:
    return jobs.registry().place(handle.run_id)


def short(handle: RunHandle) -> str:
    """e.g. "queued: 3rd in line" (the A/B comparison's progress line)."""
    place = place_of(handle)
    return f"queued: {ordinal(place.place)} in line" if place is not None else "starting…"


def text(handle: RunHandle) -> str:
    """The Train page's sentence on a queued run (a run that has just left the queue says so)."""
    place = place_of(handle)
    if place is None:
        return "Starting…"
    return f"{line(place)}. It starts by itself when a run ends; Stop takes it out of the queue."
